//===- CppEmitter.h - Planned tempo IR to static C++ ----------------------===//

#ifndef TEMPO_TARGETS_CPP_CPPEMITTER_H
#define TEMPO_TARGETS_CPP_CPPEMITTER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir::tempo {

struct CppEmitOptions {
  /// C identifier prefix of every symbol: NAME_init, NAME_ARENA_SIZE, ...
  std::string name = "model";
  /// Shown in the generated files' banner.
  std::string modelFile;
  std::string modelDigest;
  std::string target = "host";
};

/// Writes NAME.h and NAME.cpp for a function the memory planner annotated.
/// Reports (at the op) anything without a printer and fails; nothing is
/// written to the streams' files by the caller on failure.
mlir::LogicalResult emitCpp(mlir::func::FuncOp func,
                            const CppEmitOptions &options,
                            llvm::raw_ostream &header,
                            llvm::raw_ostream &source);

/// Bytes of constant data the generated code places in flash.
int64_t weightBytes(mlir::func::FuncOp func);

} // namespace mlir::tempo

#endif // TEMPO_TARGETS_CPP_CPPEMITTER_H
