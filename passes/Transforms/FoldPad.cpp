//===- FoldPad.cpp - Fold a zero Pad into the following conv --------------===//

#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tempo {
#define GEN_PASS_DEF_FOLDPADPASS
#include "passes/Passes.h.inc"
} // namespace mlir::tempo

using namespace mlir;
using namespace mlir::tempo;

namespace {

/// Whether the pad value is absent (0) or a constant that is all zeros.
bool padsWithZero(StridedCopyOp pad) {
  if (!pad.getPadValue())
    return true;
  auto c = pad.getPadValue().getDefiningOp<ConstantOp>();
  auto dense = c ? dyn_cast<DenseElementsAttr>(c.getValue()) : nullptr;
  return dense && dense.getElementType().isF32() &&
         llvm::all_of(dense.getValues<float>(), [](float v) { return v == 0.0f; });
}

struct FoldPadIntoConv : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp conv,
                                PatternRewriter &rewriter) const override {
    auto pad = conv.getInput().getDefiningOp<StridedCopyOp>();
    if (!pad || !pad->hasOneUse() || pad.getBorder() != "constant" ||
        !padsWithZero(pad))
      return rewriter.notifyMatchFailure(conv, "input is not a zero Pad used once");
    auto in = cast<RankedTensorType>(pad.getInput().getType());
    auto out = cast<RankedTensorType>(pad.getType());
    ArrayRef<int64_t> start = pad.getStart(), step = pad.getStep();
    int64_t rank = in.getRank(), spatial = rank - 2;
    // Batch and channels untouched, unit steps, only growth on the spatial
    // dims (a crop is not a pad).
    if (start[0] != 0 || start[1] != 0 || out.getDimSize(0) != in.getDimSize(0) ||
        out.getDimSize(1) != in.getDimSize(1) ||
        llvm::any_of(step, [](int64_t s) { return s != 1; }))
      return rewriter.notifyMatchFailure(conv, "not a spatial pad");
    SmallVector<int64_t> pads(conv.getPads());
    for (int64_t d = 0; d < spatial; ++d) {
      int64_t before = -start[2 + d];
      int64_t after = out.getDimSize(2 + d) - in.getDimSize(2 + d) - before;
      if (before < 0 || after < 0)
        return rewriter.notifyMatchFailure(conv, "the pad crops");
      pads[d] += before;
      pads[spatial + d] += after;
    }
    rewriter.modifyOpInPlace(conv, [&] {
      conv.getInputMutable().assign(pad.getInput());
      conv.setPads(pads);
      conv->setLoc(FusedLoc::get(conv.getContext(), {pad.getLoc(), conv.getLoc()}));
    });
    rewriter.eraseOp(pad);
    return success();
  }
};

struct FoldPadPass final
    : public mlir::tempo::impl::FoldPadPassBase<FoldPadPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldPadIntoConv>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
