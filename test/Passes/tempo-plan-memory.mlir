// RUN: tempo-opt %s -split-input-file --tempo-plan-memory | FileCheck %s
// RUN: tempo-opt %s -split-input-file --tempo-plan-memory=align=64 | FileCheck %s --check-prefix=ALIGN64

// A chain: buffers whose lifetimes do not overlap share bytes; the input
// dies at the first op, the two 256-byte buffers ping-pong.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%arg0: tensor<1x64xf32> {tempo.offset = [[IN:[0-9]+]] : i64})
// CHECK-SAME: attributes {tempo.arena_align = 16 : i64, tempo.arena_size = 512 : i64}
// CHECK: tempo.relu %arg0 {tempo.offset = [[A:[0-9]+]] : i64}
// CHECK: tempo.sigmoid %{{.+}} {tempo.offset = [[IN]] : i64}
// CHECK: tempo.tanh %{{.+}} {tempo.offset = [[A]] : i64}
// ALIGN64-LABEL: func.func @chain
// ALIGN64-SAME: tempo.arena_align = 64 : i64, tempo.arena_size = 512 : i64
func.func @chain(%x: tensor<1x64xf32>) -> tensor<1x64xf32> {
  %a = tempo.relu %x : tensor<1x64xf32>
  %b = tempo.sigmoid %a : tensor<1x64xf32>
  %c = tempo.tanh %b : tensor<1x64xf32>
  return %c : tensor<1x64xf32>
}

// -----

// A residual: %a stays alive across %b, so three buffers coexist.
// CHECK-LABEL: func.func @residual
// CHECK-SAME: tempo.arena_size = 768 : i64
func.func @residual(%x: tensor<1x64xf32>) -> tensor<1x64xf32> {
  %a = tempo.relu %x : tensor<1x64xf32>
  %b = tempo.sigmoid %a : tensor<1x64xf32>
  %c = tempo.add %a, %b : (tensor<1x64xf32>, tensor<1x64xf32>) -> tensor<1x64xf32>
  return %c : tensor<1x64xf32>
}

// -----

// Outputs that are inputs, constants or repeated get a copy of their own.
// CHECK-LABEL: func.func @outputs
// CHECK: %[[C:.+]] = tempo.constant
// CHECK: %[[R:.+]] = tempo.relu %arg0 {tempo.offset
// CHECK: %[[CP0:.+]] = tempo.copy %arg0 {tempo.offset
// CHECK: %[[CP1:.+]] = tempo.copy %[[C]] {tempo.offset
// CHECK: %[[CP2:.+]] = tempo.copy %[[R]] {tempo.offset
// CHECK: return %[[CP0]], %[[CP1]], %[[R]], %[[CP2]]
func.func @outputs(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %c = tempo.constant dense<1.0> : tensor<4xf32>
  %r = tempo.relu %x : tensor<4xf32>
  return %x, %c, %r, %r : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
