// RUN: rm -rf %t && tempo-opt %s --tempo-quantize -o %t.mlir && tempoc compile %t.mlir -o %t --name q
// RUN: FileCheck %s --input-file=%t/q.cpp
// RUN: c++ -std=c++17 -Wall -Wextra -Werror -fno-exceptions -fno-rtti -I%runtime -I%t -c %t/q.cpp -o %t/q.o

// The int8 GRU as a gru_s8 call. Params: S 2, B 1, I 2, H 2, forward, one
// direction, layout 1, x_zp = h_zp = -1, linear_before_reset, bias,
// initial_h, Y_h only; initial_h int8 -> Q0.15 is (2/255) * 2^15 =
// 1077952576 * 2^(9 - 31), Q0.15 -> int8 h is 2^-15 / (2/255) =
// 2139095040 * 2^(-8 - 31). Then the x-side and h-side multiplier / shift
// tables per gate row (6), the sigmoid (513) and tanh (1025) Q15 tables, no
// Y, Y_h, and the scratch as bytes (no float cast on the int8 path).
// CHECK: constexpr tempo_qrecurrent_params_t kP0 = {2, 1, 2, 2, 0, 1, 1, -1, -1, 0, 1, 1, 1, 0, 1, 1077952576, 9, 2139095040, -8};
// CHECK: alignas(4) const int32_t kT0[6] = {
// CHECK: alignas(4) const int32_t kT3[6] = {
// CHECK: alignas(4) const uint16_t kT4[513] = {
// CHECK-NEXT: 32768, 33024,
// CHECK: alignas(4) const uint16_t kT5[1025] = {
// CHECK-NEXT: 0, 512,
// CHECK: tempo::gru_s8(kP0, reinterpret_cast<const int8_t *>(a + {{[0-9]+}}), w{{[0-9]+}}, w{{[0-9]+}}, w{{[0-9]+}}, w{{[0-9]+}}, kT0, kT1, kT2, kT3, kT4, kT5, nullptr, reinterpret_cast<int8_t *>(a + {{[0-9]+}}), a + {{[0-9]+}});
func.func @gru(%x: tensor<1x2x2xf32> {tempo.calib = array<f32: -1.0, 1.0>}) -> tensor<1x1x2xf32> {
  %w = tempo.constant dense<[[[1.27, 0.0], [0.0, -0.635], [0.254, 0.127], [1.27, 1.27], [0.5, 0.0], [0.0, 0.0]]]> : tensor<1x6x2xf32>
  %r = tempo.constant dense<[[[0.635, 0.0], [0.0, 0.635], [0.127, 0.0], [0.0, 0.127], [1.27, 0.0], [0.0, -1.27]]]> : tensor<1x6x2xf32>
  %b = tempo.constant dense<[[0.1, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.5]]> : tensor<1x12xf32>
  %h0 = tempo.constant dense<[[[0.5, -0.25]]]> : tensor<1x1x2xf32>
  %s = tempo.scratch : tensor<8xf32>
  %y = tempo.recurrent %x, %w, %r, %b, %h0, %s {activation_alpha = array<f32: 0.0, 0.0>, activation_beta = array<f32: 0.0, 0.0>, activations = ["Sigmoid", "Tanh"], cell = "gru", direction = "forward", hidden_size = 2 : i64, layout = 1 : i64, linear_before_reset = true, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0, 1>, results = array<i1: false, true>, tempo.calib = array<f32: -1.0, 1.0>} : (tensor<1x2x2xf32>, tensor<1x6x2xf32>, tensor<1x6x2xf32>, tensor<1x12xf32>, tensor<1x1x2xf32>, tensor<8xf32>) -> tensor<1x1x2xf32>
  return %y : tensor<1x1x2xf32>
}
