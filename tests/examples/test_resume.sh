#!/usr/bin/env bash
# Exact resume: N steps straight equal K steps + checkpoint + a NEW process
# that loads it and trains N-K more — every loss and every parameter bit
# identical — for the linear regression and for an MNIST classifier with
# dropout and shuffling (the stop falls mid-epoch).
set -euo pipefail
ember="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { "$ember" run tests/examples/resume_train.lua "$@"; }
for case in "linreg 100 37" "mnist 40 23"; do
  set -- $case
  which=$1 n=$2 k=$3
  straight=$(run "$which" straight "$n")
  first=$(run "$which" first "$k" "$tmp/$which.pt" | grep -v '^digest')
  rest=$(run "$which" resume $((n - k)) "$tmp/$which.pt")
  if [[ "$straight" != "$first"$'\n'"$rest" ]]; then
    echo "FAIL: $which: resumed run differs from the straight run"
    diff <(echo "$straight") <(echo "$first"$'\n'"$rest") | head -10
    exit 1
  fi
  echo "ok: $which, $n steps straight == $k + save + new process + $((n - k)) ($(tail -1 <<<"$straight"))"
done
