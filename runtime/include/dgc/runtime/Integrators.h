//===- Integrators.h - Time-stepping schemes over generated models -*- C++ -*-//
//
// Part of dgc's runtime. The schemes of the runtime contract, generic over a
// generated `dgc_models::<M>::Model` (lib/CodeGen/README.md) and chosen by
// name at run time: `dg` (the paper's Eq. 6, Newton on the generated
// `newton_residual` from an explicit midpoint predictor), `implicit_midpoint`
// ((v - u)/dt = f((u + v)/2), Newton with `time_derivative_jacobian`), `rk2`
// (explicit midpoint), `rk4`, `dopri5` (Dormand-Prince 5(4) with adaptive
// steps and its continuous extension for output at n*dt, or fixed steps) and
// `leapfrog` (Stormer-Verlet, separable H only). A Stepper owns every buffer
// it needs, so advancing a step does not allocate (with the dense and gmres
// linear solvers). The implicit schemes solve with the model's sparse
// Jacobian when the compiler generated one (SparseNewton.h) and retry a
// step whose Newton solve fails as two half steps, up to maxHalvings levels.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "dgc/runtime/Dopri5Tableau.h"
#include "dgc/runtime/SparseNewton.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace dgc::rt {

enum class Scheme { DG, ImplicitMidpoint, RK2, RK4, Dopri5, Leapfrog };

inline const char *schemeName(Scheme s) {
  switch (s) {
  case Scheme::DG: return "dg";
  case Scheme::ImplicitMidpoint: return "implicit_midpoint";
  case Scheme::RK2: return "rk2";
  case Scheme::RK4: return "rk4";
  case Scheme::Dopri5: return "dopri5";
  case Scheme::Leapfrog: return "leapfrog";
  }
  return "?";
}

inline constexpr const char *kSchemeList =
    "dg, implicit_midpoint, rk2, rk4, dopri5, leapfrog";

/// The scheme called `name`; SimulationError naming the choices otherwise.
inline Scheme parseScheme(const std::string &name) {
  for (Scheme s : {Scheme::DG, Scheme::ImplicitMidpoint, Scheme::RK2,
                   Scheme::RK4, Scheme::Dopri5, Scheme::Leapfrog})
    if (name == schemeName(s))
      return s;
  throw SimulationError("unknown scheme '" + name + "' (expected one of " +
                        kSchemeList + ")");
}

inline bool schemeUsesNewton(Scheme s) {
  return s == Scheme::DG || s == Scheme::ImplicitMidpoint;
}

struct SchemeOptions {
  Scheme scheme = Scheme::DG;
  double dt = 1e-3;      ///< output step (and the step of fixed-step schemes)
  NewtonOptions newton;  ///< dg, implicit_midpoint
  /// dg, implicit_midpoint: the linear solver of each Newton iteration.
  LinearSolver linearSolver = LinearSolver::Auto;
  /// dg, implicit_midpoint: a step whose Newton solve fails is retried as
  /// two steps of dt/2 (each a whole step of the scheme), recursively, up
  /// to this many levels (0: the failure is an error). At most 20.
  int maxHalvings = 0;
  double rtol = 1e-9;    ///< dopri5
  double atol = 1e-12;   ///< dopri5
  bool adaptive = true;  ///< dopri5: false takes one DP5 step per dt
  int64_t maxInternalSteps = 100000000; ///< dopri5: total step budget
};

/// One scheme advancing a model's state by dt at a time.
template <class T> class Stepper {
public:
  virtual ~Stepper() = default;
  /// Starts a trajectory at `u0` (dopri5 keeps its own clock from here).
  virtual void reset(const T *u0) { (void)u0; }
  /// Replaces `u`, the state at step n, by the state at step n + 1.
  virtual void advance(T *u, int64_t n) = 0;

  int64_t newtonIterations = 0; ///< over all steps (implicit schemes)
  /// Implicit schemes: the linear solver in use (never Auto once built),
  /// Jacobians factored, steps split in two, Krylov products.
  LinearSolver linearSolver = LinearSolver::Auto;
  int64_t factorizations = 0, halvings = 0, linearIterations = 0;
  int64_t internalSteps = 0;    ///< accepted steps (dopri5)
  int64_t rejectedSteps = 0;    ///< rejected steps (dopri5)
};

namespace detail {

/// State, parameters, workspace and step size shared by every scheme.
template <class M, class T> class StepperBase : public Stepper<T> {
public:
  using Params = typename M::template ParamsT<T>;
  using Workspace = typename M::template WorkspaceT<T>;
  static constexpr int64_t N = M::state_size;
  using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  using Map = Eigen::Map<Vec>;
  using ConstMap = Eigen::Map<const Vec>;

protected:
  StepperBase(const Params &p, const SchemeOptions &o)
      : p(p), opts(o), dt(static_cast<T>(o.dt)),
        ws(std::make_unique<Workspace>()) {}

  void f(const T *u, T *dudt) { M::time_derivative(p, u, dudt, *ws); }

  const Params &p;
  SchemeOptions opts;
  T dt;
  std::unique_ptr<Workspace> ws;
};

template <class M, class T> class RK2 final : public StepperBase<M, T> {
  using B = StepperBase<M, T>;
  typename B::Vec k1{B::N}, mid{B::N};

public:
  RK2(const typename B::Params &p, const SchemeOptions &o) : B(p, o) {}
  void advance(T *u, int64_t) override {
    typename B::Map x(u, B::N);
    this->f(u, k1.data());
    mid = x + (this->dt / T(2)) * k1;
    this->f(mid.data(), k1.data());
    x += this->dt * k1;
  }
};

template <class M, class T> class RK4 final : public StepperBase<M, T> {
  using B = StepperBase<M, T>;
  typename B::Vec k1{B::N}, k2{B::N}, k3{B::N}, k4{B::N}, y{B::N};

public:
  RK4(const typename B::Params &p, const SchemeOptions &o) : B(p, o) {}
  void advance(T *u, int64_t) override {
    typename B::Map x(u, B::N);
    const T h = this->dt;
    this->f(u, k1.data());
    y = x + (h / T(2)) * k1;
    this->f(y.data(), k2.data());
    y = x + (h / T(2)) * k2;
    this->f(y.data(), k3.data());
    y = x + h * k3;
    this->f(y.data(), k4.data());
    x += (h / T(6)) * (k1 + T(2) * k2 + T(2) * k3 + k4);
  }
};

/// Newton's residual tolerance for a step from `u`: tol * (1 + |u|)/dt.
template <class T>
double residualTolerance(const NewtonOptions &o, const T *u, int64_t n,
                         T dt) {
  T m = 0;
  for (int64_t i = 0; i < n; ++i)
    m = std::max(m, std::abs(u[i]));
  return o.tol * (1.0 + static_cast<double>(m)) / static_cast<double>(dt);
}

/// The model's generated sparse Jacobians (Model::has_..._sparse, absent in
/// headers older than them).
template <class M>
concept HasSparseNewtonJacobian =
    requires { requires M::has_newton_jacobian_sparse; };
template <class M>
concept HasSparseTimeDerivativeJacobian =
    requires { requires M::has_time_derivative_jacobian_sparse; };

/// An implicit scheme: its Newton solver (sparse when `Sparse`), and the
/// step halving around `attempt`, one step of size this->dt.
template <class M, class T, bool Sparse>
class ImplicitStepper : public StepperBase<M, T> {
  using B = StepperBase<M, T>;

public:
  void advance(T *u, int64_t n) override {
    const T h = this->dt;
    try {
      stepOrHalve(u, n + 1, 0);
    } catch (...) {
      this->dt = h;
      collect();
      throw;
    }
    collect();
  }

protected:
  using Solver =
      std::conditional_t<Sparse, SparseNewtonSolver<T>, NewtonSolver<T>>;

  /// Builds the solver: `fill(rowPtr, cols)` writes the pattern of `nnz`
  /// entries of the sparse Jacobian called `jacobian` (Sparse only).
  /// `grid`: the stencil form's fields and grid (fields 0: none).
  template <class Fill>
  ImplicitStepper(const typename B::Params &p, const SchemeOptions &o,
                  int64_t nnz, Fill &&fill, const std::string &jacobian,
                  StencilGrid grid = {})
      : B(p, o), lastDt(this->dt) {
    if (o.maxHalvings < 0 || o.maxHalvings > 20)
      throw SimulationError("the number of step halvings must be between 0 "
                            "and 20");
    LinearSolver kind = resolveLinearSolver(o.linearSolver, B::N, Sparse, nnz,
                                            o.newton, M::name, jacobian, grid);
    if constexpr (Sparse) {
      newton = std::make_unique<Solver>(
          SparsePattern::make(B::N, nnz, fill,
                              std::string("model ") + M::name + "'s " +
                                  jacobian),
          kind, o.newton, grid);
    } else {
      NewtonOptions no = o.newton;
      no.krylovThreshold = kind == LinearSolver::Gmres
                               ? -1
                               : std::numeric_limits<int64_t>::max();
      newton = std::make_unique<Solver>(B::N, no);
    }
    this->linearSolver = kind;
    saved.resize(size_t(o.maxHalvings) + 1, typename B::Vec(B::N));
  }

  /// One step of size this->dt from `u` (the 1-based step `step`).
  virtual void attempt(T *u, int64_t step) = 0;

  /// Newton on `pr` from the guess in `u`, for a step from `from`. The
  /// guess is the scheme's explicit predictor, unless u_n itself or u_n
  /// plus the last step's increment (scaled to this dt) leaves a smaller
  /// residual: at time steps far beyond the explicit stability limit of a
  /// stiff PDE the explicit predictor is far off (even non-finite), and
  /// Newton from it needs many damped iterations or fails.
  template <class Problem>
  void solve(Problem &pr, T *u, const T *from, int64_t step) {
    typename B::Map x(u, B::N);
    typename B::ConstMap u0(from, B::N);
    auto norm = [&](const T *v) {
      pr.residual(v, F.data());
      return F.template lpNorm<Eigen::Infinity>();
    };
    T best = norm(u);
    auto consider = [&] {
      T r = norm(candidate.data());
      if (r < best || !std::isfinite(static_cast<double>(best))) {
        best = r;
        x = candidate;
      }
    };
    candidate = u0;
    consider();
    if (haveIncrement) {
      candidate = u0 + (this->dt / incrementDt) * increment;
      consider();
      // The stiff modes of a midpoint-like step (dg on a quadratic part of
      // H, implicit midpoint) change sign each step: u_n - increment.
      candidate = u0 - (this->dt / incrementDt) * increment;
      consider();
    }
    this->newtonIterations += newton->solve(
        pr, u, residualTolerance(newton->options(), from, B::N, this->dt),
        step);
    increment = x - u0;
    incrementDt = this->dt;
    haveIncrement = true;
  }

  void reset(const T *) override { haveIncrement = false; }

  std::unique_ptr<Solver> newton;

private:
  void stepOrHalve(T *u, int64_t step, int level) {
    typename B::Map x(u, B::N);
    saved[size_t(level)] = x;
    if (this->dt != lastDt) { // a kept factorisation belongs to its dt
      newton->invalidate();
      lastDt = this->dt;
    }
    try {
      attempt(u, step);
      return;
    } catch (const NewtonError &e) {
      this->newtonIterations += e.iterations;
      if (level == this->opts.maxHalvings) {
        if (level == 0)
          throw;
        throw NewtonError(e.step, e.residual, e.tolerance, e.iterations,
                          level, static_cast<double>(this->dt));
      }
    }
    x = saved[size_t(level)];
    ++this->halvings;
    const T h = this->dt;
    this->dt = h / T(2);
    stepOrHalve(u, step, level + 1);
    this->dt = h / T(2);
    stepOrHalve(u, step, level + 1);
    this->dt = h;
  }

  void collect() {
    this->factorizations = newton->stats().factorizations;
    this->linearIterations = newton->stats().linearIterations;
  }

  std::vector<typename B::Vec> saved; ///< the state before each level's try
  T lastDt;
  typename B::Vec F{B::N}, candidate{B::N}, increment{B::N};
  T incrementDt = 0;
  bool haveIncrement = false; ///< `increment`: the last step's v - u
};

/// Paper Eq. 6: (v - u)/dt = G dgrad H(u, v), from an explicit midpoint
/// predictor, with the generated residual, Jacobian (dense or sparse) and
/// JVP.
template <class M, class T>
class DG final : public ImplicitStepper<M, T, HasSparseNewtonJacobian<M>> {
  static constexpr bool Sparse = HasSparseNewtonJacobian<M>;
  using I = ImplicitStepper<M, T, Sparse>;
  using B = StepperBase<M, T>;
  typename B::Vec uOld{B::N}, k{B::N}, mid{B::N};

  struct Problem {
    DG &s;
    void residual(const T *v, T *F) {
      M::newton_residual(s.p, s.uOld.data(), v, &s.dt, F, *s.ws);
    }
    void jacobian(const T *v, T *J) {
      M::newton_jacobian(s.p, s.uOld.data(), v, &s.dt, J, *s.ws);
    }
    void jvp(const T *v, const T *w, T *Jw) {
      M::newton_jvp(s.p, s.uOld.data(), v, &s.dt, w, Jw, *s.ws);
    }
    void sparseJacobian(const T *v, T *values) {
      if constexpr (Sparse)
        M::newton_jacobian_sparse(s.p, s.uOld.data(), v, &s.dt, values,
                                  *s.ws);
    }
  };

  static int64_t nnz() {
    if constexpr (Sparse)
      return M::newton_jacobian_nnz;
    else
      return 0;
  }
  static void pattern(int32_t *rowPtr, int32_t *cols) {
    if constexpr (Sparse)
      M::newton_jacobian_pattern(rowPtr, cols);
  }
  static StencilGrid grid() {
    if constexpr (requires { M::newton_jacobian_grid; })
      return {M::newton_jacobian_grid[0], M::newton_jacobian_grid[1],
              M::newton_jacobian_grid[2]};
    else
      return {};
  }

  void attempt(T *u, int64_t step) override {
    typename B::Map x(u, B::N);
    uOld = x;
    this->f(u, k.data());
    mid = uOld + (this->dt / T(2)) * k;
    this->f(mid.data(), k.data());
    x = uOld + this->dt * k;
    Problem pr{*this};
    this->solve(pr, u, uOld.data(), step);
  }

public:
  DG(const typename B::Params &p, const SchemeOptions &o)
      : I(p, o, nnz(), pattern, "the sparse Newton Jacobian", grid()) {}
};

/// (v - u)/dt = f((u + v)/2): Newton with the Jacobian of f at the midpoint
/// (dense, sparse: J = I/dt - df/du / 2 on df/du's pattern, or its JVP).
template <class M, class T>
class ImplicitMidpoint final
    : public ImplicitStepper<M, T, HasSparseTimeDerivativeJacobian<M>> {
  static constexpr bool Sparse = HasSparseTimeDerivativeJacobian<M>;
  using I = ImplicitStepper<M, T, Sparse>;
  using B = StepperBase<M, T>;
  typename B::Vec uOld{B::N}, mid{B::N}, k{B::N};

  struct Problem {
    ImplicitMidpoint &s;
    void midpoint(const T *v) {
      s.mid = (s.uOld + Eigen::Map<const typename B::Vec>(v, B::N)) / T(2);
    }
    void residual(const T *v, T *F) {
      midpoint(v);
      s.f(s.mid.data(), s.k.data());
      Eigen::Map<typename B::Vec>(F, B::N) =
          (Eigen::Map<const typename B::Vec>(v, B::N) - s.uOld) / s.dt - s.k;
    }
    void jacobian(const T *v, T *J) {
      midpoint(v);
      M::time_derivative_jacobian(s.p, s.mid.data(), J, *s.ws);
      for (int64_t i = 0; i < B::N * B::N; ++i)
        J[i] *= T(-0.5);
      for (int64_t i = 0; i < B::N; ++i)
        J[i * B::N + i] += T(1) / s.dt;
    }
    void jvp(const T *v, const T *w, T *Jw) {
      midpoint(v);
      M::time_derivative_jvp(s.p, s.mid.data(), w, Jw, *s.ws);
      for (int64_t i = 0; i < B::N; ++i)
        Jw[i] = w[i] / s.dt - T(0.5) * Jw[i];
    }
    void sparseJacobian(const T *v, T *values) {
      if constexpr (Sparse) {
        midpoint(v);
        M::time_derivative_jacobian_sparse(s.p, s.mid.data(), values, *s.ws);
        const SparsePattern &pat = s.newton->pattern();
        for (int64_t i = 0; i < pat.nnz(); ++i)
          values[i] *= T(-0.5);
        for (int64_t i = 0; i < B::N; ++i)
          values[pat.diag[size_t(i)]] += T(1) / s.dt;
      }
    }
  };

  static int64_t nnz() {
    if constexpr (Sparse)
      return M::time_derivative_jacobian_nnz;
    else
      return 0;
  }
  static void pattern(int32_t *rowPtr, int32_t *cols) {
    if constexpr (Sparse)
      M::time_derivative_jacobian_pattern(rowPtr, cols);
  }
  static StencilGrid grid() {
    if constexpr (requires { M::time_derivative_jacobian_grid; })
      return {M::time_derivative_jacobian_grid[0],
              M::time_derivative_jacobian_grid[1],
              M::time_derivative_jacobian_grid[2]};
    else
      return {};
  }

  void attempt(T *u, int64_t step) override {
    typename B::Map x(u, B::N);
    uOld = x;
    this->f(u, k.data()); // explicit Euler predictor
    x = uOld + this->dt * k;
    Problem pr{*this};
    this->solve(pr, u, uOld.data(), step);
  }

public:
  ImplicitMidpoint(const typename B::Params &p, const SchemeOptions &o)
      : I(p, o, nnz(), pattern, "the sparse Jacobian of the time derivative",
          grid()) {}
};

/// Stormer-Verlet for u = (q, p) with q' = a(p), p' = b(q): half a kick,
/// a drift, half a kick. Needs H = V(q) + T(p) and G = S.
template <class M, class T> class Leapfrog final : public StepperBase<M, T> {
  using B = StepperBase<M, T>;
  static constexpr int64_t H = B::N / 2;
  typename B::Vec k{B::N};

public:
  Leapfrog(const typename B::Params &p, const SchemeOptions &o) : B(p, o) {}

  /// The generated `separable` flag looks at H only; check at u0 that f is
  /// partitioned (dq'/dq = 0 and dp'/dp = 0), as it is for G = S.
  void reset(const T *u0) override {
    std::vector<T> J(B::N * B::N);
    M::time_derivative_jacobian(this->p, u0, J.data(), *this->ws);
    T big = 0, diag = 0;
    for (int64_t i = 0; i < B::N; ++i)
      for (int64_t j = 0; j < B::N; ++j) {
        T a = std::abs(J[i * B::N + j]);
        big = std::max(big, a);
        if ((i < H) == (j < H))
          diag = std::max(diag, a);
      }
    if (diag > T(1e-10) * (T(1) + big))
      throw SimulationError(
          "scheme leapfrog needs q' to depend on p only and p' on q only "
          "(separable H with structure S); this model's time derivative "
          "does not split that way");
  }

  void advance(T *u, int64_t) override {
    const T h = this->dt;
    this->f(u, k.data());
    for (int64_t i = H; i < B::N; ++i)
      u[i] += h / T(2) * k[i];
    this->f(u, k.data());
    for (int64_t i = 0; i < H; ++i)
      u[i] += h * k[i];
    this->f(u, k.data());
    for (int64_t i = H; i < B::N; ++i)
      u[i] += h / T(2) * k[i];
  }
};

/// Dormand-Prince 5(4). Adaptive: steps of its own, controlled by
/// rtol/atol, and the continuous extension of order 4 (Shampine's, as in
/// Hairer's DOPRI5 and SciPy's RK45) gives the state at t = (n + 1) dt.
/// Fixed: one step of size dt per output.
template <class M, class T> class Dopri5 final : public StepperBase<M, T> {
  using B = StepperBase<M, T>;
  using Vec = typename B::Vec;
  std::array<Vec, 7> K;
  Vec kFirst; ///< K[0] of the last accepted step (K[0] moves on by FSAL)
  Vec y, yPrev, ytmp, err;
  double t = 0, tPrev = 0, h = 0, hLast = 0;

  static constexpr const double (&A)[7][6] = Dopri5Tableau::A;
  static constexpr const double (&E)[7] = Dopri5Tableau::E;
  /// One DP5 step of size hh from (t, y) with K[0] = f(y): new state in
  /// ytmp, K[6] = f(ytmp), error estimate in err.
  void stages(double hh) {
    for (int s = 1; s < 7; ++s) {
      ytmp = y;
      for (int j = 0; j < s; ++j)
        if (A[s][j] != 0)
          ytmp += static_cast<T>(hh * A[s][j]) * K[j];
      this->f(ytmp.data(), K[s].data());
    }
    err.setZero();
    for (int s = 0; s < 7; ++s)
      if (E[s] != 0)
        err += static_cast<T>(hh * E[s]) * K[s];
  }

  double errorNorm() const {
    double sum = 0;
    for (int64_t i = 0; i < B::N; ++i) {
      double sc = this->opts.atol +
                  this->opts.rtol * std::max(std::abs(double(y[i])),
                                             std::abs(double(ytmp[i])));
      double e = double(err[i]) / sc;
      sum += e * e;
    }
    return std::sqrt(sum / double(B::N));
  }

  /// Hairer's starting step size.
  double initialStep() {
    auto norm = [&](const Vec &v) {
      double s = 0;
      for (int64_t i = 0; i < B::N; ++i) {
        double sc = this->opts.atol + this->opts.rtol * std::abs(double(y[i]));
        s += (double(v[i]) / sc) * (double(v[i]) / sc);
      }
      return std::sqrt(s / double(B::N));
    };
    double d0 = norm(y), d1 = norm(K[0]);
    double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
    ytmp = y + static_cast<T>(h0) * K[0];
    this->f(ytmp.data(), K[1].data());
    err = K[1] - K[0];
    double d2 = norm(err) / h0;
    double dm = std::max(d1, d2);
    double h1 = dm <= 1e-15 ? std::max(1e-6, h0 * 1e-3)
                            : std::pow(0.01 / dm, 1.0 / 5);
    return std::min({100 * h0, h1, double(this->dt)});
  }

  /// Takes one accepted adaptive step (rejecting as often as needed).
  void adaptiveStep(int64_t n) {
    double facMax = 5;
    for (;;) {
      if (!(h >= 16 * std::numeric_limits<double>::epsilon() *
                     std::max(1.0, std::abs(t))))
        throw SimulationError("dopri5: step size underflow at t = " +
                              std::to_string(t) + " (step " +
                              std::to_string(n + 1) + ")");
      if (this->internalSteps + this->rejectedSteps >=
          this->opts.maxInternalSteps)
        throw SimulationError("dopri5: more than " +
                              std::to_string(this->opts.maxInternalSteps) +
                              " internal steps (step " +
                              std::to_string(n + 1) + ")");
      stages(h);
      double e = errorNorm();
      if (e <= 1.0) {
        tPrev = t;
        hLast = h;
        t += h;
        yPrev = y;
        y = ytmp;
        kFirst = K[0];
        K[0] = K[6]; // first stage of the next step (FSAL)
        ++this->internalSteps;
        double fac = e == 0 ? facMax : 0.9 * std::pow(e, -1.0 / 5);
        h *= std::min(facMax, std::max(0.2, fac));
        return;
      }
      ++this->rejectedSteps;
      facMax = 1;
      h *= std::max(0.2, 0.9 * std::pow(e, -1.0 / 5));
    }
  }

public:
  Dopri5(const typename B::Params &p, const SchemeOptions &o)
      : B(p, o), kFirst(B::N), y(B::N), yPrev(B::N), ytmp(B::N),
        err(B::N) {
    for (Vec &k : K)
      k.resize(B::N);
  }

  void reset(const T *u0) override {
    y = Eigen::Map<const Vec>(u0, B::N);
    t = tPrev = 0;
    this->f(y.data(), K[0].data());
    h = this->opts.adaptive ? initialStep() : double(this->dt);
  }

  void advance(T *u, int64_t n) override {
    typename B::Map x(u, B::N);
    if (!this->opts.adaptive) {
      stages(double(this->dt));
      y = ytmp;
      K[0] = K[6];
      ++this->internalSteps;
      x = y;
      return;
    }
    const double tOut = double(n + 1) * double(this->dt);
    while (t < tOut)
      adaptiveStep(n);
    // Interpolate on [tPrev, t], the last accepted step: K[1..6] are its
    // stages, kFirst its first.
    double s = (tOut - tPrev) / hLast;
    x = yPrev;
    for (int i = 0; i < 7; ++i) {
      double c = Dopri5Tableau::denseWeight(i, s);
      if (c != 0)
        x += static_cast<T>(hLast * c) * (i == 0 ? kFirst : K[i]);
    }
  }
};

} // namespace detail

/// The stepper of `opts.scheme` for model M with parameters `p` (kept by
/// reference). Throws SimulationError when the scheme does not apply.
template <class M, class T = double>
std::unique_ptr<Stepper<T>>
makeStepper(const typename M::template ParamsT<T> &p,
            const SchemeOptions &opts) {
  if (!(opts.dt > 0) || !std::isfinite(opts.dt))
    throw SimulationError("the time step must be positive and finite");
  switch (opts.scheme) {
  case Scheme::DG:
    if constexpr (M::has_newton_residual && M::has_newton_jacobian &&
                  M::has_newton_jvp)
      return std::make_unique<detail::DG<M, T>>(p, opts);
    else
      throw SimulationError("scheme dg needs an energy model (energy and "
                            "structure); this model has a vector field only");
  case Scheme::ImplicitMidpoint:
    if constexpr (M::has_time_derivative_jacobian &&
                  M::has_time_derivative_jvp)
      return std::make_unique<detail::ImplicitMidpoint<M, T>>(p, opts);
    else
      throw SimulationError("scheme implicit_midpoint needs the Jacobian of "
                            "the time derivative");
  case Scheme::RK2:
    return std::make_unique<detail::RK2<M, T>>(p, opts);
  case Scheme::RK4:
    return std::make_unique<detail::RK4<M, T>>(p, opts);
  case Scheme::Dopri5:
    if (opts.adaptive && !(opts.rtol >= 0 && opts.atol >= 0 &&
                           opts.rtol + opts.atol > 0))
      throw SimulationError("dopri5 needs rtol >= 0, atol >= 0, not both 0");
    return std::make_unique<detail::Dopri5<M, T>>(p, opts);
  case Scheme::Leapfrog:
    if constexpr (M::separable && M::state_size % 2 == 0 &&
                  M::has_time_derivative_jacobian)
      return std::make_unique<detail::Leapfrog<M, T>>(p, opts);
    else
      throw SimulationError(
          std::string("scheme leapfrog needs a separable energy H = V(q) + "
                      "T(p); model ") +
          M::name + " is not separable (use dg, implicit_midpoint or rk4)");
  }
  throw SimulationError("unknown scheme");
}

} // namespace dgc::rt
