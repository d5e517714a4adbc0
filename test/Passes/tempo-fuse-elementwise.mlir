// RUN: tempo-opt %s -split-input-file --tempo-fuse-elementwise | FileCheck %s

// ((a + b) * c - a) with a relu fused on the last op: one chain, inputs
// deduplicated (a is read twice), the activation kept.
// CHECK-LABEL: func.func @chain
// CHECK-NEXT: %[[C:.+]] = tempo.elementwise_chain %arg0, %arg1, %arg2 {act = "relu", code = array<i32: 0, 0, 1, 2, 3, 2, 1, 4, 0>} : (tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
// CHECK-NEXT: return %[[C]]
func.func @chain(%a: tensor<64xf32>, %b: tensor<64xf32>, %c: tensor<64xf32>) -> tensor<64xf32> {
  %s = tempo.add %a, %b : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  %m = tempo.mul %s, %c : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  %d = tempo.sub %m, %a {act = "relu"} : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  return %d : tensor<64xf32>
}

// -----

// Not fused: a broadcast operand, an intermediate with a second user, an
// intermediate with its own activation, an integer op.
// CHECK-LABEL: func.func @not_fused
// CHECK-NOT: tempo.elementwise_chain
func.func @not_fused(%a: tensor<4xf32>, %b: tensor<1xf32>, %i: tensor<4xi32>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi32>) {
  %bc = tempo.add %a, %b : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %x = tempo.mul %bc, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %s = tempo.add %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %y = tempo.mul %s, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r = tempo.add %a, %a {act = "relu"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %z = tempo.mul %r, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %ii = tempo.add %i, %i : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %ij = tempo.mul %ii, %i : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %x, %y, %s, %z, %ij : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi32>
}

// -----

// At most 4 inputs: with five distinct inputs one add stays outside the
// chain.
// CHECK-LABEL: func.func @limits
// CHECK-NEXT: %[[A:.+]] = tempo.add %arg0, %arg1
// CHECK-NEXT: tempo.elementwise_chain %[[A]], %arg2, %arg3, %arg4 {code = array<i32: 0, 0, 1, 0, 4, 2, 0, 5, 3>}
func.func @limits(%a: tensor<8xf32>, %b: tensor<8xf32>, %c: tensor<8xf32>, %d: tensor<8xf32>, %e: tensor<8xf32>) -> tensor<8xf32> {
  %0 = tempo.add %a, %b : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %1 = tempo.add %0, %c : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %2 = tempo.add %1, %d : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %3 = tempo.add %2, %e : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %3 : tensor<8xf32>
}
