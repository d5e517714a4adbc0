// RUN: tempo-opt %s -split-input-file -verify-diagnostics

func.func @conv_bad_out(%x: tensor<1x3x16xf32>, %w: tensor<4x3x3xf32>) -> tensor<1x4x16xf32> {
  // expected-error @+1 {{'tempo.conv' op spatial dim 0 of the result should be 14, got 16}}
  %0 = tempo.conv %x, %w {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x3x16xf32>, tensor<4x3x3xf32>) -> tensor<1x4x16xf32>
  return %0 : tensor<1x4x16xf32>
}

// -----

func.func @conv_bad_group(%x: tensor<1x3x16xf32>, %w: tensor<4x1x3xf32>) -> tensor<1x4x14xf32> {
  // expected-error @+1 {{'tempo.conv' op group 2 must divide input channels 3 and output channels 4}}
  %0 = tempo.conv %x, %w {dilations = array<i64: 1>, group = 2 : i64, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x3x16xf32>, tensor<4x1x3xf32>) -> tensor<1x4x14xf32>
  return %0 : tensor<1x4x14xf32>
}

// -----

func.func @conv_bad_pads(%x: tensor<1x3x16xf32>, %w: tensor<4x3x3xf32>) -> tensor<1x4x14xf32> {
  // expected-error @+1 {{'tempo.conv' op expects 2 pads, got 1}}
  %0 = tempo.conv %x, %w {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 0>, strides = array<i64: 1>} : (tensor<1x3x16xf32>, tensor<4x3x3xf32>) -> tensor<1x4x14xf32>
  return %0 : tensor<1x4x14xf32>
}

// -----

func.func @dynamic(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{must be statically shaped tensor}}
  %0 = tempo.relu %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @gemm_inner(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{'tempo.gemm' op inner dimensions differ: 3 vs 4}}
  %0 = tempo.gemm %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<3x4x5xf32>) -> tensor<2x3x5xf32> {
  // expected-error @+1 {{'tempo.matmul' op batch dimensions do not broadcast}}
  %0 = tempo.matmul %a, %b : (tensor<2x3x4xf32>, tensor<3x4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

func.func @add_bcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'tempo.add' op operand shapes do not broadcast}}
  %0 = tempo.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @pool_out(%x: tensor<1x2x16xf32>) -> tensor<1x2x9xf32> {
  // expected-error @+1 {{'tempo.max_pool' op spatial dim 0 of the result should be 8, got 9}}
  %0 = tempo.max_pool %x {dilations = array<i64: 1>, kernel_shape = array<i64: 2>, pads = array<i64: 0, 0>, strides = array<i64: 2>} : (tensor<1x2x16xf32>) -> tensor<1x2x9xf32>
  return %0 : tensor<1x2x9xf32>
}

// -----

func.func @pool_ceil_ok(%x: tensor<1x2x5xf32>) -> tensor<1x2x3xf32> {
  // ceil_mode: 5 with k=2,s=2 gives 2 (floor) or 3 (ceil); both verify.
  %0 = tempo.max_pool %x {dilations = array<i64: 1>, kernel_shape = array<i64: 2>, pads = array<i64: 0, 0>, strides = array<i64: 2>} : (tensor<1x2x5xf32>) -> tensor<1x2x3xf32>
  return %0 : tensor<1x2x3xf32>
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) -> tensor<7xf32> {
  // expected-error @+1 {{'tempo.reshape' op element count changes from 6 to 7}}
  %0 = tempo.reshape %x : (tensor<2x3xf32>) -> tensor<7xf32>
  return %0 : tensor<7xf32>
}

// -----

func.func @transpose_perm(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{'tempo.transpose' op perm is not a permutation}}
  %0 = tempo.transpose %x {perm = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @concat_axis(%a: tensor<1x2xf32>, %b: tensor<1x3xf32>) -> tensor<1x6xf32> {
  // expected-error @+1 {{'tempo.concat' op result axis extent should be 5}}
  %0 = tempo.concat %a, %b {axis = 1 : i64} : (tensor<1x2xf32>, tensor<1x3xf32>) -> tensor<1x6xf32>
  return %0 : tensor<1x6xf32>
}

// -----

func.func @softmax_axis(%x: tensor<1x6xf32>) -> tensor<1x6xf32> {
  // expected-error @+1 {{'tempo.softmax' op axis 2 is out of range for rank 2}}
  %0 = tempo.softmax %x {axis = 2 : i64} : tensor<1x6xf32>
  return %0 : tensor<1x6xf32>
}

// -----

func.func @clip_range(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'tempo.clip' op min 2.000000e+00 exceeds max 1.000000e+00}}
  %0 = tempo.clip %x {min = 2.0 : f64, max = 1.0 : f64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @bn_channels(%x: tensor<1x4x8xf32>, %s: tensor<3xf32>) -> tensor<1x4x8xf32> {
  // expected-error @+1 {{'tempo.batch_norm' op per-channel operands must have shape [4]}}
  %0 = tempo.batch_norm %x, %s, %s, %s, %s {epsilon = 1.0e-5 : f32} : (tensor<1x4x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x4x8xf32>
  return %0 : tensor<1x4x8xf32>
}
