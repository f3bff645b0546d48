// The energy of an existing C++ simulator, as its author wrote it: a
// Fermi-Pasta-Ulam-Tsingou alpha chain of N unit masses between fixed walls,
// state u = (q_0 .. q_{N-1}, p_0 .. p_{N-1}). Nothing here knows about dgc;
// CMakeLists.txt turns it into an energy-conserving integrator with one
// dgc_add_model call (the C++ front end, structure S).
#include <cmath>

namespace chain {

constexpr int N = 16;          // masses
constexpr double alpha = 0.25; // cubic nonlinearity of the springs

// Potential of one spring stretched by r.
double spring(double r) { return 0.5 * r * r + alpha / 3.0 * r * r * r; }

double energy(const double *u) {
  double kinetic = 0, potential = 0;
  for (int i = 0; i < N; ++i)
    kinetic += 0.5 * u[N + i] * u[N + i];
  for (int i = 0; i <= N; ++i) {
    double left = i == 0 ? 0.0 : u[i - 1];
    double right = i == N ? 0.0 : u[i];
    potential += spring(right - left);
  }
  return kinetic + potential;
}

} // namespace chain
