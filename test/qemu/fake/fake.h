/*===- fake.h - Hand-written stand-in for a tempoc-generated model ---------===*
 *
 * NOT generated: written by hand to the contract of docs/generated-api.md so
 * that the QEMU flow (test/qemu/run_on_qemu.py) can be developed before
 * tempoc exists. To be replaced by real tempoc output.
 *
 * Model: y = 2 * x + 1 on float32[8], followed by a fixed loop of float math
 * that leaves y unchanged but executes a known, non-trivial amount of code.
 *
 *===----------------------------------------------------------------------===*/
#ifndef FAKE_H
#define FAKE_H

#include "tempo/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define fake_ARENA_SIZE 64
#define fake_ARENA_ALIGN 16
#define fake_WEIGHT_BYTES 64
#define fake_NUM_INPUTS 1
#define fake_NUM_OUTPUTS 1

/** One model instance. */
typedef struct fake_t {
  uint8_t *arena;
} fake_t;

/** Checks the arena's size and alignment and stores it in `model`. */
tempo_status_t fake_init(fake_t *model, void *arena, size_t arena_size);
/** Runs one inference: reads the input, writes the output (both in the arena). */
tempo_status_t fake_run(fake_t *model);

/** The input/output buffers inside the arena, NULL if index is out of range. */
void *fake_input(fake_t *model, int32_t index);
void *fake_output(fake_t *model, int32_t index);
/** Static descriptions of the inputs/outputs, NULL if index is out of range. */
const tempo_tensor_info_t *fake_input_info(int32_t index);
const tempo_tensor_info_t *fake_output_info(int32_t index);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FAKE_H */
