//===- FoldMatMulAdd.cpp - matmul + bias add -> gemm ----------------------===//

#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tempo {
#define GEN_PASS_DEF_FOLDMATMULADDPASS
#include "passes/Passes.h.inc"
} // namespace mlir::tempo

using namespace mlir;
using namespace mlir::tempo;

namespace {

struct MatMulAddToGemm : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    // Either operand may be the matmul (add is commutative).
    for (unsigned i = 0; i < 2; ++i) {
      auto mm = add->getOperand(i).getDefiningOp<MatMulOp>();
      Value bias = add->getOperand(1 - i);
      if (!mm || !mm->hasOneUse() || mm.getAct() != "none")
        continue;
      auto a = cast<RankedTensorType>(mm.getA().getType());
      auto b = cast<RankedTensorType>(mm.getB().getType());
      auto y = cast<RankedTensorType>(add.getType());
      auto c = cast<RankedTensorType>(bias.getType());
      if (a.getRank() != 2 || b.getRank() != 2 || y != mm.getType() ||
          !isa<FloatType>(y.getElementType()) || c.getRank() > 2)
        continue;
      // The bias must broadcast to [M, N] on its own (gemm's C rule).
      int64_t m = y.getDimSize(0), n = y.getDimSize(1);
      ArrayRef<int64_t> cs = c.getShape();
      bool ok = (cs.empty()) || (cs.size() == 1 && (cs[0] == n || cs[0] == 1)) ||
                (cs.size() == 2 && (cs[0] == m || cs[0] == 1) &&
                 (cs[1] == n || cs[1] == 1));
      if (!ok)
        continue;
      auto gemm = rewriter.create<GemmOp>(
          FusedLoc::get(add.getContext(), {mm.getLoc(), add.getLoc()}), y,
          mm.getA(), mm.getB(), bias, rewriter.getF32FloatAttr(1.0f),
          rewriter.getF32FloatAttr(1.0f), rewriter.getBoolAttr(false),
          rewriter.getBoolAttr(false));
      // Carry over an activation already fused into the add.
      for (StringRef name : {"act", "act_alpha", "act_beta", "act_min", "act_max"})
        if (Attribute attr = add->getAttr(name))
          gemm->setAttr(name, attr);
      rewriter.replaceOp(add, gemm);
      rewriter.eraseOp(mm);
      return success();
    }
    return rewriter.notifyMatchFailure(add, "not a 2-D matmul plus a bias");
  }
};

struct FoldMatMulAddPass final
    : public mlir::tempo::impl::FoldMatMulAddPassBase<FoldMatMulAddPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFoldMatMulAddPatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void mlir::tempo::populateFoldMatMulAddPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulAddToGemm>(patterns.getContext());
}
