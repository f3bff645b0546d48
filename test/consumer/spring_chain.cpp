// Three unit masses on nonlinear springs between fixed walls, the way a
// simulator would already have written its energy; u = (q0, q1, q2, p0, p1, p2).
namespace chain {

double spring(double r) { return 0.5 * r * r + 0.25 * r * r * r * r; }

double energy(const double *u) {
  double e = 0;
  for (int i = 0; i < 3; ++i)
    e += 0.5 * u[3 + i] * u[3 + i];
  e += spring(u[0]) + spring(u[1] - u[0]) + spring(u[2] - u[1]) + spring(-u[2]);
  return e;
}

} // namespace chain
