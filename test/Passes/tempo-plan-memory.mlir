// RUN: tempo-opt %s -split-input-file --tempo-plan-memory | FileCheck %s
// RUN: tempo-opt %s -split-input-file --tempo-plan-memory="in-place=false" | FileCheck %s --check-prefix=NOREUSE
// RUN: tempo-opt %s -split-input-file --tempo-plan-memory=align=64 | FileCheck %s --check-prefix=ALIGN64

// A chain of elementwise ops runs in place: each result takes its dying
// operand's buffer, so the whole chain needs one buffer.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%arg0: tensor<1x64xf32> {tempo.offset = 0 : i64})
// CHECK-SAME: attributes {tempo.arena_align = 16 : i64, tempo.arena_size = 256 : i64, tempo.live_bound = 256 : i64, tempo.plan_strategy = "greedy-by-size"}
// CHECK: tempo.relu %arg0 {tempo.offset = 0 : i64, tempo.reuses = 0 : i64}
// CHECK: tempo.sigmoid %{{.+}} {tempo.offset = 0 : i64, tempo.reuses = 0 : i64}
// CHECK: tempo.tanh %{{.+}} {tempo.offset = 0 : i64, tempo.reuses = 0 : i64}
// Without reuse, two 256-byte buffers ping-pong.
// NOREUSE-LABEL: func.func @chain
// NOREUSE-SAME: tempo.arena_size = 512 : i64
// NOREUSE-NOT: tempo.reuses
// ALIGN64-LABEL: func.func @chain
// ALIGN64-SAME: tempo.arena_align = 64 : i64, tempo.arena_size = 256 : i64
func.func @chain(%x: tensor<1x64xf32>) -> tensor<1x64xf32> {
  %a = tempo.relu %x : tensor<1x64xf32>
  %b = tempo.sigmoid %a : tensor<1x64xf32>
  %c = tempo.tanh %b : tensor<1x64xf32>
  return %c : tensor<1x64xf32>
}

// -----

// A residual: %a is read again by the add, so the sigmoid cannot overwrite
// it; the add then writes over %a (it dies there).
// CHECK-LABEL: func.func @residual
// CHECK-SAME: tempo.arena_size = 512 : i64
// CHECK: %[[A:.+]] = tempo.relu %arg0 {tempo.offset = [[OA:[0-9]+]] : i64, tempo.reuses = 0 : i64}
// CHECK: %[[B:.+]] = tempo.sigmoid %[[A]] {tempo.offset = [[OB:[0-9]+]] : i64} : tensor<1x64xf32>
// CHECK: tempo.add %[[A]], %[[B]] {tempo.offset = [[OA]] : i64, tempo.reuses = 0 : i64}
func.func @residual(%x: tensor<1x64xf32>) -> tensor<1x64xf32> {
  %a = tempo.relu %x : tensor<1x64xf32>
  %b = tempo.sigmoid %a : tensor<1x64xf32>
  %c = tempo.add %a, %b : (tensor<1x64xf32>, tensor<1x64xf32>) -> tensor<1x64xf32>
  return %c : tensor<1x64xf32>
}

// -----

// A reshape is a view of its operand; a broadcast operand is never
// overwritten (its shape differs from the result's).
// CHECK-LABEL: func.func @views
// CHECK: %[[R:.+]] = tempo.reshape %arg0 {tempo.offset = [[O:[0-9]+]] : i64, tempo.reuses = 0 : i64}
// CHECK: tempo.add %arg1, %[[R]] {tempo.offset = [[O]] : i64, tempo.reuses = 1 : i64}
func.func @views(%x: tensor<2x4xf32>, %bias: tensor<2xf32>) -> tensor<4x2xf32> {
  %r = tempo.reshape %x : (tensor<2x4xf32>) -> tensor<4x2xf32>
  %s = tempo.add %bias, %r : (tensor<2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  return %s : tensor<4x2xf32>
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

// -----

// Pointwise and 1-D depthwise convolutions run in place over an input that
// dies there (a per-position or per-window temporary on the stack); a 3-wide
// dense conv does not.
// CHECK-LABEL: func.func @conv_in_place
// CHECK: %[[PW:.+]] = tempo.conv %arg0, %{{.+}} {{{.*}}tempo.offset = [[O:[0-9]+]] : i64, tempo.reuses = 0 : i64} : (tensor<1x8x32xf32>, tensor<8x8x1xf32>) -> tensor<1x8x32xf32>
// CHECK: %[[DW:.+]] = tempo.conv %[[PW]], %{{.+}} {{{.*}}tempo.offset = [[O]] : i64, tempo.reuses = 0 : i64} : (tensor<1x8x32xf32>, tensor<8x1x3xf32>) -> tensor<1x8x32xf32>
// CHECK: tempo.conv %[[DW]], %{{.+}} {{{.*}}tempo.offset = {{[0-9]+}} : i64} : (tensor<1x8x32xf32>, tensor<8x8x3xf32>)
// CHECK-SAME: tensor<1x8x32xf32>
func.func @conv_in_place(%x: tensor<1x8x32xf32>) -> tensor<1x8x32xf32> {
  %wp = tempo.constant dense<0.5> : tensor<8x8x1xf32>
  %wd = tempo.constant dense<0.25> : tensor<8x1x3xf32>
  %wf = tempo.constant dense<0.125> : tensor<8x8x3xf32>
  %pw = tempo.conv %x, %wp {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x8x32xf32>, tensor<8x8x1xf32>) -> tensor<1x8x32xf32>
  %dw = tempo.conv %pw, %wd {dilations = array<i64: 1>, group = 8 : i64, pads = array<i64: 1, 1>, strides = array<i64: 1>} : (tensor<1x8x32xf32>, tensor<8x1x3xf32>) -> tensor<1x8x32xf32>
  %full = tempo.conv %dw, %wf {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 1, 1>, strides = array<i64: 1>} : (tensor<1x8x32xf32>, tensor<8x8x3xf32>) -> tensor<1x8x32xf32>
  return %full : tensor<1x8x32xf32>
}
