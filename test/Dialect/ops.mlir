// RUN: tempo-opt %s | tempo-opt | FileCheck %s
// Every op round-trips through its assembly format.

// CHECK-LABEL: func.func @all_ops
func.func @all_ops(%x: tensor<1x3x16xf32>, %m: tensor<2x3xf32>) -> tensor<1x6xf32> {
  // CHECK: tempo.constant dense<1.000000e+00> : tensor<4x3x3xf32>
  %w = tempo.constant dense<1.0> : tensor<4x3x3xf32>
  %b = tempo.constant dense<0.5> : tensor<4xf32>
  // CHECK: tempo.conv %{{.+}}, %{{.+}}, %{{.+}} {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 1, 1>, strides = array<i64: 1>}
  %c = tempo.conv %x, %w, %b {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 1, 1>, strides = array<i64: 1>}
      : (tensor<1x3x16xf32>, tensor<4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x16xf32>
  // CHECK: tempo.conv %{{.+}}, %{{.+}} {dilations
  %nb = tempo.conv %x, %w {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 0, 0>, strides = array<i64: 1>}
      : (tensor<1x3x16xf32>, tensor<4x3x3xf32>) -> tensor<1x4x14xf32>
  // CHECK: tempo.batch_norm
  %bn = tempo.batch_norm %c, %b, %b, %b, %b {epsilon = 1.0e-5 : f32}
      : (tensor<1x4x16xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x16xf32>
  // CHECK: tempo.relu %{{.+}} : tensor<1x4x16xf32>
  %r = tempo.relu %bn : tensor<1x4x16xf32>
  // CHECK: tempo.clip %{{.+}} {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64}
  %cl = tempo.clip %r {min = 0.0 : f64, max = 6.0 : f64} : tensor<1x4x16xf32>
  // CHECK: tempo.leaky_relu %{{.+}} {alpha = 1.000000e-01 : f32}
  %lr = tempo.leaky_relu %cl {alpha = 0.1 : f32} : tensor<1x4x16xf32>
  // CHECK: tempo.sigmoid
  %sg = tempo.sigmoid %lr : tensor<1x4x16xf32>
  // CHECK: tempo.tanh
  %th = tempo.tanh %sg : tensor<1x4x16xf32>
  // CHECK: tempo.max_pool
  %mp = tempo.max_pool %th {dilations = array<i64: 1>, kernel_shape = array<i64: 2>, pads = array<i64: 0, 0>, strides = array<i64: 2>}
      : (tensor<1x4x16xf32>) -> tensor<1x4x8xf32>
  // CHECK: tempo.average_pool %{{.+}} {count_include_pad = true
  %ap = tempo.average_pool %mp {count_include_pad = true, dilations = array<i64: 1>, kernel_shape = array<i64: 3>, pads = array<i64: 1, 1>, strides = array<i64: 1>}
      : (tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  // CHECK: tempo.global_average_pool
  %gap = tempo.global_average_pool %ap : (tensor<1x4x8xf32>) -> tensor<1x4x1xf32>
  // CHECK: tempo.reshape
  %flat = tempo.reshape %gap : (tensor<1x4x1xf32>) -> tensor<1x4xf32>
  // CHECK: tempo.transpose %{{.+}} {perm = array<i64: 1, 0>}
  %t = tempo.transpose %flat {perm = array<i64: 1, 0>} : (tensor<1x4xf32>) -> tensor<4x1xf32>
  %fw = tempo.constant dense<0.25> : tensor<6x4xf32>
  %fb = tempo.constant dense<0.0> : tensor<6xf32>
  // CHECK: tempo.gemm %{{.+}}, %{{.+}}, %{{.+}} {transA = true, transB = true}
  %g = tempo.gemm %t, %fw, %fb {transA = true, transB = true} : (tensor<4x1xf32>, tensor<6x4xf32>, tensor<6xf32>) -> tensor<1x6xf32>
  // CHECK: tempo.matmul
  %mw = tempo.constant dense<2.0> : tensor<3x4xf32>
  %mm = tempo.matmul %m, %mw : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  // CHECK: tempo.add
  %a = tempo.add %g, %fb : (tensor<1x6xf32>, tensor<6xf32>) -> tensor<1x6xf32>
  // CHECK: tempo.sub
  %s = tempo.sub %a, %fb : (tensor<1x6xf32>, tensor<6xf32>) -> tensor<1x6xf32>
  // CHECK: tempo.mul
  %mu = tempo.mul %s, %s : (tensor<1x6xf32>, tensor<1x6xf32>) -> tensor<1x6xf32>
  // CHECK: tempo.div
  %d = tempo.div %mu, %a : (tensor<1x6xf32>, tensor<1x6xf32>) -> tensor<1x6xf32>
  // CHECK: tempo.concat %{{.+}}, %{{.+}} {axis = 1 : i64}
  %cat = tempo.concat %d, %d {axis = 1 : i64} : (tensor<1x6xf32>, tensor<1x6xf32>) -> tensor<1x12xf32>
  // CHECK: tempo.softmax %{{.+}} {axis = 1 : i64} : tensor<1x6xf32>
  %sm = tempo.softmax %d {axis = 1 : i64} : tensor<1x6xf32>
  // CHECK: tempo.copy
  %cp = tempo.copy %sm : tensor<1x6xf32>
  return %cp : tensor<1x6xf32>
}

// Quantized element types from the quant dialect flow through the same ops.
// CHECK-LABEL: func.func @quantized
func.func @quantized(%x: tensor<1x8x!quant.uniform<i8:f32, 0.05:-3>>) -> tensor<8x1x!quant.uniform<i8:f32, 0.05:-3>> {
  // CHECK: tempo.reshape %{{.+}} : (tensor<1x8x!quant.uniform<i8:f32, 5.000000e-02:-3>>)
  %r = tempo.reshape %x : (tensor<1x8x!quant.uniform<i8:f32, 0.05:-3>>) -> tensor<8x1x!quant.uniform<i8:f32, 0.05:-3>>
  return %r : tensor<8x1x!quant.uniform<i8:f32, 0.05:-3>>
}
