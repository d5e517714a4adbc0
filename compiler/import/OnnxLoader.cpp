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

namespace {

/// Reads the bytes of every tensor stored in an external data file (ONNX's
/// `*.onnx` + `.data` form) into the tensor itself, so the rest of the
/// compiler sees an ordinary model. Locations are relative to the model's
/// folder and may not leave it. `all` collects the bytes read, in order,
/// for the model digest.
bool inlineTensor(onnx::TensorProto &t, const std::string &dir,
                  std::string &all, std::string &error) {
  if (t.data_location() != onnx::TensorProto::EXTERNAL)
    return true;
  std::string location;
  long long offset = 0, length = -1;
  for (const auto &kv : t.external_data()) {
    try {
      if (kv.key() == "location")
        location = kv.value();
      else if (kv.key() == "offset")
        offset = std::stoll(kv.value());
      else if (kv.key() == "length")
        length = std::stoll(kv.value());
    } catch (const std::exception &) {
      error = "tensor '" + t.name() + "': external data " + kv.key() +
              " '" + kv.value() + "' is not a number";
      return false;
    }
  }
  std::string name = "tensor '" + t.name() + "'";
  if (location.empty()) {
    error = name + " uses external data without a location";
    return false;
  }
  if (location.front() == '/' || location.find("..") != std::string::npos) {
    error = name + ": external data location '" + location +
            "' must be a path inside the model's folder";
    return false;
  }
  if (offset < 0 || length < -1) {
    error = name + ": negative external data offset or length";
    return false;
  }
  std::string file = dir.empty() ? location : dir + "/" + location;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    error = name + ": cannot read external data file '" + file + "'";
    return false;
  }
  in.seekg(0, std::ios::end);
  long long size = static_cast<long long>(in.tellg());
  if (length < 0)
    length = size - offset;
  if (offset + length > size || length < 0) {
    error = name + ": external data file '" + file + "' has " +
            std::to_string(size) + " bytes, the tensor needs " +
            std::to_string(offset) + " + " + std::to_string(length);
    return false;
  }
  std::string bytes(static_cast<size_t>(length), '\0');
  in.seekg(offset);
  in.read(bytes.data(), length);
  if (!in) {
    error = name + ": cannot read external data file '" + file + "'";
    return false;
  }
  all += bytes;
  t.set_raw_data(std::move(bytes));
  t.clear_external_data();
  t.set_data_location(onnx::TensorProto::DEFAULT);
  return true;
}

bool inlineExternalData(onnx::GraphProto &graph, const std::string &dir,
                        std::string &all, std::string &error) {
  for (auto &t : *graph.mutable_initializer())
    if (!inlineTensor(t, dir, all, error))
      return false;
  for (auto &node : *graph.mutable_node())
    for (auto &attr : *node.mutable_attribute()) {
      if (attr.has_t() && !inlineTensor(*attr.mutable_t(), dir, all, error))
        return false;
      if (attr.has_g() && !inlineExternalData(*attr.mutable_g(), dir, all, error))
        return false;
      for (auto &g : *attr.mutable_graphs())
        if (!inlineExternalData(g, dir, all, error))
          return false;
    }
  return true;
}

} // namespace

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
  std::string dir;
  if (size_t slash = path.find_last_of('/'); slash != std::string::npos)
    dir = path.substr(0, slash);
  std::string external;
  if (!inlineExternalData(*model.mutable_graph(), dir, external, error)) {
    error = "'" + path + "': " + error;
    return false;
  }
  // The digest covers the weights wherever they are stored.
  out.digest = digestOf(bytes + external);
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
