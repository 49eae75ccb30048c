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
. "$(dirname "$0")/onnx_lib.sh"   # $here, fail, $tmp; skips without the checker or the runtime

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
