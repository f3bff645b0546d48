// Linked into the MPI examples in sanitizer builds only
// (examples/petsc-embed/CMakeLists.txt): Open MPI's unloaded plugins leak
// by design; see dgc/petsc/MpiLeakCheck.h.
#include "dgc/petsc/MpiLeakCheck.h"
