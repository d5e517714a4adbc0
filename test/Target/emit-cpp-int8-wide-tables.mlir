// RUN: rm -rf %t && tempo-opt %s --tempo-quantize -o %t.mlir && tempoc compile %t.mlir -o %t --name q
// RUN: FileCheck %s --input-file=%t/q.cpp
// RUN: c++ -std=c++17 -Wall -Wextra -Werror -fno-exceptions -fno-rtti -I%runtime -I%t -c %t/q.cpp -o %t/q.o

// The fallbacks of the compact conv tables. Channel 1's weights are 512x
// smaller than channel 0's, so its real scale (and shift) is 2^9 below:
// x * w[c] / y = (2/255 * 1/127) / (2/255) = 1/127 = 1082196484 * 2^(-6 - 31)
// and (1/512)/127 = 1082196484 * 2^(-15 - 31). A shared shift would leave
// channel 1 a multiplier of 2^21 (9 bits given up, more than 8): the layer
// keeps both multipliers and an int8 shift table, and 0 in kP0's shift.
// Channel 1's bias, 0.5 / (2/255 * 1/(512 * 127)) = 4145280, does not fit
// int16: the bias table is int32.
// CHECK: constexpr tempo_qconv_params_t kP0 = {{{.*}}, 0};
// CHECK-NEXT: alignas(4) const int32_t kT0[2] = {
// CHECK-NEXT:     0, 4145280,
// CHECK: alignas(4) const int32_t kT1[2] = {
// CHECK-NEXT:     1082196484, 1082196484,
// CHECK: alignas(4) const int8_t kT2[2] = {
// CHECK-NEXT:     -6, -15,
// CHECK: tempo::conv_s8(kP0, reinterpret_cast<const int8_t *>(a + {{[0-9]+}}), w0, kT0, kT1, kT2, reinterpret_cast<int8_t *>(a + {{[0-9]+}}));
func.func @m(%x: tensor<1x1x4xf32> {tempo.calib = array<f32: -1.0, 1.0>}) -> tensor<1x2x4xf32> {
  %w = tempo.constant dense<[[[1.0]], [[0.001953125]]]> : tensor<2x1x1xf32>
  %b = tempo.constant dense<[0.0, 0.5]> : tensor<2xf32>
  %c = tempo.conv %x, %w, %b {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 0, 0>, strides = array<i64: 1>, tempo.calib = array<f32: -1.0, 1.0>} : (tensor<1x1x4xf32>, tensor<2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4xf32>
  return %c : tensor<1x2x4xf32>
}
