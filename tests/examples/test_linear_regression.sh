#!/usr/bin/env bash
# The linear-regression example runs, its loss falls, and it prints the
# numbers PyTorch prints for the same program with seed 42 (checked against
# real PyTorch 1.13 once; the peer tests check such parity in depth).
set -euo pipefail
ember="$1"
out=$("$ember" run examples/linear_regression.lua)
echo "$out"
expect() {
  if ! grep -qF -- "$1" <<<"$out"; then
    echo "FAIL: expected a line containing: $1" >&2
    exit 1
  fi
}
expect "train 35, validation 7, test 8 points"
expect "start: weight 0.3367, bias 0.1288"
expect "epoch   0 | train loss 0.092243 | val loss 0.193512"
expect "epoch  80 | train loss 0.005025 | val loss 0.024851"
expect "learned: weight 0.4398, bias 0.3607"
echo "linear regression example: ok"
