#!/bin/sh
# ctest driver for the random-stream parity test: run_rng_parity.sh <ember> <build-dir>
# Generates PyTorch's streams with Debian's python3-torch, then runs the Lua
# test; then both again with ATEN_CPU_CAPABILITY=default, PyTorch's switch to
# its non-AVX kernels, which ember honours too (core/rng.c). Without
# python3-torch it skips (exit 77 = skipped in ctest).
set -eu
ember=$1
build=$2
here=$(cd "$(dirname "$0")" && pwd)
python=${EMBER_PEER_PYTHON:-/usr/bin/python3}
if ! "$python" -c 'import torch' >/dev/null 2>&1; then
    echo "SKIP: python3-torch not installed (apt-get install python3-torch)"
    exit 77
fi
data="$build/rng_reference.lua"
"$python" "$here/make_rng_reference.py" "$data.tmp"
mv "$data.tmp" "$data"
"$ember" run "$here/test_rng_parity.lua" "$data"
data="$build/rng_reference_default.lua"
ATEN_CPU_CAPABILITY=default "$python" "$here/make_rng_reference.py" "$data.tmp"
mv "$data.tmp" "$data"
ATEN_CPU_CAPABILITY=default exec "$ember" run "$here/test_rng_parity.lua" "$data"
