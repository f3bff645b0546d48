// RUN: %dgc check %s --function H --structure S -- -DSCALE=2 -I%S | %FileCheck %s
// RUN: not %dgc check %s --function H --structure S 2>&1 | FileCheck %s --check-prefix=NOFLAG
// Flags after `--` go to Clang; Clang's own errors are printed as Clang's.

// CHECK: state size: 2
// NOFLAG: error: "needs -DSCALE"
#ifndef SCALE
#error "needs -DSCALE"
#endif
double H(const double *u) { return SCALE * u[0] * u[1]; }
