//===- Dopri5Tableau.h - The Dormand-Prince 5(4) coefficients ---*- C++ -*-===//
//
// Part of dgc's runtime. One copy of the Dormand-Prince 5(4) Butcher
// tableau and its continuous extension, shared by the dopri5 integrator
// (Integrators.h) and dopri5 training (Dopri5Train.h).
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
  /// Continuous extension of a step of size h from y with stages K_i:
  /// y(t + s h) = y + h sum_i K_i sum_j Dense[i][j] s^(j+1) (4th order;
  /// at s = 1 it gives row 6 of A, so Dense[6] sums to 0).
  static constexpr double Dense[7][4] = {
      {1, -8048581381.0 / 2820520608, 8663915743.0 / 2820520608,
       -12715105075.0 / 11282082432},
      {0, 0, 0, 0},
      {0, 131558114200.0 / 32700410799, -68118460800.0 / 10900136933,
       87487479700.0 / 32700410799},
      {0, -1754552775.0 / 470086768, 14199869525.0 / 1410260304,
       -10690763975.0 / 1880347072},
      {0, 127303824393.0 / 49829197408, -318862633887.0 / 49829197408,
       701980252875.0 / 199316789632},
      {0, -282668133.0 / 205662961, 2019193451.0 / 616988883,
       -1453857185.0 / 822651844},
      {0, 40617522.0 / 29380423, -110615467.0 / 29380423,
       69997945.0 / 29380423}};

  /// sum_j Dense[i][j] s^(j+1): the weight of K_i at s in [0, 1].
  static constexpr double denseWeight(int i, double s) {
    double c = 0, sp = s;
    for (int j = 0; j < 4; ++j, sp *= s)
      c += Dense[i][j] * sp;
    return c;
  }
};

} // namespace dgc::rt
