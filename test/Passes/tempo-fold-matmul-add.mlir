// RUN: tempo-opt %s -split-input-file --tempo-fold-matmul-add | FileCheck %s

// CHECK-LABEL: func.func @linear
// CHECK: %[[G:.+]] = tempo.gemm %arg0, %arg1, %arg2 : (tensor<1x32xf32>, tensor<32x6xf32>, tensor<6xf32>) -> tensor<1x6xf32>
// CHECK-NOT: tempo.matmul
// CHECK-NOT: tempo.add
// CHECK: return %[[G]]
func.func @linear(%a: tensor<1x32xf32>, %w: tensor<32x6xf32>, %b: tensor<6xf32>) -> tensor<1x6xf32> {
  %m = tempo.matmul %a, %w : (tensor<1x32xf32>, tensor<32x6xf32>) -> tensor<1x6xf32>
  %y = tempo.add %b, %m : (tensor<6xf32>, tensor<1x6xf32>) -> tensor<1x6xf32>
  return %y : tensor<1x6xf32>
}

// -----

// Not folded: a batched (3-D) matmul, a matmul with a second user, a bias
// that is itself the broadcast result (wider than [M, N]).
// CHECK-LABEL: func.func @not_folded
// CHECK-COUNT-3: tempo.matmul
// CHECK-NOT: tempo.gemm
func.func @not_folded(%a3: tensor<2x1x4xf32>, %w: tensor<4x3xf32>, %b: tensor<3xf32>,
                      %a: tensor<1x4xf32>, %big: tensor<2x1x3xf32>)
    -> (tensor<2x1x3xf32>, tensor<1x3xf32>, tensor<1x3xf32>, tensor<2x1x3xf32>) {
  %m3 = tempo.matmul %a3, %w : (tensor<2x1x4xf32>, tensor<4x3xf32>) -> tensor<2x1x3xf32>
  %y3 = tempo.add %m3, %b : (tensor<2x1x3xf32>, tensor<3xf32>) -> tensor<2x1x3xf32>
  %m = tempo.matmul %a, %w : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  %y = tempo.add %m, %b : (tensor<1x3xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  %m2 = tempo.matmul %a, %w : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  %y2 = tempo.add %m2, %big : (tensor<1x3xf32>, tensor<2x1x3xf32>) -> tensor<2x1x3xf32>
  return %y3, %y, %m, %y2 : tensor<2x1x3xf32>, tensor<1x3xf32>, tensor<1x3xf32>, tensor<2x1x3xf32>
}
