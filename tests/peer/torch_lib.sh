# torch_lib.sh — sourced (not run; the run_*.sh glob leaves it out) by
# peer.sh and the run_*_in_torch.sh drivers: $here (tests/peer) and
# $python, the interpreter with real PyTorch (Debian's python3-torch;
# EMBER_PEER_PYTHON overrides it, to test the skip path). Without torch
# the test prints SKIP and exits 77 (ctest: skipped); it never installs
# anything. Not here: what each driver runs.
here=$(cd "$(dirname "$0")" && pwd)
python=${EMBER_PEER_PYTHON:-/usr/bin/python3}
if ! "$python" -c 'import torch' >/dev/null 2>&1; then
    echo "SKIP: python3-torch not installed (apt-get install python3-torch)"
    exit 77
fi
