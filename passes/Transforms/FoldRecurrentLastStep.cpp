//===- FoldRecurrentLastStep.cpp - Last step of Y from Y_h ----------------===//

#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tempo {
#define GEN_PASS_DEF_FOLDRECURRENTLASTSTEPPASS
#include "passes/Passes.h.inc"
} // namespace mlir::tempo

using namespace mlir;
using namespace mlir::tempo;

namespace {

/// The single integer a constant operand holds, if it is one.
std::optional<int64_t> constantIndex(Value v) {
  auto c = v.getDefiningOp<ConstantOp>();
  auto dense = c ? dyn_cast<DenseElementsAttr>(c.getValue()) : nullptr;
  if (!dense || dense.getNumElements() != 1 ||
      !isa<IntegerType>(dense.getElementType()))
    return std::nullopt;
  return (*dense.getValues<APInt>().begin()).getSExtValue();
}

/// Which time step of Y (axis 0) `user` keeps, if it keeps exactly one
/// step and all of the other dimensions.
std::optional<int64_t> keptStep(Operation *user, RankedTensorType y) {
  int64_t seq = y.getDimSize(0);
  if (auto gather = dyn_cast<GatherOp>(user)) {
    std::optional<int64_t> k = constantIndex(gather.getIndices());
    if (gather.getAxis() != 0 || !k)
      return std::nullopt;
    return *k < 0 ? *k + seq : *k;
  }
  if (auto copy = dyn_cast<StridedCopyOp>(user)) {
    auto out = cast<RankedTensorType>(copy.getType());
    ArrayRef<int64_t> start = copy.getStart(), step = copy.getStep();
    if (copy.getPadValue() || out.getRank() != y.getRank() ||
        out.getDimSize(0) != 1 || (int64_t)start.size() != y.getRank())
      return std::nullopt;
    for (int64_t d = 1; d < y.getRank(); ++d)
      if (start[d] != 0 || step[d] != 1 || out.getDimSize(d) != y.getDimSize(d))
        return std::nullopt;
    return start[0];
  }
  return std::nullopt;
}

struct LastStepFromState : OpRewritePattern<RecurrentOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RecurrentOp rec,
                                PatternRewriter &rewriter) const override {
    auto flags = rec->getAttrOfType<DenseBoolArrayAttr>("results");
    auto direction = rec->getAttrOfType<StringAttr>("direction");
    auto layout = rec->getAttrOfType<IntegerAttr>("layout");
    if (!flags || flags.size() < 2 || !flags[0] ||
        llvm::any_of(flags.asArrayRef().drop_front(), [](bool b) { return b; }))
      return rewriter.notifyMatchFailure(rec, "does not compute Y alone");
    if (!direction || direction.getValue() == "bidirectional" || !layout ||
        layout.getInt() != 0 || !rec->hasOneUse())
      return rewriter.notifyMatchFailure(rec, "not one direction, layout 0, one user");
    auto y = cast<RankedTensorType>(rec.getType());
    Operation *user = *rec->getUsers().begin();
    // Look through one reshape that keeps the time axis (PyTorch's squeeze
    // of the direction axis): each step stays one contiguous block.
    ReshapeOp view = dyn_cast<ReshapeOp>(user);
    RankedTensorType seen = y;
    if (view) {
      seen = cast<RankedTensorType>(view.getType());
      if (!view->hasOneUse() || seen.getRank() < 1 ||
          seen.getDimSize(0) != y.getDimSize(0))
        return rewriter.notifyMatchFailure(rec, "reshape mixes time steps");
      user = *view->getUsers().begin();
    }
    std::optional<int64_t> step = keptStep(user, seen);
    int64_t last = direction.getValue() == "reverse" ? 0 : y.getDimSize(0) - 1;
    if (!step || *step != last)
      return rewriter.notifyMatchFailure(rec, "the user keeps another step");

    // Y_h has Y's shape without the time axis: [dirs, batch, hidden].
    auto yh = RankedTensorType::get(y.getShape().drop_front(), y.getElementType());
    SmallVector<bool> newFlags(flags.size(), false);
    newFlags[1] = true;
    rewriter.setInsertionPoint(rec);
    Operation *state = rewriter.clone(*rec);
    state->getResult(0).setType(yh);
    state->setAttr("results", rewriter.getDenseBoolArrayAttr(newFlags));
    state->setLoc(FusedLoc::get(rec.getContext(), {rec.getLoc(), user->getLoc()}));
    Value result = state->getResult(0);
    auto want = cast<RankedTensorType>(user->getResult(0).getType());
    if (want != yh)
      result = rewriter.create<ReshapeOp>(user->getLoc(), want, result);
    rewriter.replaceOp(user, result);
    if (view)
      rewriter.eraseOp(view);
    rewriter.eraseOp(rec);
    return success();
  }
};

struct FoldRecurrentLastStepPass final
    : public mlir::tempo::impl::FoldRecurrentLastStepPassBase<
          FoldRecurrentLastStepPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<LastStepFromState>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
