// RUN: tempo-opt %s -split-input-file --tempo-quantize="weights-only=true" | FileCheck %s --check-prefix=W8
// RUN: tempo-opt %s -split-input-file --tempo-quantize="int8-weights=c1" | FileCheck %s --check-prefix=MIX
// RUN: tempo-opt %s -split-input-file --tempo-quantize="int16=c1,p1" | FileCheck %s --check-prefix=I16
// RUN: not tempo-opt %s -split-input-file --tempo-quantize="int16=s1" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NO16
// RUN: not tempo-opt %s -split-input-file --tempo-quantize="int8-weights=s1" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOW8

// weights-only: int8 weights per output channel (max |w| / 127) on the conv,
// the gemm ([K, N] stored as [N, K] with transB) and the matmul with a
// constant B (per column: axis 1); activations, bias and the sigmoid stay
// float; nothing is calibrated.
// W8-LABEL: func.func @weights
// W8-SAME: (%[[X:.+]]: tensor<1x2x4xf32>, %[[M:.+]]: tensor<2x3xf32>) -> (tensor<1x2x4xf32>, tensor<1x2xf32>, tensor<2x2xf32>, tensor<1x2xf32>)
// W8-DAG: %[[W:.+]] = tempo.constant dense<{{\[\[\[}}127, -64]], {{\[\[}}127, 0]]]> : tensor<2x1x2xi8> as tensor<2x1x2x!quant.uniform<i8:f32:0, {0.003937007874015748,0.0078740157480314959}>>
// W8-DAG: %[[B:.+]] = tempo.constant dense<[1.000000e-01, -2.000000e-01]> : tensor<2xf32>
// W8: tempo.conv %[[X]], %[[W]], %[[B]] {{.*}} : (tensor<1x2x4xf32>, tensor<2x1x2x!quant.uniform<i8:f32:0, {{.*}}>>, tensor<2xf32>) -> tensor<1x2x4xf32>
// W8: %[[GB:.+]] = tempo.constant dense<{{\[\[}}127, 0, -127, 64], [0, 127, 64, 32]]> : tensor<2x4xi8> as tensor<2x4x!quant.uniform<i8:f32:0, {0.0078740157480314959,0.015748031496062992}>>
// W8: %[[G:.+]] = tempo.gemm %{{.+}}, %[[GB]] {transB = true} : (tensor<1x4xf32>, tensor<2x4x!quant.uniform<i8:f32:0, {{.*}}>>) -> tensor<1x2xf32>
// W8: %[[MB:.+]] = tempo.constant dense<{{\[\[}}127, -64], [64, 127], [32, 32]]> : tensor<3x2xi8> as tensor<3x2x!quant.uniform<i8:f32:1, {0.0078740157480314959,0.031496062992125984}>>
// W8: tempo.matmul %[[M]], %[[MB]] : (tensor<2x3xf32>, tensor<3x2x!quant.uniform<i8:f32:1, {{.*}}>>) -> tensor<2x2xf32>
// W8: tempo.sigmoid %[[G]] : tensor<1x2xf32>
// W8-NOT: tempo.quantize
// W8-NOT: tempo.dequantize
func.func @weights(%x: tensor<1x2x4xf32>, %m: tensor<2x3xf32>) -> (tensor<1x2x4xf32>, tensor<1x2xf32>, tensor<2x2xf32>, tensor<1x2xf32>) {
  %w = tempo.constant dense<[[[0.5, -0.25]], [[1.0, 0.0]]]> : tensor<2x1x2xf32>
  %b = tempo.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %c = tempo.conv %x, %w, %b {act = "relu", dilations = array<i64: 1>, group = 2 : i64, pads = array<i64: 0, 1>, strides = array<i64: 1>} : (tensor<1x2x4xf32>, tensor<2x1x2xf32>, tensor<2xf32>) -> tensor<1x2x4xf32>
  %a = tempo.constant dense<[[1.0, 2.0, 3.0, 4.0]]> : tensor<1x4xf32>
  %gb = tempo.constant dense<[[1.0, 0.0], [0.0, 2.0], [-1.0, 1.0], [0.5, 0.5]]> : tensor<4x2xf32>
  %g = tempo.gemm %a, %gb : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  %mb = tempo.constant dense<[[1.0, -2.0], [0.5, 4.0], [0.25, 1.0]]> : tensor<3x2xf32>
  %mm = tempo.matmul %m, %mb : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %s = tempo.sigmoid %g : tensor<1x2xf32>
  return %c, %g, %mm, %s : tensor<1x2x4xf32>, tensor<1x2xf32>, tensor<2x2xf32>, tensor<1x2xf32>
}

// -----

// A calibrated int8 graph. int8-weights=c1: the conv computes in float on
// int8 weights (its input, the model's, stays float) and its result is
// quantized at its calibrated range after the max pool, which stays float
// with it (so it fuses into conv_w8). int16=c1,p1: the float input is
// quantized to int16 (scale 1/32767 of max |range|, zero point 0), the conv
// takes int8 weights and an int32 bias at s_x * s_w[c] and writes int16,
// the pool keeps the int16 type, and a requantize hands the int8 add its
// input at the pool's calibrated int8 type.
// MIX-LABEL: func.func @mixed
// MIX-SAME: (%[[X:.+]]: tensor<1x2x4xf32>) -> tensor<1x2x2x!quant.uniform<i8:f32, 0.015686274509803921:-128>>
// MIX: %[[C:.+]] = tempo.conv %[[X]], %{{.+}}, %{{.+}} {{.*}} : (tensor<1x2x4xf32>, tensor<2x1x2x!quant.uniform<i8:f32:0, {{.*}}>>, tensor<2xf32>) -> tensor<1x2x4xf32>
// MIX: %[[P:.+]] = tempo.max_pool %[[C]] {{.*}} : (tensor<1x2x4xf32>) -> tensor<1x2x2xf32>
// MIX: %[[Q:.+]] = tempo.quantize %[[P]] : (tensor<1x2x2xf32>) -> tensor<1x2x2x!quant.uniform<i8:f32, 0.0078431372549019607:-128>>
// MIX: tempo.add {{.*}} -> tensor<1x2x2x!quant.uniform<i8:f32, 0.015686274509803921:-128>>
// I16-LABEL: func.func @mixed
// I16-SAME: (%[[X:.+]]: tensor<1x2x4xf32>)
// I16: %[[Q:.+]] = tempo.quantize %[[X]] : (tensor<1x2x4xf32>) -> tensor<1x2x4x!quant.uniform<i16:f32, 3.0518509475997192E-5>>
// I16-DAG: %[[W:.+]] = tempo.constant dense<{{\[\[\[}}127, -64]], {{\[\[}}127, 0]]]> : tensor<2x1x2xi8> as tensor<2x1x2x!quant.uniform<i8:f32:0, {0.003937007874015748,0.0078740157480314959}>>
// I16-DAG: %[[B:.+]] = tempo.constant dense<[832282, -832282]> : tensor<2xi32> as tensor<2x!quant.uniform<i32:f32:0, {{.*}}>>
// I16: %[[C:.+]] = tempo.conv %[[Q]], %[[W]], %[[B]] {{.*}} -> tensor<1x2x4x!quant.uniform<i16:f32, 6.1037018951994385E-5>>
// I16: %[[P:.+]] = tempo.max_pool %[[C]] {{.*}} -> tensor<1x2x2x!quant.uniform<i16:f32, 6.1037018951994385E-5>>
// I16: tempo.requantize %[[P]] : {{.*}} -> tensor<1x2x2x!quant.uniform<i8:f32, 0.0078431372549019607:-128>>
// I16: tempo.add {{.*}} -> tensor<1x2x2x!quant.uniform<i8:f32, 0.015686274509803921:-128>>
func.func @mixed(%x: tensor<1x2x4xf32> {tempo.calib = array<f32: -1.0, 1.0>}) -> tensor<1x2x2xf32> {
  %w = tempo.constant dense<[[[0.5, -0.25]], [[1.0, 0.0]]]> : tensor<2x1x2xf32>
  %b = tempo.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %c = tempo.conv %x, %w, %b {act = "relu", dilations = array<i64: 1>, group = 2 : i64, pads = array<i64: 0, 1>, strides = array<i64: 1>, tempo.calib = array<f32: 0.0, 2.0>} : (tensor<1x2x4xf32>, tensor<2x1x2xf32>, tensor<2xf32>) -> tensor<1x2x4xf32> loc("c1")
  %p = tempo.max_pool %c {kernel_shape = array<i64: 2>, strides = array<i64: 2>, pads = array<i64: 0, 0>, dilations = array<i64: 1>, tempo.calib = array<f32: 0.0, 2.0>} : (tensor<1x2x4xf32>) -> tensor<1x2x2xf32> loc("p1")
  %s = tempo.add %p, %p {tempo.calib = array<f32: 0.0, 4.0>} : (tensor<1x2x2xf32>, tensor<1x2x2xf32>) -> tensor<1x2x2xf32>
  return %s : tensor<1x2x2xf32>
}

// -----

// An op without an int16 kernel named in int16, or without weights named in
// int8-weights, is an error at the op (its ONNX node).
// NO16: error: loc("s1"): --int16: tempo.sigmoid has no int16 kernel (--int16 covers conv, gemm, matmul, add, sub, mul, relu, clip, max_pool, average_pool, concat, reshape and transpose)
// NOW8: error: loc("s1"): --int8-weights: tempo.sigmoid has no constant float weights to store in int8 (conv, gemm and matmul with a constant second operand have)
func.func @unsupported(%x: tensor<1x4xf32> {tempo.calib = array<f32: -1.0, 1.0>}) -> tensor<1x4xf32> {
  %s = tempo.sigmoid %x {tempo.calib = array<f32: 0.0, 1.0>} : tensor<1x4xf32> loc("s1")
  return %s : tensor<1x4xf32>
}
