// RUN: %dgc emit %s --function H --structure S --stage=ir | FileCheck %s
// RUN: not %dgc check %s --function Bad --structure S -- -DBAD 2>&1 | FileCheck %s --check-prefix=BAD
// A constexpr struct's member folds to a constant; a struct with a base
// class is refused at its use.

// CHECK-LABEL: func @energy
// CHECK: const 2 : real
struct Params { double k; };
constexpr Params params{2.0};
double H(const double *u) { return params.k * u[0] * u[1]; }

#ifdef BAD
struct Base { double a = 1; };
struct Derived : Base { double b = 2; };
double Bad(const double *u) {
  // BAD: :[[@LINE+1]]:11: error: struct 'Derived' has base classes or virtual functions; dgc supports plain structs of numbers, arrays and structs
  Derived d;
  return d.b * u[0] + u[1];
}
#endif
