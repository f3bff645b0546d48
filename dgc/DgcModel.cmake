# dgc_add_model(TARGET source [DEFINES NAME=VALUE ...] [LOCAL_TILE T|TXxTY]
#               [FUNCTION name] [STRUCTURE G] [GRID N,LENGTH] [CXXFLAGS flag ...]
#               [DG_NUMERICS exact|reference])
#
# Runs `dgc compile` on `source` at build time (again whenever the source or
# dgc changes; the header is replaced only when its text changes) and gives
# TARGET, an INTERFACE library whose include path holds the generated
# `<source name>.hpp`, the way protobuf_generate does.
# Link TARGET and `#include "<source name>.hpp"`.
#
# `source` is a .dg model, or a C++ file with an energy function (the C++
# front end): then FUNCTION names the function (or leave it out to take every
# function annotated [[clang::annotate("dgc::energy")]]), STRUCTURE gives G
# (S, D, D2, -I, "S - friction(0.1)", ...), GRID makes the state a periodic
# field, and CXXFLAGS are passed to Clang. LOCAL_TILE also emits the local-tile
# kernels for distributed runs (`namespace local`, dgc compile --local-tile).
# DG_NUMERICS is `dgc compile --dg-numerics` (the training functions'
# divided differences; default exact).
#
# Inside this project the `dgc` target is used; elsewhere DGC_EXECUTABLE
# (find_package(dgc) sets it: docs/install.md).
function(dgc_add_model target source)
  cmake_parse_arguments(ARG "" "FUNCTION;STRUCTURE;GRID;LOCAL_TILE;DG_NUMERICS"
                        "DEFINES;CXXFLAGS" ${ARGN})
  get_filename_component(abs "${source}" ABSOLUTE)
  get_filename_component(base "${source}" NAME_WE)
  get_filename_component(ext "${source}" LAST_EXT)
  set(outdir "${CMAKE_CURRENT_BINARY_DIR}/dgc_generated/${target}")
  set(out "${outdir}/${base}.hpp")
  if(TARGET dgc)
    set(exe $<TARGET_FILE:dgc>)
    set(exe_dep dgc)
  elseif(DGC_EXECUTABLE)
    set(exe "${DGC_EXECUTABLE}")
    set(exe_dep "${DGC_EXECUTABLE}")
  else()
    message(FATAL_ERROR "dgc_add_model: set DGC_EXECUTABLE to the dgc program")
  endif()
  set(args)
  foreach(d IN LISTS ARG_DEFINES)
    list(APPEND args -D "${d}")
  endforeach()
  if(ARG_LOCAL_TILE)
    list(APPEND args --local-tile "${ARG_LOCAL_TILE}")
  endif()
  if(ARG_DG_NUMERICS)
    list(APPEND args "--dg-numerics=${ARG_DG_NUMERICS}")
  endif()
  if(ext MATCHES "^\\.(cpp|cc|cxx)$")
    if(NOT ARG_STRUCTURE)
      message(FATAL_ERROR "dgc_add_model(${target}): a C++ source needs STRUCTURE")
    endif()
    if(ARG_FUNCTION)
      list(APPEND args --function "${ARG_FUNCTION}")
    endif()
    # `=` form: a structure such as -I must not read as an option.
    list(APPEND args "--structure=${ARG_STRUCTURE}")
    if(ARG_GRID)
      list(APPEND args --grid "${ARG_GRID}")
    endif()
  elseif(ARG_FUNCTION OR ARG_STRUCTURE OR ARG_GRID OR ARG_CXXFLAGS)
    message(FATAL_ERROR "dgc_add_model(${target}): FUNCTION, STRUCTURE, GRID "
                        "and CXXFLAGS apply to C++ sources only")
  endif()
  set(tail)
  if(ARG_CXXFLAGS)
    set(tail -- ${ARG_CXXFLAGS})
  endif()
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${outdir}"
    COMMAND ${exe} compile "${abs}" ${args} -o "${out}.new" ${tail}
    # A rebuilt dgc that writes the same header leaves it untouched, so
    # what includes it is not compiled again (Ninja's restat).
    COMMAND ${CMAKE_COMMAND} -E copy_if_different "${out}.new" "${out}"
    DEPENDS "${abs}" ${exe_dep}
    COMMENT "dgc compile ${source}"
    VERBATIM)
  add_custom_target(${target}_generate DEPENDS "${out}")
  add_library(${target} INTERFACE)
  add_dependencies(${target} ${target}_generate)
  target_include_directories(${target} INTERFACE "${outdir}")
  target_link_libraries(${target} INTERFACE Eigen3::Eigen)
  # Generated code never reads errno: with this the compiler may treat
  # tanh, exp, ... as pure and evaluate each once per element where the
  # forward value and the divided-difference rules all need it.
  target_compile_options(${target} INTERFACE
    $<$<COMPILE_LANG_AND_ID:CXX,GNU,Clang>:-fno-math-errno>)
endfunction()
