//===- BufferLiveness.h - Buffers of a function and their lifetimes -------===//

#ifndef TEMPO_PASSES_ANALYSIS_BUFFERLIVENESS_H
#define TEMPO_PASSES_ANALYSIS_BUFFERLIVENESS_H

#include "dialects/Tempo/IR/TempoOps.h"
#include "passes/Analysis/MemoryPlanner.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::tempo {

/// How an op's result may share operand `i`'s buffer.
enum class ReuseKind {
  None,    ///< never
  View,    ///< same bytes, nothing is written (reshape)
  InPlace, ///< the kernel overwrites the operand; legal only where the
           ///< operand's buffer is read for the last time
};
ReuseKind reuseKind(Operation *op, unsigned operand);

/// Every value of a function that needs arena memory (arguments and the
/// results of non-constant ops), grouped into buffers: a value shares its
/// buffer with the operand named by its op's `tempo.reuses`. Arguments are
/// born at step 0, op k (k-th non-constant op) runs at step k + 1, and
/// returned values live through the final step.
struct FunctionBuffers {
  std::vector<Value> values;
  std::vector<size_t> bufferOf;        ///< value index -> buffer index
  std::vector<BufferRequest> requests; ///< one per buffer
  int64_t lastStep = 0;
};

/// Collects the buffers, honouring `tempo.reuses`. Fails with a diagnostic
/// at the op if a reuse is illegal (wrong kind, or the operand's buffer is
/// still read after an in-place op overwrites it).
FailureOr<FunctionBuffers> collectBuffers(func::FuncOp func);

/// Marks every legal reuse with `tempo.reuses`: views always, in-place ops
/// where an operand's buffer dies (the first such operand). Returns the
/// number of ops marked.
int64_t markReuses(func::FuncOp func);

/// The buffers without any reuse: each value its own buffer (the bound an
/// unoptimized graph has).
FunctionBuffers collectPlainBuffers(func::FuncOp func);

} // namespace mlir::tempo

#endif // TEMPO_PASSES_ANALYSIS_BUFFERLIVENESS_H
