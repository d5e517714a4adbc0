// RUN: tempo-opt %s -split-input-file --canonicalize | FileCheck %s

// CHECK-LABEL: func.func @reshape_identity
// CHECK-NEXT: return %arg0
func.func @reshape_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %r = tempo.reshape %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_chain
// CHECK-NEXT: %[[R:.+]] = tempo.reshape %arg0 : (tensor<2x3xf32>) -> tensor<6xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_chain(%x: tensor<2x3xf32>) -> tensor<6xf32> {
  %a = tempo.reshape %x : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %b = tempo.reshape %a : (tensor<3x2xf32>) -> tensor<6xf32>
  return %b : tensor<6xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_constant
// CHECK-NEXT: %[[C:.+]] = tempo.constant dense<{{\[}}[1.000000e+00, 2.000000e+00]]> : tensor<1x2xf32>
// CHECK-NEXT: return %[[C]]
func.func @reshape_constant() -> tensor<1x2xf32> {
  %c = tempo.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %r = tempo.reshape %c : (tensor<2xf32>) -> tensor<1x2xf32>
  return %r : tensor<1x2xf32>
}
