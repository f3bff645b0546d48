// RUN: not %dgc check %s --function H --structure S -- -DMUTABLE 2>&1 | FileCheck %s --check-prefix=MUTABLE
// RUN: not %dgc check %s --function H --structure S -- -DBINDING 2>&1 | FileCheck %s --check-prefix=BINDING
// RUN: not %dgc check %s --function H --structure S -- -DFUNCTION 2>&1 | FileCheck %s --check-prefix=FUNCTION
// RUN: not %dgc check %s --function H --structure S -- -DDELEGATE 2>&1 | FileCheck %s --check-prefix=DELEGATE
// RUN: not %dgc check %s --function H --structure S -- -DUNSET 2>&1 | FileCheck %s --check-prefix=UNSET
// What dgc refuses of structs and lambdas: one error at the construct.
#include <array>
#include <functional>

#ifdef MUTABLE
double H(const double *u) {
  int n = 0;
  // MUTABLE: :[[@LINE+1]]:14: error: 'mutable' lambdas are not supported (a lambda may change what it captures by reference)
  auto inc = [n]() mutable { return ++n; };
  return inc() * u[0] + u[1];
}
#endif

#ifdef BINDING
double H(const double *u) {
  // BINDING: :[[@LINE+1]]:8: error: structured bindings are not supported; name the elements one by one
  auto [a, b] = std::array<double, 2>{u[0], u[1]};
  return a * b;
}
#endif

#ifdef FUNCTION
double H(const double *u) {
  // FUNCTION: :[[@LINE+1]]:33: error: variables of type 'std::function' are not supported (dgc knows std::array and std::span)
  std::function<double(double)> f = [](double x) { return x * x; };
  return f(u[0]) + u[1];
}
#endif

#ifdef DELEGATE
struct N {
  double v;
  // DELEGATE: :[[@LINE+1]]:9: error: delegating constructors are not supported; initialise the members in each constructor
  N() : N(1.0) {}
  N(double a) : v(a) {}
};
double H(const double *u) {
  N n;
  return n.v * u[0] + u[1];
}
#endif

#ifdef UNSET
struct P {
  double x, y;
};
double H(const double *u) {
  P p;
  p.x = u[0];
  // UNSET: :[[@LINE+1]]:23: error: read of uninitialised member 'y'
  return p.x * u[1] + p.y;
}
#endif
