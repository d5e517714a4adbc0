//===- OnnxImporter.cpp - ONNX graph to tempo dialect ---------------------===//
//
// One table maps each ONNX op type (opset kTargetOpset semantics: the loader
// has already run the version converter) to an import function. Result
// shapes are computed here from the operand types; the op verifiers check
// them again.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/OnnxImporter.h"
#include "dialects/Tempo/IR/TempoOps.h"
#include "dialects/Tempo/IR/TempoShapes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"

#include <cstring>
#include <map>

using namespace mlir;
using namespace mlir::tempo;

namespace mlir::tempo {

Type onnxElementType(MLIRContext &ctx, int32_t t) {
  switch (t) {
  case onnx::TensorProto::FLOAT:
    return Float32Type::get(&ctx);
  case onnx::TensorProto::UINT8:
    return IntegerType::get(&ctx, 8, IntegerType::Unsigned);
  case onnx::TensorProto::INT8:
    return IntegerType::get(&ctx, 8);
  case onnx::TensorProto::UINT16:
    return IntegerType::get(&ctx, 16, IntegerType::Unsigned);
  case onnx::TensorProto::INT16:
    return IntegerType::get(&ctx, 16);
  case onnx::TensorProto::INT32:
    return IntegerType::get(&ctx, 32);
  case onnx::TensorProto::INT64:
    return IntegerType::get(&ctx, 64);
  case onnx::TensorProto::BOOL:
    return IntegerType::get(&ctx, 1);
  default:
    return nullptr;
  }
}

static const char *onnxTypeName(int32_t t) {
  return onnx::TensorProto::DataType_Name(
             static_cast<onnx::TensorProto::DataType>(t))
      .c_str();
}

DenseElementsAttr tensorProtoToAttr(MLIRContext &ctx,
                                    const onnx::TensorProto &t, Location loc) {
  Type elt = onnxElementType(ctx, t.data_type());
  if (!elt) {
    emitError(loc) << "tensor '" << t.name() << "' has element type "
                   << onnxTypeName(t.data_type())
                   << ", which Tempo does not support";
    return {};
  }
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    emitError(loc) << "tensor '" << t.name()
                   << "' uses external data, which is not supported yet";
    return {};
  }
  SmallVector<int64_t> dims(t.dims().begin(), t.dims().end());
  auto type = RankedTensorType::get(dims, elt);
  int64_t n = numElements(dims);
  size_t eltBytes = elt.isInteger(1) ? 1 : elt.getIntOrFloatBitWidth() / 8;

  // Gather the values as little-endian bytes of the element type.
  std::vector<char> bytes(n * eltBytes);
  if (t.has_raw_data()) {
    if (t.raw_data().size() != bytes.size()) {
      emitError(loc) << "tensor '" << t.name() << "' holds "
                     << t.raw_data().size() << " bytes, its shape needs "
                     << bytes.size();
      return {};
    }
    std::memcpy(bytes.data(), t.raw_data().data(), bytes.size());
  } else {
    auto store = [&](int64_t i, int64_t v) {
      std::memcpy(bytes.data() + i * eltBytes, &v, eltBytes); // little-endian
    };
    int64_t have = 0;
    switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      have = t.float_data_size();
      if (have == n)
        std::memcpy(bytes.data(), t.float_data().data(), bytes.size());
      break;
    case onnx::TensorProto::INT64:
      have = t.int64_data_size();
      if (have == n)
        std::memcpy(bytes.data(), t.int64_data().data(), bytes.size());
      break;
    default: // int32_data carries every narrower integer type and bool
      have = t.int32_data_size();
      if (have == n)
        for (int64_t i = 0; i < n; ++i)
          store(i, t.int32_data(i));
      break;
    }
    if (have != n) {
      emitError(loc) << "tensor '" << t.name() << "' holds " << have
                     << " values, its shape needs " << n;
      return {};
    }
  }
  if (elt.isInteger(1)) {
    // DenseElementsAttr packs i1 as bits; build it from bools.
    SmallVector<bool> bits(n);
    for (int64_t i = 0; i < n; ++i)
      bits[i] = bytes[i] != 0;
    return DenseElementsAttr::get(type, bits);
  }
  return DenseElementsAttr::getFromRawBuffer(type, ArrayRef<char>(bytes));
}

} // namespace mlir::tempo

namespace {

class GraphImporter;
using ImportFn = LogicalResult (GraphImporter::*)(const onnx::NodeProto &);

/// Imports one ONNX graph into one function.
class GraphImporter {
public:
  GraphImporter(MLIRContext &ctx, const mlir::tempo::LoadedModel &model)
      : ctx(ctx), model(model), builder(&ctx) {}

  OwningOpRef<ModuleOp> run(StringRef funcName);
  static const llvm::StringMap<ImportFn> &table();

private:
  // --- helpers -------------------------------------------------------------
  Location nodeLoc(const onnx::NodeProto &node) const;
  /// The value named `name`, creating constants for initializers lazily.
  FailureOr<Value> lookup(const onnx::NodeProto &node, const std::string &name);
  /// Input `i` of the node (failure if absent or unknown).
  FailureOr<Value> input(const onnx::NodeProto &node, int i);
  bool hasInput(const onnx::NodeProto &node, int i) const {
    return node.input_size() > i && !node.input(i).empty();
  }
  /// Integer contents of a constant input (shape, axes ...).
  FailureOr<SmallVector<int64_t>> constInts(const onnx::NodeProto &node, int i);
  /// Scalar contents of a constant input as double (Clip min/max).
  FailureOr<double> constScalar(const onnx::NodeProto &node, int i);

  const onnx::AttributeProto *attr(const onnx::NodeProto &node,
                                   StringRef name) const;
  int64_t attrInt(const onnx::NodeProto &node, StringRef name, int64_t d) const;
  float attrFloat(const onnx::NodeProto &node, StringRef name, float d) const;
  std::string attrString(const onnx::NodeProto &node, StringRef name,
                         StringRef d) const;
  SmallVector<int64_t> attrInts(const onnx::NodeProto &node, StringRef name,
                                ArrayRef<int64_t> d) const;

  void define(const onnx::NodeProto &node, int i, Value v) {
    if (node.output_size() > i && !node.output(i).empty())
      values[node.output(i)] = v;
  }
  /// Fails if the node asks for more outputs than Tempo produces.
  LogicalResult onlyOutputs(const onnx::NodeProto &node, int n);
  static ArrayRef<int64_t> shape(Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  }
  static Type elt(Value v) { return getElementTypeOrSelf(v.getType()); }
  RankedTensorType tensor(ArrayRef<int64_t> s, Type e) {
    return RankedTensorType::get(s, e);
  }
  Value reshape(Location loc, Value v, ArrayRef<int64_t> s) {
    if (shape(v) == s)
      return v;
    return builder.create<ReshapeOp>(loc, tensor(s, elt(v)), v);
  }
  /// Resolves auto_pad / pads / kernel into explicit [begin..., end...].
  FailureOr<SmallVector<int64_t>>
  windowPads(const onnx::NodeProto &node, ArrayRef<int64_t> in,
             ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
             ArrayRef<int64_t> dilations);
  LogicalResult sameElementTypes(const onnx::NodeProto &node, Value a, Value b);

  // --- op importers --------------------------------------------------------
  LogicalResult importConv(const onnx::NodeProto &node);
  LogicalResult importGemm(const onnx::NodeProto &node);
  LogicalResult importMatMul(const onnx::NodeProto &node);
  LogicalResult importBatchNorm(const onnx::NodeProto &node);
  template <typename OpTy>
  LogicalResult importBinary(const onnx::NodeProto &node);
  template <typename OpTy>
  LogicalResult importUnary(const onnx::NodeProto &node);
  LogicalResult importLeakyRelu(const onnx::NodeProto &node);
  LogicalResult importClip(const onnx::NodeProto &node);
  template <typename OpTy>
  LogicalResult importPool(const onnx::NodeProto &node);
  LogicalResult importGlobalAveragePool(const onnx::NodeProto &node);
  LogicalResult importSoftmax(const onnx::NodeProto &node);
  LogicalResult importReshape(const onnx::NodeProto &node);
  LogicalResult importFlatten(const onnx::NodeProto &node);
  LogicalResult importSqueeze(const onnx::NodeProto &node);
  LogicalResult importUnsqueeze(const onnx::NodeProto &node);
  LogicalResult importTranspose(const onnx::NodeProto &node);
  LogicalResult importConcat(const onnx::NodeProto &node);
  LogicalResult importIdentity(const onnx::NodeProto &node);
  LogicalResult importConstant(const onnx::NodeProto &node);

  MLIRContext &ctx;
  const mlir::tempo::LoadedModel &model;
  OpBuilder builder;
  std::map<std::string, Value> values;
  std::map<std::string, const onnx::TensorProto *> initializers;
};

} // namespace

const llvm::StringMap<ImportFn> &GraphImporter::table() {
  static const llvm::StringMap<ImportFn> kTable = {
      {"Add", &GraphImporter::importBinary<AddOp>},
      {"AveragePool", &GraphImporter::importPool<AveragePoolOp>},
      {"BatchNormalization", &GraphImporter::importBatchNorm},
      {"Clip", &GraphImporter::importClip},
      {"Concat", &GraphImporter::importConcat},
      {"Constant", &GraphImporter::importConstant},
      {"Conv", &GraphImporter::importConv},
      {"Div", &GraphImporter::importBinary<DivOp>},
      {"Dropout", &GraphImporter::importIdentity},
      {"Flatten", &GraphImporter::importFlatten},
      {"Gemm", &GraphImporter::importGemm},
      {"GlobalAveragePool", &GraphImporter::importGlobalAveragePool},
      {"Identity", &GraphImporter::importIdentity},
      {"LeakyRelu", &GraphImporter::importLeakyRelu},
      {"MatMul", &GraphImporter::importMatMul},
      {"MaxPool", &GraphImporter::importPool<MaxPoolOp>},
      {"Mul", &GraphImporter::importBinary<MulOp>},
      {"Relu", &GraphImporter::importUnary<ReluOp>},
      {"Reshape", &GraphImporter::importReshape},
      {"Sigmoid", &GraphImporter::importUnary<SigmoidOp>},
      {"Softmax", &GraphImporter::importSoftmax},
      {"Squeeze", &GraphImporter::importSqueeze},
      {"Sub", &GraphImporter::importBinary<SubOp>},
      {"Tanh", &GraphImporter::importUnary<TanhOp>},
      {"Transpose", &GraphImporter::importTranspose},
      {"Unsqueeze", &GraphImporter::importUnsqueeze},
  };
  return kTable;
}

std::vector<std::string> mlir::tempo::supportedOnnxOps() {
  std::vector<std::string> ops;
  for (const auto &e : GraphImporter::table())
    ops.push_back(e.getKey().str());
  std::sort(ops.begin(), ops.end());
  return ops;
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

Location GraphImporter::nodeLoc(const onnx::NodeProto &node) const {
  std::string name = node.name();
  if (name.empty())
    name = node.op_type() + ":" + (node.output_size() ? node.output(0) : "");
  return NameLoc::get(StringAttr::get(&ctx, name));
}

FailureOr<Value> GraphImporter::lookup(const onnx::NodeProto &node,
                                       const std::string &name) {
  auto it = values.find(name);
  if (it != values.end())
    return it->second;
  auto init = initializers.find(name);
  if (init == initializers.end())
    return emitError(nodeLoc(node)) << "input '" << name << "' of "
                                    << node.op_type() << " is not defined";
  Location loc = NameLoc::get(StringAttr::get(&ctx, name));
  DenseElementsAttr attr = tensorProtoToAttr(ctx, *init->second, loc);
  if (!attr)
    return failure();
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(builder.getInsertionBlock());
  Value v = builder.create<ConstantOp>(loc, attr);
  values[name] = v;
  return v;
}

FailureOr<Value> GraphImporter::input(const onnx::NodeProto &node, int i) {
  if (!hasInput(node, i))
    return emitError(nodeLoc(node))
           << node.op_type() << " needs input " << i;
  return lookup(node, node.input(i));
}

FailureOr<SmallVector<int64_t>>
GraphImporter::constInts(const onnx::NodeProto &node, int i) {
  FailureOr<Value> v = input(node, i);
  if (failed(v))
    return failure();
  DenseElementsAttr dense;
  if (auto c = v->getDefiningOp<ConstantOp>())
    dense = dyn_cast<DenseElementsAttr>(c.getValue());
  if (!dense || !isa<IntegerType>(dense.getElementType()))
    return emitError(nodeLoc(node))
           << node.op_type() << " input '" << node.input(i)
           << "' must be a constant integer tensor; if it is a graph input, "
              "freeze it with --freeze-input "
           << node.input(i) << "=FILE.pb";
  SmallVector<int64_t> out;
  for (const APInt &x : dense.getValues<APInt>())
    out.push_back(x.getSExtValue());
  return out;
}

FailureOr<double> GraphImporter::constScalar(const onnx::NodeProto &node,
                                             int i) {
  FailureOr<Value> v = input(node, i);
  if (failed(v))
    return failure();
  DenseElementsAttr dense;
  if (auto c = v->getDefiningOp<ConstantOp>())
    dense = dyn_cast<DenseElementsAttr>(c.getValue());
  if (!dense || dense.getNumElements() != 1)
    return emitError(nodeLoc(node))
           << node.op_type() << " input '" << node.input(i)
           << "' must be a constant scalar; if it is a graph input, freeze it "
              "with --freeze-input "
           << node.input(i) << "=FILE.pb";
  if (isa<FloatType>(dense.getElementType()))
    return (*dense.getValues<APFloat>().begin()).convertToDouble();
  APInt x = *dense.getValues<APInt>().begin();
  return dense.getElementType().isUnsignedInteger() ? (double)x.getZExtValue()
                                                    : (double)x.getSExtValue();
}

const onnx::AttributeProto *GraphImporter::attr(const onnx::NodeProto &node,
                                                StringRef name) const {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t GraphImporter::attrInt(const onnx::NodeProto &node, StringRef name,
                               int64_t d) const {
  const auto *a = attr(node, name);
  return a ? a->i() : d;
}

float GraphImporter::attrFloat(const onnx::NodeProto &node, StringRef name,
                               float d) const {
  const auto *a = attr(node, name);
  return a ? a->f() : d;
}

std::string GraphImporter::attrString(const onnx::NodeProto &node,
                                      StringRef name, StringRef d) const {
  const auto *a = attr(node, name);
  return a ? a->s() : d.str();
}

SmallVector<int64_t> GraphImporter::attrInts(const onnx::NodeProto &node,
                                             StringRef name,
                                             ArrayRef<int64_t> d) const {
  const auto *a = attr(node, name);
  if (!a)
    return SmallVector<int64_t>(d);
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

LogicalResult GraphImporter::onlyOutputs(const onnx::NodeProto &node, int n) {
  for (int i = n; i < node.output_size(); ++i)
    if (!node.output(i).empty())
      return emitError(nodeLoc(node))
             << node.op_type() << " output " << i << " ('" << node.output(i)
             << "') is not supported";
  return success();
}

LogicalResult GraphImporter::sameElementTypes(const onnx::NodeProto &node,
                                              Value a, Value b) {
  if (elt(a) != elt(b))
    return emitError(nodeLoc(node))
           << node.op_type() << " operands have different element types "
           << elt(a) << " and " << elt(b);
  return success();
}

FailureOr<SmallVector<int64_t>>
GraphImporter::windowPads(const onnx::NodeProto &node, ArrayRef<int64_t> in,
                          ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                          ArrayRef<int64_t> dilations) {
  size_t n = in.size();
  std::string autoPad = attrString(node, "auto_pad", "NOTSET");
  SmallVector<int64_t> pads = attrInts(node, "pads", {});
  if (autoPad == "NOTSET") {
    if (pads.empty())
      pads.assign(2 * n, 0);
    if (pads.size() != 2 * n)
      return emitError(nodeLoc(node))
             << "pads must have " << 2 * n << " values, got " << pads.size();
    return pads;
  }
  if (autoPad == "VALID")
    return SmallVector<int64_t>(2 * n, 0);
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return emitError(nodeLoc(node)) << "unsupported auto_pad '" << autoPad << "'";
  pads.assign(2 * n, 0);
  for (size_t i = 0; i < n; ++i) {
    int64_t out = (in[i] + strides[i] - 1) / strides[i];
    int64_t span = dilations[i] * (kernel[i] - 1) + 1;
    int64_t total = std::max<int64_t>(0, (out - 1) * strides[i] + span - in[i]);
    int64_t small = total / 2, big = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : big;
    pads[n + i] = autoPad == "SAME_UPPER" ? big : small;
  }
  return pads;
}

//===----------------------------------------------------------------------===//
// Op importers
//===----------------------------------------------------------------------===//

LogicalResult GraphImporter::importConv(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  FailureOr<Value> x = input(node, 0), w = input(node, 1);
  if (failed(x) || failed(w) || failed(sameElementTypes(node, *x, *w)))
    return failure();
  Value bias;
  if (hasInput(node, 2)) {
    FailureOr<Value> b = input(node, 2);
    if (failed(b))
      return failure();
    bias = *b;
  }
  ArrayRef<int64_t> xs = shape(*x), ws = shape(*w);
  if ((xs.size() != 3 && xs.size() != 4) || ws.size() != xs.size())
    return emitError(loc) << "Conv supports 1-D and 2-D convolutions (input "
                             "rank 3 or 4), got rank "
                          << xs.size();
  size_t n = xs.size() - 2;
  SmallVector<int64_t> kernel = attrInts(node, "kernel_shape", ws.drop_front(2));
  if (ArrayRef<int64_t>(kernel) != ws.drop_front(2))
    return emitError(loc) << "kernel_shape does not match the weight shape";
  SmallVector<int64_t> strides = attrInts(node, "strides", SmallVector<int64_t>(n, 1));
  SmallVector<int64_t> dilations = attrInts(node, "dilations", SmallVector<int64_t>(n, 1));
  if (strides.size() != n || dilations.size() != n)
    return emitError(loc) << "strides and dilations must have " << n << " values";
  auto pads = windowPads(node, xs.drop_front(2), kernel, strides, dilations);
  if (failed(pads))
    return failure();
  int64_t group = attrInt(node, "group", 1);
  SmallVector<int64_t> out = {xs[0], ws[0]};
  for (size_t i = 0; i < n; ++i) {
    int64_t o = windowOutSize(xs[2 + i], kernel[i], strides[i], dilations[i],
                              (*pads)[i], (*pads)[n + i]);
    if (o < 1)
      return emitError(loc) << "the kernel does not fit spatial dim " << i;
    out.push_back(o);
  }
  auto op = builder.create<ConvOp>(loc, tensor(out, elt(*x)), *x, *w, bias,
                                   builder.getDenseI64ArrayAttr(strides),
                                   builder.getDenseI64ArrayAttr(dilations),
                                   builder.getDenseI64ArrayAttr(*pads),
                                   builder.getI64IntegerAttr(group));
  define(node, 0, op);
  return success();
}

LogicalResult GraphImporter::importGemm(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  FailureOr<Value> a = input(node, 0), b = input(node, 1);
  if (failed(a) || failed(b) || failed(sameElementTypes(node, *a, *b)))
    return failure();
  Value c;
  if (hasInput(node, 2)) {
    FailureOr<Value> cv = input(node, 2);
    if (failed(cv))
      return failure();
    c = *cv;
  }
  bool ta = attrInt(node, "transA", 0), tb = attrInt(node, "transB", 0);
  if (shape(*a).size() != 2 || shape(*b).size() != 2)
    return emitError(loc) << "Gemm expects 2-D A and B";
  int64_t m = ta ? shape(*a)[1] : shape(*a)[0];
  int64_t nn = tb ? shape(*b)[0] : shape(*b)[1];
  auto op = builder.create<GemmOp>(
      loc, tensor({m, nn}, elt(*a)), *a, *b, c,
      builder.getF32FloatAttr(attrFloat(node, "alpha", 1.0f)),
      builder.getF32FloatAttr(attrFloat(node, "beta", 1.0f)),
      builder.getBoolAttr(ta), builder.getBoolAttr(tb));
  define(node, 0, op);
  return success();
}

LogicalResult GraphImporter::importMatMul(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  FailureOr<Value> a = input(node, 0), b = input(node, 1);
  if (failed(a) || failed(b) || failed(sameElementTypes(node, *a, *b)))
    return failure();
  // 1-D operands: promote, multiply, then drop the promoted dim (numpy).
  bool aVec = shape(*a).size() == 1, bVec = shape(*b).size() == 1;
  Value av = aVec ? reshape(loc, *a, {1, shape(*a)[0]}) : *a;
  Value bv = bVec ? reshape(loc, *b, {shape(*b)[0], 1}) : *b;
  ArrayRef<int64_t> as = shape(av), bs = shape(bv);
  auto batch = broadcastShapes(as.drop_back(2), bs.drop_back(2));
  if (!batch || as.back() != bs[bs.size() - 2])
    return emitError(loc) << "MatMul operand shapes do not match";
  SmallVector<int64_t> out(*batch);
  out.push_back(as[as.size() - 2]);
  out.push_back(bs.back());
  Value y = builder.create<MatMulOp>(loc, tensor(out, elt(av)), av, bv);
  SmallVector<int64_t> final(*batch);
  if (!aVec)
    final.push_back(as[as.size() - 2]);
  if (!bVec)
    final.push_back(bs.back());
  define(node, 0, reshape(loc, y, final));
  return success();
}

LogicalResult GraphImporter::importBatchNorm(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  if (attrInt(node, "training_mode", 0) != 0)
    return emitError(loc) << "BatchNormalization with training_mode=1 is not "
                             "supported (inference only)";
  if (failed(onlyOutputs(node, 1)))
    return failure();
  SmallVector<Value> ins;
  for (int i = 0; i < 5; ++i) {
    FailureOr<Value> v = input(node, i);
    if (failed(v))
      return failure();
    ins.push_back(*v);
  }
  auto op = builder.create<BatchNormOp>(
      loc, ins[0].getType(), ins[0], ins[1], ins[2], ins[3], ins[4],
      builder.getF32FloatAttr(attrFloat(node, "epsilon", 1e-5f)));
  define(node, 0, op);
  return success();
}

template <typename OpTy>
LogicalResult GraphImporter::importBinary(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  FailureOr<Value> a = input(node, 0), b = input(node, 1);
  if (failed(a) || failed(b) || failed(sameElementTypes(node, *a, *b)))
    return failure();
  auto out = broadcastShapes(shape(*a), shape(*b));
  if (!out)
    return emitError(loc) << node.op_type() << " operand shapes do not broadcast";
  define(node, 0, builder.create<OpTy>(loc, tensor(*out, elt(*a)), *a, *b));
  return success();
}

template <typename OpTy>
LogicalResult GraphImporter::importUnary(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  if ((std::is_same_v<OpTy, SigmoidOp> || std::is_same_v<OpTy, TanhOp>) &&
      !isa<FloatType>(elt(*x)))
    return emitError(nodeLoc(node))
           << node.op_type() << " needs a float input, got " << elt(*x);
  define(node, 0, builder.create<OpTy>(nodeLoc(node), x->getType(), *x));
  return success();
}

LogicalResult GraphImporter::importLeakyRelu(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  define(node, 0,
         builder.create<LeakyReluOp>(
             nodeLoc(node), x->getType(), *x,
             builder.getF32FloatAttr(attrFloat(node, "alpha", 0.01f))));
  return success();
}

LogicalResult GraphImporter::importClip(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  if (hasInput(node, 1)) {
    FailureOr<double> v = constScalar(node, 1);
    if (failed(v))
      return failure();
    lo = *v;
  }
  if (hasInput(node, 2)) {
    FailureOr<double> v = constScalar(node, 2);
    if (failed(v))
      return failure();
    hi = *v;
  }
  if (lo > hi) {
    // ONNX: when min > max every element becomes max.
    lo = hi;
  }
  define(node, 0,
         builder.create<ClipOp>(nodeLoc(node), x->getType(), *x,
                                builder.getF64FloatAttr(lo),
                                builder.getF64FloatAttr(hi)));
  return success();
}

template <typename OpTy>
LogicalResult GraphImporter::importPool(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  if (failed(onlyOutputs(node, 1)))
    return failure();
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> xs = shape(*x);
  if (xs.size() != 3 && xs.size() != 4)
    return emitError(loc) << node.op_type()
                          << " supports 1-D and 2-D pooling (input rank 3 or "
                             "4), got rank "
                          << xs.size();
  size_t n = xs.size() - 2;
  SmallVector<int64_t> kernel = attrInts(node, "kernel_shape", {});
  if (kernel.size() != n)
    return emitError(loc) << "kernel_shape must have " << n << " values";
  SmallVector<int64_t> strides = attrInts(node, "strides", SmallVector<int64_t>(n, 1));
  SmallVector<int64_t> dilations = attrInts(node, "dilations", SmallVector<int64_t>(n, 1));
  if (strides.size() != n || dilations.size() != n)
    return emitError(loc) << "strides and dilations must have " << n << " values";
  if (attrInt(node, "storage_order", 0) != 0)
    return emitError(loc) << "storage_order=1 is not supported";
  auto pads = windowPads(node, xs.drop_front(2), kernel, strides, dilations);
  if (failed(pads))
    return failure();
  bool ceil = attrInt(node, "ceil_mode", 0) != 0;
  SmallVector<int64_t> out = {xs[0], xs[1]};
  for (size_t i = 0; i < n; ++i) {
    int64_t args[] = {xs[2 + i], kernel[i], strides[i], dilations[i],
                      (*pads)[i], (*pads)[n + i]};
    int64_t o = ceil ? windowOutSizeCeil(args[0], args[1], args[2], args[3],
                                         args[4], args[5])
                     : windowOutSize(args[0], args[1], args[2], args[3],
                                     args[4], args[5]);
    if (o < 1)
      return emitError(loc) << "the pooling window does not fit spatial dim " << i;
    out.push_back(o);
  }
  auto op = builder.create<OpTy>(loc, tensor(out, elt(*x)), *x,
                                 builder.getDenseI64ArrayAttr(kernel),
                                 builder.getDenseI64ArrayAttr(strides),
                                 builder.getDenseI64ArrayAttr(dilations),
                                 builder.getDenseI64ArrayAttr(*pads));
  if constexpr (std::is_same_v<OpTy, AveragePoolOp>)
    op.setCountIncludePad(attrInt(node, "count_include_pad", 0) != 0);
  define(node, 0, op);
  return success();
}

LogicalResult GraphImporter::importGlobalAveragePool(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> out(shape(*x));
  if (out.size() < 3)
    return emitError(nodeLoc(node)) << "GlobalAveragePool expects rank >= 3";
  for (size_t i = 2; i < out.size(); ++i)
    out[i] = 1;
  define(node, 0,
         builder.create<GlobalAveragePoolOp>(nodeLoc(node),
                                             tensor(out, elt(*x)), *x));
  return success();
}

LogicalResult GraphImporter::importSoftmax(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  if (!isa<FloatType>(elt(*x)))
    return emitError(nodeLoc(node)) << "Softmax needs a float input";
  int64_t rank = shape(*x).size();
  int64_t axis = attrInt(node, "axis", -1);
  if (axis < -rank || axis >= rank)
    return emitError(nodeLoc(node)) << "axis " << axis << " is out of range";
  if (axis < 0)
    axis += rank;
  define(node, 0,
         builder.create<SoftmaxOp>(nodeLoc(node), x->getType(), *x,
                                   builder.getI64IntegerAttr(axis)));
  return success();
}

LogicalResult GraphImporter::importReshape(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  FailureOr<Value> x = input(node, 0);
  FailureOr<SmallVector<int64_t>> target = constInts(node, 1);
  if (failed(x) || failed(target))
    return failure();
  bool allowZero = attrInt(node, "allowzero", 0) != 0;
  ArrayRef<int64_t> in = shape(*x);
  SmallVector<int64_t> out(*target);
  int64_t inferred = -1, known = 1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == 0 && !allowZero) {
      if (i >= in.size())
        return emitError(loc) << "shape entry " << i << " copies a missing dim";
      out[i] = in[i];
    }
    if (out[i] == -1) {
      if (inferred >= 0)
        return emitError(loc) << "shape has more than one -1";
      inferred = i;
    } else if (out[i] < 0) {
      return emitError(loc) << "invalid shape entry " << out[i];
    } else {
      known *= out[i];
    }
  }
  int64_t total = numElements(in);
  if (inferred >= 0) {
    if (known == 0 || total % known != 0)
      return emitError(loc) << "cannot infer the -1 dim of the new shape";
    out[inferred] = total / known;
  }
  if (numElements(out) != total)
    return emitError(loc) << "Reshape changes the element count from " << total
                          << " to " << numElements(out);
  define(node, 0, reshape(loc, *x, out));
  return success();
}

LogicalResult GraphImporter::importFlatten(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> in = shape(*x);
  int64_t rank = in.size(), axis = attrInt(node, "axis", 1);
  if (axis < -rank || axis > rank)
    return emitError(nodeLoc(node)) << "axis " << axis << " is out of range";
  if (axis < 0)
    axis += rank;
  int64_t outer = numElements(in.take_front(axis));
  define(node, 0,
         reshape(nodeLoc(node), *x, {outer, numElements(in) / std::max<int64_t>(outer, 1)}));
  return success();
}

LogicalResult GraphImporter::importSqueeze(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> in = shape(*x);
  int64_t rank = in.size();
  SmallVector<bool> drop(rank, false);
  if (hasInput(node, 1)) {
    FailureOr<SmallVector<int64_t>> axes = constInts(node, 1);
    if (failed(axes))
      return failure();
    for (int64_t a : *axes) {
      if (a < -rank || a >= rank)
        return emitError(nodeLoc(node)) << "axis " << a << " is out of range";
      a = a < 0 ? a + rank : a;
      if (in[a] != 1)
        return emitError(nodeLoc(node)) << "cannot squeeze dim " << a
                                        << " of size " << in[a];
      drop[a] = true;
    }
  } else {
    for (int64_t i = 0; i < rank; ++i)
      drop[i] = in[i] == 1;
  }
  SmallVector<int64_t> out;
  for (int64_t i = 0; i < rank; ++i)
    if (!drop[i])
      out.push_back(in[i]);
  define(node, 0, reshape(nodeLoc(node), *x, out));
  return success();
}

LogicalResult GraphImporter::importUnsqueeze(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0);
  FailureOr<SmallVector<int64_t>> axes = constInts(node, 1);
  if (failed(x) || failed(axes))
    return failure();
  ArrayRef<int64_t> in = shape(*x);
  int64_t rank = in.size() + axes->size();
  SmallVector<bool> isNew(rank, false);
  for (int64_t a : *axes) {
    if (a < -rank || a >= rank)
      return emitError(nodeLoc(node)) << "axis " << a << " is out of range";
    a = a < 0 ? a + rank : a;
    if (isNew[a])
      return emitError(nodeLoc(node)) << "axis " << a << " is repeated";
    isNew[a] = true;
  }
  SmallVector<int64_t> out;
  size_t next = 0;
  for (int64_t i = 0; i < rank; ++i)
    out.push_back(isNew[i] ? 1 : in[next++]);
  define(node, 0, reshape(nodeLoc(node), *x, out));
  return success();
}

LogicalResult GraphImporter::importTranspose(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> in = shape(*x);
  SmallVector<int64_t> rev;
  for (int64_t i = in.size() - 1; i >= 0; --i)
    rev.push_back(i);
  SmallVector<int64_t> perm = attrInts(node, "perm", rev);
  if (perm.size() != in.size())
    return emitError(nodeLoc(node)) << "perm must have " << in.size() << " values";
  SmallVector<int64_t> out;
  for (int64_t p : perm) {
    if (p < 0 || p >= (int64_t)in.size())
      return emitError(nodeLoc(node)) << "perm entry " << p << " is out of range";
    out.push_back(in[p]);
  }
  define(node, 0,
         builder.create<TransposeOp>(nodeLoc(node), tensor(out, elt(*x)), *x,
                                     builder.getDenseI64ArrayAttr(perm)));
  return success();
}

LogicalResult GraphImporter::importConcat(const onnx::NodeProto &node) {
  SmallVector<Value> ins;
  for (int i = 0; i < node.input_size(); ++i) {
    FailureOr<Value> v = input(node, i);
    if (failed(v) || (!ins.empty() && failed(sameElementTypes(node, ins[0], *v))))
      return failure();
    ins.push_back(*v);
  }
  if (ins.empty())
    return emitError(nodeLoc(node)) << "Concat needs at least one input";
  int64_t rank = shape(ins[0]).size(), axis = attrInt(node, "axis", 0);
  if (axis < -rank || axis >= rank)
    return emitError(nodeLoc(node)) << "axis " << axis << " is out of range";
  if (axis < 0)
    axis += rank;
  SmallVector<int64_t> out(shape(ins[0]));
  out[axis] = 0;
  for (Value v : ins)
    out[axis] += shape(v)[axis];
  define(node, 0,
         builder.create<ConcatOp>(nodeLoc(node), tensor(out, elt(ins[0])), ins,
                                  builder.getI64IntegerAttr(axis)));
  return success();
}

LogicalResult GraphImporter::importIdentity(const onnx::NodeProto &node) {
  if (node.op_type() == "Dropout") {
    if (failed(onlyOutputs(node, 1)))
      return failure();
    if (hasInput(node, 2)) {
      FailureOr<SmallVector<int64_t>> training = constInts(node, 2);
      if (failed(training) || (!training->empty() && (*training)[0] != 0))
        return emitError(nodeLoc(node))
               << "Dropout must be in inference mode (training_mode=false)";
    }
  }
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  define(node, 0, *x);
  return success();
}

LogicalResult GraphImporter::importConstant(const onnx::NodeProto &node) {
  const auto *value = attr(node, "value");
  if (!value || !value->has_t())
    return emitError(nodeLoc(node))
           << "Constant supports only the 'value' tensor attribute";
  DenseElementsAttr dense = tensorProtoToAttr(ctx, value->t(), nodeLoc(node));
  if (!dense)
    return failure();
  define(node, 0, builder.create<ConstantOp>(nodeLoc(node), dense));
  return success();
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> GraphImporter::run(StringRef funcName) {
  const onnx::GraphProto &graph = model.model.graph();
  Location modelLoc = NameLoc::get(StringAttr::get(&ctx, graph.name()));

  // Report every unsupported node before importing anything.
  const auto &importers = table();
  int unsupported = 0;
  for (const auto &node : graph.node()) {
    bool ours = node.domain().empty() || node.domain() == "ai.onnx";
    if (ours && importers.count(node.op_type()))
      continue;
    ++unsupported;
    emitError(nodeLoc(node))
        << "unsupported op " << (ours ? "" : node.domain() + ".")
        << node.op_type() << " (node '" << node.name() << "', opset "
        << model.originalOpset << ")";
  }
  if (unsupported) {
    emitError(modelLoc) << unsupported
                        << " node(s) use ops Tempo does not support; supported: "
                        << llvm::join(mlir::tempo::supportedOnnxOps(), ", ");
    return nullptr;
  }

  for (const auto &init : graph.initializer())
    initializers[init.name()] = &init;

  auto module = ModuleOp::create(modelLoc);
  builder.setInsertionPointToEnd(module.getBody());

  SmallVector<Type> argTypes;
  SmallVector<const onnx::ValueInfoProto *> args;
  for (const auto &in : graph.input()) {
    if (initializers.count(in.name()))
      continue; // an initializer listed as input (IR < 4 style): a constant
    const auto &t = in.type().tensor_type();
    Type e = mlir::tempo::onnxElementType(ctx, t.elem_type());
    if (!e) {
      emitError(modelLoc) << "graph input '" << in.name()
                          << "' has element type " << onnxTypeName(t.elem_type())
                          << ", which Tempo does not support";
      return nullptr;
    }
    SmallVector<int64_t> dims;
    for (const auto &d : t.shape().dim())
      dims.push_back(d.dim_value());
    argTypes.push_back(RankedTensorType::get(dims, e));
    args.push_back(&in);
  }
  auto func = builder.create<func::FuncOp>(
      modelLoc, funcName, builder.getFunctionType(argTypes, {}));
  Block *body = func.addEntryBlock();
  for (auto [i, in] : llvm::enumerate(args)) {
    values[in->name()] = body->getArgument(i);
    func.setArgAttr(i, kNameAttr, builder.getStringAttr(in->name()));
  }
  builder.setInsertionPointToEnd(body);

  for (const auto &node : graph.node()) {
    ImportFn fn = importers.lookup(node.op_type());
    if (failed((this->*fn)(node)))
      return nullptr;
  }

  SmallVector<Value> results;
  for (const auto &out : graph.output()) {
    auto it = values.find(out.name());
    FailureOr<Value> v = failure();
    if (it != values.end())
      v = it->second;
    if (failed(v)) {
      auto init = initializers.find(out.name());
      if (init == initializers.end()) {
        emitError(modelLoc) << "graph output '" << out.name()
                            << "' is not produced by any node";
        return nullptr;
      }
      onnx::NodeProto fake;
      fake.set_name(out.name());
      v = lookup(fake, out.name());
      if (failed(v))
        return nullptr;
    }
    // The model's own declared output shape, where static, must agree.
    const auto &t = out.type().tensor_type();
    SmallVector<int64_t> declared;
    bool isStatic = t.has_shape();
    for (const auto &d : t.shape().dim()) {
      isStatic &= d.has_dim_value();
      declared.push_back(d.dim_value());
    }
    if (isStatic && ArrayRef<int64_t>(declared) != shape(*v)) {
      InFlightDiagnostic diag = emitError(modelLoc)
                                << "graph output '" << out.name()
                                << "' is declared with shape [";
      llvm::interleave(declared, [&](int64_t d) { diag << d; },
                       [&] { diag << ", "; });
      diag << "] but computes " << v->getType();
      return nullptr;
    }
    results.push_back(*v);
  }
  builder.create<func::ReturnOp>(modelLoc, results);
  SmallVector<Type> resultTypes;
  for (Value v : results)
    resultTypes.push_back(v.getType());
  func.setFunctionType(builder.getFunctionType(argTypes, resultTypes));
  for (auto [i, out] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, kNameAttr, builder.getStringAttr(out.name()));

  if (failed(verify(module))) {
    module.erase();
    return nullptr;
  }
  return module;
}

OwningOpRef<ModuleOp> mlir::tempo::importOnnxGraph(MLIRContext &context,
                                             const LoadedModel &model,
                                             StringRef funcName) {
  context.loadDialect<TempoDialect, func::FuncDialect>();
  GraphImporter importer(context, model);
  return importer.run(funcName);
}
