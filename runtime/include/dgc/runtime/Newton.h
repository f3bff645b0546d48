//===- Newton.h - Newton's method for the implicit schemes ------*- C++ -*-===//
//
// Part of dgc's runtime. Solves F(v) = 0 for the implicit schemes (the
// discrete-gradient scheme of the paper's Eq. 6, the implicit midpoint rule)
// with the Jacobian the generated code provides: dense Newton with Eigen's
// partial-pivoting LU for small states, reusing one factorisation across
// iterations and time steps while the residual keeps dropping fast
// (simplified Newton) and refactoring otherwise; matrix-free Newton-Krylov
// (restarted GMRES on the generated Jacobian-vector product) above a
// state-size threshold. Convergence needs both a small residual and a small
// last step; otherwise the solve is an error naming the time step, the
// residual and the iteration count. Every buffer is sized at construction:
// nothing allocates inside a solve. The iteration (NewtonCore) takes its
// linear solver as a parameter; SparseNewton.h adds the sparse ones.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace dgc::rt {

/// A simulation that cannot go on (a scheme refused for the model, a state
/// that became non-finite, a step-size underflow).
struct SimulationError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Newton's method did not converge within its iteration limit.
struct NewtonError : SimulationError {
  NewtonError(int64_t step, double residual, double tolerance, int iterations,
              int halvings = 0, double dt = 0)
      : SimulationError(format(step, residual, tolerance, iterations,
                               halvings, dt)),
        step(step), residual(residual), tolerance(tolerance),
        iterations(iterations), halvings(halvings) {}

  int64_t step;     ///< the time step being computed (1-based)
  double residual;  ///< max-norm of F at the last iterate
  double tolerance; ///< the residual tolerance it had to reach
  int iterations;   ///< Newton iterations done
  int halvings;     ///< times the step was halved before this last try

private:
  static std::string format(int64_t step, double r, double tol, int it,
                            int halvings, double dt) {
    char buf[320];
    int len = std::snprintf(buf, sizeof buf,
                            "Newton's method did not converge at step %lld: "
                            "residual %.3e (tolerance %.3e) after %d "
                            "iterations",
                            static_cast<long long>(step), r, tol, it);
    if (halvings > 0 && len > 0 && len < int(sizeof buf))
      std::snprintf(buf + len, sizeof buf - size_t(len),
                    ", with the step halved %d times (dt %.3e)", halvings,
                    dt);
    return buf;
  }
};

struct NewtonOptions {
  /// Residual tolerance relative to the state's scale: the solve stops when
  /// max|F| <= tol * (1 + max|u|) / dt. 0 picks the default of the scalar
  /// type (1e-12 in double, 1e-5 in float).
  double tol = 0;
  /// Step tolerance: the last Newton step must satisfy
  /// max|dv| <= stepTol * (1 + max|v|), or, with a Jacobian evaluated at the
  /// current iterate, the residual must have stopped decreasing (the
  /// round-off floor). 0 picks 1e-14 (double), 5e-6 (float): tight, since
  /// the energy error of a dg step is about |grad H| times the error in v.
  double stepTol = 0;
  /// The round-off floor of a stiff residual: where max|F| cannot reach
  /// `tol` (a fourth-order operator on a fine grid evaluates F with an
  /// error of eps times |G dgrad|, far above (1 + |u|)/dt), the solve also
  /// stops when a step from a current Jacobian made no progress and was
  /// below floorStepTol * (1 + max|v|): v is then as accurate as F can
  /// tell. 0 picks 1e-10 (double), 1e-4 (float).
  double floorStepTol = 0;
  int maxIters = 50;
  /// Step halvings tried when a step from a current Jacobian does not reduce
  /// the residual (a damped Newton step; 0 takes every full step).
  int maxBacktracks = 10;
  /// States larger than this use Newton-Krylov instead of a dense LU (and,
  /// with a sparse Jacobian, a sparse solver: LinearSolver::Auto).
  int64_t krylovThreshold = 400;
  /// LinearSolver::Auto with a sparse Jacobian: sparse LU up to this many
  /// unknowns, GMRES preconditioned by an incomplete LU beyond
  /// (SparseNewton.h).
  int64_t sparseLuThreshold = 1 << 17;
  /// Simplified Newton: an old factorisation is kept while each iteration
  /// reduces the residual by at least this factor.
  double reuseRatio = 0.1;
  /// GMRES: relative tolerance of each linear solve, restart length and
  /// number of restarts.
  double krylovTol = 1e-8;
  int gmresRestart = 60;
  int gmresMaxRestarts = 20;
};

/// Default residual and step tolerances of `T` (see NewtonOptions).
template <class T> double defaultNewtonTol() {
  return std::is_same_v<T, float> ? 1e-5 : 1e-12;
}
template <class T> double defaultNewtonStepTol() {
  return std::is_same_v<T, float> ? 5e-6 : 1e-14;
}
template <class T> double defaultNewtonFloorStepTol() {
  return std::is_same_v<T, float> ? 1e-4 : 1e-10;
}

/// No preconditioner: Gmres::solve without one.
struct NoPreconditioner {
  template <class T> void operator()(const T *, T *) const {}
};

/// Restarted GMRES(m) with modified Gram-Schmidt and Givens rotations, from
/// x0 = 0, optionally right-preconditioned (A M^-1 y = b, x = M^-1 y, so the
/// residual it watches is the true one). Buffers are sized at construction.
template <class T> class Gmres {
public:
  using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

  Gmres(int64_t n, int restart, int maxRestarts)
      : m(static_cast<int>(std::min<int64_t>(restart, n))),
        maxRestarts(maxRestarts), V(n, m + 1), H(m + 1, m), cs(m), sn(m),
        g(m + 1), y(m), w(n), z(n) {}

  /// Solves A x = b to |b - A x| <= relTol |b|, where apply(in, out) writes
  /// A in to out. Returns the number of products with A.
  template <class Apply>
  int solve(Apply &&apply, const Vec &b, Vec &x, double relTol) {
    return solve(apply, NoPreconditioner{}, b, x, relTol);
  }

  /// The same with the right preconditioner precond(in, out): out = M^-1 in.
  template <class Apply, class Precond>
  int solve(Apply &&apply, Precond &&precond, const Vec &b, Vec &x,
            double relTol) {
    constexpr bool plain =
        std::is_same_v<std::decay_t<Precond>, NoPreconditioner>;
    converged = true;
    x.setZero();
    const T bnorm = b.norm();
    if (bnorm == T(0))
      return 0;
    const T target = static_cast<T>(relTol) * bnorm;
    int products = 0;
    for (int restart = 0; restart <= maxRestarts; ++restart) {
      if (restart == 0) {
        w = b;
      } else {
        apply(x.data(), w.data());
        ++products;
        w = b - w;
      }
      T beta = w.norm();
      if (beta <= target)
        return products;
      V.col(0) = w / beta;
      g.setZero();
      g(0) = beta;
      int j = 0;
      bool done = false;
      while (j < m && !done) {
        if constexpr (plain) {
          apply(V.col(j).data(), w.data());
        } else {
          precond(V.col(j).data(), z.data());
          apply(z.data(), w.data());
        }
        ++products;
        for (int i = 0; i <= j; ++i) {
          H(i, j) = V.col(i).dot(w);
          w -= H(i, j) * V.col(i);
        }
        H(j + 1, j) = w.norm();
        if (H(j + 1, j) > T(0))
          V.col(j + 1) = w / H(j + 1, j);
        for (int i = 0; i < j; ++i) {
          T t = cs(i) * H(i, j) + sn(i) * H(i + 1, j);
          H(i + 1, j) = -sn(i) * H(i, j) + cs(i) * H(i + 1, j);
          H(i, j) = t;
        }
        T d = std::hypot(H(j, j), H(j + 1, j));
        cs(j) = d > T(0) ? H(j, j) / d : T(1);
        sn(j) = d > T(0) ? H(j + 1, j) / d : T(0);
        H(j, j) = d;
        H(j + 1, j) = T(0);
        g(j + 1) = -sn(j) * g(j);
        g(j) = cs(j) * g(j);
        ++j;
        done = std::abs(g(j)) <= target || d == T(0);
      }
      y.head(j) = g.head(j);
      H.topLeftCorner(j, j).template triangularView<Eigen::Upper>()
          .solveInPlace(y.head(j));
      if constexpr (plain) {
        x.noalias() += V.leftCols(j) * y.head(j);
      } else {
        w.noalias() = V.leftCols(j) * y.head(j);
        precond(w.data(), z.data());
        x += z;
      }
      if (done)
        return products;
    }
    converged = false;
    return products; // inexact: Newton's own test decides
  }

  /// Whether the last solve reached its tolerance.
  bool lastConverged() const { return converged; }

private:
  int m, maxRestarts;
  Mat V, H;
  Vec cs, sn, g, y, w, z;
  bool converged = true;
};

/// Work done by a Newton solver's linear algebra, over all its solves.
struct LinearStats {
  int64_t factorizations = 0;   ///< Jacobians factored (LU or incomplete LU)
  int64_t linearIterations = 0; ///< Krylov: products with the Jacobian
};

/// What a linear solver's direction came from (see NewtonCore::iterate).
enum class Direction {
  Current, ///< the Jacobian at the current iterate (fresh or matrix-free)
  Kept,    ///< a factorisation kept from an earlier iterate
  Failed   ///< the factorisation failed (a singular Jacobian)
};

/// Dense LU with partial pivoting of `pr.jacobian` (row-major), kept while
/// Newton converges fast (simplified Newton). Allocates nothing per solve.
template <class T> class DenseLuLinear {
public:
  using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  using RowMat =
      Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  explicit DenseLuLinear(int64_t n) : J(n, n), lu(n) {}

  template <class Problem>
  Direction direction(Problem &pr, const T *v, const Vec &F, Vec &delta,
                      LinearStats &st) {
    bool fresh = false;
    if (!have) {
      pr.jacobian(v, J.data());
      lu.compute(J);
      have = fresh = true;
      ++st.factorizations;
    }
    delta.noalias() = lu.solve(F);
    return fresh ? Direction::Current : Direction::Kept;
  }
  /// An iteration was slow: refactor at the next one.
  void slow() { have = false; }
  void invalidate() { have = false; }

private:
  RowMat J;
  Eigen::PartialPivLU<RowMat> lu;
  bool have = false;
};

/// Matrix-free Newton-Krylov: GMRES on `pr.jvp` at the current iterate.
template <class T> class KrylovLinear {
public:
  using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;

  KrylovLinear(int64_t n, const NewtonOptions &o)
      : gmres(n, o.gmresRestart, o.gmresMaxRestarts), tol(o.krylovTol) {}

  template <class Problem>
  Direction direction(Problem &pr, const T *v, const Vec &F, Vec &delta,
                      LinearStats &st) {
    st.linearIterations += gmres.solve(
        [&](const T *in, T *out) { pr.jvp(v, in, out); }, F, delta, tol);
    return Direction::Current;
  }
  void slow() {}
  void invalidate() {}

private:
  Gmres<T> gmres;
  double tol;
};

/// The Newton iteration shared by every linear solver: the convergence
/// test, backtracking, and keeping or dropping a factorisation. A `Linear`
/// (DenseLuLinear, KrylovLinear, the sparse ones of SparseNewton.h) has
///   Direction direction(Problem&, const T* v, const Vec& F, Vec& delta,
///                       LinearStats&);   // solves J delta = F
///   void slow();        // an iteration cut the residual by less than
///                       // reuseRatio: refresh what it keeps
///   void invalidate();  // dt or the parameters changed
template <class T> class NewtonCore {
public:
  using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;

  NewtonCore(int64_t n, const NewtonOptions &o)
      : n(n), opts(o), F(n), Fold(n), delta(n) {
    if (opts.tol <= 0)
      opts.tol = defaultNewtonTol<T>();
    if (opts.stepTol <= 0)
      opts.stepTol = defaultNewtonStepTol<T>();
    if (opts.floorStepTol <= 0)
      opts.floorStepTol = defaultNewtonFloorStepTol<T>();
    if (opts.maxIters < 1)
      opts.maxIters = 1;
  }

  const NewtonOptions &options() const { return opts; }
  double lastResidual() const { return lastRes; }
  const LinearStats &stats() const { return st; }

  /// Solves F(v) = 0 in place from the guess in `v` until
  /// max|F| <= residualTol and the last step is below the step tolerance.
  /// Returns the number of iterations; throws NewtonError (naming `step`)
  /// when maxIters iterations do not reach both.
  template <class Problem, class Linear>
  int iterate(Problem &pr, Linear &lin, T *v, double residualTol,
              int64_t step) {
    Eigen::Map<Vec> x(v, n);
    pr.residual(v, F.data());
    T r = F.template lpNorm<Eigen::Infinity>();
    lastRes = static_cast<double>(r);
    if (r == T(0))
      return 0;
    int k = 0;
    for (;;) {
      if (k == opts.maxIters || !std::isfinite(static_cast<double>(r)))
        throw NewtonError(step, static_cast<double>(r), residualTol, k);
      Direction d = lin.direction(pr, v, F, delta, st);
      if (d == Direction::Failed)
        throw NewtonError(step, static_cast<double>(r), residualTol, k);
      bool current = d == Direction::Current;
      Fold = F;
      x -= delta;
      ++k;
      pr.residual(v, F.data());
      T rNew = F.template lpNorm<Eigen::Infinity>();
      if (current && rNew > static_cast<T>(residualTol) &&
          !(F.squaredNorm() < Fold.squaredNorm()))
        rNew = backtrack(pr, x, rNew);
      T stepNorm = delta.template lpNorm<Eigen::Infinity>();
      T scale = T(1) + x.template lpNorm<Eigen::Infinity>();
      // Converged: a small residual and either a small step or no more
      // progress with a current Jacobian (the round-off floor).
      bool smallStep = stepNorm <= static_cast<T>(opts.stepTol) * scale;
      bool floor = current && !(rNew < T(0.5) * r);
      bool atFloor =
          floor && stepNorm <= static_cast<T>(opts.floorStepTol) * scale;
      if ((rNew <= static_cast<T>(residualTol) && (smallStep || floor)) ||
          atFloor) {
        lastRes = static_cast<double>(rNew);
        return k;
      }
      if (!(rNew <= static_cast<T>(opts.reuseRatio) * r)) {
        // Slow: a kept factorisation no longer converges fast (or a fresh
        // one did not): refactor, and take back a kept one's step if it
        // made things worse.
        lin.slow();
        if (!current && !(rNew < r)) {
          x += delta;
          F = Fold;
          continue;
        }
      }
      r = rNew;
      lastRes = static_cast<double>(r);
    }
  }

private:
  /// A full Newton step from a current Jacobian that left the residual above
  /// its tolerance and did not reduce its 2-norm (far from the root of a
  /// non-convex F, or a step too large for the model): halve it until that
  /// norm drops, as a damped Newton method does. x and F hold the full
  /// step's iterate and residual on entry; `delta` ends as the step taken.
  /// When no fraction down to 2^-maxBacktracks helps, the full step stays
  /// (the iteration limit then decides).
  template <class Problem>
  T backtrack(Problem &pr, Eigen::Map<Vec> &x, T rFull) {
    T *v = x.data();
    T lambda = 1;
    for (int i = 0; i < opts.maxBacktracks; ++i) {
      x += T(0.5) * lambda * delta; // from x0 - lambda delta to half of it
      lambda *= T(0.5);
      pr.residual(v, F.data());
      // The Newton direction descends |F|_2 (not always the max-norm).
      if (F.squaredNorm() < Fold.squaredNorm()) {
        delta *= lambda;
        return F.template lpNorm<Eigen::Infinity>();
      }
    }
    x -= (T(1) - lambda) * delta; // back to the full step
    pr.residual(v, F.data());
    return rFull;
  }

  int64_t n;
  NewtonOptions opts;
  double lastRes = 0;
  LinearStats st;
  Vec F, Fold, delta;
};

/// Newton's method for F(v) = 0 on states of a fixed size. `Problem` has
///   void residual(const T* v, T* F);
///   void jacobian(const T* v, T* J);            // dense dF/dv, row-major
///   void jvp(const T* v, const T* w, T* Jw);    // (dF/dv) w
/// and only the Jacobian (dense) or the JVP (Newton-Krylov) is called.
template <class T> class NewtonSolver {
public:
  NewtonSolver(int64_t n, const NewtonOptions &o)
      : core(n, o), krylov(n > o.krylovThreshold), dense(krylov ? 0 : n),
        gmres(krylov ? n : 1, o) {}

  const NewtonOptions &options() const { return core.options(); }
  bool matrixFree() const { return krylov; }
  /// Drops the kept factorisation (call when dt or the parameters change).
  void invalidate() { dense.invalidate(); }
  /// Max-norm of F at the last iterate of the last solve.
  double lastResidual() const { return core.lastResidual(); }
  /// Factorisations and Krylov products over all solves.
  const LinearStats &stats() const { return core.stats(); }

  /// Solves F(v) = 0 in place from the guess in `v` (NewtonCore::iterate).
  template <class Problem>
  int solve(Problem &pr, T *v, double residualTol, int64_t step) {
    return krylov ? core.iterate(pr, gmres, v, residualTol, step)
                  : core.iterate(pr, dense, v, residualTol, step);
  }

private:
  NewtonCore<T> core;
  bool krylov;
  DenseLuLinear<T> dense;
  KrylovLinear<T> gmres;
};

} // namespace dgc::rt
