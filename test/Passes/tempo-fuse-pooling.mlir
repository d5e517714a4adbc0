// RUN: tempo-opt %s -split-input-file --tempo-fuse-pooling | FileCheck %s

// CHECK-LABEL: func.func @conv_max_pool
// CHECK: %[[C:.+]] = tempo.conv %arg0, %arg1 {act = "relu", {{.*}}pool = "max", pool_window = array<i64: 2>{{.*}}} : (tensor<1x1x9xf32>, tensor<2x1x2xf32>) -> tensor<1x2x4xf32>
// CHECK-NOT: tempo.max_pool
// CHECK: return %[[C]]
func.func @conv_max_pool(%x: tensor<1x1x9xf32>, %w: tensor<2x1x2xf32>) -> tensor<1x2x4xf32> {
  %c = tempo.conv %x, %w {act = "relu", dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x1x9xf32>, tensor<2x1x2xf32>) -> tensor<1x2x8xf32>
  %p = tempo.max_pool %c {dilations = array<i64: 1>, kernel_shape = array<i64: 2>, pads = array<i64: 0, 0>, strides = array<i64: 2>} : (tensor<1x2x8xf32>) -> tensor<1x2x4xf32>
  return %p : tensor<1x2x4xf32>
}

// -----

// 2-D average pool, and a global average pool (window = the whole output).
// CHECK-LABEL: func.func @conv_avg_and_gap
// CHECK: tempo.conv %arg0, %arg1 {{{.*}}pool = "average", pool_window = array<i64: 2, 2>{{.*}}} : {{.*}} -> tensor<1x1x2x2xf32>
// CHECK: tempo.conv %arg0, %arg1 {{{.*}}pool = "average", pool_window = array<i64: 4, 4>{{.*}}} : {{.*}} -> tensor<1x1x1x1xf32>
// CHECK-NOT: tempo.average_pool
// CHECK-NOT: tempo.global_average_pool
func.func @conv_avg_and_gap(%x: tensor<1x1x4x4xf32>, %w: tensor<1x1x1x1xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) {
  %c = tempo.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %p = tempo.average_pool %c {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
  %c2 = tempo.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %g = tempo.global_average_pool %c2 : (tensor<1x1x4x4xf32>) -> tensor<1x1x1x1xf32>
  return %p, %g : tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>
}

// -----

// Not fused: overlapping windows (k=3, s=2), a padded pool, a ceil-mode
// partial window (5 -> 3 with k=2), or a conv with a second user.
// CHECK-LABEL: func.func @not_fused
// CHECK-COUNT-4: tempo.max_pool
func.func @not_fused(%x: tensor<1x1x5xf32>, %w: tensor<1x1x1xf32>)
    -> (tensor<1x1x2xf32>, tensor<1x1x3xf32>, tensor<1x1x3xf32>, tensor<1x1x2xf32>, tensor<1x1x5xf32>) {
  %c0 = tempo.conv %x, %w {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x1x5xf32>, tensor<1x1x1xf32>) -> tensor<1x1x5xf32>
  %p0 = tempo.max_pool %c0 {dilations = array<i64: 1>, kernel_shape = array<i64: 3>, pads = array<i64: 0, 0>, strides = array<i64: 2>} : (tensor<1x1x5xf32>) -> tensor<1x1x2xf32>
  %c1 = tempo.conv %x, %w {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x1x5xf32>, tensor<1x1x1xf32>) -> tensor<1x1x5xf32>
  %p1 = tempo.max_pool %c1 {dilations = array<i64: 1>, kernel_shape = array<i64: 2>, pads = array<i64: 1, 0>, strides = array<i64: 2>} : (tensor<1x1x5xf32>) -> tensor<1x1x3xf32>
  %c2 = tempo.conv %x, %w {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x1x5xf32>, tensor<1x1x1xf32>) -> tensor<1x1x5xf32>
  %p2 = tempo.max_pool %c2 {dilations = array<i64: 1>, kernel_shape = array<i64: 2>, pads = array<i64: 0, 0>, strides = array<i64: 2>} : (tensor<1x1x5xf32>) -> tensor<1x1x3xf32>
  %c3 = tempo.conv %x, %w {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x1x5xf32>, tensor<1x1x1xf32>) -> tensor<1x1x5xf32>
  %p3 = tempo.max_pool %c3 {dilations = array<i64: 1>, kernel_shape = array<i64: 2>, pads = array<i64: 0, 0>, strides = array<i64: 2>} : (tensor<1x1x5xf32>) -> tensor<1x1x2xf32>
  return %p0, %p1, %p2, %p3, %c3 : tensor<1x1x2xf32>, tensor<1x1x3xf32>, tensor<1x1x3xf32>, tensor<1x1x2xf32>, tensor<1x1x5xf32>
}
