#!/bin/sh
# ctest package.deb: builds the Debian package from the build tree BUILD
# (CPack, as `make package` does), unpacks it into a temporary root with
# dpkg-deb -x and runs the unpacked dgc: `dgc check` on an installed
# example, `dgc dataset` (the unpacked dgc_dataset and data) and `dgc
# simulate`, which must build its program from the unpacked runtime. Also
# checks the package's declared dependencies.
# Usage: run_package.sh BUILD_DIR
set -eu
build=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/dgc-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
cpack --config "$build/CPackConfig.cmake" -B "$work/out" > "$work/cpack.log" 2>&1 || {
  cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/out/dgc_*_amd64.deb)
echo "built $(basename "$deb")"
depends=$(dpkg-deb -f "$deb" Depends)
for need in g++ libeigen3-dev nlohmann-json3-dev libclang-cpp14 libfmt; do
  case "$depends" in
    *"$need"*) ;;
    *) echo "Depends lacks $need: $depends"; exit 1 ;;
  esac
done
dpkg-deb -x "$deb" "$work/root"
dgc="$work/root/usr/bin/dgc"
"$dgc" --version | grep -qx "runtime: $work/root/usr/share/dgc/runtime" || {
  echo "unpacked dgc does not use its own runtime:"; "$dgc" --version; exit 1; }
"$dgc" check "$work/root/usr/share/dgc/examples/pendulum.dg"
# dgc dataset runs the unpacked libexec/dgc/dgc_dataset, which reads the
# unpacked real pendulum data.
"$dgc" dataset real-pendulum -o "$work/rp" > "$work/dataset.log" 2>&1 || {
  cat "$work/dataset.log"; exit 1; }
grep -q "\"source_file\": \"$work/root/usr/share/dgc/data/real_pend_h_1.txt\"" "$work/rp/dataset.json" || {
  echo "dgc dataset did not read the packaged data:"; grep source_file "$work/rp/dataset.json"; exit 1; }
# u0 = (q, p) = (1, 0) as .npy.
python3 -c "
import struct, sys
h = \"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\"
h = h + ' ' * (118 - len(h) - 1) + '\\n'
sys.stdout.buffer.write(b'\\x93NUMPY\\x01\\x00' + struct.pack('<H', 118) + h.encode() + struct.pack('<2d', 1.0, 0.0))
" > "$work/u0.npy"
DGC_CACHE_DIR="$work/cache" "$dgc" simulate "$work/root/usr/share/dgc/examples/pendulum.dg" \
  --init "$work/u0.npy" --dt 0.1 --steps 200 --scheme dg -o "$work/traj.npy" > "$work/sim.log"
cat "$work/sim.log"
grep -Eq 'energy_drift=[0-9.]+e-(1[2-9]|[2-9][0-9])' "$work/sim.log" || {
  echo "energy drift above 1e-12"; exit 1; }
