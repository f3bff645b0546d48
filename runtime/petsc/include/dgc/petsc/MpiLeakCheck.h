//===- MpiLeakCheck.h - No LeakSanitizer in MPI programs --------*- C++ -*-===//
//
// Part of dgc's PETSc backend. Open MPI's components (plugins it loads at
// MPI_Init) keep allocations past MPI_Finalize by design, and by the time
// LeakSanitizer looks they are unloaded, so it reports about 120 KB of
// leaks from "<unknown module>" that no suppression can name. In a
// program built with AddressSanitizer (`make test-sanitize`) this turns
// leak detection off; addressing errors are still reported. Include it in
// exactly one translation unit of an MPI program (it defines a function);
// without -fsanitize=address it is empty.
//
//===----------------------------------------------------------------------===//
#pragma once

#if defined(__SANITIZE_ADDRESS__)
extern "C" const char *__asan_default_options() { return "detect_leaks=0"; }
#endif
