// RUN: tempo-opt %s -split-input-file --tempo-fold-pad | FileCheck %s

// A zero pad of 2 and 1 around a 1-D conv with its own pads 1, 0.
// CHECK-LABEL: func.func @pad_conv
// CHECK-NOT: tempo.strided_copy
// CHECK: tempo.conv %arg0, %arg1 {{{.*}}pads = array<i64: 3, 1>{{.*}}} : (tensor<1x2x8xf32>, tensor<4x2x3xf32>) -> tensor<1x4x10xf32>
func.func @pad_conv(%x: tensor<1x2x8xf32>, %w: tensor<4x2x3xf32>) -> tensor<1x4x10xf32> {
  %p = tempo.strided_copy %x {border = "constant", start = array<i64: 0, 0, -2>, step = array<i64: 1, 1, 1>} : (tensor<1x2x8xf32>) -> tensor<1x2x11xf32>
  %y = tempo.conv %p, %w {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 1, 0>, strides = array<i64: 1>} : (tensor<1x2x11xf32>, tensor<4x2x3xf32>) -> tensor<1x4x10xf32>
  return %y : tensor<1x4x10xf32>
}

// -----

// Not folded: edge padding, a non-zero pad value, a pad of the channels,
// a pad with a second user.
// CHECK-LABEL: func.func @not_folded
// CHECK-COUNT-4: tempo.strided_copy
func.func @not_folded(%x: tensor<1x2x8xf32>, %w: tensor<4x2x3xf32>, %w3: tensor<4x3x3xf32>)
    -> (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x2x10xf32>) {
  %e = tempo.strided_copy %x {border = "edge", start = array<i64: 0, 0, -1>, step = array<i64: 1, 1, 1>} : (tensor<1x2x8xf32>) -> tensor<1x2x10xf32>
  %y0 = tempo.conv %e, %w {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x2x10xf32>, tensor<4x2x3xf32>) -> tensor<1x4x8xf32>
  %one = tempo.constant dense<1.0> : tensor<f32>
  %v = tempo.strided_copy %x, %one {border = "constant", start = array<i64: 0, 0, -1>, step = array<i64: 1, 1, 1>} : (tensor<1x2x8xf32>, tensor<f32>) -> tensor<1x2x10xf32>
  %y1 = tempo.conv %v, %w {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x2x10xf32>, tensor<4x2x3xf32>) -> tensor<1x4x8xf32>
  %c = tempo.strided_copy %x {border = "constant", start = array<i64: 0, 0, 0>, step = array<i64: 1, 1, 1>} : (tensor<1x2x8xf32>) -> tensor<1x3x8xf32>
  %y2 = tempo.conv %c, %w3 {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 1, 1>, strides = array<i64: 1>} : (tensor<1x3x8xf32>, tensor<4x3x3xf32>) -> tensor<1x4x8xf32>
  %s = tempo.strided_copy %x {border = "constant", start = array<i64: 0, 0, -1>, step = array<i64: 1, 1, 1>} : (tensor<1x2x8xf32>) -> tensor<1x2x10xf32>
  %y3 = tempo.conv %s, %w {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x2x10xf32>, tensor<4x2x3xf32>) -> tensor<1x4x8xf32>
  return %y0, %y1, %y2, %y3, %s : tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x2x10xf32>
}
