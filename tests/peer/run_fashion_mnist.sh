#!/bin/sh
# ctest driver: run_fashion_mnist.sh <ember> <build-dir>. Loads the full
# Fashion-MNIST that Debian's dataset-fashion-mnist installs; without that
# package it skips (exit 77 = skipped in ctest).
set -eu
ember=$1
here=$(cd "$(dirname "$0")" && pwd)
dir=/usr/share/datasets/fashion-mnist
if [ ! -r "$dir/train-images-idx3-ubyte.gz" ] || [ ! -r "$dir/t10k-labels-idx1-ubyte.gz" ]; then
    echo "SKIP: dataset-fashion-mnist not installed (apt-get install dataset-fashion-mnist)"
    exit 77
fi
exec "$ember" run "$here/test_fashion_mnist.lua"
