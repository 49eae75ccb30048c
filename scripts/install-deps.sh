#!/usr/bin/env bash
# install-deps.sh — installs the Debian packages ember needs that are missing.
#   scripts/install-deps.sh          what building and running ember needs
#   scripts/install-deps.sh --test   plus what the test suite uses (real PyTorch
#                                    for the peer tests, clang for fuzzing, ...)
# Runs apt-get through sudo when not root. Installs nothing already present.
set -euo pipefail

packages=(build-essential cmake pkg-config liblua5.4-dev libopenblas-dev zlib1g-dev libcjson-dev libedit-dev libcmark-dev libdnnl-dev nettle-dev libprotobuf-c-dev protobuf-c-compiler libonnx-dev gnuplot-nox graphviz)
if [[ "${1:-}" == "--test" ]]; then
  # lua5.4: stock Lua for the torch.so module tests (tests/module)
  packages+=(python3-torch python3-onnx dataset-fashion-mnist tmux clang libclang-rt-dev lua5.4)
  # OpenSSH: the remote worker tests start their own sshd on 127.0.0.1 (tests/lua/test_worker_ssh.lua)
  packages+=(openssh-server openssh-client)
  # ONNX Runtime for the export test comes from npm: node first (Debian's, if none)
  command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
fi
# callers may ask for more (scripts/fuzz.sh: the compiler for libFuzzer)
read -r -a extra <<<"${EMBER_EXTRA_PACKAGES:-}"
packages+=("${extra[@]}")

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# The test suite's npm package (tests/onnx/package.json, pinned by its
# package-lock.json); --ignore-scripts: its install script only fetches GPU
# providers from outside npm, and the CPU runtime is in the package itself.
install_npm_test_deps() {
  [[ "${1:-}" == "--test" ]] || return 0
  local dir
  dir="$(cd "$(dirname "$0")/.." && pwd)/tests/onnx"
  [[ -d "$dir/node_modules/onnxruntime-node" ]] && return 0
  echo "ember: installing onnxruntime-node (npm) into tests/onnx for the ONNX export test"
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
}

if (( ${#missing[@]} == 0 )); then
  install_npm_test_deps "${1:-}"
  exit 0
fi

echo "ember: installing Debian packages: ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then
    sudo=(sudo)
  else
    echo "ember: please install as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
install_npm_test_deps "${1:-}"
