# Sanitizer builds (`make test-sanitize`, test/sanitize/run-sanitize).
#
# DGC_SANITIZE is a -fsanitize= list (e.g. address,undefined). Set, it
# instruments everything this project compiles (dgc, the runtime, the unit
# and end-to-end tests, the headers dgc_add_model generates) and, through
# DGC_PROGRAM_FLAGS, the programs `dgc simulate/train/eval` (and the PETSc
# backend's) build in the program cache: those flags are part of the cache key, so a sanitized
# dgc never runs an uninstrumented cached program nor hands one to a
# release build. Every report is fatal (-fno-sanitize-recover=all).
#
# UndefinedBehaviorSanitizer runs in trap mode: GCC's UBSan runtime, loaded
# beside ASan's, writes its reports to stderr only (it ignores log_path),
# where a test that expects a failing command would hide them. A trap is
# SIGILL instead, which AddressSanitizer reports with the stack (file:line)
# in its log when ASAN_OPTIONS has handle_sigill=1 (test/sanitize/run-sanitize).
set(DGC_SANITIZE "" CACHE STRING
  "-fsanitize= list for dgc, its tests and its cached programs (empty: none)")

set(DGC_PROGRAM_FLAGS "")
if(DGC_SANITIZE)
  set(_dgc_san -fsanitize=${DGC_SANITIZE} -fno-sanitize-recover=all
    -fno-omit-frame-pointer)
  if(DGC_SANITIZE MATCHES "undefined")
    list(APPEND _dgc_san -fsanitize-undefined-trap-on-error)
  endif()
  # GCC's -Wmaybe-uninitialized is known to misfire on instrumented code
  # (here: libstdc++'s <regex>, 40 warnings, none in dgc's code).
  add_compile_options(${_dgc_san} -Wno-maybe-uninitialized)
  add_link_options(-fsanitize=${DGC_SANITIZE})
  # The cached programs: -O1 after the cache's -O3 (instrumented -O3 builds
  # take much longer to compile and find nothing more), line tables (-g1)
  # for the reports' stacks.
  list(JOIN _dgc_san " " _dgc_san_str)
  set(DGC_PROGRAM_FLAGS "${_dgc_san_str} -O1 -g1")
  message(STATUS "dgc: sanitizers ${DGC_SANITIZE} (cached programs too)")
endif()
