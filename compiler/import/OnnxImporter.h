//===- OnnxImporter.h - ONNX graph to tempo dialect -----------------------===//

#ifndef TEMPO_IMPORT_ONNXIMPORTER_H
#define TEMPO_IMPORT_ONNXIMPORTER_H

#include "compiler/import/OnnxLoader.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace mlir::tempo {

/// Builds `func.func @<funcName>` from a model loadOnnxModel produced. Every
/// op's location is its ONNX node name. Every unsupported node is reported
/// (one error each, then a summary) before giving up; returns null on error.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxGraph(mlir::MLIRContext &context,
                                                  const LoadedModel &model,
                                                  llvm::StringRef funcName);

/// Converts an ONNX TensorProto to a dense attribute of its own type.
/// Returns null and reports at `loc` if the tensor's type is unsupported.
mlir::DenseElementsAttr tensorProtoToAttr(mlir::MLIRContext &context,
                                          const onnx::TensorProto &tensor,
                                          mlir::Location loc);

/// Maps an ONNX element type to the MLIR type Tempo uses (f32, i8, ui8, ...),
/// or null if Tempo does not handle it.
mlir::Type onnxElementType(mlir::MLIRContext &context, int32_t onnxType);

/// The op types the importer handles, sorted (for --help and docs).
std::vector<std::string> supportedOnnxOps();

} // namespace mlir::tempo

#endif // TEMPO_IMPORT_ONNXIMPORTER_H
