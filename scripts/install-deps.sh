#!/usr/bin/env bash
# install-deps.sh — installs the Debian packages ember needs that are missing.
#   scripts/install-deps.sh          what building and running ember needs
#   scripts/install-deps.sh --test   plus what the test suite uses (real PyTorch
#                                    for the peer tests, clang for fuzzing, ...)
# Runs apt-get through sudo when not root. Installs nothing already present.
set -euo pipefail

packages=(build-essential cmake pkg-config liblua5.4-dev libopenblas-dev zlib1g-dev libcjson-dev libedit-dev libcmark-dev gnuplot-nox)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(python3-torch dataset-fashion-mnist tmux clang libclang-rt-dev)
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
if (( ${#missing[@]} == 0 )); then
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
