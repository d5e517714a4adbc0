//===- fake.cpp - Hand-written stand-in for a tempoc-generated model ------===//
//
// NOT generated: see fake.h. y = 2 * x + 1 on float32[8]; "x" lives at arena
// offset 0, "y" at offset 32. The weights (the 2s and 1s) are const data in
// flash. A fixed 64-round loop of float math then perturbs y and undoes the
// perturbation exactly, so the output stays 2 * x + 1 bit for bit while the
// run executes a few thousand instructions.
//
//===----------------------------------------------------------------------===//

#include "fake.h"

namespace {

constexpr uint32_t kInOffset = 0;
constexpr uint32_t kOutOffset = 32;
constexpr int32_t kSize = 8;

const float kScale[kSize] = {2, 2, 2, 2, 2, 2, 2, 2};
const float kBias[kSize] = {1, 1, 1, 1, 1, 1, 1, 1};

const tempo_tensor_info_t kInputs[1] = {
    {"x", TEMPO_DTYPE_F32, 1, {kSize, 0, 0, 0, 0, 0}, kInOffset, 32}};
const tempo_tensor_info_t kOutputs[1] = {
    {"y", TEMPO_DTYPE_F32, 1, {kSize, 0, 0, 0, 0, 0}, kOutOffset, 32}};

} // namespace

extern "C" {

tempo_status_t fake_init(fake_t *model, void *arena, size_t arena_size) {
  if (!model || !arena)
    return TEMPO_ERROR_NULL_ARGUMENT;
  if (arena_size < fake_ARENA_SIZE)
    return TEMPO_ERROR_ARENA_TOO_SMALL;
  if (reinterpret_cast<uintptr_t>(arena) % fake_ARENA_ALIGN != 0)
    return TEMPO_ERROR_ARENA_MISALIGNED;
  model->arena = static_cast<uint8_t *>(arena);
  return TEMPO_OK;
}

tempo_status_t fake_run(fake_t *model) {
  if (!model)
    return TEMPO_ERROR_NULL_ARGUMENT;
  if (!model->arena)
    return TEMPO_ERROR_NOT_INITIALIZED;
  const float *x = reinterpret_cast<const float *>(model->arena + kInOffset);
  float *y = reinterpret_cast<float *>(model->arena + kOutOffset);
  for (int32_t i = 0; i < kSize; ++i)
    y[i] = kScale[i] * x[i] + kBias[i];
  // Busy work: multiplying then dividing by 4 is exact in float (barring
  // overflow or underflow), so y keeps its value.
  volatile float sink = 0.0f;
  for (int32_t round = 0; round < 64; ++round)
    for (int32_t i = 0; i < kSize; ++i) {
      float v = y[i] * 4.0f;
      sink = sink + v;
      y[i] = v / 4.0f;
    }
  (void)sink;
  return TEMPO_OK;
}

void *fake_input(fake_t *model, int32_t index) {
  if (!model || !model->arena || index != 0)
    return nullptr;
  return model->arena + kInOffset;
}

void *fake_output(fake_t *model, int32_t index) {
  if (!model || !model->arena || index != 0)
    return nullptr;
  return model->arena + kOutOffset;
}

const tempo_tensor_info_t *fake_input_info(int32_t index) {
  return index == 0 ? &kInputs[0] : nullptr;
}

const tempo_tensor_info_t *fake_output_info(int32_t index) {
  return index == 0 ? &kOutputs[0] : nullptr;
}

} // extern "C"
