//===- Adam.h - The Adam optimiser as the paper's code uses it ----*- C++ -*-===//
//
// Part of dgc's runtime. PyTorch's `torch.optim.Adam` (the non-AMSGrad,
// non-decoupled form the authors used): with g the gradient of the loss,
//
//   g   <- g + weight_decay * theta          (classic L2, not AdamW)
//   m   <- beta1 m + (1 - beta1) g
//   v   <- beta2 v + (1 - beta2) g^2
//   theta <- theta - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
//
// with t the 1-based step count, written in PyTorch's order of operations.
// Defaults are the paper's: lr 1e-3, betas (0.9, 0.999), eps 1e-8. After
// each step the parameters flagged `nonneg` are projected onto [0, inf).
// T is float or double; the moments are kept in T, like PyTorch.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace dgc::rt {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9, beta2 = 0.999;
  double eps = 1e-8;
  double weightDecay = 0; ///< L2 coefficient added to the gradient
};

template <class T> class Adam {
public:
  Adam(int64_t n, AdamOptions o = {})
      : opts_(o), m_(static_cast<size_t>(n), T(0)),
        v_(static_cast<size_t>(n), T(0)), nonneg_(static_cast<size_t>(n), 0) {}

  /// Marks parameters [offset, offset + size) as projected onto >= 0.
  void setNonneg(int64_t offset, int64_t size) {
    for (int64_t i = offset; i < offset + size; ++i)
      nonneg_[static_cast<size_t>(i)] = 1;
  }

  /// One step on theta (n values) with gradient g (n values, not modified).
  void step(T *theta, const T *g) {
    ++t_;
    const T b1 = T(opts_.beta1), b2 = T(opts_.beta2);
    const double bc1 = 1.0 - std::pow(opts_.beta1, double(t_));
    const double bc2 = 1.0 - std::pow(opts_.beta2, double(t_));
    const T stepSize = T(opts_.lr / bc1);
    const T sqrtBc2 = T(std::sqrt(bc2));
    const T wd = T(opts_.weightDecay), eps = T(opts_.eps);
    for (size_t i = 0; i < m_.size(); ++i) {
      T gi = g[i];
      if (opts_.weightDecay != 0)
        gi = gi + wd * theta[i];
      m_[i] = b1 * m_[i] + (T(1) - b1) * gi;
      v_[i] = b2 * v_[i] + (T(1) - b2) * gi * gi;
      T denom = std::sqrt(v_[i]) / sqrtBc2 + eps;
      theta[i] = theta[i] - stepSize * (m_[i] / denom);
      if (nonneg_[i] && theta[i] < T(0))
        theta[i] = T(0);
    }
  }

  int64_t steps() const { return t_; }
  const std::vector<T> &m() const { return m_; }
  const std::vector<T> &v() const { return v_; }
  const AdamOptions &options() const { return opts_; }
  void setOptions(const AdamOptions &o) { opts_ = o; }

  /// Restores the state of a checkpoint (moments and step count).
  void restore(int64_t t, const std::vector<T> &m, const std::vector<T> &v) {
    t_ = t;
    m_ = m;
    v_ = v;
  }

private:
  AdamOptions opts_;
  int64_t t_ = 0;
  std::vector<T> m_, v_;
  std::vector<char> nonneg_;
};

} // namespace dgc::rt
