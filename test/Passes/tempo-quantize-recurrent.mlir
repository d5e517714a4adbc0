// RUN: tempo-opt %s -split-input-file --tempo-quantize | FileCheck %s
// RUN: tempo-opt %s -split-input-file --tempo-quantize -verify-diagnostics -o /dev/null

// A GRU (layout 1, linear_before_reset, Y_h only) on int8: W and R int8
// symmetric per gate row (axis 1, max |w| / 127; an all-zero row gets scale
// 1), B int32 with Wb at x_scale * w_scale[r] and Rb at 2^-15 * r_scale[r]
// (the GRU's hidden state is int16 Q0.15), the constant initial_h at the
// result's type, and the float scratch replaced by the integer kernel's
// bytes: 2 * (4H + B*H) = 20.
// CHECK-LABEL: func.func @gru
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x2x!quant.uniform<i8:f32, 0.0078431372549019607:-1>>) -> tensor<1x1x2x!quant.uniform<i8:f32, 0.0078431372549019607:-1>>
// CHECK-DAG: %[[W:.+]] = tempo.constant dense<{{\[\[\[}}127, 0], [0, -127], [127, 63], [127, 127], [127, 0], [0, 0]]]> : tensor<1x6x2xi8> as tensor<1x6x2x!quant.uniform<i8:f32:1, {0.009999999849815068,0.004999999924907534,0.0020000000638285961,0.009999999849815068,0.003937007874015748,1.000000e+00}>>
// CHECK-DAG: %[[R:.+]] = tempo.constant dense<{{\[\[\[}}127, 0], [0, 127], [127, 0], [0, 127], [127, 0], [0, -127]]]> : tensor<1x6x2xi8> as tensor<1x6x2x!quant.uniform<i8:f32:1, {0.004999999924907534,0.004999999924907534,0.001000000031914298,0.001000000031914298,0.009999999849815068,0.009999999849815068}>>
// CHECK-DAG: %[[B:.+]] = tempo.constant dense<{{\[\[}}1275, 2550, 0, 0, 0, 0, 0, 0, 0, 0, 1638400, 1638400]]> : tensor<1x12xi32> as tensor<1x12x!quant.uniform<i32:f32:1, {7.8431371371098568E-5,3.9215685685549284E-5,1.5686275010420363E-5,7.8431371371098568E-5,3.0878493129535278E-5,0.0078431372549019607,1.525878883333598E-7,1.525878883333598E-7,3.0517579098947084E-8,3.0517579098947084E-8,3.051757766667196E-7,3.051757766667196E-7}>>
// CHECK-DAG: %[[H:.+]] = tempo.constant dense<{{\[\[\[}}63, -33]]]> : tensor<1x1x2xi8> as tensor<1x1x2x!quant.uniform<i8:f32, 0.0078431372549019607:-1>>
// CHECK-DAG: %[[S:.+]] = tempo.scratch : tensor<20xi8>
// CHECK: %[[Y:.+]] = tempo.recurrent %[[X]], %[[W]], %[[R]], %[[B]], %[[H]], %[[S]] {{{.*}}cell = "gru"{{.*}}linear_before_reset = true{{.*}}} : {{.*}} -> tensor<1x1x2x!quant.uniform<i8:f32, 0.0078431372549019607:-1>>
// CHECK-NOT: tempo.calib
// CHECK-NOT: tempo.dequantize
// CHECK: return %[[Y]]
func.func @gru(%x: tensor<1x2x2xf32> {tempo.calib = array<f32: -1.0, 1.0>}) -> tensor<1x1x2xf32> {
  %w = tempo.constant dense<[[[1.27, 0.0], [0.0, -0.635], [0.254, 0.127], [1.27, 1.27], [0.5, 0.0], [0.0, 0.0]]]> : tensor<1x6x2xf32>
  %r = tempo.constant dense<[[[0.635, 0.0], [0.0, 0.635], [0.127, 0.0], [0.0, 0.127], [1.27, 0.0], [0.0, -1.27]]]> : tensor<1x6x2xf32>
  %b = tempo.constant dense<[[0.1, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.5]]> : tensor<1x12xf32>
  %h0 = tempo.constant dense<[[[0.5, -0.25]]]> : tensor<1x1x2xf32>
  %s = tempo.scratch : tensor<8xf32>
  %y = tempo.recurrent %x, %w, %r, %b, %h0, %s {activation_alpha = array<f32: 0.0, 0.0>, activation_beta = array<f32: 0.0, 0.0>, activations = ["Sigmoid", "Tanh"], cell = "gru", direction = "forward", hidden_size = 2 : i64, layout = 1 : i64, linear_before_reset = true, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0, 1>, results = array<i1: false, true>, tempo.calib = array<f32: -1.0, 1.0>} : (tensor<1x2x2xf32>, tensor<1x6x2xf32>, tensor<1x6x2xf32>, tensor<1x12xf32>, tensor<1x1x2xf32>, tensor<8xf32>) -> tensor<1x1x2xf32>
  return %y : tensor<1x1x2xf32>
}

// -----

// A bidirectional LSTM (Y and Y_h packed): one scale per gate row shared by
// the two directions (the larger |w| of the row sets it: row 0 has 1.27 in
// direction 1), Rb at h_scale * r_scale[r] (the LSTM's h is int8), a graph
// input initial_c quantized to int16 Q4.11 (scale 2^-11), scratch
// 8H + 3B*H = 11 bytes.
// CHECK-LABEL: func.func @lstm
// CHECK-DAG: %[[W:.+]] = tempo.constant dense<{{\[\[\[}}64], [127], [127], [127]], {{\[\[}}127], [-127], [-127], [127]]]> : tensor<2x4x1xi8> as tensor<2x4x1x!quant.uniform<i8:f32:1, {0.009999999849815068,0.004999999924907534,0.004999999924907534,0.004999999924907534}>>
// CHECK-DAG: %[[C:.+]] = tempo.quantize %{{.+}} : (tensor<2x1x1xf32>) -> tensor<2x1x1x!quant.uniform<i16:f32, 4.8828125E-4>>
// CHECK-DAG: %[[S:.+]] = tempo.scratch : tensor<11xi8>
// CHECK: tempo.recurrent %{{.+}}, %[[W]], %{{.+}}, %{{.+}}, %[[C]], %[[S]] {{{.*}}cell = "lstm", direction = "bidirectional"{{.*}}} : {{.*}}tensor<2x1x1x!quant.uniform<i16:f32, 4.8828125E-4>>, tensor<11xi8>) -> tensor<6x!quant.uniform<i8:f32, 0.0078431372549019607:-1>>
func.func @lstm(%x: tensor<2x1x1xf32> {tempo.calib = array<f32: -1.0, 1.0>}, %c0: tensor<2x1x1xf32>) -> tensor<6xf32> {
  %w = tempo.constant dense<[[[0.635], [0.635], [0.635], [0.635]], [[1.27], [-0.635], [-0.635], [0.635]]]> : tensor<2x4x1xf32>
  %r = tempo.constant dense<[[[0.5], [0.5], [0.5], [0.5]], [[0.5], [0.5], [0.5], [0.5]]]> : tensor<2x4x1xf32>
  %b = tempo.constant dense<0.25> : tensor<2x8xf32>
  %s = tempo.scratch : tensor<6xf32>
  %y = tempo.recurrent %x, %w, %r, %b, %c0, %s {activation_alpha = array<f32: 0.0, 0.0, 0.0, 0.0, 0.0, 0.0>, activation_beta = array<f32: 0.0, 0.0, 0.0, 0.0, 0.0, 0.0>, activations = ["Sigmoid", "Tanh", "Tanh", "Sigmoid", "Tanh", "Tanh"], cell = "lstm", direction = "bidirectional", hidden_size = 1 : i64, layout = 0 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 1, 0, 1>, results = array<i1: true, true, false>, tempo.calib = array<f32: -1.0, 1.0>} : (tensor<2x1x1xf32>, tensor<2x4x1xf32>, tensor<2x4x1xf32>, tensor<2x8xf32>, tensor<2x1x1xf32>, tensor<6xf32>) -> tensor<6xf32>
  return %y : tensor<6xf32>
}

// -----

// What the int8 kernels cannot do exactly stays float, with a remark naming
// it: an LSTM whose Y_c is used, a GRU with clip, an RNN with Relu.
// CHECK-LABEL: func.func @kept_float
// CHECK-COUNT-3: tempo.recurrent {{.*}} -> tensor<{{.*}}xf32>
func.func @kept_float(%x: tensor<2x1x1xf32> {tempo.calib = array<f32: -1.0, 1.0>}) -> (tensor<2xf32>, tensor<1x1x1xf32>, tensor<1x1x1xf32>) {
  %w4 = tempo.constant dense<0.5> : tensor<1x4x1xf32>
  %s3 = tempo.scratch : tensor<6xf32>
  // expected-remark @+1 {{stays float under --quantize=int8: the int8 lstm kernel has no Y_c (the int8 LSTM writes Y and Y_h; its int16 cell state is internal)}}
  %a = tempo.recurrent %x, %w4, %w4, %s3 {activation_alpha = array<f32: 0.0, 0.0, 0.0>, activation_beta = array<f32: 0.0, 0.0, 0.0>, activations = ["Sigmoid", "Tanh", "Tanh"], cell = "lstm", direction = "forward", hidden_size = 1 : i64, layout = 0 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 1>, results = array<i1: false, true, true>, tempo.calib = array<f32: -1.0, 1.0>} : (tensor<2x1x1xf32>, tensor<1x4x1xf32>, tensor<1x4x1xf32>, tensor<6xf32>) -> tensor<2xf32>
  %w3 = tempo.constant dense<0.5> : tensor<1x3x1xf32>
  %s2 = tempo.scratch : tensor<4xf32>
  // expected-remark @+1 {{stays float under --quantize=int8: the int8 gru kernel has no clip}}
  %b = tempo.recurrent %x, %w3, %w3, %s2 {activation_alpha = array<f32: 0.0, 0.0>, activation_beta = array<f32: 0.0, 0.0>, activations = ["Sigmoid", "Tanh"], cell = "gru", clip = 3.0 : f32, direction = "forward", hidden_size = 1 : i64, layout = 0 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 1>, results = array<i1: false, true>, tempo.calib = array<f32: -1.0, 1.0>} : (tensor<2x1x1xf32>, tensor<1x3x1xf32>, tensor<1x3x1xf32>, tensor<4xf32>) -> tensor<1x1x1xf32>
  %w1 = tempo.constant dense<0.5> : tensor<1x1x1xf32>
  %s1 = tempo.scratch : tensor<2xf32>
  // expected-remark @+1 {{stays float under --quantize=int8: the int8 rnn kernel has no activation Relu (the int8 rnn has the default activations, or sigmoid)}}
  %c = tempo.recurrent %x, %w1, %w1, %s1 {activation_alpha = array<f32: 0.0>, activation_beta = array<f32: 0.0>, activations = ["Relu"], cell = "rnn", direction = "forward", hidden_size = 1 : i64, layout = 0 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 1>, results = array<i1: false, true>, tempo.calib = array<f32: -1.0, 1.0>} : (tensor<2x1x1xf32>, tensor<1x1x1xf32>, tensor<1x1x1xf32>, tensor<2xf32>) -> tensor<1x1x1xf32>
  return %a, %b, %c : tensor<2xf32>, tensor<1x1x1xf32>, tensor<1x1x1xf32>
}
