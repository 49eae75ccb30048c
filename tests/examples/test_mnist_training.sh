#!/usr/bin/env bash
# The MNIST classifier trains on the bundled 8,000 real digits and reaches
# >= 94.5% test accuracy on the 2,000 held out after 10 epochs (real PyTorch
# 1.13 reaches 95.2% with the same setup). Seed 0; prints the epoch lines.
set -euo pipefail
ember="$1"
out=$("$ember" run examples/mnist_mlp.lua 10 mnist 0)
echo "$out"
acc=$(grep "^epoch 10" <<<"$out" | sed -E 's/.*test acc ([0-9.]+)%.*/\1/')
before=$(grep "^before training" <<<"$out" | sed -E 's/.*accuracy ([0-9.]+)%.*/\1/')
awk -v a="$acc" -v b="$before" 'BEGIN {
  if (b > 30) { print "FAIL: untrained accuracy " b "% should be near 10%"; exit 1 }
  if (a < 94.5) { print "FAIL: test accuracy " a "% < 94.5%"; exit 1 }
  print "ok: " b "% before, " a "% after 10 epochs" }'
