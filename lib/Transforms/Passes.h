//===- Passes.h - Every IR pass, one factory each ---------------*- C++ -*-===//
//
// Part of dgc. One pass per .cpp file in this folder, body in an anonymous
// namespace, one entry point declared here (Halide/MLIR style). Passes take
// functions and return new ones; none mutates its input, except `simplify`,
// which rewrites in place. `deriveModel` is the pipeline: one line per pass.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "IR/IR.h"
#include "IR/Sparsity.h"

#include <optional>
#include <string>
#include <vector>

namespace dgc::transforms {

/// Reverse-mode AD (ReverseAD.cpp). Returns a function named `name` with the
/// inputs of `f` (plus an input `seed` of the result's shape when result
/// `result` of `f` is not a scalar), whose results are f's result followed by
/// its adjoint with respect to each input named in `wrt`, in order.
ir::Function reverseAD(const ir::Function &f, int result,
                       const std::vector<std::string> &wrt,
                       const std::string &name);

/// Forward-mode AD (ForwardAD.cpp). Returns a function named `name` with the
/// inputs of `f` followed by one tangent input `t_<w>` per name `w` in `wrt`
/// (same shape as that input; `t_<w>_1`, ... if f already has an input of
/// that name), whose results are f's results followed by their tangents (the
/// Jacobian of each result applied to the tangents), named `t_<result name>`.
ir::Function forwardAD(const ir::Function &f,
                       const std::vector<std::string> &wrt,
                       const std::string &name);

/// Automatic discrete differentiation (DiscreteGradient.cpp, paper
/// Sec. 3.3). From `energy` (inputs u, params...; result H) builds a function
/// named `name` with inputs u, v, params... and results H(u), H(v) and the
/// Euclidean discrete gradient d with H(u) - H(v) = d . (u - v): linear ops
/// keep their adjoint, products use the averaged product rule and element-wise
/// functions the divided difference (`divdiff`). The pipeline applies the
/// inner-product weight.
ir::Function discreteGradient(const ir::Function &energy,
                              const std::string &name);

/// Constant folding, algebraic identities (x*1, x+0, neg neg), common
/// subexpression elimination and dead-code elimination (Simplify.cpp).
void simplify(ir::Function &f);

/// Is `energy` (inputs: u, params...) a sum of terms each of which depends
/// on u[0:half] alone or on u[half:] alone? (Separability.cpp)
bool isSeparable(const ir::Function &energy, int64_t half);

/// Training losses of one data pair (Losses.cpp), built from the model's
/// derived functions (deriveModel adds them last). Each has inputs u1, u2
/// (state), dt (scalar), then every model parameter in ModelIR::params
/// order, and results L (scalar) and dparams (rank 1, paramCount elements,
/// or 1 zero for a model without parameters): dL/dparams by reverse AD, each
/// parameter's adjoint flattened at its ParamInfo::offset, zeros for
/// parameters L does not use. L = mean_k (F - (u2 - u1)/dt)_k^2 with F:
/// G dgrad H(u2, u1) (trainDG, "train_dg", paper Eq. 11, energy models);
/// (uhat - u1)/dt with uhat one explicit midpoint step (trainRK2,
/// "train_rk2") or classic RK4 step (trainRK4, "train_rk4") of
/// time_derivative; or one kick-drift-kick leapfrog step of c S grad H,
/// friction ignored (trainLeapfrog, "train_leapfrog", separable models
/// whose G is c S up to friction terms: laws.symplecticScale = c != 0).
/// Each returns the per-pair function and, when the loss can be tiled
/// (batchFunction), `<name>_tile`: inputs u1, u2 ([state..., tile], pair b
/// in column b), dt, weight ([tile]), params; results L ([tile]) and
/// dparams = d/dparams sum_b weight_b L_b.
std::vector<ir::Function> trainDG(const ir::ModelIR &m);
std::vector<ir::Function> trainRK2(const ir::ModelIR &m);
std::vector<ir::Function> trainRK4(const ir::ModelIR &m);
std::vector<ir::Function> trainLeapfrog(const ir::ModelIR &m);

/// Batch.cpp: `f` (a function of one sample) on `tile` samples at once.
/// Non-parameter inputs and every value that depends on them get a last
/// axis of extent `tile` (a scalar becomes [tile]); parameters and
/// constants keep their shapes. Nothing when an op of `f` has no tiled
/// form (expand/sumlast/convw of a sample-dependent value, a conv with a
/// sample-dependent kernel, a matmul with a sample-dependent left or
/// transposed right operand).
std::optional<ir::Function> batchFunction(const ir::Function &f,
                                          int64_t tile);
/// The same, tiling only the non-parameter inputs named in `only` (and
/// what depends on them): the other inputs keep their shapes, and values
/// computed from them alone are computed once for the whole tile.
std::optional<ir::Function> batchFunction(const ir::Function &f, int64_t tile,
                                          const std::vector<std::string> &only);
/// The tile batchFunction should use for `f`: a power of two up to 256
/// that keeps every tiled value within 32 Ki elements (1 if none fits).
int64_t chooseTile(const ir::Function &f);

/// time_derivative_vjp (Losses.cpp): inputs u, ybar (state), then every
/// model parameter; results ubar = (df/du)^T ybar and dparams (flat as for
/// the losses) = (df/dparams)^T ybar, f = time_derivative, by reverse AD.
/// When time_derivative can be tiled (batchFunction, tile >= 8), also
/// `time_derivative_tile` (u [state..., tile], params -> dudt [state...,
/// tile]) and `time_derivative_vjp_tile` (u, ybar [state..., tile], params
/// -> ubar [state..., tile], dparams = sum over the tile).
std::vector<ir::Function> timeDerivativeVjp(const ir::ModelIR &m);

/// Sparsity.cpp: the structural dependency pattern of result `result` of
/// `f` on its input `wrt` (an argument name, as forwardAD's `wrt`): stencil
/// offsets composed through the ops, diagonal for element-wise ops, whole
/// rows where a reduction or a product across the input feeds back.
ir::JacobianPattern jacobianPattern(const ir::Function &f,
                                    const std::string &wrt, size_t result = 0);
/// Sparsity.cpp: `p` with every diagonal entry added (square patterns).
void addDiagonal(ir::JacobianPattern &p);
/// Sparsity.cpp: `p` (a square pattern over m's state) as one stencil per
/// pair of fields, the same at every grid point; nothing when the state is
/// not all fields on one grid or the pattern varies between points.
std::optional<ir::StencilForm> stencilForm(const ir::ModelIR &m,
                                           const ir::JacobianPattern &p);
/// Colouring.cpp: a Curtis-Powell-Reid column colouring of `p` (no two
/// columns of one colour share a row): the lattice colouring of `form`
/// when given and no worse, else a greedy one.
ir::Colouring colourColumns(const ir::JacobianPattern &p,
                            const ir::StencilForm *form);

/// EnergyDensity.cpp: `energy` (inputs u, params...; result H) as a
/// function `energy_density` with result e of shape `points` (the grid's)
/// and sum(e) = H: H's grid sums moved to the end, u-free terms spread
/// over `total` points. Nothing, with `why` and `where` set, when H is not
/// an affine combination of sums over the grid (a local density exists).
std::optional<ir::Function> energyDensity(const ir::Function &energy,
                                          const Shape &points, double total,
                                          std::string &why, SourceLoc &where);
/// The pipeline (Pipeline.cpp): from `energy` and `structure` (or
/// `vectorfield`) adds `grad` (u, params -> H, grad H in the model's inner
/// product) and `time_derivative` (u, params -> G grad H or the vector
/// field), the discrete-gradient and Newton functions, the training losses
/// and time_derivative_vjp, simplified and verified; sets
/// `laws.separable`.
void deriveModel(ir::ModelIR &m);
/// The pipeline of a local tile (halo mode, ModelIR::halo > 0): only what a
/// distributed run calls on one rank's patch: grad, time_derivative,
/// newton_residual with its sparse Jacobian (newton_jvp tiled over the
/// colours) and energy_density. False, with `why` and `where`, when the
/// energy has no local density.
bool deriveLocalModel(ir::ModelIR &m, std::string &why, SourceLoc &where);

} // namespace dgc::transforms
