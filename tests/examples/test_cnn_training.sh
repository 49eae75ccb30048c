#!/usr/bin/env bash
# The seed lesson's CNN (two Conv-BN-ReLU-Pool blocks, Linear 3136->256,
# Dropout 0.5, Linear 256->10) reaches >= 87% test accuracy on full
# Fashion-MNIST after one epoch (real PyTorch 1.13: 87.9%). About a minute.
# Skipped (exit 77) when Fashion-MNIST is not installed.
set -euo pipefail
ember="$1"
if ! "$ember" run /dev/stdin <<<'data.datasets.FashionMNIST{train = false}' >/dev/null 2>&1; then
  echo "SKIP: Fashion-MNIST not found (apt-get install dataset-fashion-mnist, or set EMBER_DATA)"
  exit 77
fi
out=$("$ember" run examples/mnist_cnn.lua 1 fashion 0)
echo "$out" | tail -2
acc=$(grep "^epoch  1" <<<"$out" | sed -E 's/.*test acc ([0-9.]+)%.*/\1/')
awk -v a="$acc" 'BEGIN { if (a < 87) { print "FAIL: test accuracy " a "% < 87%"; exit 1 } print "ok: " a "%" }'
