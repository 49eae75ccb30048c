#!/usr/bin/env bash
# The ONNX export of the spatial layers (Conv1d, ConvTranspose2d,
# AdaptiveAvgPool2d, interpolate nearest / bilinear, F.pad constant /
# reflect / replicate, Dropout2d): each model of tests/onnx/export_layersb.lua
# passes onnx.checker (python3-onnx) and, run by ONNX Runtime (npm
# onnxruntime-node in tests/onnx/node_modules), gives ember's output within
# 1e-5. Without the checker or the runtime the test skips (77), except under
# CI=true, where it fails.
set -uo pipefail
ember="$1"
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

names=$("$ember" run "$here/onnx/export_layersb.lua" "$tmp" | tail -1) || fail "export_layersb.lua"
count=0
for name in $names; do
  /usr/bin/python3 -c "
import onnx, sys
onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)
" "$tmp/$name.onnx" || fail "onnx.checker refused $name.onnx"
  res=$(node "$here/onnx/run_ort.js" "$tmp/$name.onnx" "$tmp/${name}_in.idx" "$tmp/${name}_out.idx") \
    || fail "ONNX Runtime could not run $name.onnx"
  /usr/bin/python3 -c "
import json, sys
r = json.loads(sys.argv[1])
assert r['max_abs_diff'] <= 1e-5, r
" "$res" || fail "$name: ONNX Runtime differs from ember: $res"
  count=$((count + 1))
done
[[ $count -ge 19 ]] || fail "only $count models exported"
echo "ok: $count models, checker and ONNX Runtime within 1e-5"
