// RUN: tempo-opt %s -split-input-file --tempo-verify-plan -verify-diagnostics

// A valid plan passes.
func.func @ok(%x: tensor<4xf32> {tempo.offset = 0 : i64}) -> tensor<4xf32>
    attributes {tempo.arena_size = 32 : i64, tempo.arena_align = 16 : i64} {
  %r = tempo.relu %x {tempo.offset = 16 : i64} : tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// Two buffers alive at once share bytes.
// expected-error @+2 {{invalid memory plan: buffers 0 and 1 are alive at the same time and share bytes}}
// expected-note @+1 {{buffer 0 (offset 0, 16 bytes, steps 0..1)}}
func.func @overlap(%x: tensor<4xf32> {tempo.offset = 0 : i64}) -> tensor<4xf32>
    attributes {tempo.arena_size = 32 : i64, tempo.arena_align = 16 : i64} {
  // expected-note @+1 {{buffer 1 (offset 0, 16 bytes, steps 1..2)}}
  %r = tempo.relu %x {tempo.offset = 0 : i64} : tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// A buffer reaching past the arena.
// expected-error @+1 {{invalid memory plan: buffer 1 ends at 48, past the arena of 32 bytes}}
func.func @outside(%x: tensor<4xf32> {tempo.offset = 0 : i64}) -> tensor<4xf32>
    attributes {tempo.arena_size = 32 : i64, tempo.arena_align = 16 : i64} {
  // expected-note @+1 {{buffer 1}}
  %r = tempo.relu %x {tempo.offset = 32 : i64} : tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// expected-error @+1 {{has no memory plan (run tempo-plan-memory first)}}
func.func @unplanned(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// An in-place claim where the operand is still read later is rejected.
func.func @bad_reuse(%x: tensor<4xf32> {tempo.offset = 0 : i64}) -> (tensor<4xf32>, tensor<4xf32>)
    attributes {tempo.arena_size = 32 : i64, tempo.arena_align = 16 : i64} {
  // expected-error @+1 {{'tempo.relu' op cannot keep its result in operand 0's buffer: operand 0's buffer is still read after this op overwrites it}}
  %r = tempo.relu %x {tempo.offset = 0 : i64, tempo.reuses = 0 : i64} : tensor<4xf32>
  %c = tempo.copy %x {tempo.offset = 16 : i64} : tensor<4xf32>
  return %r, %c : tensor<4xf32>, tensor<4xf32>
}

// -----

// A view must sit at its operand's offset.
func.func @bad_view(%x: tensor<4xf32> {tempo.offset = 0 : i64}) -> tensor<2x2xf32>
    attributes {tempo.arena_size = 32 : i64, tempo.arena_align = 16 : i64} {
  // expected-error @+1 {{shares a buffer through tempo.reuses but has offset 16, not 0}}
  %r = tempo.reshape %x {tempo.offset = 16 : i64, tempo.reuses = 0 : i64} : (tensor<4xf32>) -> tensor<2x2xf32>
  return %r : tensor<2x2xf32>
}
