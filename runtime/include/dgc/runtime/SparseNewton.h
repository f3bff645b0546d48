//===- SparseNewton.h - Newton's method with a sparse Jacobian ---*- C++ -*-===//
//
// Part of dgc's runtime. For models whose Newton Jacobian the compiler
// generates as a sparse matrix (a CSR pattern fixed for the model, and the
// exact values at an iterate), Newton's method with one of four linear
// solvers:
//   dense      the values scattered into a dense matrix, partial-pivoting LU
//              (small states: the cold step costs one sparse Jacobian, a few
//              products, instead of state_size JVPs);
//   sparse-lu  Eigen's supernodal SparseLU with the COLAMD ordering, the
//              symbolic analysis done once for the pattern and the numeric
//              factorisation kept across iterations and steps while Newton
//              converges fast (simplified Newton, as the dense LU);
//   gmres-ilu  GMRES on the exact Jacobian-vector product, right-
//              preconditioned by an incomplete LU with threshold (Eigen's
//              IncompleteLUT) of the sparse Jacobian, refactored when GMRES
//              slows down (largest states);
//   gmres      the matrix-free GMRES of Newton.h.
// The Newton iteration itself (convergence test, backtracking, simplified
// Newton) is NewtonCore (Newton.h); `auto` picks by size and pattern
// (resolveLinearSolver). dense and gmres allocate nothing inside a solve;
// sparse-lu and gmres-ilu allocate in Eigen's factorisations and solves.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "dgc/runtime/Circulant.h"
#include "dgc/runtime/Newton.h"

#include <Eigen/IterativeLinearSolvers>
#include <Eigen/SparseCore>
#include <Eigen/SparseLU>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace dgc::rt {

enum class LinearSolver { Auto, Dense, SparseLU, GmresILU, GmresFFT, Gmres };

inline const char *linearSolverName(LinearSolver s) {
  switch (s) {
  case LinearSolver::Auto: return "auto";
  case LinearSolver::Dense: return "dense";
  case LinearSolver::SparseLU: return "sparse-lu";
  case LinearSolver::GmresILU: return "gmres-ilu";
  case LinearSolver::GmresFFT: return "gmres-fft";
  case LinearSolver::Gmres: return "gmres";
  }
  return "?";
}

inline constexpr const char *kLinearSolverList =
    "auto, dense, sparse-lu, gmres-ilu, gmres-fft, gmres";

/// The linear solver called `name`; SimulationError naming the choices.
inline LinearSolver parseLinearSolver(const std::string &name) {
  for (LinearSolver s : {LinearSolver::Auto, LinearSolver::Dense,
                         LinearSolver::SparseLU, LinearSolver::GmresILU,
                         LinearSolver::GmresFFT, LinearSolver::Gmres})
    if (name == linearSolverName(s))
      return s;
  throw SimulationError("unknown linear solver '" + name +
                        "' (expected one of " + kLinearSolverList + ")");
}

/// Krylov solvers report their products (linear_iters).
inline bool isKrylov(LinearSolver s) {
  return s == LinearSolver::GmresILU || s == LinearSolver::GmresFFT ||
         s == LinearSolver::Gmres;
}

/// A square CSR pattern with every diagonal entry, columns ascending in
/// each row; `diag[i]` is the index of (i, i).
struct SparsePattern {
  int64_t n = 0;
  std::vector<int32_t> rowPtr, cols, diag;

  int64_t nnz() const { return rowPtr.empty() ? 0 : rowPtr.back(); }

  /// Checks the pattern `fill(rowPtr, cols)` writes (n + 1 row offsets,
  /// nnz columns); SimulationError naming `what` when it is not one.
  template <class Fill>
  static SparsePattern make(int64_t n, int64_t nnz, Fill &&fill,
                            const std::string &what) {
    SparsePattern p;
    p.n = n;
    p.rowPtr.assign(size_t(n + 1), 0);
    p.cols.assign(size_t(nnz), 0);
    p.diag.assign(size_t(n), -1);
    fill(p.rowPtr.data(), p.cols.data());
    auto bad = [&](const std::string &why) {
      return SimulationError("the sparsity pattern of " + what +
                             " is not valid: " + why);
    };
    if (p.rowPtr[0] != 0 || p.rowPtr[size_t(n)] != nnz)
      throw bad("row offsets do not run from 0 to nnz");
    for (int64_t i = 0; i < n; ++i) {
      if (p.rowPtr[size_t(i + 1)] < p.rowPtr[size_t(i)])
        throw bad("row offsets decrease at row " + std::to_string(i));
      for (int32_t k = p.rowPtr[size_t(i)]; k < p.rowPtr[size_t(i + 1)]; ++k) {
        int32_t c = p.cols[size_t(k)];
        if (c < 0 || c >= n || (k > p.rowPtr[size_t(i)] && c <= p.cols[size_t(k - 1)]))
          throw bad("columns of row " + std::to_string(i) +
                    " are out of range or not ascending");
        if (c == i)
          p.diag[size_t(i)] = k;
      }
      if (p.diag[size_t(i)] < 0)
        throw bad("row " + std::to_string(i) + " has no diagonal entry");
    }
    return p;
  }
};

namespace sparse_detail {

/// A Problem whose dense `jacobian` scatters its sparse one (for
/// DenseLuLinear on a model with a sparse Jacobian).
template <class T, class Problem> struct Scattered {
  Problem &pr;
  const SparsePattern &pat;
  T *values;
  void residual(const T *v, T *F) { pr.residual(v, F); }
  void jvp(const T *v, const T *w, T *Jw) { pr.jvp(v, w, Jw); }
  void jacobian(const T *v, T *J) {
    pr.sparseJacobian(v, values);
    const int64_t n = pat.n;
    std::fill(J, J + n * n, T(0));
    for (int64_t i = 0; i < n; ++i)
      for (int32_t k = pat.rowPtr[size_t(i)]; k < pat.rowPtr[size_t(i + 1)]; ++k)
        J[i * n + pat.cols[size_t(k)]] = values[k];
  }
};

/// Eigen's SparseLU (COLAMD) on the CSR pattern copied to compressed
/// columns once; the symbolic analysis once, the numeric factorisation
/// kept while Newton converges fast.
template <class T> class SparseLuLinear {
public:
  using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  using SpMat = Eigen::SparseMatrix<T, Eigen::ColMajor, int>;

  SparseLuLinear(const SparsePattern &p, T *values)
      : pat(p), values(values), A(p.n, p.n), toCsc(size_t(p.nnz())) {
    std::vector<Eigen::Triplet<T, int>> t;
    t.reserve(size_t(p.nnz()));
    for (int64_t i = 0; i < p.n; ++i)
      for (int32_t k = p.rowPtr[size_t(i)]; k < p.rowPtr[size_t(i + 1)]; ++k)
        t.emplace_back(int(i), p.cols[size_t(k)], T(1));
    A.setFromTriplets(t.begin(), t.end());
    A.makeCompressed();
    // CSR index -> index of the same entry in A's compressed columns.
    const int *outer = A.outerIndexPtr(), *inner = A.innerIndexPtr();
    for (int64_t i = 0; i < p.n; ++i)
      for (int32_t k = p.rowPtr[size_t(i)]; k < p.rowPtr[size_t(i + 1)]; ++k) {
        int c = p.cols[size_t(k)];
        toCsc[size_t(k)] = int32_t(
            std::lower_bound(inner + outer[c], inner + outer[c + 1], int(i)) -
            inner);
      }
    lu.analyzePattern(A);
  }

  template <class Problem>
  Direction direction(Problem &pr, const T *v, const Vec &F, Vec &delta,
                      LinearStats &st) {
    bool fresh = false;
    if (!have) {
      pr.sparseJacobian(v, values);
      T *a = A.valuePtr();
      for (int64_t k = 0; k < pat.nnz(); ++k)
        a[toCsc[size_t(k)]] = values[k];
      lu.factorize(A);
      ++st.factorizations;
      if (lu.info() != Eigen::Success)
        return Direction::Failed;
      have = fresh = true;
    }
    delta = lu.solve(F);
    return fresh ? Direction::Current : Direction::Kept;
  }
  void slow() { have = false; }
  void invalidate() { have = false; }

private:
  const SparsePattern &pat;
  T *values;
  SpMat A;
  std::vector<int32_t> toCsc;
  Eigen::SparseLU<SpMat, Eigen::COLAMDOrdering<int>> lu;
  bool have = false;
};

/// Eigen's IncompleteLUT (fill factor 10, drop tolerance 1e-6:
/// docs/performance.md) of the sparse Jacobian, its ordering computed once
/// for the pattern; reads the values in place.
template <class T> class IlutPreconditioner {
public:
  using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  using CsrMap = Eigen::Map<const Eigen::SparseMatrix<T, Eigen::RowMajor, int>>;

  IlutPreconditioner(const SparsePattern &p, T *values)
      : A(p.n, p.n, p.nnz(), p.rowPtr.data(), p.cols.data(), values),
        tmp(p.n) {
    ilu.setFillfactor(10);
    ilu.setDroptol(T(1e-6));
    ilu.analyzePattern(A);
  }
  /// Factors the values the map reads; false when that fails.
  bool factor(const T *) {
    ilu.factorize(A);
    return ilu.info() == Eigen::Success;
  }
  void apply(const T *in, T *out) {
    tmp = ilu.solve(Eigen::Map<const Vec>(in, tmp.size()));
    Eigen::Map<Vec>(out, tmp.size()) = tmp;
  }

private:
  CsrMap A;
  Eigen::IncompleteLUT<T, int> ilu;
  Vec tmp;
};

/// GMRES on the exact JVP, right-preconditioned by `P` (IlutPreconditioner
/// for gmres-ilu; CirculantPreconditioner, the FFT inverse of the mean
/// stencil, for gmres-fft), built from a fresh sparse Jacobian. It is kept
/// across iterations and steps and rebuilt at the next iteration when GMRES
/// needed more than twice (plus 10) the products of the first solve after
/// the last rebuild. A direction GMRES did not converge to is not a Newton
/// direction (backtracking cannot fix it): with a kept preconditioner it is
/// rebuilt and the system solved again; with a fresh one (or one whose
/// factorisation fails) the Newton solve fails at once (NewtonError: a step
/// halving, or the error) rather than iterate on inexact directions.
template <class T, class P> class PreconditionedGmresLinear {
public:
  using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;

  /// `args` construct the preconditioner.
  template <class... A>
  PreconditionedGmresLinear(int64_t n, T *values, const NewtonOptions &o,
                            A &&...args)
      : values(values), pre(std::forward<A>(args)...),
        gmres(n, o.gmresRestart, o.gmresMaxRestarts), tol(o.krylovTol) {}

  template <class Problem>
  Direction direction(Problem &pr, const T *v, const Vec &F, Vec &delta,
                      LinearStats &st) {
    for (;;) {
      bool fresh = false;
      if (!have) {
        pr.sparseJacobian(v, values);
        ++st.factorizations;
        if (!pre.factor(values))
          return Direction::Failed;
        have = fresh = true;
      }
      int products = gmres.solve(
          [&](const T *in, T *out) { pr.jvp(v, in, out); },
          [&](const T *in, T *out) { pre.apply(in, out); }, F, delta, tol);
      st.linearIterations += products;
      if (!gmres.lastConverged()) {
        have = false;
        if (fresh)
          return Direction::Failed; // the preconditioner is too weak here
        continue;
      }
      if (fresh)
        baseline = products;
      else if (products > 2 * baseline + 10)
        have = false;
      return Direction::Current;
    }
  }
  void slow() {}
  void invalidate() { have = false; }

private:
  T *values;
  P pre;
  Gmres<T> gmres;
  double tol;
  int baseline = 0;
  bool have = false;
};

template <class T>
using IluGmresLinear = PreconditionedGmresLinear<T, IlutPreconditioner<T>>;
template <class T>
using FftGmresLinear =
    PreconditionedGmresLinear<T, CirculantPreconditioner<T>>;

} // namespace sparse_detail

/// The solver `requested` resolves to for a state of n unknowns whose
/// Jacobian has `nnz` nonzeros (hasSparse: the model provides it; nnz is
/// then its pattern's count). `auto`: dense up to krylovThreshold unknowns;
/// beyond, a pattern more than 10% full takes gmres, others sparse-lu up to
/// sparseLuThreshold and gmres-ilu above; without a sparse Jacobian, dense
/// or gmres as before. Asking for sparse-lu or gmres-ilu on a model without
/// one is a SimulationError naming `model` and `jacobian`.
inline LinearSolver resolveLinearSolver(LinearSolver requested, int64_t n,
                                        bool hasSparse, int64_t nnz,
                                        const NewtonOptions &o,
                                        const std::string &model,
                                        const std::string &jacobian,
                                        StencilGrid grid = {}) {
  if (requested == LinearSolver::Auto) {
    if (n <= o.krylovThreshold)
      return LinearSolver::Dense;
    if (!hasSparse || double(nnz) > 0.1 * double(n) * double(n))
      return LinearSolver::Gmres;
    if (grid.fields == 1)
      return LinearSolver::GmresFFT;
    return n <= o.sparseLuThreshold ? LinearSolver::SparseLU
                                    : LinearSolver::GmresILU;
  }
  if (requested == LinearSolver::GmresFFT && (!hasSparse || grid.fields != 1))
    throw SimulationError(std::string("linear solver gmres-fft needs ") +
                          jacobian + " as one stencil over one field on a "
                          "periodic grid; model " + model +
                          " has none (use auto, sparse-lu, gmres-ilu or gmres)");
  if ((requested == LinearSolver::SparseLU ||
       requested == LinearSolver::GmresILU) &&
      !hasSparse)
    throw SimulationError(std::string("linear solver ") +
                          linearSolverName(requested) + " needs " + jacobian +
                          ", which the compiler generates for stencil "
                          "models; model " + model +
                          " has none (use auto, dense or gmres)");
  return requested;
}

/// Newton's method for F(v) = 0 with a sparse Jacobian of a fixed pattern.
/// `Problem` has
///   void residual(const T* v, T* F);
///   void jvp(const T* v, const T* w, T* Jw);        // (dF/dv) w
///   void sparseJacobian(const T* v, T* values);     // dF/dv on the pattern
/// `kind` is resolved already (not Auto).
template <class T> class SparseNewtonSolver {
public:
  using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;

  SparseNewtonSolver(SparsePattern pattern, LinearSolver kind,
                     const NewtonOptions &o, StencilGrid grid = {})
      : pat(std::move(pattern)), kind(kind), core(pat.n, o),
        values(pat.nnz()) {
    switch (kind) {
    case LinearSolver::Auto:
      throw SimulationError("SparseNewtonSolver: resolve 'auto' first");
    case LinearSolver::Dense:
      dense = std::make_unique<DenseLuLinear<T>>(pat.n);
      break;
    case LinearSolver::SparseLU:
      slu = std::make_unique<sparse_detail::SparseLuLinear<T>>(pat,
                                                               values.data());
      break;
    case LinearSolver::GmresILU:
      ilu = std::make_unique<sparse_detail::IluGmresLinear<T>>(
          pat.n, values.data(), core.options(), pat, values.data());
      break;
    case LinearSolver::GmresFFT:
      fft = std::make_unique<sparse_detail::FftGmresLinear<T>>(
          pat.n, values.data(), core.options(), pat.n, pat.rowPtr.data(),
          pat.cols.data(), grid);
      break;
    case LinearSolver::Gmres:
      krylov = std::make_unique<KrylovLinear<T>>(pat.n, core.options());
      break;
    }
  }

  // The linear solvers keep references to `pat` and `values`.
  SparseNewtonSolver(const SparseNewtonSolver &) = delete;
  SparseNewtonSolver &operator=(const SparseNewtonSolver &) = delete;

  const NewtonOptions &options() const { return core.options(); }
  LinearSolver linearSolver() const { return kind; }
  const SparsePattern &pattern() const { return pat; }
  double lastResidual() const { return core.lastResidual(); }
  const LinearStats &stats() const { return core.stats(); }
  /// Drops kept factorisations (call when dt or the parameters change).
  void invalidate() {
    if (dense)
      dense->invalidate();
    if (slu)
      slu->invalidate();
    if (ilu)
      ilu->invalidate();
    if (fft)
      fft->invalidate();
  }

  /// Solves F(v) = 0 in place from the guess in `v` (NewtonCore::iterate).
  template <class Problem>
  int solve(Problem &pr, T *v, double residualTol, int64_t step) {
    switch (kind) {
    case LinearSolver::Dense: {
      sparse_detail::Scattered<T, Problem> sc{pr, pat, values.data()};
      return core.iterate(sc, *dense, v, residualTol, step);
    }
    case LinearSolver::SparseLU:
      return core.iterate(pr, *slu, v, residualTol, step);
    case LinearSolver::GmresILU:
      return core.iterate(pr, *ilu, v, residualTol, step);
    case LinearSolver::GmresFFT:
      return core.iterate(pr, *fft, v, residualTol, step);
    default:
      return core.iterate(pr, *krylov, v, residualTol, step);
    }
  }

private:
  SparsePattern pat;
  LinearSolver kind;
  NewtonCore<T> core;
  Vec values;
  std::unique_ptr<DenseLuLinear<T>> dense;
  std::unique_ptr<sparse_detail::SparseLuLinear<T>> slu;
  std::unique_ptr<sparse_detail::IluGmresLinear<T>> ilu;
  std::unique_ptr<sparse_detail::FftGmresLinear<T>> fft;
  std::unique_ptr<KrylovLinear<T>> krylov;
};

} // namespace dgc::rt
