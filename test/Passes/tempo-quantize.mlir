// RUN: tempo-opt %s -split-input-file --tempo-quantize | FileCheck %s
// RUN: tempo-opt %s -split-input-file --tempo-quantize="keep-float=fc" | FileCheck %s --check-prefix=KEEP

// Calibrated ranges become int8 types (TFLite nudging: [-1, 1] -> scale
// 2/255, zero point -1; [0, 2] -> 2/255, -128); weights int8 per output
// channel (max |w| / 127), the bias int32 at scale x * w[c]; the max pool
// keeps its input's type; the function's edges become int8.
// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x4x!quant.uniform<i8:f32, 0.0078431372549019607:-1>>) -> tensor<1x2x2x!quant.uniform<i8:f32, 0.0078431372549019607:-128>>
// CHECK-DAG: %[[W:.+]] = tempo.constant dense<{{\[\[\[}}127, -64]], {{\[\[}}127, 0]]]> : tensor<2x1x2xi8> as tensor<2x1x2x!quant.uniform<i8:f32:0, {0.003937007874015748,0.0078740157480314959}>>
// CHECK-DAG: %[[B:.+]] = tempo.constant dense<[3239, -3239]> : tensor<2xi32> as tensor<2x!quant.uniform<i32:f32:0, {3.0878493129535278E-5,6.1756986259070556E-5}>>
// CHECK: %[[C:.+]] = tempo.conv %[[X]], %[[W]], %[[B]] {act = "relu", {{.*}}} : {{.*}} -> tensor<1x2x4x!quant.uniform<i8:f32, 0.0078431372549019607:-128>>
// CHECK-NOT: tempo.calib
// CHECK: %[[P:.+]] = tempo.max_pool %[[C]] {{.*}} -> tensor<1x2x2x!quant.uniform<i8:f32, 0.0078431372549019607:-128>>
// CHECK-NOT: tempo.quantize
// CHECK-NOT: tempo.dequantize
// CHECK: return %[[P]]
func.func @conv(%x: tensor<1x2x4xf32> {tempo.calib = array<f32: -1.0, 1.0>}) -> tensor<1x2x2xf32> {
  %w = tempo.constant dense<[[[0.5, -0.25]], [[1.0, 0.0]]]> : tensor<2x1x2xf32>
  %b = tempo.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %c = tempo.conv %x, %w, %b {act = "relu", dilations = array<i64: 1>, group = 2 : i64, pads = array<i64: 0, 1>, strides = array<i64: 1>, tempo.calib = array<f32: 0.0, 2.0>} : (tensor<1x2x4xf32>, tensor<2x1x2xf32>, tensor<2xf32>) -> tensor<1x2x4xf32>
  %p = tempo.max_pool %c {kernel_shape = array<i64: 2>, strides = array<i64: 2>, pads = array<i64: 0, 0>, dilations = array<i64: 1>} : (tensor<1x2x4xf32>) -> tensor<1x2x2xf32>
  return %p : tensor<1x2x2xf32>
}

// -----

// A gemm with B as [K, N] gets its weights transposed to [N, K] (transB);
// sigmoid writes scale 1/256, zero point -128. An op without a calibrated
// range (the leaky_relu) stays float behind a dequantize, so the output stays
// float. With keep-float=fc the gemm stays float (its range still lets the
// sigmoid run in int8 after a quantize).
// CHECK-LABEL: func.func @dense
// CHECK-SAME: (%[[X:.+]]: tensor<1x3x!quant.uniform<i8:f32, {{.+}}>>) -> tensor<1x2xf32>
// CHECK: %[[W:.+]] = tempo.constant dense<{{\[\[}}127, 0, -127], [0, 127, 64]]> : tensor<2x3xi8> as tensor<2x3x!quant.uniform<i8:f32:0, {{.+}}>>
// CHECK: %[[G:.+]] = tempo.gemm %[[X]], %[[W]] {transB = true} : {{.*}} -> tensor<1x2x!quant.uniform<i8:f32, {{.+}}>>
// CHECK: %[[S:.+]] = tempo.sigmoid %[[G]] : tensor<1x2x!quant.uniform<i8:f32, {{.+}}>> -> tensor<1x2x!quant.uniform<i8:f32, 3.906250e-03:-128>>
// CHECK: %[[D:.+]] = tempo.dequantize %[[S]] : (tensor<1x2x!quant.uniform<i8:f32, 3.906250e-03:-128>>) -> tensor<1x2xf32>
// CHECK: %[[T:.+]] = tempo.leaky_relu %[[D]] {{.*}}: tensor<1x2xf32>
// CHECK: return %[[T]]
// KEEP-LABEL: func.func @dense
// KEEP-SAME: (%{{.+}}: tensor<1x3xf32>) -> tensor<1x2xf32>
// KEEP: %[[G:.+]] = tempo.gemm {{.*}} : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
// KEEP: %[[Q:.+]] = tempo.quantize %[[G]] : (tensor<1x2xf32>) -> tensor<1x2x!quant.uniform<i8:f32, 0.031372549019607843:-1>>
// KEEP: tempo.sigmoid %[[Q]]
func.func @dense(%x: tensor<1x3xf32> {tempo.calib = array<f32: -2.0, 2.0>}) -> tensor<1x2xf32> {
  %w = tempo.constant dense<[[1.0, 0.0], [0.0, 2.0], [-1.0, 1.0]]> : tensor<3x2xf32>
  %g = tempo.gemm %x, %w {tempo.calib = array<f32: -4.0, 4.0>} : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32> loc("fc")
  %s = tempo.sigmoid %g : tensor<1x2xf32>
  %t = tempo.leaky_relu %s {alpha = 0.1 : f32} : tensor<1x2xf32>
  return %t : tensor<1x2xf32>
}

// -----

// The int8 pools are 1-D and 2-D: a 3-D max pool stays float (its input is
// dequantized), so nothing wrong can reach the 2-D int8 kernel.
// CHECK-LABEL: func.func @pool3d
// CHECK: tempo.max_pool %{{.+}} : (tensor<1x1x2x2x2xf32>) -> tensor<1x1x1x1x1xf32>
func.func @pool3d(%x: tensor<1x1x2x2x2xf32> {tempo.calib = array<f32: -1.0, 1.0>}) -> tensor<1x1x1x1x1xf32> {
  %r = tempo.relu %x {tempo.calib = array<f32: 0.0, 1.0>} : tensor<1x1x2x2x2xf32>
  %p = tempo.max_pool %r {kernel_shape = array<i64: 2, 2, 2>, strides = array<i64: 2, 2, 2>, pads = array<i64: 0, 0, 0, 0, 0, 0>, dilations = array<i64: 1, 1, 1>} : (tensor<1x1x2x2x2xf32>) -> tensor<1x1x1x1x1xf32>
  return %p : tensor<1x1x1x1x1xf32>
}
