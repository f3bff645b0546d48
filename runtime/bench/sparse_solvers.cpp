//===- sparse_solvers.cpp - The linear solvers of SparseNewton.h, timed ---===//
//
// Part of dgc's runtime. The measurements behind LinearSolver::Auto and the
// choice of sparse direct solver (docs/performance.md): the Jacobian of a
// 2-D Cahn-Hilliard dg step, J = I/dt + eps^2 L^2 - L diag(c) on an n x n
// periodic grid (L the 5-point Laplacian on [0,1)^2, c uniform in [-1, 2],
// eps 0.01: a 13-point stencil), at n = 64, 128, 256 and several dt.
//   direct:    Eigen SparseLU (COLAMD), and UMFPACK and KLU when SuiteSparse
//              is there: symbolic analysis, numeric factorisation, solve;
//   iterative: GMRES(60) to 1e-8 with ILU(0) (on the matrix's pattern),
//              Eigen's IncompleteLUT (fill factor 10; drop tolerance 1e-12,
//              1e-6, 1e-3) and no preconditioner: factorisation time,
//              products and solve time (products here are sparse
//              matrix-vector products; a model's JVP costs more).
// Build: cmake --build BUILD --target sparse_solvers_bench; run it with no
// arguments (about a minute on 2 cores).
//
//===----------------------------------------------------------------------===//
#include "dgc/runtime/SparseNewton.h"

#include <Eigen/IterativeLinearSolvers>
#include <Eigen/SparseLU>
#if defined(DGC_BENCH_SUITESPARSE)
#include <Eigen/KLUSupport>
#include <Eigen/UmfPackSupport>
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

namespace {

/// ILU(0), measured against IncompleteLUT: the incomplete LU factorisation on the matrix's own pattern
/// (unit lower L, U with the diagonal), IKJ order. No allocation after
/// construction.
template <class T> class Ilu0 {
public:
  explicit Ilu0(const SparsePattern &p)
      : pat(p), lu(size_t(p.nnz())), pos(size_t(p.n), -1) {}

  /// Factors the matrix with these CSR values. A zero pivot is replaced by
  /// a small one (the preconditioner degrades; GMRES stays exact).
  void factor(const T *values) {
    std::copy(values, values + pat.nnz(), lu.begin());
    const int32_t *rp = pat.rowPtr.data(), *cj = pat.cols.data();
    for (int64_t i = 0; i < pat.n; ++i) {
      for (int32_t p = rp[i]; p < rp[i + 1]; ++p)
        pos[size_t(cj[p])] = p;
      for (int32_t p = rp[i]; p < pat.diag[size_t(i)]; ++p) {
        int32_t k = cj[p];
        T lik = lu[size_t(p)] /= lu[size_t(pat.diag[size_t(k)])];
        for (int32_t q = pat.diag[size_t(k)] + 1; q < rp[k + 1]; ++q)
          if (int32_t at = pos[size_t(cj[q])]; at >= 0)
            lu[size_t(at)] -= lik * lu[size_t(q)];
      }
      for (int32_t p = rp[i]; p < rp[i + 1]; ++p)
        pos[size_t(cj[p])] = -1;
      T &d = lu[size_t(pat.diag[size_t(i)])];
      if (d == T(0) || !std::isfinite(static_cast<double>(d)))
        d = std::numeric_limits<T>::epsilon();
    }
  }

  /// out = (LU)^-1 in (in == out allowed).
  void solve(const T *in, T *out) const {
    const int32_t *rp = pat.rowPtr.data(), *cj = pat.cols.data();
    for (int64_t i = 0; i < pat.n; ++i) {
      T s = in[i];
      for (int32_t p = rp[i]; p < pat.diag[size_t(i)]; ++p)
        s -= lu[size_t(p)] * out[cj[p]];
      out[i] = s;
    }
    for (int64_t i = pat.n - 1; i >= 0; --i) {
      T s = out[i];
      for (int32_t p = pat.diag[size_t(i)] + 1; p < rp[i + 1]; ++p)
        s -= lu[size_t(p)] * out[cj[p]];
      out[i] = s / lu[size_t(pat.diag[size_t(i)])];
    }
  }

private:
  const SparsePattern &pat;
  std::vector<T> lu;
  std::vector<int32_t> pos;
};

using SpMat = Eigen::SparseMatrix<double, Eigen::ColMajor, int>;
using RowSp = Eigen::SparseMatrix<double, Eigen::RowMajor, int>;
using Vec = Eigen::VectorXd;

double now() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

SpMat cahnHilliardJacobian(int n, double dt, double eps, unsigned seed) {
  const int N = n * n;
  const double ih2 = double(n) * double(n);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> uni(-1, 2);
  auto id = [&](int i, int j) { return ((i + n) % n) * n + (j + n) % n; };
  std::vector<Eigen::Triplet<double>> t;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      int r = id(i, j);
      t.emplace_back(r, r, -4 * ih2);
      for (int c : {id(i + 1, j), id(i - 1, j), id(i, j + 1), id(i, j - 1)})
        t.emplace_back(r, c, ih2);
    }
  SpMat L(N, N), C(N, N), I(N, N);
  L.setFromTriplets(t.begin(), t.end());
  I.setIdentity();
  C.setIdentity();
  for (int k = 0; k < N; ++k)
    C.coeffRef(k, k) = uni(rng);
  SpMat J = (1.0 / dt) * I + eps * eps * SpMat(L * L) - SpMat(L * C);
  J.makeCompressed();
  return J;
}

template <class Solver>
void direct(const char *name, const SpMat &A, const Vec &b) {
  Solver s;
  double t0 = now();
  s.analyzePattern(A);
  double t1 = now();
  s.factorize(A);
  double t2 = now();
  Vec x = s.solve(b);
  double t3 = now();
  std::printf("  %-22s analyze %7.3f s  factorize %7.3f s  solve %7.4f s  "
              "rel. residual %.1e\n",
              name, t1 - t0, t2 - t1, t3 - t2, (A * x - b).norm() / b.norm());
}

template <class Precond>
void iterative(const char *name, const RowSp &A, const Vec &b,
               Precond &&factor, double factorTime) {
  dgc::rt::Gmres<double> g(A.rows(), 60, 20);
  Vec x(A.rows());
  double t0 = now();
  int products = g.solve(
      [&](const double *in, double *out) {
        Eigen::Map<Vec>(out, A.rows()).noalias() =
            A * Eigen::Map<const Vec>(in, A.rows());
      },
      factor, b, x, 1e-8);
  double t1 = now();
  std::printf("  %-22s factor %7.3f s  products %5d  solve %7.3f s  "
              "rel. residual %.1e%s\n",
              name, factorTime, products, t1 - t0,
              (A * x - b).norm() / b.norm(),
              g.lastConverged() ? "" : "  (not converged)");
}

} // namespace

int main() {
  for (int n : {64, 128, 256}) {
    for (double dt : {1e-5, 1e-4, 1e-3, 1e-2}) {
      SpMat A = cahnHilliardJacobian(n, dt, 0.01, 1);
      RowSp R = A;
      Vec b = Vec::Random(A.rows());
      std::printf("n = %d^2 = %ld unknowns, dt = %g, nnz/row = %.0f\n", n,
                  long(A.rows()), dt, double(A.nonZeros()) / double(A.rows()));
      if (dt == 1e-4) {
        direct<Eigen::SparseLU<SpMat, Eigen::COLAMDOrdering<int>>>(
            "Eigen SparseLU (COLAMD)", A, b);
#if defined(DGC_BENCH_SUITESPARSE)
        direct<Eigen::UmfPackLU<SpMat>>("UMFPACK", A, b);
        direct<Eigen::KLU<SpMat>>("KLU", A, b);
#endif
      }
      // ILU(0) on the CSR pattern.
      dgc::rt::SparsePattern pat = dgc::rt::SparsePattern::make(
          R.rows(), R.nonZeros(),
          [&](int32_t *rp, int32_t *cj) {
            std::copy(R.outerIndexPtr(), R.outerIndexPtr() + R.rows() + 1, rp);
            std::copy(R.innerIndexPtr(), R.innerIndexPtr() + R.nonZeros(), cj);
          },
          "the benchmark matrix");
      Ilu0<double> ilu(pat);
      double t0 = now();
      ilu.factor(R.valuePtr());
      double tIlu = now() - t0;
      iterative("GMRES + ILU(0)", R, b,
                [&](const double *in, double *out) { ilu.solve(in, out); },
                tIlu);
      for (double drop : {1e-12, 1e-6, 1e-3}) {
        Eigen::IncompleteLUT<double, int> ilut;
        ilut.setFillfactor(10);
        ilut.setDroptol(drop);
        t0 = now();
        ilut.compute(R);
        double tIlut = now() - t0;
        Vec tmp(R.rows());
        char name[64];
        std::snprintf(name, sizeof name, "GMRES + ILUT(10, %g)", drop);
        iterative(name, R, b,
                  [&](const double *in, double *out) {
                    tmp = ilut.solve(Eigen::Map<const Vec>(in, R.rows()));
                    Eigen::Map<Vec>(out, R.rows()) = tmp;
                  },
                  tIlut);
      }
      iterative("GMRES", R, b, dgc::rt::NoPreconditioner{}, 0.0);
    }
  }
}
