#!/bin/sh
# peer.sh — runs one peer test against real PyTorch:
#   peer.sh NAME <path-to-ember> <build-dir> [name-filter]
# generates the reference data with Debian's python3-torch
# (tests/peer/make_NAME_reference.py OUT) into the build dir, then runs
# tests/peer/test_NAME_parity.lua OUT with ember. Without python3-torch it
# prints SKIP and exits 77 (ctest: skipped); it never installs anything.
# EMBER_PEER_PYTHON overrides the interpreter (to test the skip path).
set -eu
if [ $# -lt 3 ]; then
    echo "usage: $0 NAME <path-to-ember> <build-dir> [name-filter]" >&2
    exit 2
fi
name=$1
ember=$2
build=$3
. "$(dirname "$0")/torch_lib.sh"   # $here, $python; skips (77) without torch
data="$build/${name}_reference${ATEN_CPU_CAPABILITY:+_$ATEN_CPU_CAPABILITY}.lua"
"$python" "$here/make_${name}_reference.py" "$data.tmp"
mv "$data.tmp" "$data"
if [ $# -gt 3 ]; then export EMBER_TEST_FILTER="$4"; fi
exec "$ember" run "$here/test_${name}_parity.lua" "$data"
