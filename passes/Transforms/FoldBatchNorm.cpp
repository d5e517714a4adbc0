//===- FoldBatchNorm.cpp - Fold batch norm into weights -------------------===//

#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::tempo {
#define GEN_PASS_DEF_FOLDBATCHNORMPASS
#include "passes/Passes.h.inc"
} // namespace mlir::tempo

using namespace mlir;
using namespace mlir::tempo;

namespace {

/// The float values of a constant operand, or nullopt.
std::optional<std::vector<float>> constantFloats(Value v) {
  auto c = v.getDefiningOp<ConstantOp>();
  auto dense = c ? dyn_cast<DenseElementsAttr>(c.getValue()) : nullptr;
  if (!dense || !dense.getElementType().isF32())
    return std::nullopt;
  std::vector<float> out;
  for (float f : dense.getValues<float>())
    out.push_back(f);
  return out;
}

/// Per-channel s = scale / sqrt(var + eps) and t = beta - mean * s, in
/// float as the batch_norm kernel computes them.
struct ChannelAffine {
  std::vector<float> s, mean, beta;
};

std::optional<ChannelAffine> foldStatistics(BatchNormOp bn) {
  auto scale = constantFloats(bn.getScale()), beta = constantFloats(bn.getBias());
  auto mean = constantFloats(bn.getMean()), var = constantFloats(bn.getVariance());
  if (!scale || !beta || !mean || !var)
    return std::nullopt;
  float eps = bn.getEpsilon().convertToFloat();
  ChannelAffine a;
  for (size_t c = 0; c < scale->size(); ++c)
    a.s.push_back((*scale)[c] / std::sqrt((*var)[c] + eps));
  a.mean = *mean;
  a.beta = *beta;
  return a;
}

Value makeConstant(PatternRewriter &rewriter, Location loc,
                   RankedTensorType type, ArrayRef<float> values) {
  return rewriter.create<ConstantOp>(loc, DenseElementsAttr::get(type, values));
}

Location fusedLoc(Operation *a, Operation *b) {
  return FusedLoc::get(a->getContext(), {a->getLoc(), b->getLoc()});
}

/// batch_norm(conv(x, W, b)) -> conv(x, W * s, (b - mean) * s + beta).
struct FoldIntoConv : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto conv = bn.getInput().getDefiningOp<ConvOp>();
    if (!conv || !conv->hasOneUse() || conv.getAct() != "none" ||
        conv.getPool() != "none")
      return rewriter.notifyMatchFailure(bn, "input is not a plain conv used once");
    auto w = constantFloats(conv.getWeight());
    std::optional<std::vector<float>> b;
    if (conv.getBias() && !(b = constantFloats(conv.getBias())))
      return failure();
    auto stats = foldStatistics(bn);
    if (!w || !stats)
      return rewriter.notifyMatchFailure(bn, "weights or statistics not constant");
    int64_t outC = stats->s.size(), per = w->size() / outC;
    for (int64_t oc = 0; oc < outC; ++oc)
      for (int64_t i = 0; i < per; ++i)
        (*w)[oc * per + i] *= stats->s[oc];
    std::vector<float> bias(outC);
    for (int64_t oc = 0; oc < outC; ++oc)
      bias[oc] = ((b ? (*b)[oc] : 0.0f) - stats->mean[oc]) * stats->s[oc] +
                 stats->beta[oc];
    Location loc = fusedLoc(conv, bn);
    auto wType = cast<RankedTensorType>(conv.getWeight().getType());
    Value newW = makeConstant(rewriter, conv.getWeight().getLoc(), wType, *w);
    Value newB = makeConstant(
        rewriter, loc, RankedTensorType::get({outC}, wType.getElementType()), bias);
    auto folded = rewriter.create<ConvOp>(
        loc, bn.getType(), conv.getInput(), newW, newB, conv.getStridesAttr(),
        conv.getDilationsAttr(), conv.getPadsAttr(), conv.getGroupAttr());
    rewriter.replaceOp(bn, folded);
    rewriter.eraseOp(conv);
    return success();
  }
};

/// batch_norm(gemm(a, B, C)) over the 2-D result's channel axis (columns);
/// a 2-D matmul with constant B first becomes a gemm without C.
struct FoldIntoGemm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto gemm = bn.getInput().getDefiningOp<GemmOp>();
    if (!gemm) {
      // A 2-D matmul is a gemm without bias: make it one, then fold.
      auto mm = bn.getInput().getDefiningOp<MatMulOp>();
      // Everything is checked before the IR changes: a pattern that fails
      // must leave the IR as it was.
      if (!mm || !mm->hasOneUse() || mm.getAct() != "none" || !foldStatistics(bn) ||
          cast<RankedTensorType>(mm.getA().getType()).getRank() != 2 ||
          cast<RankedTensorType>(mm.getB().getType()).getRank() != 2 ||
          !constantFloats(mm.getB()))
        return failure();
      rewriter.setInsertionPoint(mm);
      gemm = rewriter.create<GemmOp>(
          mm.getLoc(), mm.getType(), mm.getA(), mm.getB(), Value(),
          rewriter.getF32FloatAttr(1.0f), rewriter.getF32FloatAttr(1.0f),
          rewriter.getBoolAttr(false), rewriter.getBoolAttr(false));
      rewriter.replaceOp(mm, gemm);
      rewriter.setInsertionPoint(bn);
    }
    if (!gemm->hasOneUse() || gemm.getAct() != "none")
      return failure();
    auto bw = constantFloats(gemm.getB());
    std::optional<std::vector<float>> c;
    if (gemm.getC() && !(c = constantFloats(gemm.getC())))
      return failure();
    auto stats = foldStatistics(bn);
    if (!bw || !stats)
      return failure();
    auto bType = cast<RankedTensorType>(gemm.getB().getType());
    int64_t n = stats->s.size();
    // B is [K, N], or [N, K] when transposed: scale column j / row j.
    bool trans = gemm.getTransB();
    int64_t k = trans ? bType.getDimSize(1) : bType.getDimSize(0);
    for (int64_t j = 0; j < n; ++j)
      for (int64_t l = 0; l < k; ++l)
        (*bw)[trans ? j * k + l : l * n + j] *= stats->s[j];
    // y = alpha * A B' + C' with C' = (beta * C - mean) * s + bbeta, beta' = 1.
    // C may be [N], [1, N], [M, N], [M, 1] or a scalar: broadcast to [M, N].
    auto yType = cast<RankedTensorType>(gemm.getType());
    int64_t m = yType.getDimSize(0);
    auto cType = gemm.getC() ? cast<RankedTensorType>(gemm.getC().getType())
                             : RankedTensorType();
    bool perRow = cType && cType.getRank() == 2 && cType.getDimSize(0) == m && m != 1;
    int64_t rows = perRow ? m : 1;
    std::vector<float> newC(rows * n);
    float beta = gemm.getBeta().convertToFloat();
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < n; ++j) {
        float cv = 0.0f;
        if (c) {
          int64_t cr = cType.getRank() == 2 && cType.getDimSize(0) != 1 ? i : 0;
          int64_t cc = cType.getRank() >= 1 && cType.getShape().back() != 1 ? j : 0;
          cv = (*c)[cr * (cType.getRank() == 2 ? cType.getDimSize(1) : 1) + cc];
        }
        newC[i * n + j] =
            (beta * cv - stats->mean[j]) * stats->s[j] + stats->beta[j];
      }
    Location loc = fusedLoc(gemm, bn);
    Value newB = makeConstant(rewriter, gemm.getB().getLoc(), bType, *bw);
    Value cVal = makeConstant(
        rewriter, loc,
        RankedTensorType::get(perRow ? ArrayRef<int64_t>{m, n} : ArrayRef<int64_t>{n},
                              bType.getElementType()),
        newC);
    auto folded = rewriter.create<GemmOp>(
        loc, bn.getType(), gemm.getA(), newB, cVal, gemm.getAlphaAttr(),
        rewriter.getF32FloatAttr(1.0f), gemm.getTransAAttr(), gemm.getTransBAttr());
    rewriter.replaceOp(bn, folded);
    rewriter.eraseOp(gemm);
    return success();
  }
};

/// Any other batch norm with constant statistics: a channel_affine.
struct ToChannelAffine : OpRewritePattern<BatchNormOp> {
  ToChannelAffine(MLIRContext *ctx) : OpRewritePattern(ctx, /*benefit=*/0) {}
  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto stats = foldStatistics(bn);
    if (!stats)
      return failure();
    std::vector<float> shift;
    for (size_t c = 0; c < stats->s.size(); ++c)
      shift.push_back(stats->beta[c] - stats->mean[c] * stats->s[c]);
    auto type = cast<RankedTensorType>(bn.getScale().getType());
    Value s = makeConstant(rewriter, bn.getLoc(), type, stats->s);
    Value t = makeConstant(rewriter, bn.getLoc(), type, shift);
    rewriter.replaceOpWithNewOp<ChannelAffineOp>(bn, bn.getType(), bn.getInput(),
                                                 s, t);
    return success();
  }
};

struct FoldBatchNormPass final
    : public mlir::tempo::impl::FoldBatchNormPassBase<FoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFoldBatchNormPatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void mlir::tempo::populateFoldBatchNormPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldIntoConv, FoldIntoGemm, ToChannelAffine>(patterns.getContext());
}
