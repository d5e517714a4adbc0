//===- FusePooling.cpp - Fuse pooling into the producing conv -------------===//

#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tempo {
#define GEN_PASS_DEF_FUSEPOOLINGPASS
#include "passes/Passes.h.inc"
} // namespace mlir::tempo

using namespace mlir;
using namespace mlir::tempo;

namespace {

/// The conv feeding `pool`, if it is used only there and has no pool yet.
/// An int8 conv fuses a max / average pool that keeps its type: the fused
/// kernel then reduces the very int8 values the pool would have read. (A
/// float conv with int8 weights is a float conv here: conv_w8 fuses pools.)
ConvOp fusableConv(Operation *pool, bool allowQuantized) {
  auto conv = pool->getOperand(0).getDefiningOp<ConvOp>();
  if (!conv || !conv->hasOneUse() || conv.getPool() != "none")
    return nullptr;
  Type elt = getElementTypeOrSelf(conv.getType());
  if (isa<FloatType>(elt))
    return conv;
  // int8 only: the int16 conv (conv_a16) has no fused pooling.
  auto q = dyn_cast<quant::UniformQuantizedType>(elt);
  if (allowQuantized && q && q.getStorageTypeIntegralWidth() == 8 &&
      getElementTypeOrSelf(pool->getResult(0).getType()) == elt)
    return conv;
  return nullptr;
}

/// Rebuilds `conv` with a fused pool whose result is `pool`'s.
void fuse(PatternRewriter &rewriter, ConvOp conv, Operation *pool,
          StringRef kind, ArrayRef<int64_t> window) {
  rewriter.setInsertionPoint(pool);
  auto fused = cast<ConvOp>(rewriter.clone(*conv));
  rewriter.modifyOpInPlace(fused, [&] {
    fused.getResult().setType(
        cast<RankedTensorType>(pool->getResult(0).getType()));
    fused.setPool(kind);
    fused.setPoolWindow(window);
    fused->setLoc(
        FusedLoc::get(conv.getContext(), {conv.getLoc(), pool->getLoc()}));
  });
  rewriter.replaceOp(pool, fused->getResults());
  rewriter.eraseOp(conv);
}

/// max_pool / average_pool with windows that tile the conv output.
template <typename PoolOp>
struct FuseWindowPool : OpRewritePattern<PoolOp> {
  using OpRewritePattern<PoolOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(PoolOp pool,
                                PatternRewriter &rewriter) const override {
    if constexpr (std::is_same_v<PoolOp, MaxPoolOp>)
      if (pool.getResults()[1])
        return rewriter.notifyMatchFailure(pool, "computes indices, not Y");
    ConvOp conv = fusableConv(pool, /*allowQuantized=*/true);
    if (!conv)
      return rewriter.notifyMatchFailure(pool, "input is not a conv used once");
    ArrayRef<int64_t> k = pool.getKernelShape(), s = pool.getStrides();
    if (k != s || llvm::any_of(pool.getPads(), [](int64_t p) { return p != 0; }) ||
        llvm::any_of(pool.getDilations(), [](int64_t d) { return d != 1; }))
      return rewriter.notifyMatchFailure(pool, "windows do not tile");
    auto in = cast<RankedTensorType>(conv.getType()).getShape();
    auto out = cast<RankedTensorType>(pool.getType()).getShape();
    for (size_t i = 0; i < k.size(); ++i)
      if (out[2 + i] != in[2 + i] / k[i])
        return rewriter.notifyMatchFailure(pool, "partial (ceil-mode) window");
    fuse(rewriter, conv, pool,
         std::is_same_v<PoolOp, MaxPoolOp> ? "max" : "average", k);
    return success();
  }
};

struct FuseGlobalAveragePool : OpRewritePattern<GlobalAveragePoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GlobalAveragePoolOp pool,
                                PatternRewriter &rewriter) const override {
    ConvOp conv = fusableConv(pool, /*allowQuantized=*/false);
    auto in = conv ? cast<RankedTensorType>(conv.getType()).getShape()
                   : ArrayRef<int64_t>();
    if (!conv || (in.size() != 3 && in.size() != 4))
      return rewriter.notifyMatchFailure(pool, "input is not a conv used once");
    fuse(rewriter, conv, pool, "average", in.drop_front(2));
    return success();
  }
};

struct FusePoolingPass final
    : public mlir::tempo::impl::FusePoolingPassBase<FusePoolingPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFusePoolingPatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void mlir::tempo::populateFusePoolingPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseWindowPool<MaxPoolOp>, FuseWindowPool<AveragePoolOp>,
               FuseGlobalAveragePool>(patterns.getContext());
}
