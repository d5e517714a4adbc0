//===- PlanMemory.cpp - Assign arena offsets ------------------------------===//

#include "passes/Analysis/BufferLiveness.h"
#include "passes/Analysis/MemoryPlanner.h"
#include "passes/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir::tempo {
#define GEN_PASS_DEF_PLANMEMORYPASS
#include "passes/Passes.h.inc"
} // namespace mlir::tempo

using namespace mlir;
using namespace mlir::tempo;

namespace {

struct PlanMemoryPass final
    : public mlir::tempo::impl::PlanMemoryPassBase<PlanMemoryPass> {
  using PlanMemoryPassBase::PlanMemoryPassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (align < 1 || (align & (align - 1)) != 0) {
      func.emitError("--align must be a power of two, got ") << align;
      return signalPassFailure();
    }
    materializeOutputs(func);
    if (inPlace)
      markReuses(func);

    FailureOr<FunctionBuffers> buffers = collectBuffers(func);
    if (failed(buffers))
      return signalPassFailure();
    std::string strategy;
    MemoryPlan plan = planBest(buffers->requests, align, &strategy);
    Builder b(func.getContext());
    for (auto [value, buffer] : llvm::zip(buffers->values, buffers->bufferOf)) {
      int64_t offset = plan.offsets[buffer];
      if (auto arg = dyn_cast<BlockArgument>(value))
        func.setArgAttr(arg.getArgNumber(), kOffsetAttr,
                        b.getI64IntegerAttr(offset));
      else
        value.getDefiningOp()->setAttr(kOffsetAttr, b.getI64IntegerAttr(offset));
    }
    // An empty arena still gets one aligned slot so pointers stay valid.
    func->setAttr(kArenaSizeAttr,
                  b.getI64IntegerAttr(std::max<int64_t>(plan.arenaSize, align)));
    func->setAttr(kArenaAlignAttr, b.getI64IntegerAttr(align));
    func->setAttr(kLiveBoundAttr,
                  b.getI64IntegerAttr(liveSetBound(buffers->requests, align)));
    func->setAttr(kPlanStrategyAttr, b.getStringAttr(strategy));
  }

  /// Every returned value must own an arena slot written by an op: copy
  /// outputs that are arguments, constants, or returned more than once.
  void materializeOutputs(func::FuncOp func) {
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    OpBuilder builder(ret);
    llvm::DenseSet<Value> seen;
    for (OpOperand &operand : ret->getOpOperands()) {
      Value v = operand.get();
      bool needsCopy = isa<BlockArgument>(v) ||
                       v.getDefiningOp<mlir::tempo::ConstantOp>() ||
                       !seen.insert(v).second;
      if (needsCopy)
        operand.set(builder.create<CopyOp>(ret.getLoc(), v.getType(), v));
    }
  }
};

} // namespace
