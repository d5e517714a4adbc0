//===- Passes.cpp - Tempo pipeline ----------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::tempo;

void mlir::tempo::buildTempoFloatPipeline(OpPassManager &pm,
                                          const TempoPipelineOptions &options) {
  OpPassManager &fpm = pm.nest<func::FuncOp>();
  fpm.addPass(createCanonicalizerPass());
  fpm.addPass(createFoldConstantsPass());
  if (options.fuse) {
    fpm.addPass(createFoldBatchNormPass());
    fpm.addPass(createFoldMatMulAddPass());
    fpm.addPass(createFoldPadPass());
    fpm.addPass(createFoldRecurrentLastStepPass());
    fpm.addPass(createFuseActivationsPass());
  }
}

void mlir::tempo::buildTempoLoweringPipeline(
    OpPassManager &pm, const TempoPipelineOptions &options) {
  OpPassManager &fpm = pm.nest<func::FuncOp>();
  if (options.fuse) {
    fpm.addPass(createFuseElementwisePass());
    fpm.addPass(createFusePoolingPass());
  }
  fpm.addPass(createCanonicalizerPass());
  fpm.addPass(createCSEPass());
  fpm.addPass(createScheduleForMemoryPass());
  PlanMemoryPassOptions plan;
  plan.align = options.align;
  plan.inPlace = options.inPlace;
  fpm.addPass(createPlanMemoryPass(plan));
  fpm.addPass(createVerifyPlanPass());
}

void mlir::tempo::buildTempoPipeline(OpPassManager &pm,
                                     const TempoPipelineOptions &options) {
  buildTempoFloatPipeline(pm, options);
  buildTempoLoweringPipeline(pm, options);
}

namespace {
struct PipelineCLOptions : public PassPipelineOptions<PipelineCLOptions> {
  Option<int64_t> align{*this, "align", llvm::cl::desc("buffer alignment"),
                        llvm::cl::init(16)};
  Option<bool> fuse{*this, "fuse", llvm::cl::desc("graph optimisations"),
                    llvm::cl::init(true)};
  Option<bool> inPlace{*this, "in-place",
                       llvm::cl::desc("views and in-place buffers"),
                       llvm::cl::init(true)};
};
} // namespace

void mlir::tempo::registerTempoPassesAndPipelines() {
  registerTempoPasses();
  PassPipelineRegistration<PipelineCLOptions>(
      "tempo-pipeline", "the whole tempoc pipeline, from import to plan",
      [](OpPassManager &pm, const PipelineCLOptions &o) {
        TempoPipelineOptions options;
        options.align = o.align;
        options.fuse = o.fuse;
        options.inPlace = o.inPlace;
        buildTempoPipeline(pm, options);
      });
}
