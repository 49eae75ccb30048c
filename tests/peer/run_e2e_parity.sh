#!/bin/sh
# ctest driver for end-to-end parity with PyTorch: run_e2e_parity.sh <ember> <build-dir>
# (exit 77 = skipped when /usr/bin/python3 has no torch).
set -eu
ember=$1
build=$2
here=$(cd "$(dirname "$0")" && pwd)
python=${EMBER_PEER_PYTHON:-/usr/bin/python3}
if ! "$python" -c 'import torch' >/dev/null 2>&1; then
    echo "SKIP: python3-torch not installed (apt-get install python3-torch)"
    exit 77
fi
data="$build/e2e_reference.lua"
"$python" "$here/make_e2e_reference.py" "$here/../.." "$data.tmp"
mv "$data.tmp" "$data"
exec "$ember" run "$here/test_e2e_parity.lua" "$data"
