#!/usr/bin/env bash
# The README's second command: set up (test dependencies included), build,
# and run the whole test suite with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
bash scripts/build.sh
cd build
ctest --output-on-failure -j "${TEMPO_JOBS:-$(nproc)}"
