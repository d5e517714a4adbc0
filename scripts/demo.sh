#!/usr/bin/env bash
# The README's first command: set up, build tempoc, compile the example
# activity-recognition model to C++, build the generated code into a host
# program, and run it on a sample accelerometer window.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
out=build/examples/har
build/bin/tempoc compile examples/har/har.onnx -o "$out" --name har
c++ -std=c++17 -O2 -Wall -Wextra -Werror -fno-exceptions -fno-rtti \
  -I runtime/include -I "$out" examples/har/app/main.cpp "$out/har.cpp" -o "$out/har-app"
"$out/har-app" examples/har/sample_window.f32
