// RUN: rm -rf %t && tempo-opt %s --tempo-quantize -o %t.mlir && tempoc compile %t.mlir -o %t --name q
// RUN: FileCheck %s --input-file=%t/q.cpp
// RUN: FileCheck %s --check-prefix=HDR --input-file=%t/q.h
// RUN: c++ -std=c++17 -Wall -Wextra -Werror -fno-exceptions -fno-rtti -I%runtime -I%t -c %t/q.cpp -o %t/q.o

// Requantization in fixed point: per output channel, x * w[c] / y =
// (2/255 * 0.5/127) / (2/255) = 0.0039370 = 1082196484 * 2^(-7 - 31) and
// 1/127 = 1082196484 * 2^(-6 - 31). The shifts differ by 1 (at most 8), so
// the layer keeps one shift, -6 (the last field of kP0), and channel 0's
// multiplier is recomputed at it: round(2^(31 + 6) * 0.5/127) =
// round(541098242.016) = 541098242. No shift table (a typed null). The
// biases 3239, -3239 fit int16: an int16_t table, and the model's int32
// bias constant is not emitted (weights 4 + 4 + 8 = 16 bytes). The fused
// max pool (pool 1, 2-wide windows) runs in the int8 conv; relu is the
// clamp [zp, 127] = [-128, 127]. Input and output carry scale and zero
// point in the tensor info.
// CHECK: #include "tempo/quant.h"
// CHECK: alignas(16) const int8_t w0[4] = {
// CHECK-NOT: const int32_t w
// CHECK: constexpr tempo_qconv_params_t kP0 = {1, 2, 1, 4, 2, 1, 4, 1, 2, 1, 1, 1, 1, 0, 0, 2, 1, -1, -128, -128, 127, 1, 1, 1, 2, 1, 2, -6};
// CHECK-NEXT: alignas(4) const int16_t kT0[2] = {
// CHECK-NEXT:     3239, -3239,
// CHECK: alignas(4) const int32_t kT1[2] = {
// CHECK-NEXT:     541098242, 1082196484,
// CHECK: {"input0", TEMPO_DTYPE_I8, 3, {1, 2, 4, 0, 0, 0}, {{[0-9]+}}u, 8u, 0.00784313772f, -1},
// CHECK: {"output0", TEMPO_DTYPE_I8, 3, {1, 2, 2, 0, 0, 0}, {{[0-9]+}}u, 4u, 0.00784313772f, -128},
// CHECK: tempo::conv_s8(kP0, reinterpret_cast<const int8_t *>(a + {{[0-9]+}}), w0, kT0, kT1, static_cast<const int8_t *>(nullptr), reinterpret_cast<int8_t *>(a + {{[0-9]+}}));
// CHECK-NOT: tempo::max_pool
// HDR: #define q_WEIGHT_BYTES 16u
// CHECK: extern "C" tempo_status_t q_set_input_f32(
// CHECK: tempo::quantize_linear<int8_t>(
func.func @m(%x: tensor<1x2x4xf32> {tempo.calib = array<f32: -1.0, 1.0>}) -> tensor<1x2x2xf32> {
  %w = tempo.constant dense<[[[0.5, -0.25]], [[1.0, 0.0]]]> : tensor<2x1x2xf32>
  %b = tempo.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %c = tempo.conv %x, %w, %b {act = "relu", dilations = array<i64: 1>, group = 2 : i64, pads = array<i64: 0, 1>, strides = array<i64: 1>, tempo.calib = array<f32: 0.0, 2.0>} : (tensor<1x2x4xf32>, tensor<2x1x2xf32>, tensor<2xf32>) -> tensor<1x2x4xf32>
  %p = tempo.max_pool %c {kernel_shape = array<i64: 2>, strides = array<i64: 2>, pads = array<i64: 0, 0>, dilations = array<i64: 1>} : (tensor<1x2x4xf32>) -> tensor<1x2x2xf32>
  return %p : tensor<1x2x2xf32>
}
