//===- FuseElementwise.cpp - Chains of elementwise ops in one loop --------===//

#include "passes/Passes.h"

#include "tempo/params.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tempo {
#define GEN_PASS_DEF_FUSEELEMENTWISEPASS
#include "passes/Passes.h.inc"
} // namespace mlir::tempo

using namespace mlir;
using namespace mlir::tempo;

namespace {

/// An elementwise program: registers 0..inputs-1 are the inputs, then one
/// register per step (opcode, lhs register, rhs register).
struct Program {
  SmallVector<Value> inputs;
  SmallVector<int32_t> code;
  int64_t steps() const { return code.size() / 3; }
};

int32_t opcodeOf(Operation *op) {
  if (isa<AddOp>(op))
    return 0;
  if (isa<SubOp>(op))
    return 1;
  if (isa<MulOp>(op))
    return 2;
  if (isa<DivOp>(op))
    return 3;
  return -1;
}

/// The program of a fusable op: a chain, or a binary op whose operands both
/// have its (float) result type.
std::optional<Program> programOf(Operation *op) {
  if (op->getNumResults() != 1)
    return std::nullopt;
  Type type = op->getResult(0).getType();
  if (!isa<FloatType>(getElementTypeOrSelf(type)))
    return std::nullopt;
  if (auto chain = dyn_cast<ElementwiseChainOp>(op))
    return Program{SmallVector<Value>(chain.getInputs()),
                   SmallVector<int32_t>(chain.getCode())};
  int32_t opcode = opcodeOf(op);
  if (opcode < 0 || op->getOperand(0).getType() != type ||
      op->getOperand(1).getType() != type)
    return std::nullopt;
  Program p;
  p.inputs.push_back(op->getOperand(0));
  bool same = op->getOperand(1) == op->getOperand(0);
  if (!same)
    p.inputs.push_back(op->getOperand(1));
  p.code = {opcode, 0, same ? 0 : 1};
  return p;
}

bool hasActivation(Operation *op) {
  auto act = op->getAttrOfType<StringAttr>("act");
  return act && act.getValue() != "none";
}

/// Inlines the producer `inner` of one of `outer`'s inputs into one chain.
struct FuseIntoChain : RewritePattern {
  FuseIntoChain(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult matchAndRewrite(Operation *outer,
                                PatternRewriter &rewriter) const override {
    std::optional<Program> po = programOf(outer);
    if (!po)
      return failure();
    for (auto [ip, input] : llvm::enumerate(po->inputs)) {
      Operation *inner = input.getDefiningOp();
      if (!inner || !inner->hasOneUse() || hasActivation(inner))
        continue;
      std::optional<Program> pi = programOf(inner);
      if (!pi || inner->getResult(0).getType() != outer->getResult(0).getType())
        continue;
      // New inputs: the inner program's, then the outer's others, deduped.
      SmallVector<Value> inputs(pi->inputs);
      auto indexOf = [&](Value v) -> int32_t {
        auto it = llvm::find(inputs, v);
        if (it != inputs.end())
          return it - inputs.begin();
        inputs.push_back(v);
        return inputs.size() - 1;
      };
      SmallVector<int32_t> outerInputReg(po->inputs.size(), -1);
      for (auto [k, v] : llvm::enumerate(po->inputs))
        if (k != ip)
          outerInputReg[k] = indexOf(v);
      int64_t n = inputs.size(), innerSteps = pi->steps();
      if (n > TEMPO_CHAIN_MAX_INPUTS ||
          innerSteps + po->steps() > TEMPO_CHAIN_MAX_STEPS)
        continue;
      // Registers: inputs 0..n-1, inner steps n.., then outer steps.
      outerInputReg[ip] = n + innerSteps - 1;
      SmallVector<int32_t> code;
      int64_t innerIn = pi->inputs.size();
      for (int64_t s = 0; s < innerSteps; ++s) {
        code.push_back(pi->code[3 * s]);
        for (int k = 1; k <= 2; ++k) {
          int32_t r = pi->code[3 * s + k];
          code.push_back(r < innerIn ? r : n + (r - innerIn));
        }
      }
      int64_t outerIn = po->inputs.size();
      for (int64_t s = 0; s < po->steps(); ++s) {
        code.push_back(po->code[3 * s]);
        for (int k = 1; k <= 2; ++k) {
          int32_t r = po->code[3 * s + k];
          code.push_back(r < outerIn ? outerInputReg[r]
                                     : n + innerSteps + (r - outerIn));
        }
      }
      auto chain = rewriter.create<ElementwiseChainOp>(
          FusedLoc::get(outer->getContext(), {inner->getLoc(), outer->getLoc()}),
          outer->getResult(0).getType(), inputs, rewriter.getDenseI32ArrayAttr(code),
          nullptr, nullptr, nullptr, nullptr, nullptr);
      for (StringRef name : {"act", "act_alpha", "act_beta", "act_min", "act_max"})
        if (Attribute attr = outer->getAttr(name))
          chain->setAttr(name, attr);
      rewriter.replaceOp(outer, chain);
      rewriter.eraseOp(inner);
      return success();
    }
    return failure();
  }
};

struct FuseElementwisePass final
    : public mlir::tempo::impl::FuseElementwisePassBase<FuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseIntoChain>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
