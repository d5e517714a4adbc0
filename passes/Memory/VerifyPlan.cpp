//===- VerifyPlan.cpp - Check the memory plan -----------------------------===//

#include "compiler/eval/KernelParams.h"
#include "passes/Analysis/BufferLiveness.h"
#include "passes/Analysis/MemoryPlanner.h"
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
    // Buffers as the IR's tempo.reuses claims them; each claim is checked.
    FailureOr<FunctionBuffers> buffers = collectBuffers(func);
    if (failed(buffers))
      return signalPassFailure();
    MemoryPlan plan;
    plan.arenaSize = arena.getInt();
    plan.offsets.assign(buffers->requests.size(), -1);
    for (auto [value, buffer] : llvm::zip(buffers->values, buffers->bufferOf)) {
      int64_t offset = plannedOffset(value);
      if (offset < 0) {
        emitAt(value) << "has no planned offset";
        return signalPassFailure();
      }
      if (plan.offsets[buffer] >= 0 && plan.offsets[buffer] != offset) {
        emitAt(value) << "shares a buffer through tempo.reuses but has offset "
                      << offset << ", not " << plan.offsets[buffer];
        return signalPassFailure();
      }
      plan.offsets[buffer] = offset;
    }
    std::vector<size_t> culprits;
    std::string problem =
        checkPlan(buffers->requests, plan, alignAttr.getInt(), &culprits);
    if (problem.empty())
      return;
    InFlightDiagnostic diag = func.emitError("invalid memory plan: ") << problem;
    for (size_t i : culprits) {
      // Name the buffer by its first value.
      size_t first = 0;
      while (buffers->bufferOf[first] != i)
        ++first;
      diag.attachNote(buffers->values[first].getLoc())
          << "buffer " << i << " (offset " << plan.offsets[i] << ", "
          << buffers->requests[i].size << " bytes, steps "
          << buffers->requests[i].first << ".." << buffers->requests[i].last
          << ")";
    }
    signalPassFailure();
  }

  InFlightDiagnostic emitAt(Value v) { return mlir::emitError(v.getLoc()); }
};

} // namespace
