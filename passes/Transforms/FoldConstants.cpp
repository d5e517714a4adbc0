//===- FoldConstants.cpp - Evaluate ops with constant operands ------------===//

#include "compiler/eval/Evaluator.h"
#include "compiler/eval/KernelParams.h"
#include "passes/Passes.h"

#include "mlir/IR/Builders.h"

namespace mlir::tempo {
#define GEN_PASS_DEF_FOLDCONSTANTSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::tempo

using namespace mlir;
using namespace mlir::tempo;

namespace {

struct FoldConstantsPass final
    : public mlir::tempo::impl::FoldConstantsPassBase<FoldConstantsPass> {
  using FoldConstantsPassBase::FoldConstantsPassBase;

  void runOnOperation() override {
    // Walk in order so chains of constant ops fold in one run.
    SmallVector<Operation *> ops;
    for (Operation &op : getOperation().getBody().front())
      ops.push_back(&op);
    for (Operation *op : ops) {
      if (isa<ConstantOp, func::ReturnOp>(op) || op->getNumResults() != 1 ||
          !isa<TempoDialect>(op->getDialect()))
        continue;
      SmallVector<DenseElementsAttr> operands;
      for (Value v : op->getOperands()) {
        auto c = v.getDefiningOp<ConstantOp>();
        auto dense = c ? dyn_cast<DenseElementsAttr>(c.getValue()) : nullptr;
        if (!dense)
          break;
        operands.push_back(dense);
      }
      if (operands.size() != op->getNumOperands() ||
          mlir::tempo::tensorBytes(op->getResult(0).getType()) > maxBytes)
        continue;
      DenseElementsAttr folded = mlir::tempo::evaluateConstantOp(op, operands);
      if (!folded)
        continue;
      OpBuilder builder(op);
      auto constant = builder.create<ConstantOp>(op->getLoc(), folded);
      op->getResult(0).replaceAllUsesWith(constant);
      op->erase();
    }
  }
};

} // namespace
