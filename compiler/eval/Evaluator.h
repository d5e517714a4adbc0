//===- Evaluator.h - Reference evaluator over the runtime kernels ---------===//
//
// Runs tempo IR inside the compiler with the very kernels the generated code
// calls (runtime/include/tempo/kernels.h), on an arena laid out by the
// memory planner, so `tempoc run` and the firmware agree bit for bit.
//
//===----------------------------------------------------------------------===//

#ifndef TEMPO_EVAL_EVALUATOR_H
#define TEMPO_EVAL_EVALUATOR_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <functional>
#include <vector>

namespace mlir::tempo {

/// Evaluates a function the memory planner has annotated. `inputs` holds the
/// raw bytes of each argument; returns the raw bytes of each result. Fails
/// (with a diagnostic) on a size mismatch or an op without a kernel.
/// Called with each function argument (before any op runs) and each op
/// result (right after its op ran) and the value's bytes, which are only
/// valid during the call. Calibration and the accuracy report read every
/// intermediate tensor this way.
using ValueObserver = std::function<void(mlir::Value, const char *bytes)>;

mlir::FailureOr<std::vector<std::vector<char>>>
evaluatePlannedFunction(mlir::func::FuncOp func,
                        const std::vector<std::vector<char>> &inputs,
                        const ValueObserver &observe = nullptr);

/// Evaluates one op whose operands are all constants; null if the op has no
/// kernel (nothing is reported).
mlir::DenseElementsAttr
evaluateConstantOp(mlir::Operation *op,
                   llvm::ArrayRef<mlir::DenseElementsAttr> operands);

} // namespace mlir::tempo

#endif // TEMPO_EVAL_EVALUATOR_H
