//===- Passes.h - Tempo passes and pipelines ------------------------------===//

#ifndef TEMPO_PASSES_PASSES_H
#define TEMPO_PASSES_PASSES_H

#include "dialects/Tempo/IR/TempoOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace mlir::tempo {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"


/// Options of the whole compilation pipeline (tempoc's flags).
struct TempoPipelineOptions {
  int64_t align = 16;
  /// Graph optimisations: batch-norm folding, activation and pool fusion.
  bool fuse = true;
  /// Views and in-place ops share buffers.
  bool inPlace = true;
};

/// Rewrites of the fusion passes, for reuse in other pipelines.
void populateFoldBatchNormPatterns(RewritePatternSet &patterns);
void populateFoldMatMulAddPatterns(RewritePatternSet &patterns);
void populateFuseActivationsPatterns(RewritePatternSet &patterns);
void populateFusePoolingPatterns(RewritePatternSet &patterns);

/// The float graph optimisations: canonicalize -> fold constants -> fold
/// batch norm -> fold matmul+add -> fold pad -> fold recurrent last step ->
/// fuse activations. Quantization (calibration, tempo-quantize) runs after
/// these.
void buildTempoFloatPipeline(OpPassManager &pm,
                             const TempoPipelineOptions &options);
/// fuse elementwise -> fuse pooling -> canonicalize -> cse -> schedule for
/// memory -> plan memory -> verify.
void buildTempoLoweringPipeline(OpPassManager &pm,
                                const TempoPipelineOptions &options);
/// Both, in order: the whole float compilation.
void buildTempoPipeline(OpPassManager &pm, const TempoPipelineOptions &options);

/// Registers every pass and the `tempo-pipeline` pipeline (for tempo-opt).
void registerTempoPassesAndPipelines();

} // namespace mlir::tempo

#endif // TEMPO_PASSES_PASSES_H
