//===- FuseActivations.cpp - Fuse activations into producers --------------===//

#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tempo {
#define GEN_PASS_DEF_FUSEACTIVATIONSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::tempo

using namespace mlir;
using namespace mlir::tempo;

namespace {

/// Moves an activation op onto its producer as the `act` attributes.
template <typename ActOp>
struct FuseActivation : OpRewritePattern<ActOp> {
  using OpRewritePattern<ActOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(ActOp act,
                                PatternRewriter &rewriter) const override {
    Operation *producer = act.getInput().getDefiningOp();
    if constexpr (std::is_same_v<ActOp, MathOp>)
      if (act.getFn() != "hard_sigmoid" && act.getFn() != "hard_swish")
        return rewriter.notifyMatchFailure(act, "not an activation kernels fuse");
    if (!producer || !producer->hasOneUse() ||
        !isa<ConvOp, GemmOp, MatMulOp, AddOp, SubOp, MulOp, DivOp>(producer))
      return rewriter.notifyMatchFailure(act, "no fusable producer used once");
    if (!isa<FloatType>(getElementTypeOrSelf(act.getType())))
      return rewriter.notifyMatchFailure(act, "integer activation");
    auto current = producer->getAttrOfType<StringAttr>("act");
    if (current && current.getValue() != "none")
      return rewriter.notifyMatchFailure(act, "producer already has one");
    if (auto conv = dyn_cast<ConvOp>(producer); conv && conv.getPool() != "none")
      return rewriter.notifyMatchFailure(act, "activation after a fused pool");
    rewriter.modifyOpInPlace(producer, [&] {
      setActivation(act, producer, rewriter);
      producer->setLoc(
          FusedLoc::get(act.getContext(), {producer->getLoc(), act.getLoc()}));
    });
    rewriter.replaceOp(act, producer->getResults());
    return success();
  }

  static void setActivation(ActOp act, Operation *p, PatternRewriter &r) {
    auto f = [&](double v) { return r.getF32FloatAttr(static_cast<float>(v)); };
    if constexpr (std::is_same_v<ActOp, ReluOp>) {
      p->setAttr("act", r.getStringAttr("relu"));
    } else if constexpr (std::is_same_v<ActOp, ClipOp>) {
      p->setAttr("act", r.getStringAttr("clip"));
      p->setAttr("act_min", f(act.getMin().convertToDouble()));
      p->setAttr("act_max", f(act.getMax().convertToDouble()));
    } else if constexpr (std::is_same_v<ActOp, LeakyReluOp>) {
      p->setAttr("act", r.getStringAttr("leaky_relu"));
      p->setAttr("act_alpha", act.getAlphaAttr());
    } else if constexpr (std::is_same_v<ActOp, SigmoidOp>) {
      p->setAttr("act", r.getStringAttr("sigmoid"));
    } else if constexpr (std::is_same_v<ActOp, MathOp>) {
      // hard_sigmoid: max(0, min(1, alpha * x + beta)); hard_swish:
      // x * hard_sigmoid with alpha 1/6 and beta 1/2 (the kernel's own).
      p->setAttr("act", act.getFnAttr());
      if (act.getFn() == "hard_sigmoid") {
        p->setAttr("act_alpha", act.getAlphaAttr());
        p->setAttr("act_beta", act.getBetaAttr());
      }
    } else {
      static_assert(std::is_same_v<ActOp, TanhOp>);
      p->setAttr("act", r.getStringAttr("tanh"));
    }
  }
};

struct FuseActivationsPass final
    : public mlir::tempo::impl::FuseActivationsPassBase<FuseActivationsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFuseActivationsPatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void mlir::tempo::populateFuseActivationsPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseActivation<ReluOp>, FuseActivation<ClipOp>,
               FuseActivation<LeakyReluOp>, FuseActivation<SigmoidOp>,
               FuseActivation<TanhOp>, FuseActivation<MathOp>>(
      patterns.getContext());
}
