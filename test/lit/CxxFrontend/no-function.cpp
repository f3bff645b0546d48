// RUN: not %dgc check %s --function Energy --structure S 2>&1 | FileCheck %s
// RUN: not %dgc check %s --structure S 2>&1 | FileCheck %s --check-prefix=NOANN
// RUN: not %dgc check %s --function H 2>&1 | FileCheck %s --check-prefix=NOSTRUCT
// RUN: not %dgc check %s --function H --structure S --grid 4 2>&1 | FileCheck %s --check-prefix=GRID

// CHECK: error: no function named 'Energy' with a body in '{{.*}}no-function.cpp'
// NOANN: error: no function in '{{.*}}no-function.cpp' is marked {{\[\[}}clang::annotate("dgc::energy"){{\]\]}}; name one with --function NAME
// NOSTRUCT: dgc: error: C++ input needs --structure
// GRID: dgc: error: --grid expects N,LENGTH (e.g. --grid 50,10.0), got '4'
double H(const double *u) { return u[0] * u[1]; }
