#!/bin/sh
# ctest driver for the optimizer parity test: run_optim_parity.sh <ember> <build-dir>
# Generates reference numbers with Debian's python3-torch, then runs the Lua
# test. Without python3-torch it skips (exit 77 = skipped in ctest).
set -eu
ember=$1
build=$2
here=$(cd "$(dirname "$0")" && pwd)
python=${EMBER_PEER_PYTHON:-/usr/bin/python3}
if ! "$python" -c 'import torch' >/dev/null 2>&1; then
    echo "SKIP: python3-torch not installed (apt-get install python3-torch)"
    exit 77
fi
data="$build/optim_reference.lua"
"$python" "$here/make_optim_reference.py" "$data.tmp"
mv "$data.tmp" "$data"
exec "$ember" run "$here/test_optim_parity.lua" "$data"
