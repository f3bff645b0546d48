//===- Circulant.h - FFT preconditioner for periodic stencil Jacobians -*- C++ -*-//
//
// Part of dgc's runtime. On a periodic grid a Jacobian whose pattern is one
// stencil at every point (the compiler's stencil form: newton_jacobian_grid)
// is a circulant matrix plus the variation of its coefficients from point
// to point. Averaging each stencil offset's coefficient over the grid gives
// the nearest constant-coefficient operator (T. Chan's optimal circulant
// preconditioner for this pattern), which the discrete Fourier transform
// diagonalises: its eigenvalue at wave number k is
//   lambda(k) = sum_o c_o exp(2 pi i (kx ox / nx + ky oy / ny)),
// so applying its inverse costs two FFTs. For a stiff PDE the stiff part
// of the Jacobian (I/dt plus the highest derivatives) has constant
// coefficients and only lower-order terms vary, so GMRES preconditioned by
// it needs a number of iterations that does not grow with the grid
// (docs/performance.md, "Stiff PDEs at scale"). One field only.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "dgc/runtime/Newton.h"

#include <unsupported/Eigen/FFT>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstdint>
#include <vector>

namespace dgc::rt {

/// The grid a stencil-form Jacobian lives on (fields = 0: none).
struct StencilGrid {
  int64_t fields = 0, nx = 0, ny = 1;
};

template <class T> class CirculantPreconditioner {
public:
  using Complex = std::complex<T>;

  /// The CSR pattern (n rows, rowPtr, cols) must be a stencil form over
  /// one field on `g` (n = nx * ny).
  CirculantPreconditioner(int64_t n, const int32_t *rowPtr,
                          const int32_t *cols, StencilGrid g)
      : nx(g.nx), ny(g.ny), offsetOf(size_t(rowPtr[n])),
        spectrum(size_t(nx * ny)), inverse(size_t(nx * ny)),
        work(size_t(nx * ny)), line(size_t(std::max(nx, ny))),
        lineOut(size_t(std::max(nx, ny))) {
    if (g.fields != 1 || nx * ny != n)
      throw SimulationError("the FFT preconditioner needs a stencil "
                            "Jacobian over one field on its grid");
    // Each entry's offset (ox, oy), wrapped to (-n/2, n/2], numbered.
    auto centred = [](int64_t d, int64_t n) {
      d = ((d % n) + n) % n;
      return d > n / 2 ? d - n : d;
    };
    for (int64_t r = 0; r < n; ++r)
      for (int32_t k = rowPtr[r]; k < rowPtr[r + 1]; ++k) {
        int64_t c = cols[k];
        int64_t ox = centred(c % nx - r % nx, nx),
                oy = centred(c / nx - r / nx, ny);
        size_t id = 0;
        while (id < offsets.size() &&
               (offsets[id][0] != ox || offsets[id][1] != oy))
          ++id;
        if (id == offsets.size())
          offsets.push_back({ox, oy});
        offsetOf[size_t(k)] = int32_t(id);
      }
    mean.resize(offsets.size());
  }

  /// The circulant of the mean coefficient per offset of `values` (always
  /// possible: returns true, as a preconditioner's factor must).
  bool factor(const T *values) {
    std::fill(mean.begin(), mean.end(), T(0));
    for (size_t k = 0; k < offsetOf.size(); ++k)
      mean[size_t(offsetOf[k])] += values[k];
    const T scale = T(1) / T(nx * ny);
    for (T &m : mean)
      m *= scale;
    const T twoPi = T(2 * M_PI);
    T biggest = 0;
    for (int64_t ky = 0; ky < ny; ++ky)
      for (int64_t kx = 0; kx < nx; ++kx) {
        Complex s = 0;
        for (size_t o = 0; o < offsets.size(); ++o) {
          T phase = twoPi * (T(kx * offsets[o][0]) / T(nx) +
                             T(ky * offsets[o][1]) / T(ny));
          s += mean[o] * Complex(std::cos(phase), std::sin(phase));
        }
        spectrum[size_t(ky * nx + kx)] = s;
        biggest = std::max(biggest, std::abs(s));
      }
    // A (near-)singular mode of the average is left alone (identity).
    for (size_t i = 0; i < spectrum.size(); ++i)
      inverse[i] = std::abs(spectrum[i]) > T(1e-12) * biggest
                       ? Complex(1) / spectrum[i]
                       : Complex(1);
    return true;
  }

  /// out = C^-1 in.
  void apply(const T *in, T *out) {
    for (int64_t i = 0; i < nx * ny; ++i)
      work[size_t(i)] = Complex(in[i], 0);
    transform(false);
    for (size_t i = 0; i < work.size(); ++i)
      work[i] *= inverse[i];
    transform(true);
    for (int64_t i = 0; i < nx * ny; ++i)
      out[i] = work[size_t(i)].real();
  }

private:
  /// The 2-D DFT of `work` in place (rows, then columns); `back`: inverse,
  /// scaled by 1/(nx ny).
  void transform(bool back) {
    for (int64_t y = 0; y < ny; ++y) {
      Complex *row = work.data() + y * nx;
      std::copy(row, row + nx, line.begin());
      if (back)
        fft.inv(lineOut.data(), line.data(), nx);
      else
        fft.fwd(lineOut.data(), line.data(), nx);
      std::copy(lineOut.begin(), lineOut.begin() + nx, row);
    }
    if (ny == 1)
      return;
    for (int64_t x = 0; x < nx; ++x) {
      for (int64_t y = 0; y < ny; ++y)
        line[size_t(y)] = work[size_t(y * nx + x)];
      if (back)
        fft.inv(lineOut.data(), line.data(), ny);
      else
        fft.fwd(lineOut.data(), line.data(), ny);
      for (int64_t y = 0; y < ny; ++y)
        work[size_t(y * nx + x)] = lineOut[size_t(y)];
    }
  }

  int64_t nx, ny;
  std::vector<std::array<int64_t, 2>> offsets;
  std::vector<int32_t> offsetOf; ///< per CSR entry: its offset's number
  std::vector<T> mean;
  std::vector<Complex> spectrum, inverse, work, line, lineOut;
  Eigen::FFT<T> fft;
};

} // namespace dgc::rt
