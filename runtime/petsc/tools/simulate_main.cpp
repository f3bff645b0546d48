//===- simulate_main.cpp - The program of `dgc simulate --backend petsc` --===//
//
// Part of dgc's PETSc backend. Compiled by `dgc simulate --backend petsc`
// against one generated header that has local kernels (`dgc compile
// --local-tile`), with PETSc and MPI:
//   c++ -std=c++20 -O3 -I<runtime/include> -I<runtime/petsc/include>
//       -I<eigen> -I<petsc, mpi> -DDGC_MODEL_HEADER='"path/model.hpp"'
//       -DDGC_MODEL_NS=dgc_models::CahnHilliard2D simulate_main.cpp
//       -lpetsc_real -lmpi
// and run under mpirun (see dgc/petsc/SimulateMain.h for its options).
//
//===----------------------------------------------------------------------===//
#ifndef DGC_MODEL_HEADER
#error "define DGC_MODEL_HEADER as the quoted path of a generated header"
#endif
#ifndef DGC_MODEL_NS
#error "define DGC_MODEL_NS as the model's namespace, e.g. dgc_models::KdV"
#endif

#include DGC_MODEL_HEADER

#include "dgc/petsc/MpiLeakCheck.h"
#include "dgc/petsc/SimulateMain.h"

int main(int argc, char **argv) {
  return dgc::petsc::simulatePetscMain<DGC_MODEL_NS::Model,
                                       DGC_MODEL_NS::local::Kernels>(argc,
                                                                     argv);
}
