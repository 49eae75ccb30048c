# onnx_lib.sh — sourced (not run: no test_ prefix, so the examples glob
# leaves it out) by the tests that check ember's ONNX files with
# onnx.checker (Debian's python3-onnx) and ONNX Runtime (npm
# onnxruntime-node, installed by scripts/install-deps.sh --test into
# tests/onnx/node_modules): test_onnx_export.sh, test_onnx_layersb.sh.
# Sets $here (tests/), fail, and $tmp (a folder removed on exit); without
# the checker or the runtime the test skips (77), except under CI=true,
# where it fails. Not here: which models each test exports and compares.
here="$(cd "$(dirname "$0")/.." && pwd)"
fail() { echo "FAIL: $*" >&2; exit 1; }
missing() {
  if [[ -n "${CI:-}" ]]; then fail "$1 (scripts/install-deps.sh --test installs it)"; fi
  echo "SKIP: $1"; exit 77
}
/usr/bin/python3 -c "import onnx" 2>/dev/null || missing "python3-onnx is not installed"
command -v node >/dev/null || missing "node is not installed"
[[ -d "$here/onnx/node_modules/onnxruntime-node" ]] || missing "onnxruntime-node is not installed in tests/onnx"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
