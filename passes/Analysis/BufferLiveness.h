//===- BufferLiveness.h - Buffers of a function and their lifetimes -------===//

#ifndef TEMPO_PASSES_ANALYSIS_BUFFERLIVENESS_H
#define TEMPO_PASSES_ANALYSIS_BUFFERLIVENESS_H

#include "passes/Analysis/MemoryPlanner.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::tempo {

/// Every value of a function that needs arena memory (arguments and the
/// results of non-constant ops), with its lifetime over the op order.
/// Arguments are born at step 0, op k (k-th non-constant op) runs at step
/// k + 1, and returned values live through the final step.
struct FunctionBuffers {
  std::vector<mlir::Value> values;
  std::vector<BufferRequest> requests;
};

FunctionBuffers collectBuffers(mlir::func::FuncOp func);

} // namespace mlir::tempo

#endif // TEMPO_PASSES_ANALYSIS_BUFFERLIVENESS_H
