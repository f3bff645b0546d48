// RUN: %dgc check %s --function H --structure "S - friction(0.1)" | %FileCheck %s
// RUN: %dgc check %s --function H --structure=-I | %FileCheck %s --check-prefix=NEG
// The structure is the dg front end's own: laws come out as for a .dg model.

// CHECK: laws: dissipates energy
// NEG: laws: dissipates energy
double H(const double *u) { return u[0] * u[0] + u[1] * u[1]; }
