// RUN: tempo-opt %s -split-input-file --tempo-fuse-activations | FileCheck %s

// CHECK-LABEL: func.func @conv_relu
// CHECK: %[[C:.+]] = tempo.conv %arg0, %arg1 {act = "relu",
// CHECK-NOT: tempo.relu
// CHECK: return %[[C]]
func.func @conv_relu(%x: tensor<1x1x4xf32>, %w: tensor<1x1x2xf32>) -> tensor<1x1x3xf32> {
  %c = tempo.conv %x, %w {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x1x4xf32>, tensor<1x1x2xf32>) -> tensor<1x1x3xf32>
  %r = tempo.relu %c : tensor<1x1x3xf32>
  return %r : tensor<1x1x3xf32>
}

// -----

// CHECK-LABEL: func.func @gemm_clip
// CHECK: tempo.gemm %arg0, %arg1 {act = "clip", act_max = 6.000000e+00 : f32, act_min = 0.000000e+00 : f32}
// CHECK-NOT: tempo.clip
func.func @gemm_clip(%a: tensor<1x2xf32>, %b: tensor<2x3xf32>) -> tensor<1x3xf32> {
  %g = tempo.gemm %a, %b : (tensor<1x2xf32>, tensor<2x3xf32>) -> tensor<1x3xf32>
  %c = tempo.clip %g {min = 0.0 : f64, max = 6.0 : f64} : tensor<1x3xf32>
  return %c : tensor<1x3xf32>
}

// -----

// CHECK-LABEL: func.func @add_sigmoid_leaky
// CHECK: tempo.add %arg0, %arg1 {act = "sigmoid"}
// CHECK: tempo.mul %{{.+}}, %arg1 {act = "leaky_relu", act_alpha = 1.000000e-01 : f32}
func.func @add_sigmoid_leaky(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %s = tempo.add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g = tempo.sigmoid %s : tensor<4xf32>
  %m = tempo.mul %g, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %l = tempo.leaky_relu %m {alpha = 0.1 : f32} : tensor<4xf32>
  return %l : tensor<4xf32>
}

// -----

// Not fused: the producer has a second user, the producer is not a fusable
// kind (max_pool), the element type is an integer, or one is fused already.
// CHECK-LABEL: func.func @not_fused
// CHECK: tempo.add %arg0, %arg1 :
// CHECK: tempo.relu
// CHECK: tempo.max_pool
// CHECK: tempo.tanh
// CHECK: tempo.add %arg3, %arg3 :
// CHECK: tempo.relu %{{.+}} : tensor<4xi32>
// CHECK: tempo.add %arg0, %arg0 {act = "relu"}
// CHECK: tempo.sigmoid
func.func @not_fused(%a: tensor<4xf32>, %b: tensor<4xf32>, %x: tensor<1x1x4xf32>, %i: tensor<4xi32>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<1x1x2xf32>, tensor<4xi32>, tensor<4xf32>) {
  %s = tempo.add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r = tempo.relu %s : tensor<4xf32>
  %p = tempo.max_pool %x {dilations = array<i64: 1>, kernel_shape = array<i64: 2>, pads = array<i64: 0, 0>, strides = array<i64: 2>} : (tensor<1x1x4xf32>) -> tensor<1x1x2xf32>
  %t = tempo.tanh %p : tensor<1x1x2xf32>
  %ii = tempo.add %i, %i : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %ir = tempo.relu %ii : tensor<4xi32>
  %d = tempo.add %a, %a {act = "relu"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %ds = tempo.sigmoid %d : tensor<4xf32>
  return %r, %s, %t, %ir, %ds : tensor<4xf32>, tensor<4xf32>, tensor<1x1x2xf32>, tensor<4xi32>, tensor<4xf32>
}

// -----

// HardSigmoid and HardSwish (tempo.math) fuse too; other math ops do not.
// CHECK-LABEL: func.func @hard
// CHECK: tempo.conv %arg0, %arg1 {act = "hard_swish"
// CHECK: tempo.add %arg2, %arg2 {act = "hard_sigmoid", act_alpha = 2.000000e-01 : f32, act_beta = 5.000000e-01 : f32}
// CHECK: tempo.mul %arg2, %arg2 :
// CHECK-NEXT: tempo.math %{{.+}} {fn = "exp"}
func.func @hard(%x: tensor<1x1x4xf32>, %w: tensor<1x1x2xf32>, %v: tensor<4xf32>) -> (tensor<1x1x3xf32>, tensor<4xf32>, tensor<4xf32>) {
  %c = tempo.conv %x, %w {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x1x4xf32>, tensor<1x1x2xf32>) -> tensor<1x1x3xf32>
  %hs = tempo.math %c {fn = "hard_swish"} : tensor<1x1x3xf32>
  %a = tempo.add %v, %v : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %hg = tempo.math %a {fn = "hard_sigmoid", alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<4xf32>
  %m = tempo.mul %v, %v : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %e = tempo.math %m {fn = "exp"} : tensor<4xf32>
  return %hs, %hg, %e : tensor<1x1x3xf32>, tensor<4xf32>, tensor<4xf32>
}
