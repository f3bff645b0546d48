//===- Tiles.h - A rank's patch of a DMDA as tiles of local kernels -*- C++ -*-===//
//
// Part of dgc's PETSc backend. A generated model's local kernels
// (`namespace local`, `local::Kernels` K) take one tile of K::tile interior
// points per axis with K::halo ghost points on each side, in dgc's layout
// (field by field, x fastest). A rank owns a patch of a periodic DMDA with
// dof = K::fields and stencil width K::halo; its ghosted local vector holds
// every point a tile of the patch reads. TileCover lays tiles over the
// patch (the last one along an axis moved back to end at the patch's edge,
// so tiles may overlap: their shared points get the same values) and moves
// data between PETSc's interleaved arrays and tiles. Nothing here knows the
// model beyond K's constants.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <petscdmda.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace dgc::petsc {

/// A PETSc call failed: the message is PETSc's text for its error code.
struct PetscFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The message of the first PETSc error since the last check (its own
/// words, e.g. "Unknown PC type: nonsense"), kept by errorHandler.
inline std::string &lastPetscError() {
  static std::string message;
  return message;
}

/// A PETSc error handler (PetscPushErrorHandler) that keeps the message
/// instead of printing a trace.
inline PetscErrorCode errorHandler(MPI_Comm, int, const char *, const char *,
                                   PetscErrorCode n, PetscErrorType p,
                                   const char *mess, void *) {
  if (p == PETSC_ERROR_INITIAL && mess)
    lastPetscError() = mess;
  return n;
}

inline void check(PetscErrorCode ierr, const char *what) {
  if (ierr == 0)
    return;
  std::string text = lastPetscError();
  lastPetscError().clear();
  if (text.empty()) {
    const char *generic = nullptr;
    PetscErrorMessage(ierr, &generic, nullptr);
    text = generic ? generic : "PETSc error " + std::to_string(ierr);
  }
  throw PetscFailure(std::string(what) + ": " + text);
}

/// The tiles over one rank's patch, and the copies between PETSc's arrays
/// (point-major, dof interleaved) and a tile's arrays (field-major).
template <class K> class TileCover {
public:
  explicit TileCover(DM da) {
    PetscInt xs, ys, zs, xm, ym, zm, gxs, gys, gzs, gxm, gym, gzm;
    check(DMDAGetCorners(da, &xs, &ys, &zs, &xm, &ym, &zm), "DMDAGetCorners");
    check(DMDAGetGhostCorners(da, &gxs, &gys, &gzs, &gxm, &gym, &gzm),
          "DMDAGetGhostCorners");
    start = {xs, K::dims == 2 ? ys : 0};
    size = {xm, K::dims == 2 ? ym : 1};
    gstart = {gxs, K::dims == 2 ? gys : 0};
    gsize = {gxm, K::dims == 2 ? gym : 1};
    // Every rank learns whether any patch is too small, so that all of
    // them stop together (no rank waits in a collective call).
    int small = 0;
    for (int a = 0; a < K::dims; ++a)
      small = std::max<int>(small, size[a] < K::tile[a] ? int(K::tile[a]) : 0);
    int any = 0;
    MPI_Allreduce(&small, &any, 1, MPI_INT, MPI_MAX,
                  PetscObjectComm((PetscObject)da));
    if (any > 0)
      throw std::runtime_error(
          "a rank's patch of the grid is smaller than the " +
          std::to_string(any) +
          "-point tile the kernels were compiled for (use fewer ranks)");
    for (int a = 0; a < 2; ++a) {
      int64_t t = a < K::dims ? K::tile[a] : 1;
      for (int64_t o = 0; o + t <= size[a]; o += t)
        origins[a].push_back(start[a] + o);
      if (size[a] % t != 0)
        origins[a].push_back(start[a] + size[a] - t);
    }
  }

  int64_t owned() const { return size[0] * size[1]; }
  const std::vector<int64_t> &originsX() const { return origins[0]; }
  const std::vector<int64_t> &originsY() const { return origins[1]; }
  int64_t startX() const { return start[0]; }
  int64_t startY() const { return start[1]; }
  int64_t sizeX() const { return size[0]; }
  int64_t sizeY() const { return size[1]; }

  /// Copies the ghosted tile whose first interior point is (x0, y0) from
  /// the local (ghosted) array `loc` into `tile` (K::state_size values).
  void gather(const PetscScalar *loc, int64_t x0, int64_t y0,
              double *tile) const {
    const int64_t h = K::halo, gx = K::ghosted[0], gy = K::ghosted[1];
    const int64_t ox = x0 - h - gstart[0];
    const int64_t oy = K::dims == 2 ? y0 - h - gstart[1] : 0;
    for (int64_t c = 0; c < K::fields; ++c)
      for (int64_t y = 0; y < gy; ++y)
        for (int64_t x = 0; x < gx; ++x)
          tile[(c * gy + y) * gx + x] =
              loc[((oy + y) * gsize[0] + ox + x) * K::fields + c];
  }

  /// Copies the interior of `tile` (field-major, ghosted) into the owned
  /// array `own` (the global vector's array on this rank).
  void scatter(const double *tile, int64_t x0, int64_t y0,
               PetscScalar *own) const {
    for (int64_t c = 0; c < K::fields; ++c)
      forInterior(x0, y0, [&](int64_t t, int64_t o) {
        own[o * K::fields + c] = tile[c * tilePoints() + t];
      });
  }

  /// Calls f(tile point, owned point) for each interior point of the tile
  /// at (x0, y0) (indices without the field).
  template <class F> void forInterior(int64_t x0, int64_t y0, F f) const {
    const int64_t h = K::halo, gx = K::ghosted[0];
    const int64_t ty = K::dims == 2 ? K::tile[1] : 1;
    const int64_t hy = K::dims == 2 ? h : 0;
    for (int64_t y = 0; y < ty; ++y)
      for (int64_t x = 0; x < K::tile[0]; ++x) {
        int64_t t = (y + hy) * gx + x + h;
        int64_t o = (y0 - start[1] + y) * size[0] + (x0 - start[0] + x);
        f(t, o);
      }
  }

  /// Inserts the interior rows of a tile's sparse Jacobian (`pattern` over
  /// the ghosted tile, e.g. local::newton_jacobian_pattern_data(), and its
  /// `values`) into `a`, a matrix of the DMDA (DMCreateMatrix), each entry
  /// at its grid coordinates (MatSetValuesStencil; the periodic wrap is the
  /// DMDA's).
  template <class Pattern>
  void insertJacobian(Mat a, const Pattern &pattern, const double *values,
                      int64_t x0, int64_t y0) const {
    const int64_t gx = K::ghosted[0], pts = tilePoints(), h = K::halo;
    auto coord = [&](int64_t idx) {
      MatStencil s{};
      int64_t q = idx % pts;
      s.c = static_cast<PetscInt>(idx / pts);
      s.i = static_cast<PetscInt>(x0 - h + q % gx);
      s.j = static_cast<PetscInt>(K::dims == 2 ? y0 - h + q / gx : 0);
      return s;
    };
    std::vector<MatStencil> cols;
    for (int64_t c = 0; c < K::fields; ++c)
      forInterior(x0, y0, [&](int64_t t, int64_t) {
        const int64_t r = c * pts + t;
        const int64_t b = pattern.rowPtr[static_cast<size_t>(r)],
                      e = pattern.rowPtr[static_cast<size_t>(r) + 1];
        cols.clear();
        for (int64_t k = b; k < e; ++k)
          cols.push_back(coord(pattern.cols[static_cast<size_t>(k)]));
        MatStencil row = coord(r);
        check(MatSetValuesStencil(a, 1, &row, static_cast<PetscInt>(e - b),
                                  cols.data(), values + b, INSERT_VALUES),
              "MatSetValuesStencil");
      });
  }

  static constexpr int64_t tilePoints() {
    return K::ghosted[0] * K::ghosted[1];
  }

private:
  std::array<int64_t, 2> start{}, size{}, gstart{}, gsize{};
  std::array<std::vector<int64_t>, 2> origins;
};

} // namespace dgc::petsc
