//===- OnnxImporter.cpp - ONNX graph to tempo dialect ---------------------===//
//
// One table maps each ONNX op type (opset kTargetOpset semantics: the loader
// has already run the version converter) to an import function. Result
// shapes are computed here from the operand types; the op verifiers check
// them again.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/OnnxImporter.h"
#include "compiler/eval/Evaluator.h"
#include "dialects/Tempo/IR/TempoOps.h"
#include "dialects/Tempo/IR/TempoShapes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"

#include "tempo/ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>

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
                   << "' refers to external data; a tensor file must hold its "
                      "own data (models may use .data files)";
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

  /// A conv (matmul) of `node`'s geometry (attributes, numpy promotion of
  /// 1-D operands) with result element type `outElt`.
  FailureOr<Value> createConv(const onnx::NodeProto &node, Value x, Value w,
                              Value bias, Type outElt);
  FailureOr<Value> createMatMul(const onnx::NodeProto &node, Value a, Value b,
                                Type outElt);

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

  // --- the wider op set (ops of tempo/ops.h and tempo/recurrent.h) ---------
  /// The constant value of `v`, folding (with the kernels) the ops that
  /// compute it from constants; null if it is not constant.
  DenseElementsAttr constantOf(Value v);
  /// Whether the node's output `i` is used (named).
  bool wants(const onnx::NodeProto &node, int i) const;
  FailureOr<int64_t> resolveAxis(const onnx::NodeProto &node, int64_t axis,
                                 int64_t rank);
  Value stridedCopy(Location loc, Value x, ArrayRef<int64_t> out,
                    ArrayRef<int64_t> start, ArrayRef<int64_t> step,
                    StringRef border, Value padValue);
  /// `x` broadcast (numpy rules) to `target`: a view or a strided copy.
  FailureOr<Value> expandTo(const onnx::NodeProto &node, Value x,
                            ArrayRef<int64_t> target);
  /// Defines the node outputs an op packs into its one result: the result
  /// itself (reshaped) for one output, else a 1-D slice of it per output.
  void definePacked(const onnx::NodeProto &node, Value packed,
                    ArrayRef<std::pair<int, SmallVector<int64_t>>> outputs);
  /// A tempo.scratch of `floats` floats.
  Value scratch(Location loc, int64_t floats);
  Value castTo(Location loc, Value x, Type to);
  FailureOr<Value> binaryMath(const onnx::NodeProto &node, StringRef fn,
                              Value a, Value b);
  Value reduceAxes(Location loc, Value x, StringRef kind,
                   ArrayRef<int64_t> axes);
  LogicalResult importMath(const onnx::NodeProto &node);
  LogicalResult importBinaryMath(const onnx::NodeProto &node);
  LogicalResult importReduce(const onnx::NodeProto &node);
  LogicalResult importArgReduce(const onnx::NodeProto &node);
  template <typename OpTy>
  LogicalResult importAxisOp(const onnx::NodeProto &node);
  LogicalResult importLayerNorm(const onnx::NodeProto &node);
  LogicalResult importInstanceNorm(const onnx::NodeProto &node);
  LogicalResult importGlobalMaxPool(const onnx::NodeProto &node);
  LogicalResult importCumSum(const onnx::NodeProto &node);
  LogicalResult importSlice(const onnx::NodeProto &node);
  LogicalResult importPad(const onnx::NodeProto &node);
  LogicalResult importTile(const onnx::NodeProto &node);
  LogicalResult importExpand(const onnx::NodeProto &node);
  LogicalResult importGather(const onnx::NodeProto &node);
  LogicalResult importSplit(const onnx::NodeProto &node);
  LogicalResult importCast(const onnx::NodeProto &node);
  LogicalResult importConstantOfShape(const onnx::NodeProto &node);
  LogicalResult importRange(const onnx::NodeProto &node);
  LogicalResult importShape(const onnx::NodeProto &node);
  LogicalResult importSize(const onnx::NodeProto &node);
  LogicalResult importConvTranspose(const onnx::NodeProto &node);
  LogicalResult importRecurrent(const onnx::NodeProto &node);
  LogicalResult importDft(const onnx::NodeProto &node);
  LogicalResult importStft(const onnx::NodeProto &node);
  LogicalResult importWindow(const onnx::NodeProto &node);
  LogicalResult importMelWeightMatrix(const onnx::NodeProto &node);

  // --- quantized ops (docs/quantization.md) --------------------------------
  /// The constant value of input `i`, a scale, zero point or weight; the
  /// error names the operand as ONNX does ("QLinearConv's x_scale").
  FailureOr<DenseElementsAttr> quantParam(const onnx::NodeProto &node, int i);
  /// The uniform type of the values that input `s` scales and input `z`
  /// zero-points: per tensor, or per axis `axis` of `shape` for a 1-D scale
  /// with more than one value. The storage type is the zero point's, else
  /// `storage`.
  FailureOr<quant::QuantizedType>
  quantTypeOf(const onnx::NodeProto &node, int s, int z,
              ArrayRef<int64_t> shape, int64_t axis, Type storage);
  /// Input `i`, a plain integer tensor, as an int8 per-tensor quantized
  /// value: viewed as type `q` (scale input s, zero point input z), then
  /// moved to int8 storage if it is uint8.
  FailureOr<Value> int8Operand(const onnx::NodeProto &node, int i, int s,
                               int z);
  /// The per-tensor int8 type an output of scale input s and zero point
  /// input z is computed in, and that type itself (uint8 or int8).
  FailureOr<std::pair<quant::UniformQuantizedType,
                      quant::UniformQuantizedType>>
  int8Result(const onnx::NodeProto &node, int s, int z);
  /// `v`, a plain integer tensor (or constant) of q's storage type, as q.
  Value asQuantized(Location loc, Value v, quant::QuantizedType q);
  /// A quantized value as its plain storage tensor (the model's API type).
  Value asStorage(Location loc, Value v);
  /// An int8 quantized value `v` requantized to `q` (uint8 storage).
  Value requantizeTo(Location loc, Value v, quant::QuantizedType q);
  /// `v` cast to f32 minus its zero point (input z, if given); the largest
  /// |v - zp| any stored value can give is added to `range`.
  FailureOr<Value> floatMinusZeroPoint(const onnx::NodeProto &node, Value v,
                                       int z, ArrayRef<int64_t> zpShape,
                                       double &range);
  LogicalResult importQuantizeLinear(const onnx::NodeProto &node);
  LogicalResult importDequantizeLinear(const onnx::NodeProto &node);
  LogicalResult importQLinearMatMul(const onnx::NodeProto &node);
  LogicalResult importQLinearConv(const onnx::NodeProto &node);
  LogicalResult importConvInteger(const onnx::NodeProto &node);
  LogicalResult importMatMulInteger(const onnx::NodeProto &node);

  MLIRContext &ctx;
  const mlir::tempo::LoadedModel &model;
  OpBuilder builder;
  std::map<std::string, Value> values;
  std::map<std::string, const onnx::TensorProto *> initializers;
};

} // namespace

const llvm::StringMap<ImportFn> &GraphImporter::table() {
  static const llvm::StringMap<ImportFn> kTable = {
      {"Abs", &GraphImporter::importMath},
      {"Add", &GraphImporter::importBinary<AddOp>},
      {"ArgMax", &GraphImporter::importArgReduce},
      {"ArgMin", &GraphImporter::importArgReduce},
      {"AveragePool", &GraphImporter::importPool<AveragePoolOp>},
      {"CumSum", &GraphImporter::importCumSum},
      {"BatchNormalization", &GraphImporter::importBatchNorm},
      {"BlackmanWindow", &GraphImporter::importWindow},
      {"Cast", &GraphImporter::importCast},
      {"Ceil", &GraphImporter::importMath},
      {"Celu", &GraphImporter::importMath},
      {"Clip", &GraphImporter::importClip},
      {"Concat", &GraphImporter::importConcat},
      {"Constant", &GraphImporter::importConstant},
      {"ConstantOfShape", &GraphImporter::importConstantOfShape},
      {"Conv", &GraphImporter::importConv},
      {"ConvInteger", &GraphImporter::importConvInteger},
      {"ConvTranspose", &GraphImporter::importConvTranspose},
      {"Cos", &GraphImporter::importMath},
      {"DFT", &GraphImporter::importDft},
      {"DequantizeLinear", &GraphImporter::importDequantizeLinear},
      {"Div", &GraphImporter::importBinary<DivOp>},
      {"Dropout", &GraphImporter::importIdentity},
      {"Elu", &GraphImporter::importMath},
      {"Erf", &GraphImporter::importMath},
      {"Exp", &GraphImporter::importMath},
      {"Expand", &GraphImporter::importExpand},
      {"Flatten", &GraphImporter::importFlatten},
      {"Floor", &GraphImporter::importMath},
      {"GRU", &GraphImporter::importRecurrent},
      {"Gather", &GraphImporter::importGather},
      {"Gemm", &GraphImporter::importGemm},
      {"GlobalAveragePool", &GraphImporter::importGlobalAveragePool},
      {"GlobalMaxPool", &GraphImporter::importGlobalMaxPool},
      {"HammingWindow", &GraphImporter::importWindow},
      {"HannWindow", &GraphImporter::importWindow},
      {"HardSigmoid", &GraphImporter::importMath},
      {"HardSwish", &GraphImporter::importMath},
      {"Hardmax", &GraphImporter::importAxisOp<HardmaxOp>},
      {"Identity", &GraphImporter::importIdentity},
      {"InstanceNormalization", &GraphImporter::importInstanceNorm},
      {"LSTM", &GraphImporter::importRecurrent},
      {"LayerNormalization", &GraphImporter::importLayerNorm},
      {"LeakyRelu", &GraphImporter::importLeakyRelu},
      {"Log", &GraphImporter::importMath},
      {"LogSoftmax", &GraphImporter::importAxisOp<LogSoftmaxOp>},
      {"MatMul", &GraphImporter::importMatMul},
      {"MatMulInteger", &GraphImporter::importMatMulInteger},
      {"Max", &GraphImporter::importBinaryMath},
      {"LpPool", &GraphImporter::importPool<LpPoolOp>},
      {"MaxPool", &GraphImporter::importPool<MaxPoolOp>},
      {"Mean", &GraphImporter::importBinaryMath},
      {"MelWeightMatrix", &GraphImporter::importMelWeightMatrix},
      {"Min", &GraphImporter::importBinaryMath},
      {"Mul", &GraphImporter::importBinary<MulOp>},
      {"Neg", &GraphImporter::importMath},
      {"PRelu", &GraphImporter::importBinaryMath},
      {"Pad", &GraphImporter::importPad},
      {"Pow", &GraphImporter::importBinaryMath},
      {"QLinearConv", &GraphImporter::importQLinearConv},
      {"QLinearMatMul", &GraphImporter::importQLinearMatMul},
      {"QuantizeLinear", &GraphImporter::importQuantizeLinear},
      {"RNN", &GraphImporter::importRecurrent},
      {"Range", &GraphImporter::importRange},
      {"Reciprocal", &GraphImporter::importMath},
      {"ReduceL1", &GraphImporter::importReduce},
      {"ReduceL2", &GraphImporter::importReduce},
      {"ReduceLogSum", &GraphImporter::importReduce},
      {"ReduceLogSumExp", &GraphImporter::importReduce},
      {"ReduceMax", &GraphImporter::importReduce},
      {"ReduceMean", &GraphImporter::importReduce},
      {"ReduceMin", &GraphImporter::importReduce},
      {"ReduceProd", &GraphImporter::importReduce},
      {"ReduceSum", &GraphImporter::importReduce},
      {"ReduceSumSquare", &GraphImporter::importReduce},
      {"Relu", &GraphImporter::importUnary<ReluOp>},
      {"Reshape", &GraphImporter::importReshape},
      {"STFT", &GraphImporter::importStft},
      {"Selu", &GraphImporter::importMath},
      {"Shape", &GraphImporter::importShape},
      {"Sigmoid", &GraphImporter::importUnary<SigmoidOp>},
      {"Sign", &GraphImporter::importMath},
      {"Sin", &GraphImporter::importMath},
      {"Size", &GraphImporter::importSize},
      {"Slice", &GraphImporter::importSlice},
      {"Softmax", &GraphImporter::importSoftmax},
      {"Softplus", &GraphImporter::importMath},
      {"Softsign", &GraphImporter::importMath},
      {"Split", &GraphImporter::importSplit},
      {"Sqrt", &GraphImporter::importMath},
      {"Squeeze", &GraphImporter::importSqueeze},
      {"Sub", &GraphImporter::importBinary<SubOp>},
      {"Sum", &GraphImporter::importBinaryMath},
      {"Tanh", &GraphImporter::importUnary<TanhOp>},
      {"ThresholdedRelu", &GraphImporter::importMath},
      {"Tile", &GraphImporter::importTile},
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
  DenseElementsAttr dense = constantOf(*v);
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
  DenseElementsAttr dense = constantOf(*v);
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
  FailureOr<Value> y = createConv(node, *x, *w, bias, elt(*x));
  if (failed(y))
    return failure();
  define(node, 0, *y);
  return success();
}

FailureOr<Value> GraphImporter::createConv(const onnx::NodeProto &node,
                                           Value x, Value w, Value bias,
                                           Type outElt) {
  Location loc = nodeLoc(node);
  ArrayRef<int64_t> xs = shape(x), ws = shape(w);
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
  return builder
      .create<ConvOp>(loc, tensor(out, outElt), x, w, bias,
                      builder.getDenseI64ArrayAttr(strides),
                      builder.getDenseI64ArrayAttr(dilations),
                      builder.getDenseI64ArrayAttr(*pads),
                      builder.getI64IntegerAttr(group))
      .getResult();
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
  FailureOr<Value> a = input(node, 0), b = input(node, 1);
  if (failed(a) || failed(b) || failed(sameElementTypes(node, *a, *b)))
    return failure();
  FailureOr<Value> y = createMatMul(node, *a, *b, elt(*a));
  if (failed(y))
    return failure();
  define(node, 0, *y);
  return success();
}

FailureOr<Value> GraphImporter::createMatMul(const onnx::NodeProto &node,
                                             Value a, Value b, Type outElt) {
  Location loc = nodeLoc(node);
  // 1-D operands: promote, multiply, then drop the promoted dim (numpy).
  bool aVec = shape(a).size() == 1, bVec = shape(b).size() == 1;
  Value av = aVec ? reshape(loc, a, {1, shape(a)[0]}) : a;
  Value bv = bVec ? reshape(loc, b, {shape(b)[0], 1}) : b;
  ArrayRef<int64_t> as = shape(av), bs = shape(bv);
  auto batch = broadcastShapes(as.drop_back(2), bs.drop_back(2));
  if (!batch || as.back() != bs[bs.size() - 2])
    return emitError(loc) << "MatMul operand shapes do not match";
  SmallVector<int64_t> out(*batch);
  out.push_back(as[as.size() - 2]);
  out.push_back(bs.back());
  Value y = builder.create<MatMulOp>(loc, tensor(out, outElt), av, bv);
  SmallVector<int64_t> final(*batch);
  if (!aVec)
    final.push_back(as[as.size() - 2]);
  if (!bVec)
    final.push_back(bs.back());
  return reshape(loc, y, final);
}

LogicalResult GraphImporter::importBatchNorm(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  bool training = attrInt(node, "training_mode", 0) != 0;
  if (failed(onlyOutputs(node, training ? 3 : 1)))
    return failure();
  SmallVector<Value> ins;
  for (int i = 0; i < 5; ++i) {
    FailureOr<Value> v = input(node, i);
    if (failed(v))
      return failure();
    ins.push_back(*v);
  }
  if (training) {
    // Y, running_mean, running_var, packed as LayerNormalization's outputs.
    ArrayRef<int64_t> in = shape(ins[0]);
    if (in.size() < 2 || !isa<FloatType>(elt(ins[0])))
      return emitError(loc) << "BatchNormalization with training_mode=1 needs "
                               "a float input of rank 2 or more";
    SmallVector<std::pair<int, SmallVector<int64_t>>> outs;
    SmallVector<bool> want;
    for (int i = 0; i < 3; ++i) {
      want.push_back(wants(node, i) ||
                     (i == 0 && !wants(node, 1) && !wants(node, 2)));
      if (want.back())
        outs.push_back({i, i == 0 ? SmallVector<int64_t>(in)
                                  : SmallVector<int64_t>{in[1]}});
    }
    int64_t total = 0;
    for (auto &o : outs)
      total += numElements(o.second);
    Type resultType = outs.size() == 1 ? tensor(outs[0].second, elt(ins[0]))
                                       : tensor({total}, elt(ins[0]));
    Value r = builder.create<BatchNormTrainingOp>(
        loc, resultType, ins[0], ins[1], ins[2], ins[3], ins[4],
        builder.getF32FloatAttr(attrFloat(node, "epsilon", 1e-5f)),
        builder.getF32FloatAttr(attrFloat(node, "momentum", 0.9f)),
        builder.getDenseBoolArrayAttr(want));
    definePacked(node, r, outs);
    return success();
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
  constexpr bool isMax = std::is_same_v<OpTy, MaxPoolOp>;
  // MaxPool's second output, Indices, is an op of its own (see
  // tempo.max_pool); AveragePool has one output.
  if (failed(onlyOutputs(node, isMax ? 2 : 1)))
    return failure();
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> xs = shape(*x);
  if (xs.size() < 3 || xs.size() > 5)
    return emitError(loc) << node.op_type()
                          << " supports 1-D, 2-D and 3-D pooling (input rank "
                             "3, 4 or 5), got rank "
                          << xs.size();
  constexpr bool isLp = std::is_same_v<OpTy, LpPoolOp>;
  if (isLp && (xs.size() > 4 || !isa<FloatType>(elt(*x))))
    return emitError(loc) << "LpPool supports 1-D and 2-D pooling of float "
                             "tensors (input rank 3 or 4)";
  if (isLp && attrInt(node, "p", 2) < 1)
    return emitError(loc) << "LpPool p must be at least 1, got "
                          << attrInt(node, "p", 2);
  size_t n = xs.size() - 2;
  SmallVector<int64_t> kernel = attrInts(node, "kernel_shape", {});
  if (kernel.size() != n)
    return emitError(loc) << "kernel_shape must have " << n << " values";
  SmallVector<int64_t> strides = attrInts(node, "strides", SmallVector<int64_t>(n, 1));
  SmallVector<int64_t> dilations = attrInts(node, "dilations", SmallVector<int64_t>(n, 1));
  if (strides.size() != n || dilations.size() != n)
    return emitError(loc) << "strides and dilations must have " << n << " values";
  int64_t storageOrder = attrInt(node, "storage_order", 0);
  if (storageOrder != 0 && storageOrder != 1)
    return emitError(loc) << node.op_type() << " storage_order must be 0 or 1, got "
                          << storageOrder;
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
  auto create = [&](Type type) {
    return builder.create<OpTy>(loc, tensor(out, type), *x,
                                builder.getDenseI64ArrayAttr(kernel),
                                builder.getDenseI64ArrayAttr(strides),
                                builder.getDenseI64ArrayAttr(dilations),
                                builder.getDenseI64ArrayAttr(*pads));
  };
  if (wants(node, 0) || !wants(node, 1)) {
    auto op = create(elt(*x));
    if constexpr (std::is_same_v<OpTy, AveragePoolOp>)
      op.setCountIncludePad(attrInt(node, "count_include_pad", 0) != 0);
    if constexpr (isLp)
      op.setP(attrInt(node, "p", 2));
    define(node, 0, op);
  }
  if constexpr (isMax) {
    if (wants(node, 1)) {
      auto op = create(builder.getI64Type());
      op.setResultsAttr(builder.getDenseBoolArrayAttr({false, true}));
      op.setStorageOrder(storageOrder);
      define(node, 1, op);
    }
  }
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
    if (failed(onlyOutputs(node, 2)))
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
  // Dropout's mask in inference mode: every element kept.
  if (node.op_type() == "Dropout" && wants(node, 1))
    define(node, 1,
           builder.create<ConstantOp>(
               nodeLoc(node),
               DenseElementsAttr::get(tensor(shape(*x), builder.getI1Type()),
                                      true)));
  return success();
}

LogicalResult GraphImporter::importConstant(const onnx::NodeProto &node) {
  // value_float(s) / value_int(s) are a scalar or 1-D tensor.
  auto scalarOr1d = [&](const onnx::AttributeProto *a, Type e, auto values,
                        bool scalar) {
    SmallVector<int64_t> dims;
    if (!scalar)
      dims.push_back(values.size());
    return DenseElementsAttr::get(
        tensor(dims, e), ArrayRef<typename decltype(values)::value_type>(
                             values.begin(), values.end()));
  };
  DenseElementsAttr dense;
  if (const auto *a = attr(node, "value_float"))
    dense =
        scalarOr1d(a, builder.getF32Type(), SmallVector<float>{a->f()}, true);
  else if (const auto *a = attr(node, "value_floats"))
    dense = scalarOr1d(
        a, builder.getF32Type(),
        SmallVector<float>(a->floats().begin(), a->floats().end()), false);
  else if (const auto *a = attr(node, "value_int"))
    dense =
        scalarOr1d(a, builder.getI64Type(), SmallVector<int64_t>{a->i()}, true);
  else if (const auto *a = attr(node, "value_ints"))
    dense = scalarOr1d(a, builder.getI64Type(),
                       SmallVector<int64_t>(a->ints().begin(), a->ints().end()),
                       false);
  if (dense) {
    define(node, 0, builder.create<ConstantOp>(nodeLoc(node), dense));
    return success();
  }
  const auto *value = attr(node, "value");
  if (!value || !value->has_t())
    return emitError(nodeLoc(node))
           << "Constant supports the 'value' tensor and the value_float(s) / "
              "value_int(s) attributes, not '"
           << (node.attribute_size() ? node.attribute(0).name() : "") << "'";
  dense = tensorProtoToAttr(ctx, value->t(), nodeLoc(node));
  if (!dense)
    return failure();
  define(node, 0, builder.create<ConstantOp>(nodeLoc(node), dense));
  return success();
}

//===----------------------------------------------------------------------===//
// Wider ONNX op set
//===----------------------------------------------------------------------===//

DenseElementsAttr GraphImporter::constantOf(Value v) {
  if (auto c = v.getDefiningOp<ConstantOp>())
    return dyn_cast<DenseElementsAttr>(c.getValue());
  // Shape subgraphs (Shape -> Gather -> Unsqueeze -> Concat -> ...): an op
  // whose operands all fold is evaluated now, with the kernels.
  Operation *op = v.getDefiningOp();
  if (!op || op->getNumResults() != 1 || !isa<TempoDialect>(op->getDialect()))
    return {};
  SmallVector<DenseElementsAttr> operands;
  for (Value o : op->getOperands()) {
    DenseElementsAttr a = constantOf(o);
    if (!a)
      return {};
    operands.push_back(a);
  }
  DenseElementsAttr folded = evaluateConstantOp(op, operands);
  if (!folded)
    return {};
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPoint(op);
  Value c = builder.create<ConstantOp>(op->getLoc(), folded);
  v.replaceAllUsesWith(c);
  for (auto &entry : values)
    if (entry.second == v)
      entry.second = c;
  op->erase();
  return folded;
}

bool GraphImporter::wants(const onnx::NodeProto &node, int i) const {
  return node.output_size() > i && !node.output(i).empty();
}

Value GraphImporter::stridedCopy(Location loc, Value x, ArrayRef<int64_t> out,
                                 ArrayRef<int64_t> start,
                                 ArrayRef<int64_t> step, StringRef border,
                                 Value padValue) {
  return builder.create<StridedCopyOp>(loc, tensor(out, elt(x)), x, padValue,
                                       builder.getDenseI64ArrayAttr(start),
                                       builder.getDenseI64ArrayAttr(step),
                                       builder.getStringAttr(border));
}

FailureOr<Value> GraphImporter::expandTo(const onnx::NodeProto &node, Value x,
                                         ArrayRef<int64_t> target) {
  ArrayRef<int64_t> in = shape(x);
  auto out = broadcastShapes(in, target);
  if (!out || (int64_t)out->size() > 6)
    return emitError(nodeLoc(node))
           << "cannot broadcast " << x.getType() << " to the shape of rank "
           << target.size();
  SmallVector<int64_t> ext(out->size() - in.size(), 1);
  ext.append(in.begin(), in.end());
  if (ArrayRef<int64_t>(ext) == ArrayRef<int64_t>(*out))
    return reshape(nodeLoc(node), x, *out);
  SmallVector<int64_t> start(out->size(), 0), step;
  for (size_t d = 0; d < out->size(); ++d)
    step.push_back(ext[d] == 1 && (*out)[d] != 1 ? 0 : 1);
  return stridedCopy(nodeLoc(node), reshape(nodeLoc(node), x, ext), *out, start,
                     step, "constant", nullptr);
}

void GraphImporter::definePacked(
    const onnx::NodeProto &node, Value packed,
    ArrayRef<std::pair<int, SmallVector<int64_t>>> outputs) {
  Location loc = nodeLoc(node);
  if (outputs.size() == 1) {
    define(node, outputs[0].first, reshape(loc, packed, outputs[0].second));
    return;
  }
  int64_t at = 0;
  for (const auto &[index, s] : outputs) {
    int64_t n = numElements(s);
    Value part = stridedCopy(loc, packed, {n}, {at}, {1}, "constant", nullptr);
    define(node, index, reshape(loc, part, s));
    at += n;
  }
}

Value GraphImporter::scratch(Location loc, int64_t floats) {
  return builder.create<ScratchOp>(
      loc, tensor({std::max<int64_t>(floats, 1)}, builder.getF32Type()));
}

/// Resolves a possibly negative axis of a rank-`rank` tensor; fails with a
/// diagnostic at the node if it is out of range.
FailureOr<int64_t> GraphImporter::resolveAxis(const onnx::NodeProto &node,
                                              int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return emitError(nodeLoc(node)) << node.op_type() << " axis " << axis
                                    << " is out of range for rank " << rank;
  return axis < 0 ? axis + rank : axis;
}

LogicalResult GraphImporter::importMath(const onnx::NodeProto &node) {
  struct Fn {
    const char *fn;
    float alpha, beta;
    const char *alphaName, *betaName;
  };
  static const llvm::StringMap<Fn> kFns = {
      {"Abs", {"abs", 0, 0, nullptr, nullptr}},
      {"Neg", {"neg", 0, 0, nullptr, nullptr}},
      {"Exp", {"exp", 0, 0, nullptr, nullptr}},
      {"Log", {"log", 0, 0, nullptr, nullptr}},
      {"Sqrt", {"sqrt", 0, 0, nullptr, nullptr}},
      {"Reciprocal", {"reciprocal", 0, 0, nullptr, nullptr}},
      {"Erf", {"erf", 0, 0, nullptr, nullptr}},
      {"Floor", {"floor", 0, 0, nullptr, nullptr}},
      {"Ceil", {"ceil", 0, 0, nullptr, nullptr}},
      {"Sign", {"sign", 0, 0, nullptr, nullptr}},
      {"Sin", {"sin", 0, 0, nullptr, nullptr}},
      {"Cos", {"cos", 0, 0, nullptr, nullptr}},
      {"Elu", {"elu", 1.0f, 0, "alpha", nullptr}},
      {"Selu",
       {"selu", 1.67326319217681884765625f, 1.05070102214813232421875f, "alpha",
        "gamma"}},
      {"Celu", {"celu", 1.0f, 0, "alpha", nullptr}},
      {"ThresholdedRelu", {"thresholded_relu", 1.0f, 0, "alpha", nullptr}},
      {"HardSigmoid", {"hard_sigmoid", 0.2f, 0.5f, "alpha", "beta"}},
      {"HardSwish", {"hard_swish", 0, 0, nullptr, nullptr}},
      {"Softplus", {"softplus", 0, 0, nullptr, nullptr}},
      {"Softsign", {"softsign", 0, 0, nullptr, nullptr}},
  };
  const Fn &fn = kFns.find(node.op_type())->second;
  FailureOr<Value> x = input(node, 0);
  if (failed(x) || failed(onlyOutputs(node, 1)))
    return failure();
  StringRef name = fn.fn;
  if (!isa<FloatType>(elt(*x)) && name != "abs" && name != "neg" &&
      name != "sign")
    return emitError(nodeLoc(node))
           << node.op_type() << " needs a float input, got " << elt(*x);
  float alpha = fn.alphaName ? attrFloat(node, fn.alphaName, fn.alpha) : 0.0f;
  float beta = fn.betaName ? attrFloat(node, fn.betaName, fn.beta) : 0.0f;
  if (name == "celu" && alpha == 0.0f)
    return emitError(nodeLoc(node)) << "Celu alpha must not be 0";
  define(node, 0,
         builder.create<MathOp>(
             nodeLoc(node), x->getType(), *x, builder.getStringAttr(name),
             builder.getF32FloatAttr(alpha), builder.getF32FloatAttr(beta)));
  return success();
}

FailureOr<Value> GraphImporter::binaryMath(const onnx::NodeProto &node,
                                           StringRef fn, Value a, Value b) {
  auto out = broadcastShapes(shape(a), shape(b));
  if (!out)
    return emitError(nodeLoc(node))
           << node.op_type() << " operand shapes do not broadcast";
  return builder
      .create<BinaryMathOp>(nodeLoc(node), tensor(*out, elt(a)), a, b,
                            builder.getStringAttr(fn))
      .getResult();
}

Value GraphImporter::castTo(Location loc, Value x, Type to) {
  if (elt(x) == to)
    return x;
  return builder.create<CastOp>(loc, tensor(shape(x), to), x);
}

LogicalResult GraphImporter::importBinaryMath(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  StringRef type = node.op_type();
  if (failed(onlyOutputs(node, 1)))
    return failure();
  SmallVector<Value> ins;
  for (int i = 0; i < node.input_size(); ++i) {
    FailureOr<Value> v = input(node, i);
    if (failed(v))
      return failure();
    ins.push_back(*v);
  }
  if (ins.empty())
    return emitError(loc) << type << " needs at least one input";
  if (type == "Pow") {
    if (ins.size() != 2)
      return emitError(loc) << "Pow needs 2 inputs";
    Value base = ins[0], exponent = ins[1];
    // Mixed types: a float exponent of an integer base is computed in float
    // and truncated back (numpy's power then astype); any other exponent is
    // cast to the base's type (exact for the integer exponents of a float).
    if (!isa<FloatType>(elt(base)) && isa<FloatType>(elt(exponent))) {
      FailureOr<Value> r =
          binaryMath(node, "pow", castTo(loc, base, elt(exponent)), exponent);
      if (failed(r))
        return failure();
      define(node, 0, castTo(loc, *r, elt(base)));
      return success();
    }
    FailureOr<Value> r =
        binaryMath(node, "pow", base, castTo(loc, exponent, elt(base)));
    if (failed(r))
      return failure();
    define(node, 0, *r);
    return success();
  }
  for (Value v : ins)
    if (failed(sameElementTypes(node, ins[0], v)))
      return failure();
  if (type == "PRelu") {
    if (ins.size() != 2)
      return emitError(loc) << "PRelu needs 2 inputs";
    FailureOr<Value> r = binaryMath(node, "prelu", ins[0], ins[1]);
    if (failed(r))
      return failure();
    if (shape(*r) != shape(ins[0]))
      return emitError(loc) << "PRelu slope must broadcast to the input shape";
    define(node, 0, *r);
    return success();
  }
  // Variadic Max / Min / Sum / Mean: a chain of binary ops in input order.
  Value acc = ins[0];
  for (Value v : ArrayRef<Value>(ins).drop_front()) {
    auto out = broadcastShapes(shape(acc), shape(v));
    if (!out)
      return emitError(loc) << type << " input shapes do not broadcast";
    if (type == "Sum" || type == "Mean") {
      acc = builder.create<AddOp>(loc, tensor(*out, elt(acc)), acc, v);
    } else {
      FailureOr<Value> r =
          binaryMath(node, type == "Max" ? "max" : "min", acc, v);
      if (failed(r))
        return failure();
      acc = *r;
    }
  }
  if (type == "Mean" && ins.size() > 1) {
    if (!isa<FloatType>(elt(acc)))
      return emitError(loc) << "Mean needs float inputs";
    auto scalarType = tensor({}, elt(acc));
    Value n = builder.create<ConstantOp>(
        loc, DenseElementsAttr::get(
                 scalarType, builder.getF32FloatAttr((float)ins.size())));
    acc = builder.create<DivOp>(loc, acc.getType(), acc, n);
  }
  define(node, 0, acc);
  return success();
}

/// Reduces `x` over `axes` (any order, distinct, resolved) with `kind`;
/// the result keeps the axes as 1s.
Value GraphImporter::reduceAxes(Location loc, Value x, StringRef kind,
                                ArrayRef<int64_t> axes) {
  ArrayRef<int64_t> in = shape(x);
  SmallVector<int64_t> sorted(axes);
  llvm::sort(sorted);
  SmallVector<int64_t> kept(in);
  for (int64_t a : sorted)
    kept[a] = 1;
  bool adjacent = sorted.empty() ||
                  sorted.back() - sorted.front() + 1 == (int64_t)sorted.size();
  if (adjacent)
    return builder.create<ReduceOp>(loc, tensor(kept, elt(x)), x,
                                    builder.getStringAttr(kind),
                                    builder.getDenseI64ArrayAttr(sorted));
  // Non-adjacent axes: transpose them together at the end first.
  SmallVector<int64_t> perm, tshape, raxes;
  for (int64_t d = 0; d < (int64_t)in.size(); ++d)
    if (!llvm::is_contained(sorted, d))
      perm.push_back(d);
  for (int64_t a : sorted) {
    raxes.push_back(perm.size());
    perm.push_back(a);
  }
  for (int64_t p : perm)
    tshape.push_back(in[p]);
  Value t = builder.create<TransposeOp>(loc, tensor(tshape, elt(x)), x,
                                        builder.getDenseI64ArrayAttr(perm));
  SmallVector<int64_t> rshape(tshape);
  for (int64_t a : raxes)
    rshape[a] = 1;
  Value r = builder.create<ReduceOp>(loc, tensor(rshape, elt(x)), t,
                                     builder.getStringAttr(kind),
                                     builder.getDenseI64ArrayAttr(raxes));
  return reshape(loc, r, kept);
}

LogicalResult GraphImporter::importReduce(const onnx::NodeProto &node) {
  static const llvm::StringMap<const char *> kKinds = {
      {"ReduceSum", "sum"},        {"ReduceMean", "mean"},
      {"ReduceMax", "max"},        {"ReduceMin", "min"},
      {"ReduceProd", "prod"},      {"ReduceL1", "l1"},
      {"ReduceL2", "l2"},          {"ReduceSumSquare", "sum_square"},
      {"ReduceLogSum", "log_sum"}, {"ReduceLogSumExp", "log_sum_exp"}};
  Location loc = nodeLoc(node);
  FailureOr<Value> x = input(node, 0);
  if (failed(x) || failed(onlyOutputs(node, 1)))
    return failure();
  int64_t rank = shape(*x).size();
  SmallVector<int64_t> axes = attrInts(node, "axes", {});
  if (hasInput(node, 1)) {
    FailureOr<SmallVector<int64_t>> a = constInts(node, 1);
    if (failed(a))
      return failure();
    axes = *a;
  }
  bool keepDims = attrInt(node, "keepdims", 1) != 0;
  if (axes.empty()) {
    if (attrInt(node, "noop_with_empty_axes", 0) != 0) {
      define(node, 0, *x);
      return success();
    }
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  SmallVector<bool> reduced(rank, false);
  for (int64_t &a : axes) {
    FailureOr<int64_t> r = resolveAxis(node, a, rank);
    if (failed(r))
      return failure();
    if (reduced[*r])
      return emitError(loc) << "axis " << a << " is repeated";
    reduced[*r] = true;
    a = *r;
  }
  Value r = reduceAxes(loc, *x, kKinds.find(node.op_type())->second, axes);
  SmallVector<int64_t> out;
  for (int64_t d = 0; d < rank; ++d)
    if (!reduced[d] || keepDims)
      out.push_back(reduced[d] ? 1 : shape(*x)[d]);
  define(node, 0, reshape(loc, r, out));
  return success();
}

LogicalResult GraphImporter::importArgReduce(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  FailureOr<Value> x = input(node, 0);
  if (failed(x) || failed(onlyOutputs(node, 1)))
    return failure();
  ArrayRef<int64_t> in = shape(*x);
  FailureOr<int64_t> axis =
      resolveAxis(node, attrInt(node, "axis", 0), in.size());
  if (failed(axis))
    return failure();
  SmallVector<int64_t> kept(in);
  kept[*axis] = 1;
  Value r = builder.create<ArgReduceOp>(
      loc, tensor(kept, builder.getI64Type()), *x,
      builder.getStringAttr(node.op_type() == "ArgMax" ? "max" : "min"),
      builder.getI64IntegerAttr(*axis),
      builder.getBoolAttr(attrInt(node, "select_last_index", 0) != 0));
  if (attrInt(node, "keepdims", 1) == 0)
    kept.erase(kept.begin() + *axis);
  define(node, 0, reshape(loc, r, kept));
  return success();
}

template <typename OpTy>
LogicalResult GraphImporter::importAxisOp(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0);
  if (failed(x) || failed(onlyOutputs(node, 1)))
    return failure();
  if (std::is_same_v<OpTy, LogSoftmaxOp> && !isa<FloatType>(elt(*x)))
    return emitError(nodeLoc(node)) << node.op_type() << " needs a float input";
  FailureOr<int64_t> axis =
      resolveAxis(node, attrInt(node, "axis", -1), shape(*x).size());
  if (failed(axis))
    return failure();
  define(node, 0,
         builder.create<OpTy>(nodeLoc(node), x->getType(), *x,
                              builder.getI64IntegerAttr(*axis)));
  return success();
}

LogicalResult GraphImporter::importLayerNorm(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  FailureOr<Value> x = input(node, 0), s = input(node, 1);
  if (failed(x) || failed(s) || failed(onlyOutputs(node, 3)))
    return failure();
  if (!isa<FloatType>(elt(*x)))
    return emitError(loc) << "LayerNormalization needs a float input";
  if (attrInt(node, "stash_type", 1) != 1)
    return emitError(loc) << "LayerNormalization stash_type "
                          << attrInt(node, "stash_type", 1)
                          << " is not supported (only 1, float)";
  ArrayRef<int64_t> in = shape(*x);
  FailureOr<int64_t> axis =
      resolveAxis(node, attrInt(node, "axis", -1), in.size());
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> norm = in.drop_front(*axis);
  FailureOr<Value> scale = expandTo(node, *s, norm);
  if (failed(scale))
    return failure();
  Value bias;
  if (hasInput(node, 2)) {
    FailureOr<Value> b = input(node, 2);
    if (failed(b))
      return failure();
    FailureOr<Value> e = expandTo(node, *b, norm);
    if (failed(e))
      return failure();
    bias = *e;
  }
  if (shape(*scale) != norm || (bias && shape(bias) != norm))
    return emitError(loc)
           << "scale and bias must broadcast to the normalised dims";
  SmallVector<int64_t> stat(in.take_front(*axis));
  stat.append(in.size() - *axis, 1);
  SmallVector<std::pair<int, SmallVector<int64_t>>> outs;
  SmallVector<bool> want;
  for (int i = 0; i < 3; ++i) {
    want.push_back(wants(node, i) ||
                   (i == 0 && !wants(node, 1) && !wants(node, 2)));
    if (want.back())
      outs.push_back({i, i == 0 ? SmallVector<int64_t>(in) : stat});
  }
  int64_t total = 0;
  for (auto &o : outs)
    total += numElements(o.second);
  Type resultType = outs.size() == 1 ? tensor(outs[0].second, elt(*x))
                                     : tensor({total}, elt(*x));
  Value r = builder.create<LayerNormOp>(
      loc, resultType, *x, *scale, bias, builder.getI64IntegerAttr(*axis),
      builder.getF32FloatAttr(attrFloat(node, "epsilon", 1e-5f)),
      builder.getDenseBoolArrayAttr(want));
  definePacked(node, r, outs);
  return success();
}

LogicalResult GraphImporter::importInstanceNorm(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0), s = input(node, 1), b = input(node, 2);
  if (failed(x) || failed(s) || failed(b) || failed(onlyOutputs(node, 1)))
    return failure();
  if (!isa<FloatType>(elt(*x)) || shape(*x).size() < 3)
    return emitError(nodeLoc(node))
           << "InstanceNormalization needs a float input of rank 3 or more";
  define(node, 0,
         builder.create<InstanceNormOp>(
             nodeLoc(node), x->getType(), *x, *s, *b,
             builder.getF32FloatAttr(attrFloat(node, "epsilon", 1e-5f))));
  return success();
}

LogicalResult GraphImporter::importCumSum(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0);
  FailureOr<SmallVector<int64_t>> axisValue = constInts(node, 1);
  if (failed(x) || failed(axisValue) || failed(onlyOutputs(node, 1)))
    return failure();
  if (axisValue->size() != 1)
    return emitError(nodeLoc(node)) << "CumSum's axis must be one value";
  int64_t rank = shape(*x).size();
  FailureOr<int64_t> axis = resolveAxis(node, (*axisValue)[0], rank);
  if (failed(axis))
    return failure();
  define(node, 0,
         builder.create<CumSumOp>(
             nodeLoc(node), x->getType(), *x, builder.getI64IntegerAttr(*axis),
             builder.getBoolAttr(attrInt(node, "exclusive", 0) != 0),
             builder.getBoolAttr(attrInt(node, "reverse", 0) != 0)));
  return success();
}

LogicalResult GraphImporter::importGlobalMaxPool(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0);
  if (failed(x) || failed(onlyOutputs(node, 1)))
    return failure();
  int64_t rank = shape(*x).size();
  if (rank < 3)
    return emitError(nodeLoc(node)) << "GlobalMaxPool expects rank >= 3";
  SmallVector<int64_t> axes;
  for (int64_t d = 2; d < rank; ++d)
    axes.push_back(d);
  define(node, 0, reduceAxes(nodeLoc(node), *x, "max", axes));
  return success();
}

LogicalResult GraphImporter::importSlice(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  FailureOr<Value> x = input(node, 0);
  FailureOr<SmallVector<int64_t>> starts = constInts(node, 1),
                                  ends = constInts(node, 2);
  if (failed(x) || failed(starts) || failed(ends) ||
      failed(onlyOutputs(node, 1)))
    return failure();
  ArrayRef<int64_t> in = shape(*x);
  int64_t rank = in.size();
  SmallVector<int64_t> axes, steps(starts->size(), 1);
  for (int64_t i = 0; i < (int64_t)starts->size(); ++i)
    axes.push_back(i);
  if (hasInput(node, 3)) {
    FailureOr<SmallVector<int64_t>> a = constInts(node, 3);
    if (failed(a))
      return failure();
    axes = *a;
  }
  if (hasInput(node, 4)) {
    FailureOr<SmallVector<int64_t>> s = constInts(node, 4);
    if (failed(s))
      return failure();
    steps = *s;
  }
  if (ends->size() != starts->size() || axes.size() != starts->size() ||
      steps.size() != starts->size())
    return emitError(loc)
           << "Slice starts, ends, axes and steps differ in length";
  SmallVector<int64_t> out(in), start(rank, 0), step(rank, 1);
  for (size_t i = 0; i < axes.size(); ++i) {
    FailureOr<int64_t> a = resolveAxis(node, axes[i], rank);
    if (failed(a))
      return failure();
    int64_t dim = in[*a], s = (*starts)[i], e = (*ends)[i], st = steps[i];
    if (st == 0)
      return emitError(loc) << "Slice step must not be 0";
    if (s < 0)
      s += dim;
    if (e < 0)
      e += dim;
    if (st > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      out[*a] = std::max<int64_t>(0, (e - s + st - 1) / st);
    } else {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      out[*a] = std::max<int64_t>(0, (s - e - st - 1) / -st);
    }
    start[*a] = s;
    step[*a] = st;
  }
  define(node, 0, stridedCopy(loc, *x, out, start, step, "constant", nullptr));
  return success();
}

LogicalResult GraphImporter::importPad(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  FailureOr<Value> x = input(node, 0);
  FailureOr<SmallVector<int64_t>> pads = constInts(node, 1);
  if (failed(x) || failed(pads) || failed(onlyOutputs(node, 1)))
    return failure();
  std::string mode = attrString(node, "mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return emitError(loc) << "Pad mode '" << mode << "' is not supported";
  ArrayRef<int64_t> in = shape(*x);
  int64_t rank = in.size();
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < rank; ++d)
    axes.push_back(d);
  if (hasInput(node, 3)) {
    FailureOr<SmallVector<int64_t>> a = constInts(node, 3);
    if (failed(a))
      return failure();
    axes.clear();
    for (int64_t v : *a) {
      FailureOr<int64_t> r = resolveAxis(node, v, rank);
      if (failed(r))
        return failure();
      axes.push_back(*r);
    }
  }
  size_t n = axes.size();
  if (pads->size() != 2 * n)
    return emitError(loc) << "Pad pads must have " << 2 * n << " values, got "
                          << pads->size();
  Value padValue;
  if (mode == "constant" && hasInput(node, 2)) {
    FailureOr<Value> v = input(node, 2);
    if (failed(v) || failed(sameElementTypes(node, *x, *v)))
      return failure();
    if (numElements(shape(*v)) != 1)
      return emitError(loc) << "Pad constant_value must be one element";
    padValue = *v;
  }
  SmallVector<int64_t> out(in), start(rank, 0), step(rank, 1);
  for (size_t i = 0; i < n; ++i) {
    int64_t a = axes[i], begin = (*pads)[i], end = (*pads)[n + i];
    out[a] = in[a] + begin + end;
    if (out[a] < 0)
      return emitError(loc) << "Pad removes more than dim " << a << " holds";
    if (mode == "reflect" && (begin >= in[a] || end >= in[a]) && in[a] > 1)
      return emitError(loc) << "Pad reflect pads of dim " << a
                            << " must be smaller than its extent " << in[a];
    start[a] = -begin;
  }
  define(node, 0, stridedCopy(loc, *x, out, start, step, mode, padValue));
  return success();
}

LogicalResult GraphImporter::importTile(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0);
  FailureOr<SmallVector<int64_t>> repeats = constInts(node, 1);
  if (failed(x) || failed(repeats) || failed(onlyOutputs(node, 1)))
    return failure();
  ArrayRef<int64_t> in = shape(*x);
  if (repeats->size() != in.size())
    return emitError(nodeLoc(node))
           << "Tile repeats must have " << in.size() << " values";
  SmallVector<int64_t> out;
  for (size_t d = 0; d < in.size(); ++d) {
    if ((*repeats)[d] < 0)
      return emitError(nodeLoc(node)) << "Tile repeats must not be negative";
    out.push_back(in[d] * (*repeats)[d]);
  }
  define(node, 0,
         stridedCopy(nodeLoc(node), *x, out, SmallVector<int64_t>(in.size(), 0),
                     SmallVector<int64_t>(in.size(), 1), "wrap", nullptr));
  return success();
}

LogicalResult GraphImporter::importExpand(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0);
  FailureOr<SmallVector<int64_t>> target = constInts(node, 1);
  if (failed(x) || failed(target) || failed(onlyOutputs(node, 1)))
    return failure();
  FailureOr<Value> r = expandTo(node, *x, *target);
  if (failed(r))
    return failure();
  define(node, 0, *r);
  return success();
}

LogicalResult GraphImporter::importGather(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  FailureOr<Value> x = input(node, 0), idxValue = input(node, 1);
  if (failed(x) || failed(idxValue) || failed(onlyOutputs(node, 1)))
    return failure();
  FailureOr<SmallVector<int64_t>> indices = constInts(node, 1);
  if (failed(indices))
    return failure();
  ArrayRef<int64_t> in = shape(*x);
  FailureOr<int64_t> axis =
      resolveAxis(node, attrInt(node, "axis", 0), in.size());
  if (failed(axis))
    return failure();
  SmallVector<int32_t> resolved;
  for (int64_t i : *indices) {
    if (i < -in[*axis] || i >= in[*axis])
      return emitError(loc)
             << "Gather index " << i << " is out of range for dim " << *axis
             << " of size " << in[*axis];
    resolved.push_back(static_cast<int32_t>(i < 0 ? i + in[*axis] : i));
  }
  // idxValue may have been folded into a new constant by constInts.
  ArrayRef<int64_t> idxShape = shape(values[node.input(1)]);
  auto idxType = tensor(idxShape, builder.getI32Type());
  Value idx = builder.create<ConstantOp>(
      loc, DenseElementsAttr::get(idxType, ArrayRef<int32_t>(resolved)));
  SmallVector<int64_t> out(in.take_front(*axis));
  out.append(idxShape.begin(), idxShape.end());
  out.append(in.begin() + *axis + 1, in.end());
  define(node, 0,
         builder.create<GatherOp>(loc, tensor(out, elt(*x)), *x, idx,
                                  builder.getI64IntegerAttr(*axis)));
  return success();
}

LogicalResult GraphImporter::importSplit(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> in = shape(*x);
  FailureOr<int64_t> axis =
      resolveAxis(node, attrInt(node, "axis", 0), in.size());
  if (failed(axis))
    return failure();
  int64_t parts = node.output_size();
  SmallVector<int64_t> sizes;
  if (hasInput(node, 1)) {
    FailureOr<SmallVector<int64_t>> s = constInts(node, 1);
    if (failed(s))
      return failure();
    sizes = *s;
  } else {
    if (in[*axis] % parts != 0)
      return emitError(loc)
             << "Split cannot divide dim " << *axis << " of size " << in[*axis]
             << " into " << parts << " equal parts";
    sizes.assign(parts, in[*axis] / parts);
  }
  int64_t total = 0;
  for (int64_t s : sizes)
    total += s;
  if ((int64_t)sizes.size() != parts || total != in[*axis])
    return emitError(loc) << "Split sizes do not add up to dim " << *axis;
  int64_t at = 0;
  for (int64_t i = 0; i < parts; ++i) {
    SmallVector<int64_t> out(in), start(in.size(), 0), step(in.size(), 1);
    out[*axis] = sizes[i];
    start[*axis] = at;
    at += sizes[i];
    if (wants(node, i))
      define(node, i,
             stridedCopy(loc, *x, out, start, step, "constant", nullptr));
  }
  return success();
}

LogicalResult GraphImporter::importCast(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0);
  if (failed(x) || failed(onlyOutputs(node, 1)))
    return failure();
  int64_t to = attrInt(node, "to", 0);
  Type t = onnxElementType(ctx, to);
  if (!t)
    return emitError(nodeLoc(node))
           << "Cast to " << onnxTypeName(to)
           << " is not supported (Tempo tensors are float32, integer or bool)";
  define(node, 0, castTo(nodeLoc(node), *x, t));
  return success();
}

LogicalResult
GraphImporter::importConstantOfShape(const onnx::NodeProto &node) {
  FailureOr<SmallVector<int64_t>> dims = constInts(node, 0);
  if (failed(dims))
    return failure();
  for (int64_t d : *dims)
    if (d < 0)
      return emitError(nodeLoc(node))
             << "ConstantOfShape dim " << d << " is negative";
  DenseElementsAttr value;
  if (const auto *a = attr(node, "value")) {
    value = tensorProtoToAttr(ctx, a->t(), nodeLoc(node));
    if (!value)
      return failure();
    if (value.getNumElements() != 1)
      return emitError(nodeLoc(node))
             << "ConstantOfShape value must be one element";
  } else {
    value = DenseElementsAttr::get(tensor({1}, builder.getF32Type()), 0.0f);
  }
  auto type = tensor(*dims, value.getElementType());
  define(node, 0,
         builder.create<ConstantOp>(
             nodeLoc(node),
             DenseElementsAttr::get(type, value.getValues<Attribute>()[0])));
  return success();
}

LogicalResult GraphImporter::importRange(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  FailureOr<Value> s = input(node, 0);
  FailureOr<double> start = constScalar(node, 0), limit = constScalar(node, 1),
                    delta = constScalar(node, 2);
  if (failed(s) || failed(start) || failed(limit) || failed(delta))
    return failure();
  if (*delta == 0)
    return emitError(loc) << "Range delta must not be 0";
  int64_t n =
      std::max<int64_t>(0, (int64_t)std::ceil((*limit - *start) / *delta));
  Type e = elt(values[node.input(0)]);
  auto type = tensor({n}, e);
  if (e.isF32()) {
    SmallVector<float> v;
    for (int64_t i = 0; i < n; ++i)
      v.push_back((float)*start + (float)i * (float)*delta);
    define(node, 0,
           builder.create<ConstantOp>(
               loc, DenseElementsAttr::get(type, ArrayRef<float>(v))));
    return success();
  }
  if (!isa<IntegerType>(e))
    return emitError(loc) << "Range of " << e << " is not supported";
  SmallVector<APInt> v;
  for (int64_t i = 0; i < n; ++i)
    v.push_back(APInt(e.getIntOrFloatBitWidth(),
                      (int64_t)*start + i * (int64_t)*delta,
                      /*isSigned=*/true));
  define(node, 0,
         builder.create<ConstantOp>(loc, DenseElementsAttr::get(type, v)));
  return success();
}

LogicalResult GraphImporter::importShape(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> in = shape(*x);
  int64_t rank = in.size();
  int64_t start = attrInt(node, "start", 0), end = attrInt(node, "end", rank);
  if (start < 0)
    start += rank;
  if (end < 0)
    end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, 0, rank);
  SmallVector<int64_t> dims;
  for (int64_t d = start; d < end; ++d)
    dims.push_back(in[d]);
  auto type = tensor({(int64_t)dims.size()}, builder.getI64Type());
  define(node, 0,
         builder.create<ConstantOp>(
             nodeLoc(node),
             DenseElementsAttr::get(type, ArrayRef<int64_t>(dims))));
  return success();
}

LogicalResult GraphImporter::importSize(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  int64_t n = numElements(shape(*x));
  define(node, 0,
         builder.create<ConstantOp>(
             nodeLoc(node),
             DenseElementsAttr::get(tensor({}, builder.getI64Type()),
                                    ArrayRef<int64_t>(n))));
  return success();
}

LogicalResult GraphImporter::importConvTranspose(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  FailureOr<Value> x = input(node, 0), w = input(node, 1);
  if (failed(x) || failed(w) || failed(sameElementTypes(node, *x, *w)) ||
      failed(onlyOutputs(node, 1)))
    return failure();
  Value bias;
  if (hasInput(node, 2)) {
    FailureOr<Value> b = input(node, 2);
    if (failed(b))
      return failure();
    bias = *b;
  }
  ArrayRef<int64_t> xs = shape(*x), ws = shape(*w);
  if (xs.size() < 3 || xs.size() > 5 || ws.size() != xs.size())
    return emitError(loc) << "ConvTranspose supports 1-D, 2-D and 3-D "
                             "convolutions (input rank 3, 4 or 5), got rank "
                          << xs.size();
  size_t n = xs.size() - 2;
  SmallVector<int64_t> kernel =
      attrInts(node, "kernel_shape", ws.drop_front(2));
  if (ArrayRef<int64_t>(kernel) != ws.drop_front(2))
    return emitError(loc) << "kernel_shape does not match the weight shape";
  SmallVector<int64_t> ones(n, 1), zeros(n, 0);
  SmallVector<int64_t> strides = attrInts(node, "strides", ones);
  SmallVector<int64_t> dilations = attrInts(node, "dilations", ones);
  SmallVector<int64_t> outPad = attrInts(node, "output_padding", zeros);
  SmallVector<int64_t> outShape = attrInts(node, "output_shape", {});
  SmallVector<int64_t> pads =
      attrInts(node, "pads", SmallVector<int64_t>(2 * n, 0));
  std::string autoPad = attrString(node, "auto_pad", "NOTSET");
  if (strides.size() != n || dilations.size() != n || outPad.size() != n ||
      pads.size() != 2 * n)
    return emitError(loc) << "strides, dilations, output_padding and pads must "
                             "have one value (pads two) per spatial dim";
  if (!outShape.empty() && outShape.size() != n)
    return emitError(loc) << "output_shape must have " << n << " values";
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return emitError(loc) << "unsupported auto_pad '" << autoPad << "'";
  int64_t group = attrInt(node, "group", 1);
  SmallVector<int64_t> out = {xs[0], ws[1] * group}, begin;
  for (size_t i = 0; i < n; ++i) {
    int64_t full = strides[i] * (xs[2 + i] - 1) + outPad[i] +
                   (kernel[i] - 1) * dilations[i] + 1;
    bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
    if (!outShape.empty() || same) {
      int64_t o = outShape.empty() ? xs[2 + i] * strides[i] : outShape[i];
      int64_t total = full - o;
      int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2); // floor
      begin.push_back(autoPad == "SAME_UPPER" ? half : total - half);
      out.push_back(o);
    } else {
      if (autoPad == "VALID")
        pads.assign(2 * n, 0);
      begin.push_back(pads[i]);
      out.push_back(full - pads[i] - pads[n + i]);
    }
    if (begin.back() < 0 || out.back() < 1)
      return emitError(loc) << "ConvTranspose spatial dim " << i
                            << " gets a negative begin pad or no output";
  }
  define(
      node, 0,
      builder.create<ConvTransposeOp>(loc, tensor(out, elt(*x)), *x, *w, bias,
                                      builder.getDenseI64ArrayAttr(strides),
                                      builder.getDenseI64ArrayAttr(dilations),
                                      builder.getDenseI64ArrayAttr(begin),
                                      builder.getI64IntegerAttr(group)));
  return success();
}

LogicalResult GraphImporter::importRecurrent(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  StringRef type = node.op_type();
  bool lstm = type == "LSTM";
  std::string cell = type == "LSTM" ? "lstm" : type == "GRU" ? "gru" : "rnn";
  int64_t gates = lstm ? 4 : type == "GRU" ? 3 : 1;
  int numOut = lstm ? 3 : 2;
  if (failed(onlyOutputs(node, numOut)))
    return failure();
  FailureOr<Value> x = input(node, 0), w = input(node, 1), r = input(node, 2);
  if (failed(x) || failed(w) || failed(r))
    return failure();
  auto optional = [&](int i, Value &v) -> LogicalResult {
    if (!hasInput(node, i))
      return success();
    FailureOr<Value> got = input(node, i);
    if (failed(got))
      return failure();
    v = *got;
    return success();
  };
  Value b, h0, c0, p;
  if (failed(optional(3, b)) || failed(optional(5, h0)) ||
      (lstm && (failed(optional(6, c0)) || failed(optional(7, p)))))
    return failure();
  ArrayRef<int64_t> xs = shape(*x);
  if (xs.size() != 3 || !isa<FloatType>(elt(*x)))
    return emitError(loc) << type << " needs a float input of rank 3";
  int64_t layout = attrInt(node, "layout", 0);
  if (layout != 0 && layout != 1)
    return emitError(loc) << type << " layout " << layout
                          << " is not supported";
  int64_t s = layout ? xs[1] : xs[0], batch = layout ? xs[0] : xs[1];
  if (hasInput(node, 4)) {
    FailureOr<SmallVector<int64_t>> lens = constInts(node, 4);
    if (failed(lens))
      return failure();
    for (int64_t l : *lens)
      if (l != s)
        return emitError(loc) << type << " sequence_lens other than seq_len ("
                              << s << ") are not supported, got " << l;
  }
  std::string direction = attrString(node, "direction", "forward");
  if (direction != "forward" && direction != "reverse" &&
      direction != "bidirectional")
    return emitError(loc) << type << " direction '" << direction
                          << "' is not supported";
  int64_t d = direction == "bidirectional" ? 2 : 1;
  int64_t h = attrInt(node, "hidden_size",
                      shape(*w).size() == 3 ? shape(*w)[1] / gates : 0);
  // Activations: ONNX names per direction; alpha/beta consumed in order by
  // the activations that take them, ONNX's operator defaults otherwise.
  SmallVector<std::string> defaults =
      lstm            ? SmallVector<std::string>{"Sigmoid", "Tanh", "Tanh"}
      : type == "GRU" ? SmallVector<std::string>{"Sigmoid", "Tanh"}
                      : SmallVector<std::string>{"Tanh"};
  SmallVector<std::string> acts;
  if (const auto *a = attr(node, "activations")) {
    for (const auto &n : a->strings())
      acts.push_back(n);
    if (acts.size() != defaults.size() * d)
      return emitError(loc) << type << " needs " << defaults.size() * d
                            << " activations, got " << acts.size();
  } else {
    for (int64_t i = 0; i < d; ++i)
      acts.append(defaults.begin(), defaults.end());
  }
  SmallVector<float> alphaIn, betaIn, alpha, beta;
  if (const auto *a = attr(node, "activation_alpha"))
    alphaIn.assign(a->floats().begin(), a->floats().end());
  if (const auto *a = attr(node, "activation_beta"))
    betaIn.assign(a->floats().begin(), a->floats().end());
  size_t nextAlpha = 0, nextBeta = 0;
  SmallVector<StringRef> actNames;
  for (const std::string &name : acts) {
    static const llvm::StringMap<std::pair<float, float>> kDefaults = {
        {"Sigmoid", {0, 0}},
        {"Tanh", {0, 0}},
        {"Relu", {0, 0}},
        {"LeakyRelu", {0.01f, 0}},
        {"ThresholdedRelu", {1, 0}},
        {"ScaledTanh", {NAN, NAN}},
        {"HardSigmoid", {0.2f, 0.5f}},
        {"Elu", {1, 0}},
        {"Softsign", {0, 0}},
        {"Softplus", {0, 0}},
        {"Affine", {1, 0}}};
    auto it = kDefaults.find(name);
    if (it == kDefaults.end())
      return emitError(loc)
             << type << " activation '" << name << "' is not supported";
    StringRef n = name;
    bool usesAlpha = n == "LeakyRelu" || n == "ThresholdedRelu" ||
                     n == "ScaledTanh" || n == "HardSigmoid" || n == "Elu" ||
                     n == "Affine";
    bool usesBeta = n == "ScaledTanh" || n == "HardSigmoid" || n == "Affine";
    float a = usesAlpha && nextAlpha < alphaIn.size() ? alphaIn[nextAlpha++]
                                                      : it->second.first;
    float bt = usesBeta && nextBeta < betaIn.size() ? betaIn[nextBeta++]
                                                    : it->second.second;
    if (std::isnan(a) || std::isnan(bt))
      return emitError(loc) << type << " activation " << name
                            << " needs activation_alpha and activation_beta";
    alpha.push_back(usesAlpha ? a : 0.0f);
    beta.push_back(usesBeta ? bt : 0.0f);
    actNames.push_back(builder.getStringAttr(name).getValue());
  }
  SmallVector<int64_t> yShape = layout ? SmallVector<int64_t>{batch, s, d, h}
                                       : SmallVector<int64_t>{s, d, batch, h};
  SmallVector<int64_t> stateShape = layout ? SmallVector<int64_t>{batch, d, h}
                                           : SmallVector<int64_t>{d, batch, h};
  SmallVector<bool> want;
  SmallVector<std::pair<int, SmallVector<int64_t>>> outs;
  for (int i = 0; i < numOut; ++i) {
    want.push_back(wants(node, i));
    if (want.back())
      outs.push_back({i, i == 0 ? yShape : stateShape});
  }
  if (outs.empty())
    return success(); // nothing uses the op
  int64_t total = 0;
  for (auto &o : outs)
    total += numElements(o.second);
  Type f32 = builder.getF32Type();
  Type resultType =
      outs.size() == 1 ? tensor(outs[0].second, f32) : tensor({total}, f32);
  Value scr = scratch(loc, gates * h + (lstm ? 2 : 1) * batch * h);
  FloatAttr clip;
  if (attr(node, "clip"))
    clip = builder.getF32FloatAttr(attrFloat(node, "clip", 0.0f));
  Value rec = builder.create<RecurrentOp>(
      loc, resultType, *x, *w, *r, b, h0, c0, p, scr,
      builder.getStringAttr(cell), builder.getStringAttr(direction),
      builder.getI64IntegerAttr(h), builder.getI64IntegerAttr(layout),
      builder.getStrArrayAttr(actNames), builder.getDenseF32ArrayAttr(alpha),
      builder.getDenseF32ArrayAttr(beta), clip,
      builder.getBoolAttr(attrInt(node, "input_forget", 0) != 0),
      builder.getBoolAttr(attrInt(node, "linear_before_reset", 0) != 0),
      builder.getDenseBoolArrayAttr(want));
  definePacked(node, rec, outs);
  return success();
}

LogicalResult GraphImporter::importDft(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  FailureOr<Value> x = input(node, 0);
  if (failed(x) || failed(onlyOutputs(node, 1)))
    return failure();
  ArrayRef<int64_t> in = shape(*x);
  if (in.size() < 2 || (in.back() != 1 && in.back() != 2) || !elt(*x).isF32())
    return emitError(loc) << "DFT needs a float input [..., 1 or 2]";
  int64_t rank = in.size(), axis = attrInt(node, "axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank - 1)
    return emitError(loc) << "DFT axis " << attrInt(node, "axis", 1)
                          << " is out of range";
  int64_t length = in[axis];
  if (hasInput(node, 1)) {
    FailureOr<double> l = constScalar(node, 1);
    if (failed(l))
      return failure();
    length = (int64_t)*l;
  }
  if (length < 1)
    return emitError(loc) << "DFT length must be positive";
  bool onesided = attrInt(node, "onesided", 0) != 0;
  SmallVector<int64_t> out(in);
  out[axis] = onesided ? length / 2 + 1 : length;
  out.back() = 2;
  define(node, 0,
         builder.create<DftOp>(
             loc, tensor(out, elt(*x)), *x, scratch(loc, 4 * length),
             builder.getI64IntegerAttr(axis), builder.getI64IntegerAttr(length),
             builder.getBoolAttr(attrInt(node, "inverse", 0) != 0),
             builder.getBoolAttr(onesided)));
  return success();
}

LogicalResult GraphImporter::importStft(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  FailureOr<Value> x = input(node, 0);
  FailureOr<double> step = constScalar(node, 1);
  if (failed(x) || failed(step) || failed(onlyOutputs(node, 1)))
    return failure();
  ArrayRef<int64_t> in = shape(*x);
  if (in.size() != 3 || (in[2] != 1 && in[2] != 2) || !elt(*x).isF32())
    return emitError(loc)
           << "STFT needs a float signal [batch, length, 1 or 2]";
  Value window;
  int64_t length = -1;
  if (hasInput(node, 2)) {
    FailureOr<Value> wv = input(node, 2);
    if (failed(wv))
      return failure();
    window = *wv;
    if (shape(window).size() != 1)
      return emitError(loc) << "STFT window must be 1-D";
    length = shape(window)[0];
  }
  if (hasInput(node, 3)) {
    FailureOr<double> l = constScalar(node, 3);
    if (failed(l))
      return failure();
    length = (int64_t)*l;
  }
  if (length < 1 || length > in[1] || *step < 1)
    return emitError(loc) << "STFT needs 0 < frame_length <= signal length and "
                             "a positive frame_step";
  bool onesided = attrInt(node, "onesided", 1) != 0;
  SmallVector<int64_t> out = {in[0], (in[1] - length) / (int64_t)*step + 1,
                              onesided ? length / 2 + 1 : length, 2};
  define(node, 0,
         builder.create<StftOp>(
             loc, tensor(out, elt(*x)), *x, window, scratch(loc, 4 * length),
             builder.getI64IntegerAttr((int64_t)*step),
             builder.getI64IntegerAttr(length), builder.getBoolAttr(onesided)));
  return success();
}

LogicalResult GraphImporter::importWindow(const onnx::NodeProto &node) {
  FailureOr<double> size = constScalar(node, 0);
  if (failed(size))
    return failure();
  if (attrInt(node, "output_datatype", onnx::TensorProto::FLOAT) !=
      onnx::TensorProto::FLOAT)
    return emitError(nodeLoc(node))
           << node.op_type() << " output_datatype "
           << onnxTypeName(attrInt(node, "output_datatype", 1))
           << " is not supported (only FLOAT)";
  tempo_window_params_t p{};
  p.size = (int32_t)*size;
  p.kind = node.op_type() == "HannWindow"      ? TEMPO_WINDOW_HANN
           : node.op_type() == "HammingWindow" ? TEMPO_WINDOW_HAMMING
                                               : TEMPO_WINDOW_BLACKMAN;
  p.periodic = attrInt(node, "periodic", 1) != 0;
  if (p.size < 0)
    return emitError(nodeLoc(node)) << node.op_type() << " size is negative";
  SmallVector<float> v(p.size);
  ::tempo::window(p, v.data());
  define(node, 0,
         builder.create<ConstantOp>(
             nodeLoc(node),
             DenseElementsAttr::get(tensor({p.size}, builder.getF32Type()),
                                    ArrayRef<float>(v))));
  return success();
}

LogicalResult
GraphImporter::importMelWeightMatrix(const onnx::NodeProto &node) {
  SmallVector<double> args;
  for (int i = 0; i < 5; ++i) {
    FailureOr<double> v = constScalar(node, i);
    if (failed(v))
      return failure();
    args.push_back(*v);
  }
  if (attrInt(node, "output_datatype", onnx::TensorProto::FLOAT) !=
      onnx::TensorProto::FLOAT)
    return emitError(nodeLoc(node))
           << "MelWeightMatrix output_datatype is not supported (only FLOAT)";
  tempo_mel_params_t p{(int32_t)args[0], (int32_t)args[1], (int32_t)args[2],
                       (float)args[3], (float)args[4]};
  if (p.num_mel_bins < 1 || p.dft_length < 1 || p.sample_rate < 1)
    return emitError(nodeLoc(node)) << "MelWeightMatrix needs positive sizes";
  int64_t rows = p.dft_length / 2 + 1;
  SmallVector<float> v(rows * p.num_mel_bins);
  ::tempo::mel_weight_matrix(p, v.data());
  define(
      node, 0,
      builder.create<ConstantOp>(
          nodeLoc(node), DenseElementsAttr::get(tensor({rows, p.num_mel_bins},
                                                       builder.getF32Type()),
                                                ArrayRef<float>(v))));
  return success();
}

//===----------------------------------------------------------------------===//
// Quantized ops: QDQ, QLinearConv / QLinearMatMul, ConvInteger / MatMulInteger
//
// Values the model's API sees stay plain integer tensors (ui8 / i8); inside,
// a tempo.cast views them as the quant dialect's uniform type their scale
// and zero point give. QLinearConv / QLinearMatMul compute on int8 (uint8
// moves its zero point by 128, exactly) with the int8 kernels of
// docs/quantization.md; scales and zero points are compile-time constants.
//===----------------------------------------------------------------------===//

/// ONNX's operand names of the quantized ops, for messages.
static StringRef quantOperandName(StringRef op, int i) {
  static const char *const kQLinear[] = {
      "x",     "x_scale", "x_zero_point", "w", "w_scale", "w_zero_point",
      "y_scale", "y_zero_point", "B"};
  static const char *const kQLinearMatMul[] = {
      "a", "a_scale", "a_zero_point", "b", "b_scale", "b_zero_point",
      "y_scale", "y_zero_point"};
  static const char *const kQuantize[] = {"x", "y_scale", "y_zero_point"};
  static const char *const kDequantize[] = {"x", "x_scale", "x_zero_point"};
  static const char *const kConvInteger[] = {"x", "w", "x_zero_point",
                                             "w_zero_point"};
  static const char *const kMatMulInteger[] = {"A", "B", "a_zero_point",
                                               "b_zero_point"};
  auto pick = [&](auto &names) -> StringRef {
    return i < (int)std::size(names) ? names[i] : "";
  };
  if (op == "QLinearConv")
    return pick(kQLinear);
  if (op == "QLinearMatMul")
    return pick(kQLinearMatMul);
  if (op == "QuantizeLinear")
    return pick(kQuantize);
  if (op == "DequantizeLinear")
    return pick(kDequantize);
  if (op == "ConvInteger")
    return pick(kConvInteger);
  if (op == "MatMulInteger")
    return pick(kMatMulInteger);
  return "";
}

/// The per-tensor int8 type with q's scale: q itself, or for uint8 the same
/// values with the zero point moved by -128.
static quant::UniformQuantizedType int8Equivalent(quant::UniformQuantizedType q) {
  if (q.isSigned())
    return q;
  Type i8 = IntegerType::get(q.getContext(), 8);
  return quant::UniformQuantizedType::get(
      quant::QuantizationFlags::Signed, i8, q.getExpressedType(), q.getScale(),
      q.getZeroPoint() - 128, -128, 127);
}

/// The integer value of element `i` of an integer constant.
static int64_t intAt(DenseElementsAttr a, int64_t i) {
  APInt v = a.getValues<APInt>()[i];
  return a.getElementType().isUnsignedInteger() ? (int64_t)v.getZExtValue()
                                                : v.getSExtValue();
}

/// The stored-value range [lo, hi] of an integer element type.
static std::pair<int64_t, int64_t> integerRange(Type t) {
  auto it = cast<IntegerType>(t);
  unsigned w = it.getWidth();
  if (it.isUnsigned())
    return {0, (int64_t)((1ULL << w) - 1)};
  return {-(int64_t)(1ULL << (w - 1)), (int64_t)(1ULL << (w - 1)) - 1};
}

FailureOr<DenseElementsAttr>
GraphImporter::quantParam(const onnx::NodeProto &node, int i) {
  FailureOr<Value> v = input(node, i);
  if (failed(v))
    return failure();
  if (DenseElementsAttr dense = constantOf(*v))
    return dense;
  return emitError(nodeLoc(node))
         << node.op_type() << "'s " << quantOperandName(node.op_type(), i)
         << " must be a constant (freeze it with --freeze-input "
         << node.input(i) << "=FILE.pb)";
}

FailureOr<quant::QuantizedType>
GraphImporter::quantTypeOf(const onnx::NodeProto &node, int s, int z,
                           ArrayRef<int64_t> shape, int64_t axis,
                           Type storage) {
  Location loc = nodeLoc(node);
  StringRef op = node.op_type();
  FailureOr<DenseElementsAttr> scale = quantParam(node, s);
  if (failed(scale))
    return failure();
  if (!scale->getElementType().isF32())
    return emitError(loc) << op << "'s " << quantOperandName(op, s)
                          << " must be float32, got "
                          << scale->getElementType();
  SmallVector<double> scales;
  for (const APFloat &f : scale->getValues<APFloat>())
    scales.push_back(f.convertToDouble());
  SmallVector<int64_t> zps(scales.size(), 0);
  if (hasInput(node, z)) {
    FailureOr<DenseElementsAttr> zp = quantParam(node, z);
    if (failed(zp))
      return failure();
    if (zp->getNumElements() != (int64_t)scales.size())
      return emitError(loc) << op << " has " << zp->getNumElements()
                            << " zero points for " << scales.size()
                            << " scales";
    storage = zp->getElementType();
    if (isa<IntegerType>(storage))
      for (int64_t i = 0; i < (int64_t)zps.size(); ++i)
        zps[i] = intAt(*zp, i);
  }
  auto it = dyn_cast<IntegerType>(storage);
  if (!it || !(it.getWidth() == 8 || it.getWidth() == 16 ||
               (it.getWidth() == 32 && !it.isUnsigned())))
    return emitError(loc) << op << "'s quantized values must be int8, uint8, "
                                   "int16, uint16 or int32, got "
                          << storage;
  auto [lo, hi] = integerRange(it);
  for (double v : scales)
    if (!(v > 0.0) || !std::isfinite(v))
      return emitError(loc) << op << "'s " << quantOperandName(op, s)
                            << " must be positive and finite, got " << v;
  unsigned flags = it.isUnsigned() ? 0 : quant::QuantizationFlags::Signed;
  Type stored = IntegerType::get(&ctx, it.getWidth());
  Type f32 = builder.getF32Type();
  if (scale->getType().getRank() == 1 && scales.size() > 1) {
    int64_t rank = shape.size();
    if (axis < -rank || axis >= rank ||
        shape[axis < 0 ? axis + rank : axis] != (int64_t)scales.size())
      return emitError(loc) << op << " has " << scales.size()
                            << " scales, which do not match axis " << axis
                            << " of its rank-" << rank << " tensor";
    return cast<quant::QuantizedType>(quant::UniformQuantizedPerAxisType::get(
        flags, stored, f32, scales, zps, axis < 0 ? axis + rank : axis, lo,
        hi));
  }
  if (scales.size() != 1)
    return emitError(loc) << op << "'s " << quantOperandName(op, s)
                          << " must be a scalar or 1-D, got "
                          << scale->getType();
  return cast<quant::QuantizedType>(quant::UniformQuantizedType::get(
      flags, stored, f32, scales[0], zps[0], lo, hi));
}

Value GraphImporter::asQuantized(Location loc, Value v,
                                 quant::QuantizedType q) {
  RankedTensorType type = tensor(shape(v), q);
  if (v.getType() == type)
    return v;
  // A QuantizeLinear's output read again: its quantized value.
  if (auto c = v.getDefiningOp<CastOp>(); c && c.getInput().getType() == type)
    return c.getInput();
  if (DenseElementsAttr dense = constantOf(v))
    return builder.create<ConstantOp>(loc, type, dense);
  return builder.create<CastOp>(loc, type, v);
}

Value GraphImporter::asStorage(Location loc, Value v) {
  return builder.create<CastOp>(
      loc, tensor(shape(v), storageElementType(elt(v))), v);
}

Value GraphImporter::requantizeTo(Location loc, Value v,
                                  quant::QuantizedType q) {
  if (elt(v) == q)
    return v;
  return builder.create<RequantizeOp>(loc, tensor(shape(v), q), v);
}

FailureOr<Value> GraphImporter::int8Operand(const onnx::NodeProto &node, int i,
                                            int s, int z) {
  FailureOr<Value> v = input(node, i);
  if (failed(v))
    return failure();
  FailureOr<quant::QuantizedType> q =
      quantTypeOf(node, s, z, shape(*v), 1, elt(*v));
  if (failed(q))
    return failure();
  auto t = dyn_cast<quant::UniformQuantizedType>(*q);
  if (!t || t.getStorageTypeIntegralWidth() != 8)
    return emitError(nodeLoc(node))
           << node.op_type() << "'s " << quantOperandName(node.op_type(), i)
           << " must be int8 or uint8 with one scale and zero point, got "
           << *q;
  if (storageElementType(t) != elt(*v))
    return emitError(nodeLoc(node))
           << node.op_type() << "'s " << quantOperandName(node.op_type(), i)
           << " has element type " << elt(*v) << " but its zero point is "
           << storageElementType(t);
  Location loc = nodeLoc(node);
  return requantizeTo(loc, asQuantized(loc, *v, t), int8Equivalent(t));
}

FailureOr<std::pair<quant::UniformQuantizedType, quant::UniformQuantizedType>>
GraphImporter::int8Result(const onnx::NodeProto &node, int s, int z) {
  FailureOr<quant::QuantizedType> q = quantTypeOf(
      node, s, z, {}, 0, IntegerType::get(&ctx, 8, IntegerType::Unsigned));
  if (failed(q))
    return failure();
  auto t = dyn_cast<quant::UniformQuantizedType>(*q);
  if (!t || t.getStorageTypeIntegralWidth() != 8)
    return emitError(nodeLoc(node))
           << node.op_type() << "'s output must be int8 or uint8 with one "
                                "scale and zero point, got "
           << *q;
  return std::make_pair(int8Equivalent(t), t);
}

LogicalResult GraphImporter::importQuantizeLinear(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  FailureOr<Value> x = input(node, 0);
  if (failed(x) || failed(onlyOutputs(node, 1)))
    return failure();
  if (!elt(*x).isF32())
    return emitError(loc) << "QuantizeLinear needs a float32 input, got "
                          << elt(*x);
  FailureOr<quant::QuantizedType> q =
      quantTypeOf(node, 1, 2, shape(*x), attrInt(node, "axis", 1),
                  IntegerType::get(&ctx, 8, IntegerType::Unsigned));
  if (failed(q))
    return failure();
  // The QDQ-given type of the float value, for tempo-quantize.
  if (auto t = dyn_cast<quant::UniformQuantizedType>(*q);
      t && t.getStorageTypeIntegralWidth() == 8) {
    Attribute hint = TypeAttr::get(int8Equivalent(t));
    if (auto arg = dyn_cast<BlockArgument>(*x))
      cast<func::FuncOp>(arg.getOwner()->getParentOp())
          .setArgAttr(arg.getArgNumber(), kQuantTypeAttr, hint);
    else if (Operation *def = x->getDefiningOp(); def && !isa<ConstantOp>(def))
      def->setAttr(kQuantTypeAttr, hint);
  }
  Value y = builder.create<QuantizeOp>(loc, tensor(shape(*x), *q), *x);
  define(node, 0, asStorage(loc, y));
  return success();
}

LogicalResult
GraphImporter::importDequantizeLinear(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  FailureOr<Value> x = input(node, 0);
  if (failed(x) || failed(onlyOutputs(node, 1)))
    return failure();
  FailureOr<quant::QuantizedType> q = quantTypeOf(
      node, 1, 2, shape(*x), attrInt(node, "axis", 1), elt(*x));
  if (failed(q))
    return failure();
  if (storageElementType(*q) != elt(*x))
    return emitError(loc) << "DequantizeLinear's x has element type "
                          << elt(*x) << " but its zero point is "
                          << storageElementType(*q);
  RankedTensorType f32 = tensor(shape(*x), builder.getF32Type());
  if (q->getStorageTypeIntegralWidth() > 16) {
    DenseElementsAttr dense = constantOf(*x);
    // int32 (a bias): the kernels dequantize up to 16 bits, so a constant
    // is dequantized here, as tempo::dequantize_linear would.
    if (!dense)
      return emitError(loc) << "DequantizeLinear of a non-constant "
                            << elt(*x) << " tensor is not supported";
    // Per tensor, or per axis (ONNX Runtime writes per-channel biases).
    ArrayRef<int64_t> xs = shape(*x);
    auto scaleAndZero = [&](int64_t i) -> std::pair<double, int64_t> {
      if (auto t = dyn_cast<quant::UniformQuantizedType>(*q))
        return {t.getScale(), t.getZeroPoint()};
      auto a = cast<quant::UniformQuantizedPerAxisType>(*q);
      int32_t axis = a.getQuantizedDimension();
      int64_t inner = numElements(xs.drop_front(axis + 1));
      int64_t c = (i / inner) % xs[axis];
      return {a.getScales()[c], a.getZeroPoints()[c]};
    };
    SmallVector<float> v;
    for (int64_t i = 0; i < dense.getNumElements(); ++i) {
      auto [scale, zp] = scaleAndZero(i);
      v.push_back(static_cast<float>(intAt(dense, i) - zp) *
                  static_cast<float>(scale));
    }
    auto bias = builder.create<ConstantOp>(
        loc, DenseElementsAttr::get(f32, ArrayRef<float>(v)));
    // The model's scale, for tempo-quantize to check that it is input scale
    // x weight scale (docs/quantization.md, "QDQ models").
    bias->setAttr(kQuantTypeAttr, TypeAttr::get(*q));
    define(node, 0, bias);
    return success();
  }
  // Constant weights stay quantized: tempo-quantize reads them as int8.
  Value xq = asQuantized(loc, *x, *q);
  define(node, 0, builder.create<DequantizeOp>(loc, f32, xq));
  return success();
}

LogicalResult GraphImporter::importQLinearMatMul(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  if (failed(onlyOutputs(node, 1)))
    return failure();
  FailureOr<Value> a = int8Operand(node, 0, 1, 2);
  if (failed(a))
    return failure();
  FailureOr<Value> b = int8Operand(node, 3, 4, 5);
  if (failed(b))
    return failure();
  auto y = int8Result(node, 6, 7);
  if (failed(y))
    return failure();
  FailureOr<Value> mm = createMatMul(node, *a, *b, y->first);
  if (failed(mm))
    return failure();
  define(node, 0, asStorage(loc, requantizeTo(loc, *mm, y->second)));
  return success();
}

LogicalResult GraphImporter::importQLinearConv(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  if (failed(onlyOutputs(node, 1)))
    return failure();
  FailureOr<Value> x = int8Operand(node, 0, 1, 2);
  if (failed(x))
    return failure();
  FailureOr<DenseElementsAttr> wd = quantParam(node, 3);
  if (failed(wd))
    return failure();
  ArrayRef<int64_t> wShape = wd->getType().getShape();
  Type wElt = wd->getElementType();
  if (wShape.size() < 3)
    return emitError(loc) << "QLinearConv's w must have rank 3 or 4";
  FailureOr<quant::QuantizedType> wq =
      quantTypeOf(node, 4, 5, wShape, 0, wElt);
  if (failed(wq))
    return failure();
  if (storageElementType(*wq) != wElt ||
      wq->getStorageTypeIntegralWidth() != 8)
    return emitError(loc) << "QLinearConv's w must be int8 or uint8 like its "
                             "zero point, got "
                          << wElt << " and " << storageElementType(*wq);
  // conv_s8 takes int8 weights with zero point 0: w - w_zero_point, exact.
  // A channel whose values do not fit is divided by their common divisor
  // (its scale multiplied by it), which is exact too.
  int64_t channels = wShape[0];
  int64_t per = wd->getNumElements() / channels;
  SmallVector<double> scales;
  SmallVector<int64_t> divisors;
  SmallVector<int8_t> values;
  for (int64_t c = 0; c < channels; ++c) {
    double scale;
    int64_t zp;
    if (auto t = dyn_cast<quant::UniformQuantizedType>(*wq)) {
      scale = t.getScale();
      zp = t.getZeroPoint();
    } else {
      auto a = cast<quant::UniformQuantizedPerAxisType>(*wq);
      scale = a.getScales()[c];
      zp = a.getZeroPoints()[c];
    }
    int64_t g = 0, worst = 0;
    for (int64_t i = c * per; i < (c + 1) * per; ++i) {
      int64_t v = intAt(*wd, i) - zp;
      if (std::abs(v) > std::abs(worst))
        worst = v;
      g = std::gcd(g, std::abs(v));
    }
    if (std::abs(worst) <= 127 || g == 0)
      g = 1;
    if (std::abs(worst) / g > 127)
      return emitError(loc)
             << "QLinearConv's weights of output channel " << c
             << " do not fit int8 with zero point 0 (w - w_zero_point reaches "
             << worst << "); the int8 conv needs symmetric int8 weights";
    for (int64_t i = c * per; i < (c + 1) * per; ++i)
      values.push_back(static_cast<int8_t>((intAt(*wd, i) - zp) / g));
    scales.push_back(scale * g);
    divisors.push_back(g);
  }
  Type i8 = IntegerType::get(&ctx, 8);
  Type f32 = builder.getF32Type();
  quant::QuantizedType wType;
  if (llvm::all_equal(scales))
    wType = quant::UniformQuantizedType::get(quant::QuantizationFlags::Signed,
                                             i8, f32, scales[0], 0, -128, 127);
  else
    wType = quant::UniformQuantizedPerAxisType::get(
        quant::QuantizationFlags::Signed, i8, f32, scales,
        SmallVector<int64_t>(channels, 0), 0, -128, 127);
  Value weights = builder.create<ConstantOp>(
      loc, tensor(wShape, wType),
      DenseElementsAttr::get(tensor(wShape, i8), ArrayRef<int8_t>(values)));
  // The bias is int32 at scale x_scale * w_scale[c].
  Value bias;
  if (hasInput(node, 8)) {
    FailureOr<Value> b = input(node, 8);
    if (failed(b))
      return failure();
    if (!elt(*b).isSignlessInteger(32))
      return emitError(loc) << "QLinearConv's B must be int32, got "
                            << elt(*b);
    bias = *b;
    if (llvm::any_of(divisors, [](int64_t g) { return g != 1; })) {
      DenseElementsAttr bd = constantOf(bias);
      SmallVector<int32_t> scaled;
      for (int64_t c = 0; bd && c < channels; ++c) {
        int64_t v = intAt(bd, c);
        if (v % divisors[c] != 0)
          break;
        scaled.push_back(static_cast<int32_t>(v / divisors[c]));
      }
      if ((int64_t)scaled.size() != channels)
        return emitError(loc)
               << "QLinearConv's weights were divided by their common divisor "
                  "to fit int8, and its B is not constant or not divisible "
                  "alike";
      bias = builder.create<ConstantOp>(
          loc, DenseElementsAttr::get(tensor({channels}, elt(bias)),
                                      ArrayRef<int32_t>(scaled)));
    }
  }
  auto y = int8Result(node, 6, 7);
  if (failed(y))
    return failure();
  FailureOr<Value> conv = createConv(node, *x, weights, bias, y->first);
  if (failed(conv))
    return failure();
  define(node, 0, asStorage(loc, requantizeTo(loc, *conv, y->second)));
  return success();
}

FailureOr<Value> GraphImporter::floatMinusZeroPoint(const onnx::NodeProto &node,
                                                    Value v, int z,
                                                    ArrayRef<int64_t> zpShape,
                                                    double &range) {
  Location loc = nodeLoc(node);
  if (!isa<IntegerType>(elt(v)) || elt(v).getIntOrFloatBitWidth() != 8)
    return emitError(loc) << node.op_type() << " needs int8 or uint8 "
                          << "operands, got " << elt(v);
  auto [lo, hi] = integerRange(elt(v));
  Value f = castTo(loc, v, builder.getF32Type());
  int64_t zpLo = 0, zpHi = 0;
  if (hasInput(node, z)) {
    FailureOr<DenseElementsAttr> zp = quantParam(node, z);
    if (failed(zp))
      return failure();
    if (zp->getElementType() != elt(v))
      return emitError(loc) << node.op_type() << "'s "
                            << quantOperandName(node.op_type(), z)
                            << " has element type " << zp->getElementType()
                            << ", its operand " << elt(v);
    SmallVector<float> zs;
    for (int64_t i = 0; i < zp->getNumElements(); ++i) {
      zs.push_back(static_cast<float>(intAt(*zp, i)));
      zpLo = std::min(zpLo, intAt(*zp, i));
      zpHi = std::max(zpHi, intAt(*zp, i));
    }
    SmallVector<int64_t> zsShape(zpShape);
    if (zs.size() == 1)
      zsShape.assign(1, 1);
    else if (numElements(zsShape) != (int64_t)zs.size())
      return emitError(loc) << node.op_type() << "'s "
                            << quantOperandName(node.op_type(), z) << " has "
                            << zs.size() << " values, expected 1 or "
                            << numElements(zsShape);
    Value zc = builder.create<ConstantOp>(
        loc, DenseElementsAttr::get(tensor(zsShape, builder.getF32Type()),
                                    ArrayRef<float>(zs)));
    auto out = broadcastShapes(shape(f), zsShape);
    if (!out || ArrayRef<int64_t>(*out) != shape(f))
      return emitError(loc) << node.op_type() << "'s zero point does not "
                                                 "broadcast to its operand";
    f = builder.create<SubOp>(loc, f.getType(), f, zc);
  }
  range = std::max({std::abs((double)(lo - zpHi)), std::abs((double)(hi - zpLo)),
                    std::abs((double)(lo - zpLo)), std::abs((double)(hi - zpHi))});
  return f;
}

/// The integer ops accumulate in int32; in float32 that is exact while every
/// partial sum stays within 2^24 (all are integers).
static constexpr double kExactFloatInteger = 16777216.0;

LogicalResult GraphImporter::importConvInteger(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  FailureOr<Value> x = input(node, 0), w = input(node, 1);
  if (failed(x) || failed(w) || failed(onlyOutputs(node, 1)))
    return failure();
  if (shape(*w).size() < 3)
    return emitError(loc) << "ConvInteger's w must have rank 3 or 4";
  double xRange = 0, wRange = 0;
  SmallVector<int64_t> wzShape(shape(*w).size(), 1);
  wzShape[0] = shape(*w)[0];
  FailureOr<Value> xf = floatMinusZeroPoint(node, *x, 2, {1}, xRange);
  if (failed(xf))
    return failure();
  FailureOr<Value> wf = floatMinusZeroPoint(node, *w, 3, wzShape, wRange);
  if (failed(wf))
    return failure();
  // The largest |accumulator|: with constant weights from their values.
  int64_t k = numElements(shape(*w).drop_front());
  double bound = xRange * wRange * k;
  if (DenseElementsAttr wd = constantOf(*wf)) {
    // (constantOf replaced the folded value: use the constant from here on)
    wf = builder.create<ConstantOp>(loc, wd).getResult();
    bound = 0;
    auto vals = wd.getValues<float>();
    for (int64_t c = 0; c < shape(*w)[0]; ++c) {
      double sum = 0;
      for (int64_t i = c * k; i < (c + 1) * k; ++i)
        sum += std::fabs(vals[i]);
      bound = std::max(bound, xRange * sum);
    }
  }
  if (bound > kExactFloatInteger)
    return emitError(loc) << "ConvInteger's int32 accumulation can reach "
                          << bound << ", beyond 2^24 where Tempo's float "
                          << "conv is exact; not supported yet";
  FailureOr<Value> y =
      createConv(node, *xf, *wf, Value(), builder.getF32Type());
  if (failed(y))
    return failure();
  define(node, 0, castTo(loc, *y, IntegerType::get(&ctx, 32)));
  return success();
}

LogicalResult GraphImporter::importMatMulInteger(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  FailureOr<Value> a = input(node, 0), b = input(node, 1);
  if (failed(a) || failed(b) || failed(onlyOutputs(node, 1)))
    return failure();
  // a_zero_point may be per row of A, b_zero_point per column of B.
  SmallVector<int64_t> azShape = {1}, bzShape = {1};
  if (shape(*a).size() >= 2)
    azShape = {shape(*a)[shape(*a).size() - 2], 1};
  if (!shape(*b).empty())
    bzShape = {shape(*b).back()};
  double aRange = 0, bRange = 0;
  FailureOr<Value> af = floatMinusZeroPoint(node, *a, 2, azShape, aRange);
  if (failed(af))
    return failure();
  FailureOr<Value> bf = floatMinusZeroPoint(node, *b, 3, bzShape, bRange);
  if (failed(bf))
    return failure();
  double bound = aRange * bRange * shape(*a).back();
  if (bound > kExactFloatInteger)
    return emitError(loc) << "MatMulInteger's int32 accumulation can reach "
                          << bound << ", beyond 2^24 where Tempo's float "
                          << "matmul is exact; not supported yet";
  FailureOr<Value> y = createMatMul(node, *af, *bf, builder.getF32Type());
  if (failed(y))
    return failure();
  define(node, 0, castTo(loc, *y, IntegerType::get(&ctx, 32)));
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
