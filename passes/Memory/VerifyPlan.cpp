//===- VerifyPlan.cpp - Check the memory plan -----------------------------===//

#include "compiler/eval/KernelParams.h"
#include "passes/Analysis/BufferLiveness.h"
#include "passes/Passes.h"

namespace mlir::tempo {
#define GEN_PASS_DEF_VERIFYPLANPASS
#include "passes/Passes.h.inc"
} // namespace mlir::tempo

using namespace mlir;
using namespace mlir::tempo;

namespace {

struct VerifyPlanPass final
    : public mlir::tempo::impl::VerifyPlanPassBase<VerifyPlanPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    auto arena = func->getAttrOfType<IntegerAttr>(kArenaSizeAttr);
    auto alignAttr = func->getAttrOfType<IntegerAttr>(kArenaAlignAttr);
    if (!arena || !alignAttr) {
      func.emitError("has no memory plan (run tempo-plan-memory first)");
      return signalPassFailure();
    }
    mlir::tempo::FunctionBuffers buffers = mlir::tempo::collectBuffers(func);
    mlir::tempo::MemoryPlan plan;
    plan.arenaSize = arena.getInt();
    for (Value v : buffers.values) {
      int64_t offset = mlir::tempo::plannedOffset(v);
      if (offset < 0) {
        emitAt(v) << "has no planned offset";
        return signalPassFailure();
      }
      plan.offsets.push_back(offset);
    }
    std::vector<size_t> culprits;
    std::string problem = mlir::tempo::checkPlan(
        buffers.requests, plan, alignAttr.getInt(), &culprits);
    if (problem.empty())
      return;
    // Name the ops behind the buffer indices in the message.
    InFlightDiagnostic diag = func.emitError("invalid memory plan: ") << problem;
    for (size_t i : culprits)
      diag.attachNote(buffers.values[i].getLoc())
            << "buffer " << i << " (offset " << plan.offsets[i] << ", "
            << buffers.requests[i].size << " bytes, steps "
            << buffers.requests[i].first << ".." << buffers.requests[i].last
            << ")";
    signalPassFailure();
  }

  InFlightDiagnostic emitAt(Value v) { return mlir::emitError(v.getLoc()); }
};

} // namespace
