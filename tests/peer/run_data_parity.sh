#!/bin/sh
# ctest driver for the DataLoader order test: run_data_parity.sh <ember> <build-dir>
# Generates PyTorch's batch orders with Debian's python3-torch, then runs the
# Lua test. Without python3-torch it skips (exit 77 = skipped in ctest).
set -eu
ember=$1
build=$2
here=$(cd "$(dirname "$0")" && pwd)
python=${EMBER_PEER_PYTHON:-/usr/bin/python3}
if ! "$python" -c 'import torch' >/dev/null 2>&1; then
    echo "SKIP: python3-torch not installed (apt-get install python3-torch)"
    exit 77
fi
ref="$build/data_reference.lua"
"$python" "$here/make_data_reference.py" "$ref.tmp"
mv "$ref.tmp" "$ref"
exec "$ember" run "$here/test_data_parity.lua" "$ref"
