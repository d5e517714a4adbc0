//===- OnnxLoader.cpp - Load, check and normalise an ONNX model -----------===//

#include "compiler/import/OnnxLoader.h"

#include "onnx/checker.h"
#include "onnx/shape_inference/implementation.h"
#include "onnx/version_converter/convert.h"

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

using namespace mlir::tempo;

namespace {

/// FNV-1a 64: a stable digest of the model bytes for generated headers.
std::string digestOf(const std::string &bytes) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", (unsigned long long)h);
  return buf;
}

bool readFile(const std::string &path, std::string &bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  bytes = ss.str();
  return true;
}

std::string shapeString(const onnx::TensorShapeProto &shape) {
  std::string s;
  for (int i = 0; i < shape.dim_size(); ++i) {
    if (i)
      s += "x";
    const auto &d = shape.dim(i);
    s += d.has_dim_value() ? std::to_string(d.dim_value())
                           : (d.has_dim_param() ? d.dim_param() : "?");
  }
  return s;
}

} // namespace

std::string mlir::tempo::fileDigest(const std::string &path) {
  std::string bytes;
  return readFile(path, bytes) ? digestOf(bytes) : "";
}

bool mlir::tempo::readTensorProto(const std::string &path, onnx::TensorProto &out,
                            std::string &error) {
  std::string bytes;
  if (!readFile(path, bytes)) {
    error = "cannot read '" + path + "'";
    return false;
  }
  if (!out.ParseFromString(bytes)) {
    error = "'" + path + "' is not a serialized onnx TensorProto";
    return false;
  }
  return true;
}

bool mlir::tempo::writeTensorProto(const std::string &path,
                             const onnx::TensorProto &t, std::string &error) {
  std::ofstream out(path, std::ios::binary);
  if (!out || !t.SerializeToOstream(&out)) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

bool mlir::tempo::loadOnnxModel(const std::string &path, const LoadOptions &options,
                          LoadedModel &out, std::string &error) {
  std::string bytes;
  if (!readFile(path, bytes)) {
    error = "cannot read model '" + path + "'";
    return false;
  }
  onnx::ModelProto &model = out.model;
  if (!model.ParseFromString(bytes)) {
    error = "'" + path + "' is not an ONNX model (protobuf parse failed)";
    return false;
  }
  out.digest = digestOf(bytes);
  for (const auto &op : model.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx")
      out.originalOpset = op.version();

  try {
    onnx::checker::check_model(model);
  } catch (const std::exception &e) {
    error = std::string("the ONNX checker rejects the model: ") + e.what();
    return false;
  }

  onnx::GraphProto *graph = model.mutable_graph();
  std::set<std::string> initializers;
  for (const auto &init : graph->initializer())
    initializers.insert(init.name());

  // Every option must name a real graph input.
  std::set<std::string> inputNames;
  for (const auto &in : graph->input())
    inputNames.insert(in.name());
  for (const auto &[name, file] : options.freezeInputs)
    if (!inputNames.count(name)) {
      error = "--freeze-input names '" + name + "', which is not a graph input";
      return false;
    }
  for (const auto &[name, dims] : options.inputShapes)
    if (!inputNames.count(name)) {
      error = "--input-shape names '" + name + "', which is not a graph input";
      return false;
    }

  // Frozen inputs become initializers; overridden shapes replace the input's.
  google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> kept;
  for (auto &in : *graph->mutable_input()) {
    auto frozen = options.freezeInputs.find(in.name());
    if (frozen != options.freezeInputs.end()) {
      onnx::TensorProto t;
      if (!readTensorProto(frozen->second, t, error))
        return false;
      t.set_name(in.name());
      if (in.type().tensor_type().elem_type() != t.data_type()) {
        error = "--freeze-input " + in.name() + ": '" + frozen->second +
                "' has element type " + std::to_string(t.data_type()) +
                ", the graph input expects " +
                std::to_string(in.type().tensor_type().elem_type());
        return false;
      }
      if (!initializers.count(in.name()))
        *graph->add_initializer() = t;
      continue;
    }
    auto shape = options.inputShapes.find(in.name());
    if (shape != options.inputShapes.end()) {
      auto *tensor = in.mutable_type()->mutable_tensor_type();
      const auto &old = tensor->shape();
      if (tensor->has_shape() && old.dim_size() != (int)shape->second.size()) {
        error = "--input-shape " + in.name() + ": rank " +
                std::to_string(shape->second.size()) +
                " does not match the model's [" + shapeString(old) + "]";
        return false;
      }
      for (int i = 0; i < old.dim_size(); ++i)
        if (old.dim(i).has_dim_value() &&
            old.dim(i).dim_value() != shape->second[i]) {
          error = "--input-shape " + in.name() + ": dim " + std::to_string(i) +
                  " is fixed to " + std::to_string(old.dim(i).dim_value()) +
                  " in the model";
          return false;
        }
      tensor->mutable_shape()->clear_dim();
      for (int64_t d : shape->second)
        tensor->mutable_shape()->add_dim()->set_dim_value(d);
    }
    *kept.Add() = in;
  }
  graph->mutable_input()->Swap(&kept);

  // Static shapes only: a symbolic dim is the user's to fix.
  for (const auto &in : graph->input()) {
    if (initializers.count(in.name()))
      continue;
    const auto &t = in.type().tensor_type();
    if (!in.type().has_tensor_type()) {
      error = "graph input '" + in.name() + "' is not a tensor";
      return false;
    }
    bool dynamic = !t.has_shape();
    for (const auto &d : t.shape().dim())
      dynamic |= !d.has_dim_value() || d.dim_value() < 0;
    if (dynamic) {
      std::string example;
      for (int i = 0; i < t.shape().dim_size(); ++i)
        example += (i ? "x" : "") +
                   std::string(t.shape().dim(i).has_dim_value()
                                   ? std::to_string(t.shape().dim(i).dim_value())
                                   : "1");
      error = "graph input '" + in.name() + "' has a dynamic shape [" +
              shapeString(t.shape()) +
              "]; Tempo needs static shapes: pass --input-shape " + in.name() +
              "=" + (example.empty() ? "1" : example);
      return false;
    }
  }

  if (out.originalOpset < kTargetOpset) {
    try {
      model = onnx::version_conversion::ConvertVersion(model, kTargetOpset);
    } catch (const std::exception &e) {
      error = "cannot convert the model from opset " +
              std::to_string(out.originalOpset) + " to opset " +
              std::to_string(kTargetOpset) + ": " + e.what();
      return false;
    }
  } else if (out.originalOpset > kTargetOpset) {
    error = "the model uses opset " + std::to_string(out.originalOpset) +
            "; Tempo supports opsets up to " + std::to_string(kTargetOpset);
    return false;
  }

  // libonnx's STFT shape inference reads `onesided` with default 0 where
  // the schema (and every runtime) says 1: spell the default out.
  for (auto &node : *model.mutable_graph()->mutable_node()) {
    if (node.op_type() != "STFT" ||
        !(node.domain().empty() || node.domain() == "ai.onnx"))
      continue;
    bool has = false;
    for (const auto &a : node.attribute())
      has |= a.name() == "onesided";
    if (!has) {
      auto *a = node.add_attribute();
      a->set_name("onesided");
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(1);
    }
  }

  try {
    onnx::ShapeInferenceOptions opts(/*check_type=*/true, /*strict=*/1,
                                     /*data_prop=*/true);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                       opts);
  } catch (const std::exception &e) {
    error = std::string("ONNX shape inference failed: ") + e.what();
    return false;
  }
  return true;
}
