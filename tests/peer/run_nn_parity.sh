#!/bin/sh
# ctest driver for the PyTorch parity test of ember's nn functions:
#   run_nn_parity.sh <path-to-ember> <build-dir> [name-filter]
# Generates the reference data with Debian's python3-torch into the build dir,
# then runs tests/peer/test_nn_parity.lua with ember. Without python3-torch it
# skips (exit 77, which ctest reports as skipped); it never installs anything.
set -eu

if [ $# -lt 2 ]; then
    echo "usage: $0 <path-to-ember> <build-dir> [name-filter]" >&2
    exit 2
fi
ember=$1
build=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
python=${EMBER_PEER_PYTHON:-/usr/bin/python3}  # override only to test the skip path

if ! "$python" -c 'import torch' >/dev/null 2>&1; then
    echo "SKIP: python3-torch not installed (apt-get install python3-torch)"
    exit 77
fi

data="$build/nn_reference.lua"
"$python" "$here/make_nn_reference.py" "$data.tmp"
mv "$data.tmp" "$data"
if [ $# -gt 0 ]; then export EMBER_TEST_FILTER="$1"; fi
exec "$ember" run "$here/test_nn_parity.lua" "$data"
