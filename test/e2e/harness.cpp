//===- harness.cpp - Run one generated model on raw input files -----------===//
//
// Builds against any tempoc-generated model:
//   c++ -std=c++17 -I runtime/include -I GEN -DTEMPO_MODEL=NAME
//       -DTEMPO_MODEL_HEADER='"NAME.h"' harness.cpp GEN/NAME.cpp
// Usage: harness [--repeat N] IN_0.bin ... IN_k.bin -o OUT_0.bin ... OUT_m.bin
// --repeat N (host builds with -DTEMPO_HARNESS_TIMING only) runs the model N
// times on the same inputs and prints "tempo-harness: runs=N median_ns=T".
// Each file holds the raw little-endian bytes of one tensor, in the model's
// input/output order. Exit code 0 on success; a message on stderr otherwise.
// The same source runs on the host and, through newlib's semihosting stdio,
// on an emulated Cortex-M.
//
//===----------------------------------------------------------------------===//

#include TEMPO_MODEL_HEADER

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef TEMPO_HARNESS_TIMING
#include <time.h>
#endif

#define TEMPO_CAT2(a, b) a##b
#define TEMPO_CAT(a, b) TEMPO_CAT2(a, b)
#define TEMPO_FN(suffix) TEMPO_CAT(TEMPO_MODEL, suffix)
#define TEMPO_CONST(suffix) TEMPO_CAT(TEMPO_MODEL, suffix)

alignas(TEMPO_CONST(_ARENA_ALIGN)) static uint8_t gArena[TEMPO_CONST(_ARENA_SIZE)];

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

#ifdef TEMPO_HARNESS_TIMING
static int64_t nowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int compareI64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/// Times `runs` inferences on the inputs now in the arena; each run starts
/// from a fresh copy of them (a run reuses the input bytes).
template <typename Model>
static int timeRuns(Model *model, int runs) {
  alignas(TEMPO_CONST(_ARENA_ALIGN)) static uint8_t saved[TEMPO_CONST(_ARENA_SIZE)];
  static int64_t times[10001];
  if (runs < 1 || runs > 10001) {
    fprintf(stderr, "harness: --repeat takes 1..10001\n");
    return 2;
  }
  memcpy(saved, gArena, sizeof(gArena));
  for (int r = 0; r < runs; ++r) {
    memcpy(gArena, saved, sizeof(gArena));
    int64_t t0 = nowNs();
    tempo_status_t st = TEMPO_FN(_run)(model);
    times[r] = nowNs() - t0;
    if (st != TEMPO_OK)
      return 1;
  }
  qsort(times, (size_t)runs, sizeof(times[0]), compareI64);
  printf("tempo-harness: runs=%d median_ns=%lld\n", runs,
         (long long)times[runs / 2]);
  memcpy(gArena, saved, sizeof(gArena));
  return 0;
}
#endif

int main(int argc, char **argv) {
  int repeat = 0;
#ifdef TEMPO_HARNESS_TIMING
  if (argc > 2 && strcmp(argv[1], "--repeat") == 0) {
    repeat = atoi(argv[2]);
    argv += 2;
    argc -= 2;
  }
#endif
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
#ifdef TEMPO_HARNESS_TIMING
  if (repeat && timeRuns(&model, repeat) != 0)
    return 1;
#endif
  (void)repeat;
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
