#!/usr/bin/env bash
# `ember inspect FILE` on the shared fixtures: zip records and structure of
# PyTorch checkpoints (keys, tensors with their CRC-32 from the sidecars,
# storage sharing, _metadata, checkpoint fields), legacy-format checkpoints,
# safetensors headers, and unsafe or broken files refused with the reason
# (exit 1); usage exits 2. Text from a file never reaches the terminal raw:
# names, keys, strings, metadata, ONNX names and error reasons carrying
# terminal escapes (OSC title, clear screen, bidi override) come out escaped.
set -uo pipefail
ember="$1"
fail() { echo "FAIL: $*" >&2; exit 1; }
fix=/work/shared/fixtures
[[ -d "$fix" ]] || fix="$(dirname "$0")/../../../shared/fixtures"
[[ -f "$fix/pytorch/linear_state.pt" ]] || { echo "inspect: fixtures not found, skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

has() { grep -qF -- "$2" "$1" || fail "$(basename "$1"): no line with: $2"$'\n'"$(cat "$1")"; }

"$ember" --help | grep -q "ember inspect FILE" || fail "--help does not list inspect"
"$ember" inspect >/dev/null 2>&1; [[ $? -eq 2 ]] || fail "inspect without a file must exit 2"

# linear_state.pt: records like unzip -l, tensors, _metadata
"$ember" inspect "$fix/pytorch/linear_state.pt" >"$tmp/lin" 2>&1 || fail "linear_state.pt: $(cat "$tmp/lin")"
has "$tmp/lin" "linear_state/data.pkl"
has "$tmp/lin" "4 files"
has "$tmp/lin" "<root>: OrderedDict len=2"
has "$tmp/lin" "['weight']: Tensor dtype=float32 shape=[2, 3] stride=[3, 1] offset=0 storage=#0/6 crc32=0xc667d7c1"
has "$tmp/lin" "['bias']: Tensor dtype=float32 shape=[2] stride=[1] offset=0 storage=#1/2 crc32=0x56e3f0c2"
has "$tmp/lin" "<root>._metadata['']: {'version': 1}"

# checkpoint.tar (a zip despite the name): checkpoint fields and nesting
"$ember" inspect "$fix/pytorch/checkpoint.tar" >"$tmp/ck" 2>&1 || fail "checkpoint.tar: $(cat "$tmp/ck")"
has "$tmp/ck" "26 files"
has "$tmp/ck" "['epoch']: int 100"
has "$tmp/ck" "['train_loss']: float 0.01"
has "$tmp/ck" "['timestamp']: str '2024-01-01T00:00:00'"
has "$tmp/ck" "['optimizer_state_dict']['param_groups'][0]['betas']: tuple len=2 (0.9, 0.999)"
has "$tmp/ck" "['optimizer_state_dict']['state'][0]['exp_avg']: Tensor dtype=float32 shape=[8, 4] stride=[4, 1] offset=0 storage=#7/32 crc32=0x4f2ad6e2"
has "$tmp/ck" "['model_state_dict']._metadata['features.0']: {'version': 1}"
has "$tmp/ck" "summary: 24 tensors"

# shared_views.pt: four views of one storage
"$ember" inspect "$fix/pytorch/shared_views.pt" >"$tmp/sv" 2>&1 || fail "shared_views.pt: $(cat "$tmp/sv")"
has "$tmp/sv" "['transposed']: Tensor dtype=float32 shape=[4, 3] stride=[1, 4] offset=0 storage=#0/12 crc32=0x7109b3e5"
has "$tmp/sv" "#0: ['base'], ['transposed'], ['row1'], ['cols12']"

# dtypes.pt: converted dtypes are announced; float16 / bfloat16 keep their dtype and bytes
"$ember" inspect "$fix/pytorch/dtypes.pt" >"$tmp/dt" 2>&1 || fail "dtypes.pt: $(cat "$tmp/dt")"
has "$tmp/dt" "int16 -> int32"
has "$tmp/dt" "['f16']: Tensor dtype=float16 shape=[5] stride=[1] offset=0 storage=#9/5 crc32=0x35312c00"
has "$tmp/dt" "['bf16']: Tensor dtype=bfloat16 shape=[4] stride=[1] offset=0 storage=#10/4 crc32=0xcc461850"

# safetensors: header entries, offsets, checksums, __metadata__
"$ember" inspect "$fix/safetensors/linear_state.safetensors" >"$tmp/st" 2>&1 || fail "linear_state.safetensors: $(cat "$tmp/st")"
has "$tmp/st" "format: safetensors (header 152 bytes, data from byte 160)"
has "$tmp/st" "  format: pt"
grep -qE "^  weight +F32 +\[2, 3\] +\[8, 32\] +24 +0xc667d7c1$" "$tmp/st" || fail "safetensors weight line: $(cat "$tmp/st")"
grep -qE "^  bias +F32 +\[2\] +\[0, 8\] +8 +0x56e3f0c2$" "$tmp/st" || fail "safetensors bias line"
"$ember" inspect "$fix/safetensors/mixed.safetensors" >"$tmp/mx" 2>&1 || fail "mixed.safetensors"
grep -qE "^  b +F16 +\[3\] " "$tmp/mx" || fail "mixed.safetensors: F16 loads as itself: $(cat "$tmp/mx")"

# refused: a pickle that asks for os.system, broken zips, bad safetensors headers
refused() {   # file, text the reason must contain
  "$ember" inspect "$1" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  [[ $rc -eq 1 ]] || fail "$(basename "$1") must exit 1, got $rc"
  grep -qF -- "$2" "$tmp/err" || fail "$(basename "$1"): reason '$(cat "$tmp/err")' lacks '$2'"
  grep -q "refused" "$tmp/err" || fail "$(basename "$1"): not called refused"
  [[ ! -s "$tmp/out" ]] || fail "$(basename "$1"): printed a report for a refused file"
}
refused "$fix/pytorch/malicious/global_os_system.pt" "os.system"
refused "$fix/pytorch/malicious/truncated.pt" "truncated"
refused "$fix/pytorch/malicious/not_a_zip.pt" "not a PyTorch zip checkpoint"
refused "$fix/pytorch/malicious/short_record.pt" "short_record/data/0"
refused "$fix/safetensors/bad_overlap.safetensors" "invalid offset for tensor \`y\`"
refused "$fix/safetensors/bad_header_too_large.safetensors" "header too large"

# a file of another kind, and a missing file
printf 'hello, world\n' >"$tmp/notes.txt"
refused "$tmp/notes.txt" "not a PyTorch checkpoint (zip or legacy), and not a safetensors file"
"$ember" inspect "$tmp/missing.pt" >/dev/null 2>"$tmp/err"; [[ $? -eq 1 ]] || fail "a missing file must exit 1"
grep -q "No such file" "$tmp/err" || fail "missing file: $(cat "$tmp/err")"

# a file ember wrote itself
printf 'torch.manual_seed(0)\nlocal m = nn.Linear(3, 2)\ntorch.save(m:state_dict(), arg[1] .. "/m.pt")\ntorch.save_safetensors(m:state_dict(), arg[1] .. "/m.safetensors", {format = "pt"})\n' >"$tmp/w.lua"
"$ember" run "$tmp/w.lua" "$tmp" || fail "writing files to inspect"
"$ember" inspect "$tmp/m.pt" >"$tmp/own" 2>&1 || fail "own .pt: $(cat "$tmp/own")"
has "$tmp/own" "['weight']: Tensor dtype=float32 shape=[2, 3] stride=[3, 1] offset=0 storage=#0/6 crc32=0xc667d7c1"
"$ember" inspect "$tmp/m.safetensors" >"$tmp/own2" 2>&1 || fail "own .safetensors: $(cat "$tmp/own2")"
grep -qE "^  weight +F32 +\[2, 3\] +\[8, 32\] +24 +0xc667d7c1$" "$tmp/own2" || fail "own safetensors: $(cat "$tmp/own2")"
# a legacy-format checkpoint ember wrote (torch.save with _use_new_zipfile_serialization = false)
printf 'torch.manual_seed(0)\nlocal m = nn.Linear(3, 2)\ntorch.save({sd = m:state_dict(), step = 7}, arg[1] .. "/legacy.pt", {_use_new_zipfile_serialization = false})\n' >"$tmp/wl.lua"
"$ember" run "$tmp/wl.lua" "$tmp" || fail "writing a legacy file"
"$ember" inspect "$tmp/legacy.pt" >"$tmp/leg" 2>&1 || fail "legacy .pt: $(cat "$tmp/leg")"
has "$tmp/leg" "format: PyTorch legacy checkpoint"
has "$tmp/leg" "['sd']['weight']: Tensor dtype=float32 shape=[2, 3] stride=[3, 1] offset=0 storage=#0/6 crc32=0xc667d7c1"
has "$tmp/leg" "['step']: int 7"

# terminal escapes from files come out escaped, never raw (ESC is \033, BEL \007)
cat >"$tmp/evil.lua" <<'LUA'
local esc, title, clear, rlo = "\27", "\27]0;pwned\7", "\27[2J", "\226\128\174"
local d = torch.dict{{"k" .. title, "v" .. clear}, {"list", {clear, torch.None}}}
torch.save(d, arg[1] .. "/evil.pt")
torch.save(d, arg[1] .. "/evil_legacy.pt", {_use_new_zipfile_serialization = false})
torch.save_safetensors({["w" .. clear] = torch.ones(1)}, arg[1] .. "/evil.safetensors", {["m" .. title] = "x" .. rlo .. esc})
require("torch.core")._onnx.write({ir_version = 8, opset = 13, producer_name = "p" .. title, producer_version = "1",
  graph_name = "g" .. clear, doc_string = "d" .. title,
  inputs = {{name = "in" .. clear, elem_type = 1, shape = {1}}}, outputs = {{name = "out", elem_type = 1, shape = {1}}},
  initializers = {}, nodes = {{op_type = "Relu", name = "n", inputs = {"in" .. clear}, outputs = {"out"}, attributes = {}}}},
  arg[1] .. "/evil.onnx")
-- a safetensors header whose tensor name is refused, quoted in the error
local hdr = '{"x\\u001b]0;pwned\\u0007":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}'
local f = io.open(arg[1] .. "/evil_bad.safetensors", "wb")
f:write(string.pack("<I8", #hdr), hdr, string.rep("\0", 4)) f:close()
LUA
"$ember" run "$tmp/evil.lua" "$tmp" || fail "writing files with escapes"
for f in evil.pt evil_legacy.pt evil.safetensors evil.onnx evil_bad.safetensors; do
  "$ember" inspect "$tmp/$f" >"$tmp/ev" 2>&1
  if grep -q $'\033' "$tmp/ev" || grep -q $'\007' "$tmp/ev" || grep -q $'\xe2\x80\xae' "$tmp/ev"; then
    fail "$f: a raw control character reached the terminal: $(cat -v "$tmp/ev")"
  fi
done
"$ember" inspect "$tmp/evil.pt" >"$tmp/ev" 2>&1 || fail "evil.pt: $(cat -v "$tmp/ev")"
has "$tmp/ev" "<root>: dict len=2 {'k\27]0;pwned\7': 'v\27[2J', 'list': ['\27[2J', None]}"
"$ember" inspect "$tmp/evil.safetensors" >"$tmp/ev" 2>&1 || fail "evil.safetensors"
has "$tmp/ev" "m\27]0;pwned\7: x\226\128\174\27"
has "$tmp/ev" "w\27[2J"
"$ember" inspect "$tmp/evil.onnx" >"$tmp/ev" 2>&1 || fail "evil.onnx: $(cat -v "$tmp/ev")"
has "$tmp/ev" "producer p\27]0;pwned\7 1"
has "$tmp/ev" "in\27[2J -> out"
"$ember" inspect "$tmp/evil_bad.safetensors" >"$tmp/ev" 2>&1; [[ $? -eq 1 ]] || fail "evil_bad must be refused"
has "$tmp/ev" "x\27]0;pwned\7"
echo "inspect: ok"
