#!/bin/sh
# ctest driver: run_optim2_files_in_torch.sh <ember> <build-dir>. ember
# replays every optimizer and scheduler case of
# tests/peer/make_optim2_reference.py and saves its state_dicts
# (tests/peer/save_optim2_cases.lua); real PyTorch loads each, compares it
# with its own and continues from it (tests/peer/check_optim2_in_torch.py).
# Without python3-torch it skips (exit 77). EMBER_PEER_PYTHON overrides the
# interpreter.
set -eu
ember=$1
build=$2
. "$(dirname "$0")/torch_lib.sh"   # $here, $python; skips (77) without torch
out="$build/optim2_files_in_torch"
rm -rf "$out"
mkdir -p "$out"
"$python" "$here/make_optim2_reference.py" "$out/reference.lua" 2>/dev/null
"$ember" run "$here/save_optim2_cases.lua" "$out/reference.lua" "$out"
exec "$python" "$here/check_optim2_in_torch.py" "$out"
