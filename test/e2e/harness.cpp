//===- harness.cpp - Run one generated model on raw input files -----------===//
//
// Builds against any tempoc-generated model:
//   c++ -std=c++17 -I runtime/include -I GEN -DTEMPO_MODEL=NAME
//       -DTEMPO_MODEL_HEADER='"NAME.h"' harness.cpp GEN/NAME.cpp
// Usage: harness IN_0.bin ... IN_k.bin -o OUT_0.bin ... OUT_m.bin
// Each file holds the raw little-endian bytes of one tensor, in the model's
// input/output order. Exit code 0 on success; a message on stderr otherwise.
// The same source runs on the host and, through newlib's semihosting stdio,
// on an emulated Cortex-M.
//
//===----------------------------------------------------------------------===//

#include TEMPO_MODEL_HEADER

#include <stdio.h>
#include <string.h>

#define TEMPO_CAT2(a, b) a##b
#define TEMPO_CAT(a, b) TEMPO_CAT2(a, b)
#define TEMPO_FN(suffix) TEMPO_CAT(TEMPO_MODEL, suffix)
#define TEMPO_CONST(suffix) TEMPO_CAT(TEMPO_MODEL, suffix)

alignas(16) static uint8_t gArena[TEMPO_CONST(_ARENA_SIZE) + 1];

extern "C" {
// Instruction counters (the QEMU plugin) count between these two calls.
__attribute__((noinline)) void tempo_bench_begin(void) { __asm__ volatile(""); }
__attribute__((noinline)) void tempo_bench_end(void) { __asm__ volatile(""); }
}

static int readFile(const char *path, void *dst, uint32_t bytes) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "harness: cannot open '%s'\n", path);
    return 1;
  }
  size_t got = fread(dst, 1, bytes, f);
  int extra = fgetc(f);
  fclose(f);
  if (got != bytes || extra != EOF) {
    fprintf(stderr, "harness: '%s' does not hold exactly %u bytes\n", path,
            (unsigned)bytes);
    return 1;
  }
  return 0;
}

static int writeFile(const char *path, const void *src, uint32_t bytes) {
  FILE *f = fopen(path, "wb");
  if (!f) {
    fprintf(stderr, "harness: cannot create '%s'\n", path);
    return 1;
  }
  size_t put = fwrite(src, 1, bytes, f);
  fclose(f);
  return put == bytes ? 0 : 1;
}

int main(int argc, char **argv) {
  const int numIn = TEMPO_CONST(_NUM_INPUTS), numOut = TEMPO_CONST(_NUM_OUTPUTS);
  if (argc != numIn + numOut + 2 || strcmp(argv[numIn + 1], "-o") != 0) {
    fprintf(stderr, "usage: harness IN*%d -o OUT*%d\n", numIn, numOut);
    return 2;
  }
  TEMPO_CAT(TEMPO_MODEL, _t) model;
  tempo_status_t st = TEMPO_FN(_init)(&model, gArena, sizeof(gArena));
  if (st != TEMPO_OK) {
    fprintf(stderr, "harness: init failed with status %d\n", (int)st);
    return 1;
  }
  for (int i = 0; i < numIn; ++i)
    if (readFile(argv[1 + i], TEMPO_FN(_input)(&model, i),
                 TEMPO_FN(_input_info)(i)->bytes))
      return 1;
  tempo_bench_begin();
  st = TEMPO_FN(_run)(&model);
  tempo_bench_end();
  if (st != TEMPO_OK) {
    fprintf(stderr, "harness: run failed with status %d\n", (int)st);
    return 1;
  }
  for (int i = 0; i < numOut; ++i)
    if (writeFile(argv[numIn + 2 + i], TEMPO_FN(_output)(&model, i),
                  TEMPO_FN(_output_info)(i)->bytes))
      return 1;
  return 0;
}
