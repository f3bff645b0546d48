# `make package` (cpack -G DEB): dgc_<version>_amd64.deb from the install
# rules of Install.cmake, installed under /usr. Its dependencies: the shared
# libraries dgc links (dpkg-shlibdeps: libclang-cpp, libLLVM, libfmt, ...)
# and what `dgc simulate/train/eval` compile generated programs with (the C++
# compiler, Eigen, nlohmann-json) and the C++ front end reads (Clang's
# resource headers). The PETSc backend's packages are recommended only.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME dgc)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "dgc developers <dgc@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "compiler for discrete-gradient programs (energy models in, C++ out)")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "g++ (>= 4:12), libeigen3-dev (>= 3.3), nlohmann-json3-dev, libclang-common-14-dev")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libpetsc-real-dev, openmpi-bin, cmake")
include(CPack)
