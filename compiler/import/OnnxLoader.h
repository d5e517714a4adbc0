//===- OnnxLoader.h - Load, check and normalise an ONNX model -------------===//
//
// Everything that touches libonnx's checker, shape inference and version
// converter, which report errors by throwing. This file is built with
// exceptions and RTTI and includes no MLIR header; nothing thrown crosses
// its interface.
//
//===----------------------------------------------------------------------===//

#ifndef TEMPO_IMPORT_ONNXLOADER_H
#define TEMPO_IMPORT_ONNXLOADER_H

#include "onnx/onnx_pb.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mlir::tempo {

/// The opset every model is converted to before import.
constexpr int kTargetOpset = 17;

struct LoadOptions {
  /// --input-shape NAME=1x3x128: static shapes for graph inputs.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// --freeze-input NAME=FILE.pb: graph inputs that become constants.
  std::map<std::string, std::string> freezeInputs;
};

struct LoadedModel {
  onnx::ModelProto model;
  /// The opset the model was written for, before conversion.
  int64_t originalOpset = 0;
  /// A short hex digest of the model file's bytes, recorded in outputs.
  std::string digest;
};

/// Reads MODEL, applies the options, runs onnx::checker, converts to
/// kTargetOpset and runs shape inference. On failure returns false and
/// sets `error` to a message that names the model element at fault.
bool loadOnnxModel(const std::string &path, const LoadOptions &options,
                   LoadedModel &out, std::string &error);

/// A short, stable hex digest (FNV-1a 64) of a file's bytes, recorded in
/// generated files; empty if the file cannot be read.
std::string fileDigest(const std::string &path);

/// Reads one serialized TensorProto (the ONNX test-data .pb layout).
bool readTensorProto(const std::string &path, onnx::TensorProto &out,
                     std::string &error);

/// Writes one serialized TensorProto.
bool writeTensorProto(const std::string &path, const onnx::TensorProto &t,
                      std::string &error);

} // namespace mlir::tempo

#endif // TEMPO_IMPORT_ONNXLOADER_H
