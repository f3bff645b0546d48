# `cmake --install BUILD --prefix P`: what an outside project needs to build
# against dgc (find_package(dgc), docs/install.md), laid out as
#   P/bin/dgc                          the compiler
#   P/libexec/dgc/dgc_dataset          the program behind `dgc dataset`
#   P/include/dgc/{runtime,petsc}/     the runtime headers
#   P/share/dgc/runtime/               the program sources `dgc simulate`,
#                                      `train` and `eval` compile
#                                      (dgc/ProgramCache.cpp finds them
#                                      from its own path)
#   P/share/dgc/data, examples/        the real pendulum data, the models
#   P/lib/cmake/dgc/                   dgcConfig.cmake and friends
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS dgc RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS dgc_dataset RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/dgc)
install(DIRECTORY runtime/include/ runtime/petsc/include/
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES runtime/tools/simulate_main.cpp runtime/tools/train_main.cpp
              runtime/tools/eval_main.cpp
        DESTINATION ${CMAKE_INSTALL_DATADIR}/dgc/runtime/tools)
install(FILES runtime/petsc/tools/simulate_main.cpp
        DESTINATION ${CMAKE_INSTALL_DATADIR}/dgc/runtime/petsc/tools)
install(FILES runtime/tools/dataset/data/real_pend_h_1.txt
        DESTINATION ${CMAKE_INSTALL_DATADIR}/dgc/data)
install(DIRECTORY examples/ DESTINATION ${CMAKE_INSTALL_DATADIR}/dgc/examples
        FILES_MATCHING PATTERN "*.dg")

set(config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/dgc)
configure_package_config_file(cmake/dgcConfig.cmake.in
  ${PROJECT_BINARY_DIR}/dgcConfig.cmake
  INSTALL_DESTINATION ${config_dir}
  PATH_VARS CMAKE_INSTALL_BINDIR CMAKE_INSTALL_INCLUDEDIR)
# 0.x: a minor version may change the generated API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/dgcConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/dgcConfig.cmake
              ${PROJECT_BINARY_DIR}/dgcConfigVersion.cmake
              dgc/DgcModel.cmake
        DESTINATION ${config_dir})
