// RUN: rm -rf %t && not tempoc compile %s -o %t 2>&1 | FileCheck %s
// RUN: not test -e %t

// An int8 LSTM whose Y_c is used has no int8 kernel (tempo-quantize keeps
// such a node float; IR written by hand gets this error, and no output).
// CHECK: error: {{.*}}'tempo.recurrent' op int8 lstm writes Y and Y_h; Y_c (the int16 cell state) stays internal
func.func @lstm(%arg0: tensor<2x1x1x!quant.uniform<i8:f32, 0.0078431372549019607:-1>>, %arg1: tensor<2x1x1xf32>) -> tensor<8x!quant.uniform<i8:f32, 0.0078431372549019607:-1>> {
  %0 = tempo.constant dense<[[[64], [127], [127], [127]], [[127], [-127], [-127], [127]]]> : tensor<2x4x1xi8> as tensor<2x4x1x!quant.uniform<i8:f32:1, {0.009999999849815068,0.004999999924907534,0.004999999924907534,0.004999999924907534}>>
  %1 = tempo.constant dense<127> : tensor<2x4x1xi8> as tensor<2x4x1x!quant.uniform<i8:f32:1, {0.003937007874015748,0.003937007874015748,0.003937007874015748,0.003937007874015748}>>
  %2 = tempo.constant dense<[[3188, 6375, 6375, 6375, 8096, 8096, 8096, 8096], [3188, 6375, 6375, 6375, 8096, 8096, 8096, 8096]]> : tensor<2x8xi32> as tensor<2x8x!quant.uniform<i32:f32:1, {7.8431371371098568E-5,3.9215685685549284E-5,3.9215685685549284E-5,3.9215685685549284E-5,3.0878493129535278E-5,3.0878493129535278E-5,3.0878493129535278E-5,3.0878493129535278E-5}>>
  %3 = tempo.quantize %arg1 : (tensor<2x1x1xf32>) -> tensor<2x1x1x!quant.uniform<i16:f32, 4.8828125E-4>>
  %4 = tempo.scratch : tensor<11xi8>
  %5 = tempo.recurrent %arg0, %0, %1, %2, %3, %4 {activation_alpha = array<f32: 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00>, activation_beta = array<f32: 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00>, activations = ["Sigmoid", "Tanh", "Tanh", "Sigmoid", "Tanh", "Tanh"], cell = "lstm", direction = "bidirectional", hidden_size = 1 : i64, layout = 0 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 1, 0, 1>, results = array<i1: true, true, true>} : (tensor<2x1x1x!quant.uniform<i8:f32, 0.0078431372549019607:-1>>, tensor<2x4x1x!quant.uniform<i8:f32:1, {0.009999999849815068,0.004999999924907534,0.004999999924907534,0.004999999924907534}>>, tensor<2x4x1x!quant.uniform<i8:f32:1, {0.003937007874015748,0.003937007874015748,0.003937007874015748,0.003937007874015748}>>, tensor<2x8x!quant.uniform<i32:f32:1, {7.8431371371098568E-5,3.9215685685549284E-5,3.9215685685549284E-5,3.9215685685549284E-5,3.0878493129535278E-5,3.0878493129535278E-5,3.0878493129535278E-5,3.0878493129535278E-5}>>, tensor<2x1x1x!quant.uniform<i16:f32, 4.8828125E-4>>, tensor<11xi8>) -> tensor<8x!quant.uniform<i8:f32, 0.0078431372549019607:-1>>
  return %5 : tensor<8x!quant.uniform<i8:f32, 0.0078431372549019607:-1>>
}
