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

// -----

// Average pool without pads of its own: Pad's zeros become its padding,
// counted in the divisor. One with count_include_pad and its own pads adds
// them up. A max pool is left alone (Pad's zeros can win there), as is an
// average pool whose divisor excludes its own pads.
// CHECK-LABEL: func.func @pad_pools
// CHECK: tempo.average_pool %arg0 {count_include_pad = true, {{.*}}pads = array<i64: 1, 1>{{.*}}} : (tensor<1x2x8xf32>) -> tensor<1x2x5xf32>
// CHECK: tempo.average_pool %arg0 {count_include_pad = true, {{.*}}pads = array<i64: 2, 2>{{.*}}} : (tensor<1x2x8xf32>) -> tensor<1x2x5xf32>
// CHECK: %[[M:.+]] = tempo.strided_copy
// CHECK: tempo.max_pool %[[M]]
// CHECK: %[[E:.+]] = tempo.strided_copy
// CHECK: tempo.average_pool %[[E]] {dilations
func.func @pad_pools(%x: tensor<1x2x8xf32>) -> (tensor<1x2x5xf32>, tensor<1x2x5xf32>, tensor<1x2x5xf32>, tensor<1x2x5xf32>) {
  %p0 = tempo.strided_copy %x {border = "constant", start = array<i64: 0, 0, -1>, step = array<i64: 1, 1, 1>} : (tensor<1x2x8xf32>) -> tensor<1x2x10xf32>
  %a0 = tempo.average_pool %p0 {dilations = array<i64: 1>, kernel_shape = array<i64: 2>, pads = array<i64: 0, 0>, strides = array<i64: 2>} : (tensor<1x2x10xf32>) -> tensor<1x2x5xf32>
  %p1 = tempo.strided_copy %x {border = "constant", start = array<i64: 0, 0, -1>, step = array<i64: 1, 1, 1>} : (tensor<1x2x8xf32>) -> tensor<1x2x10xf32>
  %a1 = tempo.average_pool %p1 {count_include_pad = true, dilations = array<i64: 1>, kernel_shape = array<i64: 3>, pads = array<i64: 1, 1>, strides = array<i64: 2>} : (tensor<1x2x10xf32>) -> tensor<1x2x5xf32>
  %p2 = tempo.strided_copy %x {border = "constant", start = array<i64: 0, 0, -1>, step = array<i64: 1, 1, 1>} : (tensor<1x2x8xf32>) -> tensor<1x2x10xf32>
  %m = tempo.max_pool %p2 {dilations = array<i64: 1>, kernel_shape = array<i64: 2>, pads = array<i64: 0, 0>, strides = array<i64: 2>} : (tensor<1x2x10xf32>) -> tensor<1x2x5xf32>
  %p3 = tempo.strided_copy %x {border = "constant", start = array<i64: 0, 0, -1>, step = array<i64: 1, 1, 1>} : (tensor<1x2x8xf32>) -> tensor<1x2x10xf32>
  %e = tempo.average_pool %p3 {dilations = array<i64: 1>, kernel_shape = array<i64: 3>, pads = array<i64: 1, 1>, strides = array<i64: 2>} : (tensor<1x2x10xf32>) -> tensor<1x2x5xf32>
  return %a0, %a1, %m, %e : tensor<1x2x5xf32>, tensor<1x2x5xf32>, tensor<1x2x5xf32>, tensor<1x2x5xf32>
}
