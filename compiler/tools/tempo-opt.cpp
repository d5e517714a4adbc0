//===- tempo-opt.cpp - MLIR optimizer driver with the tempo dialect -------===//

#include "dialects/Tempo/IR/TempoDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<mlir::tempo::TempoDialect, mlir::func::FuncDialect,
                  mlir::quant::QuantizationDialect>();
  mlir::registerTransformsPasses();
  mlir::tempo::registerTempoPassesAndPipelines();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Tempo optimizer driver\n", registry));
}
