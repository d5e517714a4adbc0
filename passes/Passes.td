//===- Passes.td - Tempo passes ----------------------------*- tablegen -*-===//

#ifndef TEMPO_PASSES_TD
#define TEMPO_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Transforms
//===----------------------------------------------------------------------===//

def FoldConstantsPass : Pass<"tempo-fold-constants", "func::FuncOp"> {
  let summary = "evaluate ops whose operands are all constant";
  let description = [{
    Runs the runtime kernels on constant operands at compile time and
    replaces the op with a `tempo.constant`, so the generated code neither
    stores nor computes it.

    Before:
    ```mlir
    %w = tempo.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
    %t = tempo.transpose %w {perm = array<i64: 1, 0>} : (tensor<1x2xf32>) -> tensor<2x1xf32>
    ```
    After:
    ```mlir
    %t = tempo.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
    ```
  }];
  let options = [
    Option<"maxBytes", "max-bytes", "int64_t", /*default=*/"1048576",
           "largest folded result in bytes (bigger results stay computed)">
  ];
  let dependentDialects = ["::mlir::tempo::TempoDialect"];
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

def PlanMemoryPass : Pass<"tempo-plan-memory", "func::FuncOp"> {
  let summary = "assign every activation a byte offset in one arena";
  let description = [{
    Marks views (reshape) and in-place ops with `tempo.reuses = N`: their
    result lives in operand N's buffer (an in-place op only where that
    buffer is read for the last time). Computes each buffer's lifetime over
    the op order (model inputs live from the start, outputs to the end),
    then places buffers greedily by size at the lowest offset that does not
    collide with any buffer alive at the same time. Writes `tempo.offset` on each op (and function argument) and
    `tempo.arena_size` / `tempo.arena_align` on the function. Outputs that
    are inputs, constants or repeated get a `tempo.copy` so each owns a slot.

    After:
    ```mlir
    func.func @m(%x: tensor<4xf32> {tempo.offset = 0 : i64})
        -> tensor<4xf32> attributes {tempo.arena_align = 16 : i64, tempo.arena_size = 32 : i64} {
      %y = tempo.relu %x {tempo.offset = 16 : i64} : tensor<4xf32>
      return %y : tensor<4xf32>
    }
    ```
  }];
  let options = [
    Option<"align", "align", "int64_t", /*default=*/"16",
           "alignment of every buffer and of the arena, in bytes">,
    Option<"inPlace", "in-place", "bool", /*default=*/"true",
           "let views share their operand's buffer, and elementwise ops "
           "write over an operand that dies there (tempo.reuses)">
  ];
  let dependentDialects = ["::mlir::tempo::TempoDialect"];
}

def VerifyPlanPass : Pass<"tempo-verify-plan", "func::FuncOp"> {
  let summary = "check that no two buffers alive at once share a byte";
  let description = [{
    Recomputes lifetimes from the IR and fails, naming both ops, if two
    buffers alive at the same step overlap, or if a buffer is misaligned or
    reaches past `tempo.arena_size`.
  }];
}

#endif // TEMPO_PASSES_TD
