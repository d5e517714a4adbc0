// RUN: tempo-opt %s -split-input-file --tempo-fold-batch-norm | FileCheck %s

// scale 4, var 3, eps 1: s = 4 / sqrt(4) = 2; W' = 2W; b' = (b - mean) * 2 + beta.
// CHECK-LABEL: func.func @into_conv
// CHECK-DAG: %[[W:.+]] = tempo.constant dense<{{\[\[\[}}2.000000e+00, 4.000000e+00]]]> : tensor<1x1x2xf32>
// CHECK-DAG: %[[B:.+]] = tempo.constant dense<1.300000e+01> : tensor<1xf32>
// CHECK: %[[C:.+]] = tempo.conv %arg0, %[[W]], %[[B]]
// CHECK-NOT: tempo.batch_norm
// CHECK: return %[[C]]
func.func @into_conv(%x: tensor<1x1x4xf32>) -> tensor<1x1x3xf32> {
  %w = tempo.constant dense<[[[1.0, 2.0]]]> : tensor<1x1x2xf32>
  %b = tempo.constant dense<[5.0]> : tensor<1xf32>
  %c = tempo.conv %x, %w, %b {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x1x4xf32>, tensor<1x1x2xf32>, tensor<1xf32>) -> tensor<1x1x3xf32>
  %s = tempo.constant dense<[4.0]> : tensor<1xf32>
  %beta = tempo.constant dense<[7.0]> : tensor<1xf32>
  %m = tempo.constant dense<[2.0]> : tensor<1xf32>
  %v = tempo.constant dense<[3.0]> : tensor<1xf32>
  %y = tempo.batch_norm %c, %s, %beta, %m, %v {epsilon = 1.0 : f32} : (tensor<1x1x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x3xf32>
  return %y : tensor<1x1x3xf32>
}

// -----

// Gemm with transB: row j of B scales by s[j]; C' = (beta*C - mean)*s + bbeta.
// CHECK-LABEL: func.func @into_gemm
// CHECK-DAG: %[[B:.+]] = tempo.constant dense<{{\[\[}}2.000000e+00, 2.000000e+00], [3.000000e+00, 3.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[C:.+]] = tempo.constant dense<[5.000000e+00, 1.000000e+00]> : tensor<2xf32>
// beta becomes 1 (the default, so not printed).
// CHECK: tempo.gemm %arg0, %[[B]], %[[C]] {transB = true}
// CHECK-NOT: tempo.batch_norm
func.func @into_gemm(%a: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %b = tempo.constant dense<[[1.0, 1.0], [1.0, 1.0]]> : tensor<2x2xf32>
  %c = tempo.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %g = tempo.gemm %a, %b, %c {transB = true} : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %s = tempo.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %beta = tempo.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %m = tempo.constant dense<[-1.0, 2.0]> : tensor<2xf32>
  %v = tempo.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %y = tempo.batch_norm %g, %s, %beta, %m, %v {epsilon = 0.0 : f32} : (tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// The conv output has a second user: the batch norm cannot fold into it and
// becomes a channel_affine (s = 2, shift = beta - mean * s = 7 - 4 = 3).
// CHECK-LABEL: func.func @second_user
// CHECK-DAG: %[[S:.+]] = tempo.constant dense<2.000000e+00> : tensor<1xf32>
// CHECK-DAG: %[[T:.+]] = tempo.constant dense<3.000000e+00> : tensor<1xf32>
// CHECK: %[[C:.+]] = tempo.conv
// CHECK: tempo.channel_affine %[[C]], %[[S]], %[[T]]
// CHECK-NOT: tempo.batch_norm
func.func @second_user(%x: tensor<1x1x4xf32>) -> (tensor<1x1x3xf32>, tensor<1x1x3xf32>) {
  %w = tempo.constant dense<[[[1.0, 2.0]]]> : tensor<1x1x2xf32>
  %c = tempo.conv %x, %w {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x1x4xf32>, tensor<1x1x2xf32>) -> tensor<1x1x3xf32>
  %s = tempo.constant dense<[4.0]> : tensor<1xf32>
  %beta = tempo.constant dense<[7.0]> : tensor<1xf32>
  %m = tempo.constant dense<[2.0]> : tensor<1xf32>
  %v = tempo.constant dense<[3.0]> : tensor<1xf32>
  %y = tempo.batch_norm %c, %s, %beta, %m, %v {epsilon = 1.0 : f32} : (tensor<1x1x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x3xf32>
  return %y, %c : tensor<1x1x3xf32>, tensor<1x1x3xf32>
}

// -----

// Statistics that are not constants: nothing to fold.
// CHECK-LABEL: func.func @dynamic_stats
// CHECK: tempo.batch_norm
func.func @dynamic_stats(%x: tensor<1x1x3xf32>, %s: tensor<1xf32>) -> tensor<1x1x3xf32> {
  %y = tempo.batch_norm %x, %s, %s, %s, %s {epsilon = 1.0 : f32} : (tensor<1x1x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x3xf32>
  return %y : tensor<1x1x3xf32>
}

// -----

// A 2-D matmul with constant weights: folded as a gemm without bias
// (s = 2, 3; C' = -mean * s + beta).
// CHECK-LABEL: func.func @into_matmul
// CHECK-DAG: %[[B:.+]] = tempo.constant dense<{{\[\[}}2.000000e+00, 3.000000e+00], [2.000000e+00, 3.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[C:.+]] = tempo.constant dense<[3.000000e+00, -5.000000e+00]> : tensor<2xf32>
// CHECK: tempo.gemm %arg0, %[[B]], %[[C]] :
// CHECK-NOT: tempo.matmul
// CHECK-NOT: tempo.batch_norm
func.func @into_matmul(%a: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %b = tempo.constant dense<[[1.0, 1.0], [1.0, 1.0]]> : tensor<2x2xf32>
  %g = tempo.matmul %a, %b : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %s = tempo.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %beta = tempo.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %m = tempo.constant dense<[-1.0, 2.0]> : tensor<2xf32>
  %v = tempo.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %y = tempo.batch_norm %g, %s, %beta, %m, %v {epsilon = 0.0 : f32} : (tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
