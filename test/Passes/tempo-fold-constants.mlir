// RUN: tempo-opt %s -split-input-file --tempo-fold-constants | FileCheck %s

// Ops whose operands are all constant are evaluated with the kernels.
// CHECK-LABEL: func.func @fold_transpose_add
func.func @fold_transpose_add(%x: tensor<2x1xf32>) -> tensor<2x1xf32> {
  %w = tempo.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %t = tempo.transpose %w {perm = array<i64: 1, 0>} : (tensor<1x2xf32>) -> tensor<2x1xf32>
  %c = tempo.constant dense<10.0> : tensor<1xf32>
  %a = tempo.add %t, %c : (tensor<2x1xf32>, tensor<1xf32>) -> tensor<2x1xf32>
  // CHECK-DAG: %[[C:.+]] = tempo.constant dense<{{\[}}[1.100000e+01], [1.200000e+01]]> : tensor<2x1xf32>
  // CHECK-NOT: tempo.transpose
  // CHECK-NOT: tempo.add %{{.+}}, %{{.+}} : (tensor<2x1xf32>, tensor<1xf32>)
  // CHECK: tempo.mul %arg0, %[[C]]
  %m = tempo.mul %x, %a : (tensor<2x1xf32>, tensor<2x1xf32>) -> tensor<2x1xf32>
  return %m : tensor<2x1xf32>
}

// -----

// An op reading a function argument is not folded.
// CHECK-LABEL: func.func @no_fold
func.func @no_fold(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: tempo.relu %arg0
  %r = tempo.relu %x : tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// Integer constants fold too (a shape computation, a clip).
// CHECK-LABEL: func.func @fold_int
func.func @fold_int() -> tensor<3xi64> {
  %a = tempo.constant dense<[1, -5, 9]> : tensor<3xi64>
  %b = tempo.clip %a {min = 0.0 : f64, max = 4.0 : f64} : tensor<3xi64>
  // CHECK: tempo.constant dense<[1, 0, 4]> : tensor<3xi64>
  // CHECK-NOT: tempo.clip
  return %b : tensor<3xi64>
}

// -----

// Shape, window and index computations fold with the wider op set's kernels;
// a scratch buffer has no operands but is never folded into a constant, and
// neither is the kernel that writes it.
// CHECK-LABEL: func.func @fold_wider
func.func @fold_wider(%sig: tensor<1x16x1xf32>) -> (tensor<2xi64>, tensor<1x3x5x2xf32>) {
  %shape = tempo.constant dense<[2, 3, 4]> : tensor<3xi64>
  %idx = tempo.constant dense<[2, 0]> : tensor<2xi32>
  %g = tempo.gather %shape, %idx {axis = 0 : i64} : (tensor<3xi64>, tensor<2xi32>) -> tensor<2xi64>
  // CHECK: tempo.constant dense<[4, 2]> : tensor<2xi64>
  // CHECK-NOT: tempo.gather
  // CHECK: %[[S:.+]] = tempo.scratch : tensor<32xf32>
  %s = tempo.scratch : tensor<32xf32>
  // CHECK: tempo.stft %{{.+}}, %[[S]]
  %y = tempo.stft %sig, %s {frame_length = 8 : i64, frame_step = 4 : i64} : (tensor<1x16x1xf32>, tensor<32xf32>) -> tensor<1x3x5x2xf32>
  return %g, %y : tensor<2xi64>, tensor<1x3x5x2xf32>
}

// -----

// Results above max-bytes stay computed.
// RUN: tempo-opt %s -split-input-file --tempo-fold-constants=max-bytes=4 | FileCheck %s --check-prefix=LIMIT
// LIMIT-LABEL: func.func @limit
// LIMIT: tempo.relu
func.func @limit() -> tensor<4xf32> {
  %a = tempo.constant dense<[1.0, -1.0, 2.0, -2.0]> : tensor<4xf32>
  %r = tempo.relu %a : tensor<4xf32>
  return %r : tensor<4xf32>
}
