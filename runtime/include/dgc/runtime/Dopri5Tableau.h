//===- Dopri5Tableau.h - The Dormand-Prince 5(4) coefficients ---*- C++ -*-===//
//
// Part of dgc's runtime. One copy of the Dormand-Prince 5(4) Butcher
// tableau, shared by the dopri5 integrator (Integrators.h) and dopri5
// training (Dopri5Train.h).
//
//===----------------------------------------------------------------------===//
#pragma once

namespace dgc::rt {

struct Dopri5Tableau {
  /// Stage coefficients a_ij; row 6 is also the 5th-order weights (FSAL).
  static constexpr double A[7][6] = {
      {0, 0, 0, 0, 0, 0},
      {1.0 / 5, 0, 0, 0, 0, 0},
      {3.0 / 40, 9.0 / 40, 0, 0, 0, 0},
      {44.0 / 45, -56.0 / 15, 32.0 / 9, 0, 0, 0},
      {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729, 0, 0},
      {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176,
       -5103.0 / 18656, 0},
      {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84}};
  /// 5th-order weights minus the embedded 4th-order ones.
  static constexpr double E[7] = {71.0 / 57600,  0, -71.0 / 16695,
                                  71.0 / 1920,   -17253.0 / 339200,
                                  22.0 / 525,    -1.0 / 40};
};

} // namespace dgc::rt
