#!/bin/sh
# ctest driver: run_save_loads_in_torch.sh <ember> <build-dir>. ember's
# torch.save writes checkpoints (tests/peer/save_cases.lua: MNISTClassifier
# state_dict, SGD-momentum and Adam state after 3 steps, the lesson
# checkpoint, shared views, 0-dim/empty tensors, all dtypes); real PyTorch
# loads each and checks it (tests/peer/check_saved_in_torch.py). Without
# python3-torch it skips (exit 77). EMBER_PEER_PYTHON overrides the interpreter.
set -eu
ember=$1
build=$2
. "$(dirname "$0")/torch_lib.sh"   # $here, $python; skips (77) without torch
out="$build/save_loads_in_torch"
rm -rf "$out"
mkdir -p "$out"
"$ember" run "$here/save_cases.lua" "$out"
exec "$python" "$here/check_saved_in_torch.py" "$out"
