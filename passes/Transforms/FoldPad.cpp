//===- FoldPad.cpp - Fold a zero Pad into the following conv --------------===//

#include "passes/Passes.h"
#include "dialects/Tempo/IR/TempoShapes.h"

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

/// The [begin..., end...] spatial pads a zero Pad adds, if `pad` is one:
/// constant zero border, batch and channels untouched, unit steps, no crop.
std::optional<SmallVector<int64_t>> spatialZeroPads(StridedCopyOp pad) {
  if (!pad || !pad->hasOneUse() || pad.getBorder() != "constant" ||
      !padsWithZero(pad))
    return std::nullopt;
  auto in = cast<RankedTensorType>(pad.getInput().getType());
  auto out = cast<RankedTensorType>(pad.getType());
  ArrayRef<int64_t> start = pad.getStart(), step = pad.getStep();
  int64_t rank = in.getRank(), spatial = rank - 2;
  if (rank < 3 || start[0] != 0 || start[1] != 0 ||
      out.getDimSize(0) != in.getDimSize(0) ||
      out.getDimSize(1) != in.getDimSize(1) ||
      llvm::any_of(step, [](int64_t s) { return s != 1; }))
    return std::nullopt;
  SmallVector<int64_t> pads(2 * spatial);
  for (int64_t d = 0; d < spatial; ++d) {
    int64_t before = -start[2 + d];
    int64_t after = out.getDimSize(2 + d) - in.getDimSize(2 + d) - before;
    if (before < 0 || after < 0)
      return std::nullopt;
    pads[d] = before;
    pads[spatial + d] = after;
  }
  return pads;
}

/// Average pool: Pad's zeros are real elements, so they count in the
/// divisor. Exact when the pool counts its own padding too, or has none
/// (then it will), and its output is the plain floor-mode extent (ceil
/// mode's last-window rule depends on where the padding starts).
struct FoldPadIntoAveragePool : OpRewritePattern<AveragePoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AveragePoolOp pool,
                                PatternRewriter &rewriter) const override {
    auto pad = pool.getInput().getDefiningOp<StridedCopyOp>();
    std::optional<SmallVector<int64_t>> add = spatialZeroPads(pad);
    if (!add)
      return rewriter.notifyMatchFailure(pool, "input is not a zero Pad used once");
    ArrayRef<int64_t> own = pool.getPads();
    bool ownZero = llvm::all_of(own, [](int64_t p) { return p == 0; });
    if (!pool.getCountIncludePad() && !ownZero)
      return rewriter.notifyMatchFailure(pool, "divisor excludes the pool's pads");
    auto in = cast<RankedTensorType>(pad.getInput().getType());
    auto out = cast<RankedTensorType>(pool.getType());
    int64_t spatial = in.getRank() - 2;
    SmallVector<int64_t> pads(own);
    for (int64_t d = 0; d < 2 * spatial; ++d)
      pads[d] += (*add)[d];
    for (int64_t d = 0; d < spatial; ++d)
      if (out.getDimSize(2 + d) !=
          windowOutSize(in.getDimSize(2 + d), pool.getKernelShape()[d],
                        pool.getStrides()[d], pool.getDilations()[d], pads[d],
                        pads[spatial + d]))
        return rewriter.notifyMatchFailure(pool, "ceil-mode output");
    rewriter.modifyOpInPlace(pool, [&] {
      pool.getInputMutable().assign(pad.getInput());
      pool.setPads(pads);
      pool.setCountIncludePad(true);
      pool->setLoc(FusedLoc::get(pool.getContext(), {pad.getLoc(), pool.getLoc()}));
    });
    rewriter.eraseOp(pad);
    return success();
  }
};

struct FoldPadIntoConv : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp conv,
                                PatternRewriter &rewriter) const override {
    auto pad = conv.getInput().getDefiningOp<StridedCopyOp>();
    std::optional<SmallVector<int64_t>> add = spatialZeroPads(pad);
    if (!add)
      return rewriter.notifyMatchFailure(conv, "input is not a zero spatial Pad used once");
    SmallVector<int64_t> pads(conv.getPads());
    for (size_t d = 0; d < pads.size(); ++d)
      pads[d] += (*add)[d];
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
    patterns.add<FoldPadIntoConv, FoldPadIntoAveragePool>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
