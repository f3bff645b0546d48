// RUN: not %dgc check %s --function H --structure "S - friction(g)" 2>&1 | FileCheck %s
// The structure goes through the dg front end and its diagnostics.

// CHECK: <--structure>:{{[0-9]+}}:{{[0-9]+}}: error: unknown name 'g'
double H(const double *u) { return u[0] * u[1]; }
