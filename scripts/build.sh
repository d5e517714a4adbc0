#!/usr/bin/env bash
# Configures and builds Tempo in build/ with Ninja (Release).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f build/build.ninja ]]; then
  cmake -G Ninja -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
ninja -C build -j "${TEMPO_JOBS:-$(nproc)}" | grep -v "^\[" || true
test -x build/bin/tempoc
