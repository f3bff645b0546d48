# dgc_add_model(TARGET file.dg [DEFINES NAME=VALUE ...])
#
# Runs `dgc compile` on file.dg at build time (again whenever the .dg file or
# dgc changes) and gives TARGET, an INTERFACE library whose include path holds
# the generated `<file>.hpp`, the way protobuf_generate does. Link TARGET and
# `#include "<file>.hpp"`.
#
# Inside this project the `dgc` target is used; elsewhere set DGC_EXECUTABLE.
function(dgc_add_model target source)
  cmake_parse_arguments(ARG "" "" "DEFINES" ${ARGN})
  get_filename_component(abs "${source}" ABSOLUTE)
  get_filename_component(base "${source}" NAME_WE)
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
  set(defs)
  foreach(d IN LISTS ARG_DEFINES)
    list(APPEND defs -D "${d}")
  endforeach()
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${outdir}"
    COMMAND ${exe} compile "${abs}" ${defs} -o "${out}"
    DEPENDS "${abs}" ${exe_dep}
    COMMENT "dgc compile ${source}"
    VERBATIM)
  add_custom_target(${target}_generate DEPENDS "${out}")
  add_library(${target} INTERFACE)
  add_dependencies(${target} ${target}_generate)
  target_include_directories(${target} INTERFACE "${outdir}")
  target_link_libraries(${target} INTERFACE Eigen3::Eigen)
endfunction()
