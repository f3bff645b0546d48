#!/bin/sh
# ctest consumer.find_package: installs the build tree BUILD into a temporary
# prefix, builds test/consumer against it as an outside project would
# (find_package(dgc 0.1), dgc_add_model, dgc::runtime) and runs it; the
# program itself checks the energy drift. Also checks that the installed dgc
# builds its programs from the prefix, not from the source tree.
# Usage: run_consumer.sh SOURCE_DIR BUILD_DIR
set -eu
src=$1
build=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/dgc-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
"$work/prefix/bin/dgc" --version | grep -qx "runtime: $work/prefix/share/dgc/runtime" || {
  echo "installed dgc does not use its own runtime:"; "$work/prefix/bin/dgc" --version; exit 1; }
# A different consumer version must be refused by dgcConfigVersion.cmake.
mkdir -p "$work/badver"
printf 'cmake_minimum_required(VERSION 3.20)\nproject(v LANGUAGES CXX)\nfind_package(dgc 9.0 REQUIRED)\n' \
  > "$work/badver/CMakeLists.txt"
if cmake -S "$work/badver" -B "$work/badver/b" -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/badver.log" 2>&1; then
  echo "find_package(dgc 9.0) was accepted"; exit 1
fi
grep -q 'version: 0\.' "$work/badver.log" || { cat "$work/badver.log"; exit 1; }
cmake -S "$src/test/consumer" -B "$work/build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release > "$work/configure.log" 2>&1 || {
  cat "$work/configure.log"; exit 1; }
cmake --build "$work/build" > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
"$work/build/consumer"
