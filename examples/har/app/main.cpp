//===- main.cpp - Classify one accelerometer window with the HAR model ----===//
//
// Links the code tempoc generates from examples/har/har.onnx:
//   build/bin/tempoc compile examples/har/har.onnx -o build/har --name har
//   c++ -std=c++17 -Wall -Wextra -Werror -I runtime/include -I build/har
//       examples/har/app/main.cpp build/har/har.cpp -o build/har/har_app
// Usage: har_app WINDOW.f32
// WINDOW.f32 holds one window, [1, 3, 128] raw little-endian float32 in g
// (examples/har/sample_window.f32 is one). Prints the probability of each
// class, the predicted class and the model's memory footprint. Exit code 0 on
// success, 1 on a bad file or a runtime error, 2 on a usage error.
//
// No heap: the arena is a static array, the input is read straight into it.
//
//===----------------------------------------------------------------------===//

#include "har.h"

#include <stdio.h>

namespace {

/// The model's output order (make_model.py's CLASSES, the model's "classes"
/// metadata).
constexpr const char *kClassNames[] = {"still",     "walk",        "run",
                                       "stairs_up", "stairs_down", "fall"};
constexpr int kNumClasses = sizeof(kClassNames) / sizeof(kClassNames[0]);

/// The model's RAM: activations, input and output, placed by tempoc.
alignas(har_ARENA_ALIGN) uint8_t gArena[har_ARENA_SIZE];

/// Reads exactly `bytes` bytes of `path` into `dst`; false (and a message on
/// stderr) if the file cannot be read or has any other size.
bool readExactly(const char *path, void *dst, uint32_t bytes) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "har_app: cannot open '%s'\n", path);
    return false;
  }
  size_t got = fread(dst, 1, bytes, f);
  bool longer = fgetc(f) != EOF;
  fclose(f);
  if (got != bytes || longer) {
    fprintf(stderr,
            "har_app: '%s' must hold exactly %u bytes (one float32 window)\n",
            path, (unsigned)bytes);
    return false;
  }
  return true;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s WINDOW.f32\n", argc > 0 ? argv[0] : "har_app");
    return 2;
  }

  har_t model;
  tempo_status_t st = har_init(&model, gArena, sizeof(gArena));
  if (st != TEMPO_OK) {
    fprintf(stderr, "har_app: har_init failed with status %d\n", (int)st);
    return 1;
  }

  const tempo_tensor_info_t *in = har_input_info(0);
  const tempo_tensor_info_t *out = har_output_info(0);
  if (!in || !out || in->dtype != TEMPO_DTYPE_F32 ||
      out->dtype != TEMPO_DTYPE_F32 ||
      out->bytes != kNumClasses * sizeof(float)) {
    fprintf(stderr,
            "har_app: the generated model is not the HAR model "
            "(float32 window in, %d float32 probabilities out)\n",
            kNumClasses);
    return 1;
  }
  if (!readExactly(argv[1], har_input(&model, 0), in->bytes))
    return 1;

  st = har_run(&model);
  if (st != TEMPO_OK) {
    fprintf(stderr, "har_app: har_run failed with status %d\n", (int)st);
    return 1;
  }

  const float *probs = static_cast<const float *>(har_output(&model, 0));
  int best = 0;
  for (int c = 0; c < kNumClasses; ++c) {
    printf("  %-12s %.4f\n", kClassNames[c], (double)probs[c]);
    if (probs[c] > probs[best])
      best = c;
  }
  printf("predicted: %s (%.1f%%)\n", kClassNames[best],
         100.0 * (double)probs[best]);
  printf("memory: arena %u bytes (RAM, input '%s' and output '%s' "
         "included), weights %u bytes (flash)\n",
         (unsigned)har_ARENA_SIZE, in->name, out->name,
         (unsigned)har_WEIGHT_BYTES);
  return 0;
}
