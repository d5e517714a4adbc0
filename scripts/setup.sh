#!/usr/bin/env bash
# Installs what Tempo needs from Debian's packages (and, with --test, the
# test-only onnxruntime-node from npm). Idempotent and non-interactive:
# packages already present are not fetched again.
set -euo pipefail
cd "$(dirname "$0")/.."

build_pkgs=(cmake ninja-build g++ libgtest-dev
  llvm-19-dev libmlir-19-dev mlir-19-tools llvm-19-tools
  libonnx-dev libprotobuf-dev protobuf-compiler
  libflatbuffers-dev flatbuffers-compiler
  python3-onnx python3-numpy)
test_pkgs=(libonnx-testdata clang
  gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm nodejs npm)

pkgs=("${build_pkgs[@]}")
if [[ "${1:-}" == "--test" ]]; then
  pkgs+=("${test_pkgs[@]}")
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node and npm may come from outside Debian (the image ships its own).
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ "${1:-}" == "--test" ]]; then
  # onnxruntime-node for golden outputs (test-only). The CPU library ships in
  # the package; .npmrc turns off its install script (GPU downloads).
  if [[ ! -d test/golden/node_modules/onnxruntime-node ]]; then
    echo "setup: installing onnxruntime-node (test-only)"
    (cd test/golden && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
