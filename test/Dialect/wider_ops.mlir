// RUN: tempo-opt %s | tempo-opt | FileCheck %s
// Issue 3's ops round-trip through their assembly formats.

// CHECK-LABEL: func.func @wider_ops
func.func @wider_ops(%x: tensor<2x8xf32>, %s: tensor<8xf32>, %sig: tensor<1x32x1xf32>) -> tensor<2x8xf32> {
  // CHECK: tempo.math %{{.+}} {alpha = 1.000000e+00 : f32, fn = "elu"} : tensor<2x8xf32>
  %m = tempo.math %x {fn = "elu", alpha = 1.0 : f32} : tensor<2x8xf32>
  // CHECK: tempo.binary_math %{{.+}}, %{{.+}} {fn = "prelu"}
  %p = tempo.binary_math %m, %s {fn = "prelu"} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  // CHECK: tempo.reduce %{{.+}} {axes = array<i64: 1>, kind = "log_sum_exp"}
  %r = tempo.reduce %p {kind = "log_sum_exp", axes = array<i64: 1>} : (tensor<2x8xf32>) -> tensor<2x1xf32>
  // CHECK: tempo.arg_reduce %{{.+}} {axis = 1 : i64, kind = "min", select_last_index = true}
  %a = tempo.arg_reduce %p {kind = "min", axis = 1 : i64, select_last_index = true} : (tensor<2x8xf32>) -> tensor<2x1xi64>
  // CHECK: tempo.log_softmax %{{.+}} {axis = 1 : i64} : tensor<2x8xf32>
  %l = tempo.log_softmax %p {axis = 1 : i64} : tensor<2x8xf32>
  // CHECK: tempo.hardmax %{{.+}} {axis = 0 : i64} : tensor<2x8xf32>
  %h = tempo.hardmax %l {axis = 0 : i64} : tensor<2x8xf32>
  // CHECK: tempo.layer_norm %{{.+}}, %{{.+}} {axis = 1 : i64
  %n = tempo.layer_norm %h, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32, results = array<i1: true, false, false>} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  // CHECK: tempo.strided_copy %{{.+}}, %{{.+}} {border = "edge"
  %pad = tempo.constant dense<0.0> : tensor<f32>
  %c = tempo.strided_copy %n, %pad {border = "edge", start = array<i64: 0, -1>, step = array<i64: 1, 1>} : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x10xf32>
  // CHECK: tempo.gather %{{.+}}, %{{.+}} {axis = 1 : i64}
  %idx = tempo.constant dense<[1, 0, 2, 3, 4, 5, 6, 7]> : tensor<8xi32>
  %g = tempo.gather %c, %idx {axis = 1 : i64} : (tensor<2x10xf32>, tensor<8xi32>) -> tensor<2x8xf32>
  // CHECK: tempo.cast %{{.+}} : (tensor<2x8xf32>) -> tensor<2x8xi8>
  %i8 = tempo.cast %g : (tensor<2x8xf32>) -> tensor<2x8xi8>
  // CHECK: tempo.scratch : tensor<32xf32>
  %scr = tempo.scratch : tensor<32xf32>
  // CHECK: tempo.stft %{{.+}}, %{{.+}} {frame_length = 8 : i64, frame_step = 8 : i64}
  %st = tempo.stft %sig, %scr {frame_length = 8 : i64, frame_step = 8 : i64} : (tensor<1x32x1xf32>, tensor<32xf32>) -> tensor<1x4x5x2xf32>
  return %g : tensor<2x8xf32>
}

// CHECK-LABEL: func.func @ops3d
func.func @ops3d(%x: tensor<1x2x4x4x4xf32>, %w: tensor<2x1x2x2x2xf32>, %c: tensor<2xf32>) -> tensor<1x2x2x2x2xi64> {
  // CHECK: tempo.max_pool %{{.+}} {dilations = array<i64: 1, 1, 1>, kernel_shape = array<i64: 2, 2, 2>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 2, 2, 2>} : (tensor<1x2x4x4x4xf32>) -> tensor<1x2x2x2x2xf32>
  %y = tempo.max_pool %x {dilations = array<i64: 1, 1, 1>, kernel_shape = array<i64: 2, 2, 2>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 2, 2, 2>} : (tensor<1x2x4x4x4xf32>) -> tensor<1x2x2x2x2xf32>
  // CHECK: tempo.max_pool %{{.+}} {{{.+}}results = array<i1: false, true>, storage_order = 1 : i64{{.+}}} : (tensor<1x2x4x4x4xf32>) -> tensor<1x2x2x2x2xi64>
  %i = tempo.max_pool %x {dilations = array<i64: 1, 1, 1>, kernel_shape = array<i64: 2, 2, 2>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 2, 2, 2>, results = array<i1: false, true>, storage_order = 1 : i64} : (tensor<1x2x4x4x4xf32>) -> tensor<1x2x2x2x2xi64>
  // CHECK: tempo.conv_transpose %{{.+}}, %{{.+}} {dilations = array<i64: 1, 1, 1>
  %t = tempo.conv_transpose %y, %w {dilations = array<i64: 1, 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0>, strides = array<i64: 1, 1, 1>} : (tensor<1x2x2x2x2xf32>, tensor<2x1x2x2x2xf32>) -> tensor<1x1x3x3x3xf32>
  // CHECK: tempo.batch_norm_training %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {epsilon = 9.99999974E-6 : f32, momentum = 0.899999976 : f32, results = array<i1: true, true, true>} : {{.+}} -> tensor<132xf32>
  %b = tempo.batch_norm_training %x, %c, %c, %c, %c {epsilon = 1.0e-5 : f32, momentum = 0.9 : f32, results = array<i1: true, true, true>} : (tensor<1x2x4x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<132xf32>
  return %i : tensor<1x2x2x2x2xi64>
}
