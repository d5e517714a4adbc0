// RUN: tempo-opt %s -split-input-file --tempo-quantize -verify-diagnostics | FileCheck %s

// A QDQ model (as the importer gives it): uint8 activations, int8 weights
// per output channel under a dequantize, an int32 bias dequantized at import
// (its model scale in tempo.qtype), the conv's output type from its
// QuantizeLinear. tempo-quantize takes the model's weights and scales as
// they are (no requantized weights), the bias at x_scale x w_scale[c]
// (100, -200, 300: the model's integers), moves uint8 to int8 with the zero
// point - 128 (128 -> 0, 120 -> -8) and requantizes back to uint8 where the
// model's output is the uint8 tensor itself. No float conv is left between
// a dequantize and a quantize.
// CHECK-LABEL: func.func @qdq_conv
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x8x!quant.uniform<i8:f32, 0.05000000074505806>> {{.*}}) -> (tensor<1x3x6xui8>
// CHECK-DAG: %[[W:.+]] = tempo.constant dense<{{\[\[\[}}72, 73, 55], [85, 83, 12]], {{\[\[}}-66, 121, 84], [-67, -56, 37]], {{\[\[}}44, -111, 117], [14, -124, -25]]]> : tensor<3x2x3xi8> as tensor<3x2x3x!quant.uniform<i8:f32:0, {0.0099999997764825821,0.019999999552965164,0.039999999105930328}>>
// CHECK-DAG: %[[B:.+]] = tempo.constant dense<[100, -200, 300]> : tensor<3xi32> as tensor<3x!quant.uniform<i32:f32:0, {{.+}}>>
// CHECK: %[[C:.+]] = tempo.conv %[[X]], %[[W]], %[[B]] {{.*}} -> tensor<1x3x6x!quant.uniform<i8:f32, 0.10000000149011612:-8>>
// CHECK: %[[U:.+]] = tempo.requantize %[[C]] : ({{.+}}) -> tensor<1x3x6x!quant.uniform<u8:f32, 0.10000000149011612:120>>
// CHECK: %[[Y:.+]] = tempo.cast %[[U]]
// CHECK-NOT: tempo.dequantize
// CHECK-NOT: tempo.quantize
// CHECK: return %[[Y]]
func.func @qdq_conv(%arg0: tensor<1x2x8xf32> {tempo.name = "x", tempo.qtype = !quant.uniform<i8:f32, 0.05000000074505806>}) -> (tensor<1x3x6xui8> {tempo.name = "y"}) {
  %10 = tempo.quantize %arg0 : (tensor<1x2x8xf32>) -> tensor<1x2x8x!quant.uniform<u8:f32, 0.05000000074505806:128>>
  %12 = tempo.dequantize %10 : (tensor<1x2x8x!quant.uniform<u8:f32, 0.05000000074505806:128>>) -> tensor<1x2x8xf32>
  %13 = tempo.constant dense<[[[72, 73, 55], [85, 83, 12]], [[-66, 121, 84], [-67, -56, 37]], [[44, -111, 117], [14, -124, -25]]]> : tensor<3x2x3xi8> as tensor<3x2x3x!quant.uniform<i8:f32:0, {0.0099999997764825821,0.019999999552965164,0.039999999105930328}>>
  %14 = tempo.dequantize %13 : (tensor<3x2x3x!quant.uniform<i8:f32:0, {0.0099999997764825821,0.019999999552965164,0.039999999105930328}>>) -> tensor<3x2x3xf32>
  %15 = tempo.constant {tempo.qtype = !quant.uniform<i32:f32:0, {5.0000002374872565E-4,0.0010000000474974513,0.0020000000949949026}>} dense<[5.000000e-02, -2.000000e-01, 6.000000e-01]> : tensor<3xf32>
  %16 = tempo.conv %12, %14, %15 {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 0, 0>, strides = array<i64: 1>, tempo.qtype = !quant.uniform<i8:f32, 0.10000000149011612:-8>} : (tensor<1x2x8xf32>, tensor<3x2x3xf32>, tensor<3xf32>) -> tensor<1x3x6xf32>
  %17 = tempo.quantize %16 : (tensor<1x3x6xf32>) -> tensor<1x3x6x!quant.uniform<u8:f32, 0.10000000149011612:120>>
  %18 = tempo.cast %17 : (tensor<1x3x6x!quant.uniform<u8:f32, 0.10000000149011612:120>>) -> tensor<1x3x6xui8>
  return %18 : tensor<1x3x6xui8>
}

// -----

// A gemm with B as [K, N] (transB false): the model's weights quantized
// per axis 1 (its output channels) are transposed to [N, K] with their
// scales; asymmetric uint8 weights (zero point 10) become w - 10, exactly.
// CHECK-LABEL: func.func @qdq_gemm
// CHECK: %[[W:.+]] = tempo.constant dense<{{\[\[}}-10, 2], [0, 127]]> : tensor<2x2xi8> as tensor<2x2x!quant.uniform<i8:f32:0, {5.000000e-01,2.500000e-01}>>
// CHECK: tempo.gemm %{{.+}}, %[[W]] {transB = true} : {{.*}} -> tensor<1x2x!quant.uniform<i8:f32, 1.000000e-01:-3>>
func.func @qdq_gemm(%x: tensor<1x2xf32> {tempo.qtype = !quant.uniform<i8:f32, 0.05>}) -> tensor<1x2xf32> {
  %q = tempo.quantize %x : (tensor<1x2xf32>) -> tensor<1x2x!quant.uniform<i8:f32, 0.05>>
  %xd = tempo.dequantize %q : (tensor<1x2x!quant.uniform<i8:f32, 0.05>>) -> tensor<1x2xf32>
  %w = tempo.constant dense<[[0, 10], [12, 137]]> : tensor<2x2xui8> as tensor<2x2x!quant.uniform<u8:f32:1, {0.5:10, 0.25:10}>>
  %wd = tempo.dequantize %w : (tensor<2x2x!quant.uniform<u8:f32:1, {0.5:10, 0.25:10}>>) -> tensor<2x2xf32>
  %g = tempo.gemm %xd, %wd {tempo.qtype = !quant.uniform<i8:f32, 0.1:-3>} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %g : tensor<1x2xf32>
}

// -----

// Weights the int8 kernels cannot take exactly: an error at the op, which
// names the channel.
func.func @wide(%x: tensor<1x2xf32> {tempo.qtype = !quant.uniform<i8:f32, 0.05>}) -> tensor<1x2xf32> {
  %q = tempo.quantize %x : (tensor<1x2xf32>) -> tensor<1x2x!quant.uniform<i8:f32, 0.05>>
  %xd = tempo.dequantize %q : (tensor<1x2x!quant.uniform<i8:f32, 0.05>>) -> tensor<1x2xf32>
  %w = tempo.constant dense<[[0, 10], [12, 255]]> : tensor<2x2xui8> as tensor<2x2x!quant.uniform<u8:f32, 0.5:0>>
  %wd = tempo.dequantize %w : (tensor<2x2x!quant.uniform<u8:f32, 0.5:0>>) -> tensor<2x2xf32>
  // expected-error @+1 {{weights of output channel 1 do not fit int8 with zero point 0 (w - zero point reaches 255)}}
  %g = tempo.gemm %xd, %wd {tempo.qtype = !quant.uniform<i8:f32, 0.1:-3>} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %g : tensor<1x2xf32>
}

// -----

// A uint8 model input (already quantized by the caller) read through a
// dequantize: requantized to int8 first (zero point 128 -> 0, exact), so the
// gemm runs on int8; the API keeps the model's uint8 input.
// CHECK-LABEL: func.func @u8_input
// CHECK-SAME: (%[[X:.+]]: tensor<1x2xui8>)
// CHECK: %[[V:.+]] = tempo.cast %[[X]]
// CHECK: %[[S:.+]] = tempo.requantize %[[V]] : (tensor<1x2x!quant.uniform<u8:f32, 5.000000e-02:128>>) -> tensor<1x2x!quant.uniform<i8:f32, 5.000000e-02>>
// CHECK: tempo.gemm %[[S]], {{.+}} -> tensor<1x2x!quant.uniform<i8:f32, 1.000000e-01:-3>>
func.func @u8_input(%x: tensor<1x2xui8>) -> tensor<1x2xf32> {
  %v = tempo.cast %x : (tensor<1x2xui8>) -> tensor<1x2x!quant.uniform<u8:f32, 0.05:128>>
  %xd = tempo.dequantize %v : (tensor<1x2x!quant.uniform<u8:f32, 0.05:128>>) -> tensor<1x2xf32>
  %w = tempo.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi8> as tensor<2x2x!quant.uniform<i8:f32, 0.5>>
  %wd = tempo.dequantize %w : (tensor<2x2x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x2xf32>
  %g = tempo.gemm %xd, %wd {transB = true, tempo.qtype = !quant.uniform<i8:f32, 0.1:-3>} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %g : tensor<1x2xf32>
}

// -----

// A matmul whose constant weights are quantized per channel (axis 1):
// matmul_s8 takes one weight scale, so it becomes the int8 gemm with the
// weights transposed to [N, K] and their two scales.
// CHECK-LABEL: func.func @matmul_per_axis
// CHECK: %[[W:.+]] = tempo.constant dense<{{\[\[}}1, 3], [2, 4]]> : tensor<2x2xi8> as tensor<2x2x!quant.uniform<i8:f32:0, {5.000000e-01,2.500000e-01}>>
// CHECK: %[[G:.+]] = tempo.gemm %arg0, %[[W]] {transB = true} : {{.+}} -> tensor<1x2x!quant.uniform<i8:f32, 1.000000e-01:-3>>
// CHECK-NOT: tempo.matmul
// CHECK: return %[[G]]
func.func @matmul_per_axis(%x: tensor<1x2xf32> {tempo.qtype = !quant.uniform<i8:f32, 0.05>}) -> tensor<1x2xf32> {
  %q = tempo.quantize %x : (tensor<1x2xf32>) -> tensor<1x2x!quant.uniform<i8:f32, 0.05>>
  %xd = tempo.dequantize %q : (tensor<1x2x!quant.uniform<i8:f32, 0.05>>) -> tensor<1x2xf32>
  %w = tempo.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi8> as tensor<2x2x!quant.uniform<i8:f32:1, {0.5, 0.25}>>
  %wd = tempo.dequantize %w : (tensor<2x2x!quant.uniform<i8:f32:1, {0.5, 0.25}>>) -> tensor<2x2xf32>
  %m = tempo.matmul %xd, %wd {tempo.qtype = !quant.uniform<i8:f32, 0.1:-3>} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %m : tensor<1x2xf32>
}

// -----

// Ops outside any QDQ pair that need no scale of their own still run in
// int8: a reshape keeps its input's type, sigmoid writes 1/256, -128.
// CHECK-LABEL: func.func @outside_pairs
// CHECK: tempo.reshape %arg0 : ({{.+}}) -> tensor<4x!quant.uniform<i8:f32, 5.000000e-02>>
// CHECK: tempo.sigmoid %arg0 : {{.+}} -> tensor<1x4x!quant.uniform<i8:f32, 3.906250e-03:-128>>
func.func @outside_pairs(%x: tensor<1x4xf32> {tempo.qtype = !quant.uniform<i8:f32, 0.05>}) -> (tensor<4xf32>, tensor<1x4xf32>) {
  %q = tempo.quantize %x : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<i8:f32, 0.05>>
  %xd = tempo.dequantize %q : (tensor<1x4x!quant.uniform<i8:f32, 0.05>>) -> tensor<1x4xf32>
  %r = tempo.reshape %xd : (tensor<1x4xf32>) -> tensor<4xf32>
  %s = tempo.sigmoid %xd : tensor<1x4xf32>
  return %r, %s : tensor<4xf32>, tensor<1x4xf32>
}
