// RUN: tempo-opt %s -split-input-file --tempo-schedule-for-memory | FileCheck %s

// Two branches, each a big tensor reduced to a small one, then joined. The
// ONNX order computes both big tensors before reducing either (peak: two
// 4 KiB tensors and the input: 12288 bytes); the schedule finishes one
// branch first (the input, one big and one small tensor: 8196).
// CHECK-LABEL: func.func @branches
// CHECK-SAME: tempo.schedule_bound = 8196 : i64
// CHECK:      %[[A:.+]] = tempo.mul %arg0, %arg0
// CHECK-NEXT: %[[A2:.+]] = tempo.global_average_pool %[[A]]
// CHECK-NEXT: %[[B:.+]] = tempo.add %arg0, %arg0
// CHECK-NEXT: %[[B2:.+]] = tempo.global_average_pool %[[B]]
// CHECK-NEXT: tempo.sub %[[A2]], %[[B2]]
func.func @branches(%x: tensor<1x1x1024xf32>) -> tensor<1x1x1xf32> {
  %a = tempo.mul %x, %x : (tensor<1x1x1024xf32>, tensor<1x1x1024xf32>) -> tensor<1x1x1024xf32>
  %b = tempo.add %x, %x : (tensor<1x1x1024xf32>, tensor<1x1x1024xf32>) -> tensor<1x1x1024xf32>
  %a2 = tempo.global_average_pool %a : (tensor<1x1x1024xf32>) -> tensor<1x1x1xf32>
  %b2 = tempo.global_average_pool %b : (tensor<1x1x1024xf32>) -> tensor<1x1x1xf32>
  %d = tempo.sub %a2, %b2 : (tensor<1x1x1xf32>, tensor<1x1x1xf32>) -> tensor<1x1x1xf32>
  return %d : tensor<1x1x1xf32>
}

// -----

// A chain has one order; nothing moves.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: tempo.schedule_bound = 512 : i64
// CHECK:      tempo.relu
// CHECK-NEXT: tempo.tanh
func.func @chain(%x: tensor<64xf32>) -> tensor<64xf32> {
  %a = tempo.relu %x : tensor<64xf32>
  %b = tempo.tanh %a : tensor<64xf32>
  return %b : tensor<64xf32>
}
