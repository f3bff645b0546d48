// RUN: not %dgc check %s --function H --structure S 2>&1 | FileCheck %s
// A file Clang rejects is reported by Clang, with nothing else.

// CHECK: :[[@LINE+2]]:36: error: use of undeclared identifier 'v'
// CHECK-NOT: dgc: error
double H(const double *u) { return v[0]; }
