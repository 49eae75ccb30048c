#!/usr/bin/env bash
# torch.onnx.export end to end: MNISTClassifier, the seed-lesson CNN and a
# custom forward are exported with a dynamic batch axis; each file passes
# onnx.checker (Debian's python3-onnx) and, run by ONNX Runtime (npm
# onnxruntime-node, installed by scripts/install-deps.sh --test into
# tests/onnx/node_modules), gives ember's outputs within 1e-5 for batches of
# 1 and 7. `ember inspect` describes each file. Without the checker or the
# runtime the test skips (77), except under CI=true, where it fails.
set -uo pipefail
ember="$1"
. "$(dirname "$0")/onnx_lib.sh"   # $here, fail, $tmp; skips without the checker or the runtime

"$ember" run "$here/onnx/export_models.lua" "$tmp" || fail "export_models.lua"
for name in mlp cnn custom mixed norm; do
  /usr/bin/python3 -c "
import onnx, sys
m = onnx.load(sys.argv[1])
onnx.checker.check_model(m, full_check=True)
print('checker ok:', sys.argv[1].rsplit('/', 1)[-1], 'opset', m.opset_import[0].version, 'nodes', len(m.graph.node))
" "$tmp/$name.onnx" || fail "onnx.checker refused $name.onnx"
  for b in 1 7; do
    res=$(node "$here/onnx/run_ort.js" "$tmp/$name.onnx" "$tmp/${name}_b${b}_in.idx" "$tmp/${name}_b${b}_out.idx") \
      || fail "ONNX Runtime could not run $name.onnx (batch $b)"
    echo "$name batch $b: $res"
    /usr/bin/python3 -c "
import json, sys
r = json.loads(sys.argv[1])
assert r['shape'] == [int(sys.argv[2]), 10], r
assert r['max_abs_diff'] <= 1e-5, r
" "$res" "$b" || fail "$name batch $b: ONNX Runtime differs from ember: $res"
  done
  "$ember" inspect "$tmp/$name.onnx" > "$tmp/inspect.txt" || fail "ember inspect $name.onnx"
  grep -q "format: ONNX" "$tmp/inspect.txt" || fail "inspect: $(cat "$tmp/inspect.txt")"
  grep -q "image *FLOAT *\[batch, 1, 28, 28\]" "$tmp/inspect.txt" || fail "inspect inputs: $(cat "$tmp/inspect.txt")"
  grep -q "logits *FLOAT *\[batch, 10\]" "$tmp/inspect.txt" || fail "inspect outputs: $(cat "$tmp/inspect.txt")"
done
echo "ok: 5 models, checker and ONNX Runtime within 1e-5 at batch 1 and 7"
