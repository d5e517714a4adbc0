// RUN: tempo-opt %s -split-input-file -verify-diagnostics
// The verifiers of issue 3's ops.

func.func @math_unknown(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'tempo.math' op unknown fn 'tan'}}
  %0 = tempo.math %x {fn = "tan"} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @math_int(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'tempo.math' op fn 'exp' needs a float tensor}}
  %0 = tempo.math %x {fn = "exp"} : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @binary_types(%a: tensor<4xf32>, %b: tensor<4xi32>) -> tensor<4xf32> {
  // expected-error @+1 {{'tempo.binary_math' op operands must have the result's element type}}
  %0 = tempo.binary_math %a, %b {fn = "pow"} : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @binary_bcast(%a: tensor<4xf32>, %b: tensor<3xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'tempo.binary_math' op operand shapes do not broadcast}}
  %0 = tempo.binary_math %a, %b {fn = "max"} : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @reduce_gap(%x: tensor<2x3x4xf32>) -> tensor<1x3x1xf32> {
  // expected-error @+1 {{'tempo.reduce' op axes must be adjacent and ascending}}
  %0 = tempo.reduce %x {kind = "sum", axes = array<i64: 0, 2>} : (tensor<2x3x4xf32>) -> tensor<1x3x1xf32>
  return %0 : tensor<1x3x1xf32>
}

// -----

func.func @reduce_shape(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'tempo.reduce' op result must keep the input's rank}}
  %0 = tempo.reduce %x {kind = "max", axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @arg_type(%x: tensor<2x3xf32>) -> tensor<2x1xi32> {
  // expected-error @+1 {{'tempo.arg_reduce' op result must be i64}}
  %0 = tempo.arg_reduce %x {kind = "max", axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xi32>
  return %0 : tensor<2x1xi32>
}

// -----

func.func @log_softmax_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'tempo.log_softmax' op axis 2 is out of range for rank 2}}
  %0 = tempo.log_softmax %x {axis = 2 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @layer_norm_scale(%x: tensor<2x8xf32>, %s: tensor<4xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'tempo.layer_norm' op scale and bias must have the input's dims from axis 1 on}}
  %0 = tempo.layer_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32, results = array<i1: true, false, false>} : (tensor<2x8xf32>, tensor<4xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @layer_norm_packed(%x: tensor<2x8xf32>, %s: tensor<8xf32>) -> tensor<17xf32> {
  // expected-error @+1 {{'tempo.layer_norm' op result must hold 18 elements in one dimension}}
  %0 = tempo.layer_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32, results = array<i1: true, true, false>} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<17xf32>
  return %0 : tensor<17xf32>
}

// -----

func.func @instance_norm_scale(%x: tensor<1x2x8xf32>, %s: tensor<3xf32>) -> tensor<1x2x8xf32> {
  // expected-error @+1 {{'tempo.instance_norm' op scale and bias must have shape [2]}}
  %0 = tempo.instance_norm %x, %s, %s {epsilon = 1.0e-5 : f32} : (tensor<1x2x8xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x2x8xf32>
  return %0 : tensor<1x2x8xf32>
}

// -----

func.func @strided_rank(%x: tensor<4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'tempo.strided_copy' op input and result must have the same rank}}
  %0 = tempo.strided_copy %x {start = array<i64: 0>, step = array<i64: 1>} : (tensor<4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @strided_border(%x: tensor<4xf32>) -> tensor<6xf32> {
  // expected-error @+1 {{'tempo.strided_copy' op unknown border 'mirror'}}
  %0 = tempo.strided_copy %x {border = "mirror", start = array<i64: -1>, step = array<i64: 1>} : (tensor<4xf32>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

func.func @gather_range(%x: tensor<5x4xf32>) -> tensor<2x4xf32> {
  %i = tempo.constant dense<[0, 5]> : tensor<2xi32>
  // expected-error @+1 {{'tempo.gather' op index 5 is out of range [0, 5)}}
  %0 = tempo.gather %x, %i {axis = 0 : i64} : (tensor<5x4xf32>, tensor<2xi32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @cast_shape(%x: tensor<4xf32>) -> tensor<2x2xi32> {
  // expected-error @+1 {{'tempo.cast' op shape must not change}}
  %0 = tempo.cast %x : (tensor<4xf32>) -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

func.func @deconv_channels(%x: tensor<1x2x5xf32>, %w: tensor<2x3x3xf32>) -> tensor<1x4x11xf32> {
  // expected-error @+1 {{'tempo.conv_transpose' op result must be [1, 3, ...]}}
  %0 = tempo.conv_transpose %x, %w {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 0>, strides = array<i64: 2>} : (tensor<1x2x5xf32>, tensor<2x3x3xf32>) -> tensor<1x4x11xf32>
  return %0 : tensor<1x4x11xf32>
}

// -----

func.func @rnn_scratch(%x: tensor<2x1x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) -> tensor<1x1x4xf32> {
  %s = tempo.scratch : tensor<4xf32>
  // expected-error @+1 {{'tempo.recurrent' op scratch must hold 8 elements}}
  %0 = tempo.recurrent %x, %w, %r, %s {cell = "rnn", direction = "forward", hidden_size = 4 : i64, layout = 0 : i64, activations = ["Tanh"], activation_alpha = array<f32: 0.0>, activation_beta = array<f32: 0.0>, results = array<i1: false, true>, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 1>} : (tensor<2x1x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>, tensor<4xf32>) -> tensor<1x1x4xf32>
  return %0 : tensor<1x1x4xf32>
}

// -----

func.func @lstm_weights(%x: tensor<2x1x3xf32>, %w: tensor<1x12x3xf32>, %r: tensor<1x16x4xf32>) -> tensor<1x1x4xf32> {
  %s = tempo.scratch : tensor<32xf32>
  // expected-error @+1 {{'tempo.recurrent' op W has the wrong shape}}
  %0 = tempo.recurrent %x, %w, %r, %s {cell = "lstm", direction = "forward", hidden_size = 4 : i64, layout = 0 : i64, activations = ["Sigmoid", "Tanh", "Tanh"], activation_alpha = array<f32: 0.0, 0.0, 0.0>, activation_beta = array<f32: 0.0, 0.0, 0.0>, results = array<i1: false, true, false>, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 1>} : (tensor<2x1x3xf32>, tensor<1x12x3xf32>, tensor<1x16x4xf32>, tensor<32xf32>) -> tensor<1x1x4xf32>
  return %0 : tensor<1x1x4xf32>
}

// -----

func.func @dft_shape(%x: tensor<1x8x1xf32>) -> tensor<1x8x2xf32> {
  %s = tempo.scratch : tensor<32xf32>
  // expected-error @+1 {{'tempo.dft' op result shape does not match the transform}}
  %0 = tempo.dft %x, %s {axis = 1 : i64, length = 8 : i64, onesided = true} : (tensor<1x8x1xf32>, tensor<32xf32>) -> tensor<1x8x2xf32>
  return %0 : tensor<1x8x2xf32>
}

// -----

func.func @stft_window(%x: tensor<1x32x1xf32>, %w: tensor<4xf32>) -> tensor<1x5x5x2xf32> {
  %s = tempo.scratch : tensor<32xf32>
  // expected-error @+1 {{'tempo.stft' op window must have shape [8]}}
  %0 = tempo.stft %x, %w, %s {frame_length = 8 : i64, frame_step = 6 : i64} : (tensor<1x32x1xf32>, tensor<4xf32>, tensor<32xf32>) -> tensor<1x5x5x2xf32>
  return %0 : tensor<1x5x5x2xf32>
}

// -----

func.func @gather_runtime_indices(%x: tensor<5x4xf32>, %i: tensor<2xi32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'tempo.gather' op indices must be a tempo.constant}}
  %0 = tempo.gather %x, %i {axis = 0 : i64} : (tensor<5x4xf32>, tensor<2xi32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @rnn_activation(%x: tensor<2x1x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) -> tensor<1x1x4xf32> {
  %s = tempo.scratch : tensor<8xf32>
  // expected-error @+1 {{'tempo.recurrent' op unknown activation 'Gelu'}}
  %0 = tempo.recurrent %x, %w, %r, %s {cell = "rnn", direction = "forward", hidden_size = 4 : i64, layout = 0 : i64, activations = ["Gelu"], activation_alpha = array<f32: 0.0>, activation_beta = array<f32: 0.0>, results = array<i1: false, true>, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 1>} : (tensor<2x1x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>, tensor<8xf32>) -> tensor<1x1x4xf32>
  return %0 : tensor<1x1x4xf32>
}

// -----

func.func @max_pool_both_results(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  // expected-error @+1 {{'tempo.max_pool' op results must select exactly one of Y and Indices}}
  %0 = tempo.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, results = array<i1: true, true>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// -----

func.func @max_pool_indices_type(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xi32> {
  // expected-error @+1 {{'tempo.max_pool' op indices result must be i64}}
  %0 = tempo.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, results = array<i1: false, true>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xi32>
  return %0 : tensor<1x2x2x2xi32>
}

// -----

func.func @max_pool_storage_order(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xi64> {
  // expected-error @+1 {{'tempo.max_pool' op storage_order must be 0 or 1, got 2}}
  %0 = tempo.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, results = array<i1: false, true>, storage_order = 2 : i64} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xi64>
  return %0 : tensor<1x2x2x2xi64>
}

// -----

func.func @pool_rank6(%x: tensor<1x1x2x2x2x2xf32>) -> tensor<1x1x2x2x2x2xf32> {
  // expected-error @+1 {{'tempo.average_pool' op expects a rank 3, 4 or 5 input, got rank 6}}
  %0 = tempo.average_pool %x {dilations = array<i64: 1, 1, 1, 1>, kernel_shape = array<i64: 1, 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0, 0, 0>, strides = array<i64: 1, 1, 1, 1>} : (tensor<1x1x2x2x2x2xf32>) -> tensor<1x1x2x2x2x2xf32>
  return %0 : tensor<1x1x2x2x2x2xf32>
}

// -----

func.func @pool3d_extent(%x: tensor<1x1x4x4x4xf32>) -> tensor<1x1x3x2x2xf32> {
  // expected-error @+1 {{'tempo.max_pool' op spatial dim 0 of the result should be 2, got 3}}
  %0 = tempo.max_pool %x {dilations = array<i64: 1, 1, 1>, kernel_shape = array<i64: 2, 2, 2>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 2, 2, 2>} : (tensor<1x1x4x4x4xf32>) -> tensor<1x1x3x2x2xf32>
  return %0 : tensor<1x1x3x2x2xf32>
}

// -----

func.func @bn_training_packed(%x: tensor<2x3x4xf32>, %c: tensor<3xf32>) -> tensor<24xf32> {
  // expected-error @+1 {{'tempo.batch_norm_training' op result must hold 27 elements in one dimension}}
  %0 = tempo.batch_norm_training %x, %c, %c, %c, %c {epsilon = 1.0e-5 : f32, momentum = 0.9 : f32, results = array<i1: true, true, false>} : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<24xf32>
  return %0 : tensor<24xf32>
}

// -----

func.func @bn_training_channels(%x: tensor<2x3x4xf32>, %c: tensor<4xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+1 {{'tempo.batch_norm_training' op per-channel operands must have shape [3]}}
  %0 = tempo.batch_norm_training %x, %c, %c, %c, %c {epsilon = 1.0e-5 : f32, momentum = 0.9 : f32, results = array<i1: true, false, false>} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}
