//===- Quantize.cpp - Calibrated float ops to int8 ops --------------------===//
//
// tempo-quantize: the scheme of docs/quantization.md applied to a float
// graph whose values carry calibrated ranges (tempo.calib) or QDQ types
// (tempo.qtype). See Passes.td for the contract.
//
//===----------------------------------------------------------------------===//

#include "compiler/calibration/RangeEstimator.h"
#include "compiler/eval/KernelParams.h"
#include "tempo/quant.h"
#include "passes/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>

namespace mlir::tempo {
#define GEN_PASS_DEF_QUANTIZEPASS
#include "passes/Passes.h.inc"
} // namespace mlir::tempo

using namespace mlir;
using namespace mlir::tempo;

namespace {

using QType = quant::UniformQuantizedType;

bool isInt8Storage(quant::QuantizedType q) {
  return q && q.isSigned() && q.getStorageTypeIntegralWidth() == 8;
}

QType int8Type(MLIRContext *ctx, double scale, int64_t zp) {
  auto i8 = IntegerType::get(ctx, 8);
  return QType::get(quant::QuantizationFlags::Signed, i8,
                    Float32Type::get(ctx), scale, zp, -128, 127);
}

/// The type a calibrated range [lo, hi] gives (TFLite's nudging: real 0
/// exact).
QType typeForRange(MLIRContext *ctx, float lo, float hi) {
  Int8Quantization q = chooseInt8Asymmetric(lo, hi);
  return int8Type(ctx, q.scale, q.zeroPoint);
}

RankedTensorType withElement(Type t, Type elt) {
  return cast<RankedTensorType>(t).clone(elt);
}

/// The float values of a constant, or empty.
std::vector<float> floatValues(Value v) {
  auto c = v.getDefiningOp<ConstantOp>();
  if (!c)
    return {};
  auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
  if (!dense || !dense.getElementType().isF32())
    return {};
  std::vector<float> out;
  for (float f : dense.getValues<float>())
    out.push_back(f);
  return out;
}

/// The per-layer precisions besides int8 (docs/quantization.md, "Mixed
/// precision"): ONNX node names, and the whole-model int8-weights mode.
struct MixedPrecision {
  llvm::StringSet<> int8Weights, int16;
  bool weightsOnly = false;
};

class Quantizer {
public:
  Quantizer(func::FuncOp func, const llvm::StringSet<> &keep,
            const MixedPrecision &mixed)
      : func(func), ctx(func.getContext()), keep(keep), mixed(mixed),
        builder(ctx) {}

  LogicalResult run();
  /// True if an error was reported (weights of a QDQ model that the int8
  /// kernels cannot take).
  bool hadQdqError() const { return qdqFailed; }

private:
  /// The int8 type a float value will have, from its calibration or QDQ
  /// type; null if it has none.
  QType calibratedType(Value v);
  /// An int8 version of float value `v` with type `want` (or its own
  /// calibrated type if null): the int8 value a converted op produced, or a
  /// new tempo.quantize. Null if there is none.
  Value quantized(Value v, QType want = nullptr);
  /// Per-output-channel symmetric int8 weights of a float constant
  /// [channels, ...]; the scales are returned.
  Value quantizeWeights(Value w, Location loc, SmallVector<double> &scales,
                        bool transpose2d = false);
  /// int32 bias at scale inScale * wScales[c].
  Value quantizeBias(Value b, Location loc, double inScale,
                     ArrayRef<double> wScales, int64_t channels);
  /// A per-tensor int8 constant from a float constant.
  Value quantizeConstant(Value v, Location loc);

  /// Rewrites `op` to int8 if it can; returns true if it did.
  bool convert(Operation *op);
  /// Slice / Pad / Tile / Expand on int8: the input's type, and a constant
  /// border pads with the real pad value quantized to it (so a zero pad is
  /// the zero point, not the raw byte 0).
  bool convertStridedCopy(StridedCopyOp op);
  /// LSTM / GRU / RNN on int8 (docs/quantization.md, "Recurrent layers"):
  /// int8 x and h, int8 W / R per gate row, int32 B, int16 cell state.
  /// An op the integer kernels cannot run exactly stays float with a remark.
  bool convertRecurrent(RecurrentOp op);
  /// W or R [D, rows, K] as int8, symmetric per row (axis 1), one scale per
  /// row shared by the directions.
  Value quantizeRecurrentWeights(Value w, Location loc,
                                 SmallVector<double> &scales);
  /// A float constant at a given per-tensor type (int8 or int16).
  Value quantizeConstantAs(Value v, Location loc, QType t);
  bool keptFloat(Operation *op) {
    std::string name = locationName(op->getLoc());
    SmallVector<StringRef> parts;
    StringRef(name).split(parts, '+');
    return llvm::any_of(parts, [&](StringRef p) { return keep.contains(p); });
  }
  /// Replaces float `op` by `newOp` (same attributes, int8 types):
  /// float users read a dequantize of the new result.
  void replace(Operation *op, Operation *newOp);
  void cleanUpEdges();

  //===--- Mixed precision (int8 weights, int16 activations) ---===//

  /// True if one of the ONNX nodes `op` stands for is in `names`.
  bool named(Operation *op, const llvm::StringSet<> &names);
  /// Gives a conv, gemm or matmul with a constant weight operand int8
  /// weights (per output channel) and leaves it computing in float. An op
  /// without such weights is an error if `explicitly` named, else kept.
  LogicalResult convertInt8Weights(Operation *op, bool explicitly);
  /// int8 per-column weights of a constant [.., K, N] (matmul's B).
  Value quantizeColumns(Value b, Location loc);
  /// Rewrites `op` to int16 activations (16x8); an error at the op if it
  /// has no int16 form.
  LogicalResult convertInt16(Operation *op);
  /// The calibrated real range of a float value, if it has one.
  std::optional<std::pair<double, double>> calibratedRange(Value v);
  /// An int16 version of float value `v`: the int16 value a converted op
  /// produced, a requantize of an int8 one, or a tempo.quantize of a float
  /// one (a constant becomes an int16 constant). Null if `v` has no range.
  Value quantized16(Value v, Location loc);
  /// True if `op` computes in float on int8 weights (converted above).
  static bool isInt8WeightsOp(Operation *op) {
    return op && isa<ConvOp, GemmOp, MatMulOp>(op) &&
           getElementTypeOrSelf(op->getResult(0).getType()).isF32() &&
           quantizedElementType(op->getOperand(1).getType());
  }
  /// The int8 type int8 consumers read an int16 result as.
  llvm::DenseMap<Value, QType> int8Fallback;

  // --- QDQ models: the model's own weights, biases and uint8 activations --
  /// The int8 weights of `op` (conv / gemm): the model's own when `w` is the
  /// dequantize of a quantized constant (QDQ), else quantizeWeights of a
  /// float constant. Null if neither; on weights the int8 kernels cannot
  /// take exactly, an error at `op` (and the pass fails).
  Value weightsFor(Operation *op, Value w, SmallVector<double> &scales,
                   bool transpose2d = false);
  /// The model's weights as symmetric int8 [channels, ...] (transposed to
  /// [N, K] for a gemm's [K, N]) with their per-channel scales: w - zero
  /// point, exact, or an error if that does not fit int8. Null if `w` is not
  /// a dequantized quantized constant.
  FailureOr<Value> modelWeights(Operation *op, Value w,
                                SmallVector<double> &scales, bool transpose2d);
  /// Warns if the bias of `op` carries the model's scale (tempo.qtype from
  /// an int32 DequantizeLinear) and that is not input scale x weight
  /// scale[c]: the int8 kernels need the latter, so the bias was requantized.
  void checkModelBiasScale(Operation *op, Value bias, double inScale,
                           ArrayRef<double> wScales);
  /// uint8 QDQ activations become int8: a per-tensor uint8 tempo.quantize
  /// that a dequantize reads writes the int8 type of the same scale with the
  /// zero point moved by -128 (the same values, exactly); a reader of the
  /// uint8 value itself (a model output) reads a requantize back, and a
  /// dequantized uint8 input is requantized to int8 first.
  void uint8ActivationsToInt8();
  /// A 2-D matmul whose B is the model's constant weights quantized per
  /// output channel (axis 1, as ONNX Runtime writes a per-channel MatMul):
  /// matmul_s8 takes one weight scale, so it becomes the int8 gemm (weights
  /// transposed to [N, K], transB) with the same activation. Returns true if
  /// it did.
  bool convertPerAxisMatMul(MatMulOp mm);

  bool qdqFailed = false;

  func::FuncOp func;
  MLIRContext *ctx;
  const llvm::StringSet<> &keep;
  const MixedPrecision &mixed;
  OpBuilder builder;
};

QType Quantizer::calibratedType(Value v) {
  Attribute calib, qtype;
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    calib = func.getArgAttr(arg.getArgNumber(), kCalibrationAttr);
    qtype = func.getArgAttr(arg.getArgNumber(), kQuantTypeAttr);
  } else if (Operation *def = v.getDefiningOp()) {
    calib = def->getAttr(kCalibrationAttr);
    qtype = def->getAttr(kQuantTypeAttr);
  }
  if (auto t = dyn_cast_or_null<TypeAttr>(qtype))
    if (auto q = dyn_cast<QType>(t.getValue()))
      return q;
  auto range = dyn_cast_or_null<DenseF32ArrayAttr>(calib);
  if (!range || range.size() != 2)
    return nullptr;
  return typeForRange(ctx, range[0], range[1]);
}

Value Quantizer::quantized(Value v, QType want) {
  if (auto deq = v.getDefiningOp<DequantizeOp>()) {
    Value q = deq.getInput();
    auto have = dyn_cast_or_null<QType>(quantizedElementType(q.getType()));
    if (!have)
      return nullptr;
    // An int16 layer's result: int8 code reads it at its int8 type.
    if (!want)
      want = int8Fallback.lookup(q);
    if (!want || want == have) {
      if (!isInt8Storage(have))
        return nullptr;
      return q;
    }
    builder.setInsertionPointAfterValue(q);
    return builder.create<RequantizeOp>(deq.getLoc(),
                                        withElement(q.getType(), want), q);
  }
  if (!getElementTypeOrSelf(v.getType()).isF32())
    return nullptr;
  QType t = want ? want : calibratedType(v);
  if (!t)
    return nullptr;
  builder.setInsertionPointAfterValue(v);
  Location loc = v.getDefiningOp() ? v.getDefiningOp()->getLoc()
                                   : func.getLoc();
  return builder.create<QuantizeOp>(loc, withElement(v.getType(), t), v);
}

Value Quantizer::quantizeWeights(Value w, Location loc,
                                 SmallVector<double> &scales,
                                 bool transpose2d) {
  std::vector<float> values = floatValues(w);
  auto type = cast<RankedTensorType>(w.getType());
  if (values.empty() && type.getNumElements() > 0)
    return nullptr;
  SmallVector<int64_t> shape(type.getShape());
  if (transpose2d) {
    // [K, N] -> [N, K]: rows are output channels.
    int64_t k = shape[0], n = shape[1];
    std::vector<float> t(values.size());
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < n; ++j)
        t[j * k + i] = values[i * n + j];
    values = std::move(t);
    std::swap(shape[0], shape[1]);
  }
  int64_t channels = shape[0];
  int64_t per = channels ? (int64_t)values.size() / channels : 0;
  std::vector<double> s =
      chooseInt8SymmetricPerChannel(values.data(), channels, per);
  scales.assign(s.begin(), s.end());
  SmallVector<int8_t> q(values.size());
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t i = 0; i < per; ++i) {
      double v = std::round(values[c * per + i] / s[c]);
      q[c * per + i] = static_cast<int8_t>(std::max(-127.0, std::min(127.0, v)));
    }
  auto i8 = IntegerType::get(ctx, 8);
  auto storage = RankedTensorType::get(shape, i8);
  SmallVector<int64_t> zps(channels, 0);
  auto qt = quant::UniformQuantizedPerAxisType::get(
      quant::QuantizationFlags::Signed, i8, Float32Type::get(ctx), scales, zps,
      0, -128, 127);
  builder.setInsertionPointAfterValue(w);
  return builder.create<ConstantOp>(
      loc, RankedTensorType::get(shape, qt),
      DenseElementsAttr::get(storage, ArrayRef<int8_t>(q)));
}

Value Quantizer::quantizeBias(Value b, Location loc, double inScale,
                              ArrayRef<double> wScales, int64_t channels) {
  std::vector<float> values = floatValues(b);
  if (values.empty())
    return nullptr;
  // Broadcast a scalar or [1, N] bias to [N].
  if ((int64_t)values.size() != channels) {
    if (values.size() != 1)
      return nullptr;
    values.assign(channels, values[0]);
  }
  SmallVector<int32_t> q(channels);
  SmallVector<double> scales;
  for (int64_t c = 0; c < channels; ++c) {
    double ws = wScales.size() == 1 ? wScales[0] : wScales[c];
    double s = inScale * ws;
    scales.push_back(s);
    double v = std::round(values[c] / s);
    q[c] = static_cast<int32_t>(std::max(-2147483648.0, std::min(2147483647.0, v)));
  }
  auto i32 = IntegerType::get(ctx, 32);
  auto storage = RankedTensorType::get({channels}, i32);
  SmallVector<int64_t> zps(channels, 0);
  auto qt = quant::UniformQuantizedPerAxisType::get(
      quant::QuantizationFlags::Signed, i32, Float32Type::get(ctx), scales,
      zps, 0, INT32_MIN, INT32_MAX);
  builder.setInsertionPointAfterValue(b);
  return builder.create<ConstantOp>(
      loc, RankedTensorType::get({channels}, qt),
      DenseElementsAttr::get(storage, ArrayRef<int32_t>(q)));
}

Value Quantizer::quantizeConstant(Value v, Location loc) {
  std::vector<float> values = floatValues(v);
  if (values.empty())
    return nullptr;
  float lo = 0, hi = 0;
  for (float f : values) {
    lo = std::min(lo, f);
    hi = std::max(hi, f);
  }
  QType t = typeForRange(ctx, lo, hi);
  SmallVector<int8_t> q;
  for (float f : values) {
    double r = std::round(f / t.getScale()) + t.getZeroPoint();
    q.push_back(static_cast<int8_t>(std::max(-128.0, std::min(127.0, r))));
  }
  auto type = cast<RankedTensorType>(v.getType());
  builder.setInsertionPointAfterValue(v);
  return builder.create<ConstantOp>(
      loc, withElement(type, t),
      DenseElementsAttr::get(type.clone(IntegerType::get(ctx, 8)),
                             ArrayRef<int8_t>(q)));
}

void Quantizer::replace(Operation *op, Operation *newOp) {
  Value oldResult = op->getResult(0), newResult = newOp->getResult(0);
  newOp->removeAttr(kCalibrationAttr);
  newOp->removeAttr(kQuantTypeAttr);
  builder.setInsertionPointAfter(newOp);
  auto deq = builder.create<DequantizeOp>(op->getLoc(), oldResult.getType(),
                                          newResult);
  oldResult.replaceAllUsesWith(deq.getResult());
  op->erase();
}

bool Quantizer::convert(Operation *op) {
  if (op->getNumResults() != 1 || keptFloat(op) ||
      !getElementTypeOrSelf(op->getResult(0).getType()).isF32())
    return false;
  if (auto rec = dyn_cast<RecurrentOp>(op))
    return convertRecurrent(rec);
  Location loc = op->getLoc();
  Type resultType = op->getResult(0).getType();

  // A clone with new operands and result type; nothing is changed unless
  // the clone is kept.
  auto rebuild = [&](ArrayRef<std::pair<unsigned, Value>> operands,
                     QType out) {
    builder.setInsertionPoint(op);
    Operation *n = builder.clone(*op);
    for (auto [i, v] : operands)
      n->setOperand(i, v);
    n->getResult(0).setType(withElement(resultType, out));
    replace(op, n);
    return n;
  };
  auto act = [&]() {
    auto a = op->getAttrOfType<StringAttr>("act");
    return a ? a.getValue() : StringRef("none");
  };

  if (auto conv = dyn_cast<ConvOp>(op)) {
    if (act() != "none" && act() != "relu" && act() != "clip")
      return false;
    QType out = calibratedType(conv.getOutput());
    Value x = quantized(conv.getInput());
    if (!out || !x)
      return false;
    SmallVector<double> ws;
    Value w = weightsFor(op, conv.getWeight(), ws);
    if (!w)
      return false;
    SmallVector<std::pair<unsigned, Value>> ops = {{0, x}, {1, w}};
    if (conv.getBias()) {
      double inScale =
          cast<QType>(quantizedElementType(x.getType())).getScale();
      Value b =
          quantizeBias(conv.getBias(), loc, inScale, ws, (int64_t)ws.size());
      if (!b)
        return false;
      checkModelBiasScale(op, conv.getBias(), inScale, ws);
      ops.push_back({2, b});
    }
    rebuild(ops, out);
    return true;
  }
  if (auto gemm = dyn_cast<GemmOp>(op)) {
    if (gemm.getTransA() || (act() != "none" && act() != "relu" && act() != "clip"))
      return false;
    QType out = calibratedType(gemm.getOutput());
    Value x = quantized(gemm.getA());
    if (!out || !x)
      return false;
    float alpha = gemm.getAlpha().convertToFloat();
    float beta = gemm.getBeta().convertToFloat();
    if (alpha != 1.0f || beta != 1.0f)
      return false;
    SmallVector<double> ws;
    Value w = weightsFor(op, gemm.getB(), ws, !gemm.getTransB());
    if (!w)
      return false;
    SmallVector<std::pair<unsigned, Value>> ops = {{0, x}, {1, w}};
    if (gemm.getC()) {
      auto cShape = cast<RankedTensorType>(gemm.getC().getType()).getShape();
      if (cShape.size() == 2 && cShape[0] != 1)
        return false;
      double inScale =
          cast<QType>(quantizedElementType(x.getType())).getScale();
      Value b = quantizeBias(gemm.getC(), loc, inScale, ws, (int64_t)ws.size());
      if (!b)
        return false;
      checkModelBiasScale(op, gemm.getC(), inScale, ws);
      ops.push_back({2, b});
    }
    Operation *n = rebuild(ops, out);
    n->setAttr("transB", BoolAttr::get(ctx, true));
    return true;
  }
  if (auto mm = dyn_cast<MatMulOp>(op)) {
    if (act() != "none" && act() != "relu" && act() != "clip")
      return false;
    if (convertPerAxisMatMul(mm))
      return true;
    QType out = calibratedType(mm.getOutput());
    Value a = quantized(mm.getA());
    Value b = mm.getB().getDefiningOp<ConstantOp>()
                  ? quantizeConstant(mm.getB(), loc)
                  : quantized(mm.getB());
    if (!out || !a || !b)
      return false;
    rebuild({{0, a}, {1, b}}, out);
    return true;
  }
  if (isa<AddOp, SubOp, MulOp>(op)) {
    if (act() != "none" && act() != "relu" && act() != "clip")
      return false;
    QType out = calibratedType(op->getResult(0));
    if (!out)
      return false;
    SmallVector<std::pair<unsigned, Value>> ops;
    for (unsigned i = 0; i < 2; ++i) {
      Value v = op->getOperand(i);
      Value q = v.getDefiningOp<ConstantOp>() ? quantizeConstant(v, loc)
                                              : quantized(v);
      if (!q)
        return false;
      ops.push_back({i, q});
    }
    rebuild(ops, out);
    return true;
  }
  // Scale-preserving ops: the result has the input's type.
  if (isa<MaxPoolOp, AveragePoolOp, ReshapeOp, TransposeOp, CopyOp, ReluOp,
          ClipOp>(op)) {
    // The int8 pools are 1-D and 2-D.
    if (isa<MaxPoolOp, AveragePoolOp>(op) &&
        cast<RankedTensorType>(op->getOperand(0).getType()).getRank() > 4)
      return false;
    Value x = quantized(op->getOperand(0));
    if (!x || op->getNumOperands() != 1)
      return false;
    rebuild({{0, x}}, cast<QType>(quantizedElementType(x.getType())));
    return true;
  }
  if (isa<GlobalAveragePoolOp, LeakyReluOp>(op) ||
      (isa<MathOp>(op) &&
       llvm::is_contained({"hard_sigmoid", "hard_swish", "elu", "softplus",
                           "softsign"},
                          cast<MathOp>(op).getFn()))) {
    QType out = calibratedType(op->getResult(0));
    Value x = quantized(op->getOperand(0));
    if (!out || !x)
      return false;
    rebuild({{0, x}}, out);
    return true;
  }
  if (isa<SigmoidOp, TanhOp, SoftmaxOp>(op)) {
    QType out = isa<TanhOp>(op) ? int8Type(ctx, 1.0 / 128, 0)
                                : int8Type(ctx, 1.0 / 256, -128);
    Value x = quantized(op->getOperand(0));
    if (!x)
      return false;
    rebuild({{0, x}}, out);
    return true;
  }
  if (auto sc = dyn_cast<StridedCopyOp>(op))
    return convertStridedCopy(sc);
  // Gather moves elements of its input: the result has the input's type.
  if (isa<GatherOp>(op)) {
    Value x = quantized(op->getOperand(0));
    if (!x)
      return false;
    rebuild({{0, x}}, cast<QType>(quantizedElementType(x.getType())));
    return true;
  }
  if (auto cat = dyn_cast<ConcatOp>(op)) {
    QType out = calibratedType(cat.getOutput());
    if (!out)
      return false;
    SmallVector<std::pair<unsigned, Value>> ops;
    for (auto [i, v] : llvm::enumerate(cat.getInputs())) {
      Value q = quantized(v);
      if (!q)
        return false;
      ops.push_back({(unsigned)i, q});
    }
    rebuild(ops, out);
    return true;
  }
  return false;
}

bool Quantizer::convertStridedCopy(StridedCopyOp op) {
  Value x = quantized(op.getInput());
  if (!x)
    return false;
  auto t = cast<QType>(quantizedElementType(x.getType()));
  Value pad;
  if (op.getBorder() == "constant") {
    float real = 0.0f;
    if (op.getPadValue()) {
      std::vector<float> v = floatValues(op.getPadValue());
      if (v.size() != 1)
        return false; // a computed pad value: stays float
      real = v[0];
    }
    double q = std::round(real / t.getScale()) + t.getZeroPoint();
    int8_t stored = static_cast<int8_t>(std::max(-128.0, std::min(127.0, q)));
    if (op.getPadValue() || stored != 0) {
      auto one = RankedTensorType::get({1}, IntegerType::get(ctx, 8));
      builder.setInsertionPoint(op);
      pad = builder.create<ConstantOp>(
          op.getLoc(), RankedTensorType::get({1}, t),
          DenseElementsAttr::get(one, ArrayRef<int8_t>(stored)));
    }
  }
  builder.setInsertionPoint(op);
  auto n = builder.create<StridedCopyOp>(
      op.getLoc(), withElement(op.getOutput().getType(), t), x, pad,
      op.getStartAttr(), op.getStepAttr(), op.getBorderAttr());
  replace(op, n);
  return true;
}

/// Fractional bits of the int8 LSTM's int16 cell state: Q4.11, |c| < 16.
constexpr int kCellFracBits = 11;
/// The int16 GRU / RNN state times int8 R fits int32 up to this many units.
constexpr int64_t kMaxQ15Hidden = 256;

/// Why the int8 recurrent kernels cannot run `rec` exactly; empty if they
/// can.
std::string recurrentInt8Obstacle(RecurrentOp rec) {
  StringRef cell = rec.getCell();
  SmallVector<StringRef> want =
      cell == "lstm"  ? SmallVector<StringRef>{"Sigmoid", "Tanh", "Tanh"}
      : cell == "gru" ? SmallVector<StringRef>{"Sigmoid", "Tanh"}
                      : SmallVector<StringRef>{"Tanh"};
  auto acts = rec.getActivations().getAsValueRange<StringAttr>();
  SmallVector<StringRef> have(acts.begin(), acts.end());
  // RNN: tanh or sigmoid, the same in both directions.
  if (cell == "rnn" && !have.empty() && have[0] == "Sigmoid")
    want[0] = "Sigmoid";
  for (auto [i, a] : llvm::enumerate(have))
    if (a != want[i % want.size()])
      return ("activation " + a + " (the int8 " + cell +
              " has the default activations" +
              (cell == "rnn" ? ", or sigmoid" : "") + ")")
          .str();
  if (rec.getClip())
    return "clip";
  if (rec.getInputForget())
    return "input_forget";
  if (rec.getPeephole())
    return "peepholes";
  if (cell == "lstm" && rec.getResults()[2])
    return "Y_c (the int8 LSTM writes Y and Y_h; its int16 cell state is "
           "internal)";
  if (cell != "lstm" && rec.getHiddenSize() > kMaxQ15Hidden)
    return "hidden_size " + std::to_string(rec.getHiddenSize()) +
           " (at most " + std::to_string(kMaxQ15Hidden) +
           ": the int16 state x int8 R sums must fit int32)";
  if (floatValues(rec.getW()).empty() || floatValues(rec.getR()).empty() ||
      (rec.getB() && floatValues(rec.getB()).empty()))
    return "W, R or B computed at run time (int8 weights are constants)";
  return "";
}

Value Quantizer::quantizeRecurrentWeights(Value w, Location loc,
                                          SmallVector<double> &scales) {
  std::vector<float> values = floatValues(w);
  auto type = cast<RankedTensorType>(w.getType());
  int64_t d = type.getDimSize(0), rows = type.getDimSize(1),
          k = type.getDimSize(2);
  scales.assign(rows, 0.0);
  // The largest |w| of row r over both directions sets its scale.
  std::vector<float> maxAbs(rows, 0.0f);
  for (int64_t di = 0; di < d; ++di)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t i = 0; i < k; ++i)
        maxAbs[r] = std::max(maxAbs[r], std::fabs(values[(di * rows + r) * k + i]));
  for (int64_t r = 0; r < rows; ++r)
    scales[r] = chooseInt8SymmetricPerChannel(&maxAbs[r], 1, 1)[0];
  SmallVector<int8_t> q(values.size());
  for (int64_t di = 0; di < d; ++di)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t i = 0; i < k; ++i) {
        int64_t e = (di * rows + r) * k + i;
        double v = std::round(values[e] / scales[r]);
        q[e] = static_cast<int8_t>(std::max(-127.0, std::min(127.0, v)));
      }
  auto i8 = IntegerType::get(ctx, 8);
  SmallVector<int64_t> zps(rows, 0);
  auto qt = quant::UniformQuantizedPerAxisType::get(
      quant::QuantizationFlags::Signed, i8, Float32Type::get(ctx), scales, zps,
      1, -128, 127);
  builder.setInsertionPointAfterValue(w);
  return builder.create<ConstantOp>(
      loc, type.clone(qt), DenseElementsAttr::get(type.clone(i8), ArrayRef<int8_t>(q)));
}

Value Quantizer::quantizeConstantAs(Value v, Location loc, QType t) {
  std::vector<float> values = floatValues(v);
  auto type = cast<RankedTensorType>(v.getType());
  if (values.empty() && type.getNumElements() > 0)
    return nullptr;
  unsigned bits = t.getStorageTypeIntegralWidth();
  SmallVector<APInt> q;
  for (float f : values) {
    double r = std::round(f / t.getScale()) + t.getZeroPoint();
    r = std::max<double>(t.getStorageTypeMin(),
                         std::min<double>(t.getStorageTypeMax(), r));
    q.push_back(APInt(bits, static_cast<int64_t>(r), /*isSigned=*/true));
  }
  builder.setInsertionPointAfterValue(v);
  return builder.create<ConstantOp>(
      loc, withElement(type, t),
      DenseElementsAttr::get(type.clone(IntegerType::get(ctx, bits)), q));
}

bool Quantizer::convertRecurrent(RecurrentOp rec) {
  std::string obstacle = recurrentInt8Obstacle(rec);
  if (!obstacle.empty()) {
    // At the node's location, without the op dump a pass diagnostic gets.
    mlir::emitRemark(rec.getLoc(), "stays float under --quantize=int8: the "
                                   "int8 ")
        << rec.getCell() << " kernel has no " << obstacle;
    return false;
  }
  QType hType = calibratedType(rec.getOutput());
  Value x = quantized(rec.getX());
  if (!hType || !x)
    return false;
  Location loc = rec.getLoc();
  StringRef cell = rec.getCell();
  bool lstm = cell == "lstm";
  double xScale = cast<QType>(quantizedElementType(x.getType())).getScale();
  // The h side of each gate sum: int8 h (LSTM) or the int16 Q0.15 state.
  double hSideScale = lstm ? hType.getScale() : std::ldexp(1.0, -15);

  SmallVector<double> ws, rs;
  Value w = quantizeRecurrentWeights(rec.getW(), loc, ws);
  Value r = quantizeRecurrentWeights(rec.getR(), loc, rs);
  int64_t rows = (int64_t)ws.size();
  Value b;
  if (rec.getB()) {
    // [D, 2 * rows]: Wb in x_scale * w_scale[r], Rb in h-side * r_scale[r].
    std::vector<float> values = floatValues(rec.getB());
    SmallVector<double> scales;
    for (int64_t i = 0; i < rows; ++i)
      scales.push_back(xScale * ws[i]);
    for (int64_t i = 0; i < rows; ++i)
      scales.push_back(hSideScale * rs[i]);
    SmallVector<int32_t> q(values.size());
    for (size_t e = 0; e < values.size(); ++e) {
      double v = std::round(values[e] / scales[e % (2 * rows)]);
      q[e] = static_cast<int32_t>(
          std::max(-2147483648.0, std::min(2147483647.0, v)));
    }
    auto i32 = IntegerType::get(ctx, 32);
    auto type = cast<RankedTensorType>(rec.getB().getType());
    SmallVector<int64_t> zps(scales.size(), 0);
    auto qt = quant::UniformQuantizedPerAxisType::get(
        quant::QuantizationFlags::Signed, i32, Float32Type::get(ctx), scales,
        zps, 1, INT32_MIN, INT32_MAX);
    builder.setInsertionPointAfterValue(rec.getB());
    b = builder.create<ConstantOp>(
        loc, type.clone(qt),
        DenseElementsAttr::get(type.clone(i32), ArrayRef<int32_t>(q)));
  }
  Value h0, c0;
  if (Value v = rec.getInitialH()) {
    h0 = v.getDefiningOp<ConstantOp>() ? quantizeConstantAs(v, loc, hType)
                                       : quantized(v, hType);
    if (!h0)
      return false;
  }
  if (Value v = rec.getInitialC()) {
    auto i16 = IntegerType::get(ctx, 16);
    QType cType = QType::get(quant::QuantizationFlags::Signed, i16,
                             Float32Type::get(ctx),
                             std::ldexp(1.0, -kCellFracBits), 0, -32768, 32767);
    if (v.getDefiningOp<ConstantOp>()) {
      c0 = quantizeConstantAs(v, loc, cType);
    } else {
      builder.setInsertionPoint(rec);
      c0 = builder.create<QuantizeOp>(loc, withElement(v.getType(), cType), v);
    }
  }
  // The integer kernel's scratch, in bytes.
  int64_t hs = rec.getHiddenSize();
  ArrayRef<int64_t> xShape = cast<RankedTensorType>(rec.getX().getType()).getShape();
  int64_t batch = rec.getLayout() ? xShape[0] : xShape[1];
  int64_t bytes = lstm ? 8 * hs + 3 * batch * hs
                  : cell == "gru" ? 2 * (4 * hs + batch * hs)
                                  : 2 * (hs + batch * hs);
  builder.setInsertionPoint(rec);
  Value scratch = builder.create<ScratchOp>(
      loc, RankedTensorType::get({bytes}, IntegerType::get(ctx, 8)));
  Operation *oldScratch = rec.getScratch().getDefiningOp();

  auto n = cast<RecurrentOp>(builder.clone(*rec));
  n.getXMutable().assign(x);
  n.getWMutable().assign(w);
  n.getRMutable().assign(r);
  if (b)
    n.getBMutable().assign(b);
  if (h0)
    n.getInitialHMutable().assign(h0);
  if (c0)
    n.getInitialCMutable().assign(c0);
  n.getScratchMutable().assign(scratch);
  n.getOutput().setType(withElement(rec.getOutput().getType(), hType));
  replace(rec, n);
  if (oldScratch && oldScratch->use_empty())
    oldScratch->erase();
  return true;
}


//===----------------------------------------------------------------------===//
// QDQ models
//===----------------------------------------------------------------------===//

/// The stored integer of element `i` of a quantized constant's storage.
static int64_t storedAt(DenseElementsAttr a, int64_t i, bool isSigned) {
  APInt v = a.getValues<APInt>()[i];
  return isSigned ? v.getSExtValue() : (int64_t)v.getZExtValue();
}

Value Quantizer::weightsFor(Operation *op, Value w, SmallVector<double> &scales,
                            bool transpose2d) {
  FailureOr<Value> model = modelWeights(op, w, scales, transpose2d);
  if (::mlir::failed(model)) {
    qdqFailed = true;
    return nullptr;
  }
  if (*model)
    return *model;
  return quantizeWeights(w, op->getLoc(), scales, transpose2d);
}

FailureOr<Value> Quantizer::modelWeights(Operation *op, Value w,
                                         SmallVector<double> &scales,
                                         bool transpose2d) {
  auto deq = w.getDefiningOp<DequantizeOp>();
  auto c = deq ? deq.getInput().getDefiningOp<ConstantOp>() : ConstantOp();
  auto dense = c ? dyn_cast<DenseElementsAttr>(c.getValue()) : nullptr;
  quant::QuantizedType qt =
      c ? quantizedElementType(c.getType()) : quant::QuantizedType();
  if (!dense || !qt)
    return Value();
  Location loc = op->getLoc();
  auto type = cast<RankedTensorType>(c.getType());
  SmallVector<int64_t> shape(type.getShape());
  // The output-channel axis of the stored weights: 0, or 1 for a gemm's
  // [K, N].
  int64_t channelAxis = transpose2d ? 1 : 0;
  if (qt.getStorageTypeIntegralWidth() != 8)
    return emitError(loc) << "the int8 kernels need 8-bit weights; the "
                             "model's are "
                          << qt.getStorageTypeIntegralWidth() << "-bit";
  int64_t channels = shape[channelAxis];
  SmallVector<double> modelScales;
  SmallVector<int64_t> zps;
  if (auto t = dyn_cast<QType>(qt)) {
    modelScales.assign(channels, t.getScale());
    zps.assign(channels, t.getZeroPoint());
  } else {
    auto a = cast<quant::UniformQuantizedPerAxisType>(qt);
    if (a.getQuantizedDimension() != channelAxis)
      return emitError(loc)
             << "the int8 kernels need weights quantized per output channel "
                "(axis "
             << channelAxis << "); the model's are per axis "
             << a.getQuantizedDimension();
    modelScales.assign(a.getScales().begin(), a.getScales().end());
    zps.assign(a.getZeroPoints().begin(), a.getZeroPoints().end());
  }
  // [rows, cols] as stored; element (c, i) of the result is stored at
  // c * per + i, or for a [K, N] gemm at i * N + c.
  int64_t total = type.getNumElements();
  int64_t per = channels ? total / channels : 0;
  SmallVector<int8_t> values(total);
  for (int64_t ch = 0; ch < channels; ++ch) {
    for (int64_t i = 0; i < per; ++i) {
      int64_t at = transpose2d ? i * channels + ch : ch * per + i;
      int64_t v = storedAt(dense, at, qt.isSigned()) - zps[ch];
      if (v < -128 || v > 127)
        return emitError(loc)
               << "weights of output channel " << ch
               << " do not fit int8 with zero point 0 (w - zero point reaches "
               << v << "); the int8 kernels need symmetric weights (zero "
               << "point 0), as ONNX Runtime writes them with "
                  "WeightSymmetric";
      values[ch * per + i] = static_cast<int8_t>(v);
    }
  }
  if (transpose2d)
    std::swap(shape[0], shape[1]);
  scales.assign(modelScales.begin(), modelScales.end());
  auto i8 = IntegerType::get(ctx, 8);
  auto qType = quant::UniformQuantizedPerAxisType::get(
      quant::QuantizationFlags::Signed, i8, Float32Type::get(ctx), scales,
      SmallVector<int64_t>(channels, 0), 0, -128, 127);
  builder.setInsertionPointAfterValue(w);
  return builder
      .create<ConstantOp>(
          loc, RankedTensorType::get(shape, qType),
          DenseElementsAttr::get(RankedTensorType::get(shape, i8),
                                 ArrayRef<int8_t>(values)))
      .getResult();
}

void Quantizer::checkModelBiasScale(Operation *op, Value bias, double inScale,
                                    ArrayRef<double> wScales) {
  auto c = bias.getDefiningOp<ConstantOp>();
  auto attr = c ? c->getAttrOfType<TypeAttr>(kQuantTypeAttr) : nullptr;
  if (!attr)
    return;
  SmallVector<double> model;
  if (auto t = dyn_cast<QType>(attr.getValue()))
    model.assign(wScales.size(), t.getScale());
  else if (auto a =
               dyn_cast<quant::UniformQuantizedPerAxisType>(attr.getValue()))
    model.assign(a.getScales().begin(), a.getScales().end());
  for (auto [ch, want] : llvm::enumerate(model)) {
    double s = inScale * wScales[wScales.size() == 1 ? 0 : ch];
    // The model's bias scale is a float32 product: equal within its rounding.
    if (ch < wScales.size() && std::fabs(want - s) <= 1e-6 * s)
      continue;
    emitWarning(op->getLoc())
        << "the model's bias scale of output channel " << ch << " is " << want
        << ", not input scale x weight scale " << s
        << "; the bias is requantized to the latter";
    return;
  }
}

bool Quantizer::convertPerAxisMatMul(MatMulOp mm) {
  auto deq = mm.getB().getDefiningOp<DequantizeOp>();
  if (!deq || !deq.getInput().getDefiningOp<ConstantOp>() ||
      !isa_and_nonnull<quant::UniformQuantizedPerAxisType>(
          quantizedElementType(deq.getInput().getType())) ||
      cast<RankedTensorType>(mm.getA().getType()).getRank() != 2 ||
      cast<RankedTensorType>(mm.getB().getType()).getRank() != 2)
    return false;
  QType out = calibratedType(mm.getOutput());
  Value x = quantized(mm.getA());
  if (!out || !x)
    return false;
  SmallVector<double> ws;
  Value w = weightsFor(mm, mm.getB(), ws, /*transpose2d=*/true);
  if (!w)
    return false;
  builder.setInsertionPoint(mm);
  auto gemm = builder.create<GemmOp>(
      mm.getLoc(), withElement(mm.getType(), out), x, w, Value(),
      builder.getF32FloatAttr(1.0f), builder.getF32FloatAttr(1.0f),
      builder.getBoolAttr(false), builder.getBoolAttr(true));
  // The fused activation (act, act_alpha, ...) carries over.
  for (NamedAttribute a : mm->getAttrs())
    gemm->setAttr(a.getName(), a.getValue());
  replace(mm, gemm);
  return true;
}

void Quantizer::uint8ActivationsToInt8() {
  SmallVector<QuantizeOp> qs;
  func.walk([&](QuantizeOp q) { qs.push_back(q); });
  for (QuantizeOp q : qs) {
    auto u8 = dyn_cast<QType>(quantizedElementType(q.getType()));
    if (!u8 || u8.isSigned() || u8.getStorageTypeIntegralWidth() != 8 ||
        !llvm::any_of(q->getUsers(),
                      [](Operation *u) { return isa<DequantizeOp>(u); }))
      continue;
    QType s8 = int8Type(ctx, u8.getScale(), u8.getZeroPoint() - 128);
    Type oldType = q.getType();
    q.getResult().setType(withElement(oldType, s8));
    Value back;
    for (OpOperand &use : llvm::make_early_inc_range(q->getUses())) {
      if (isa<DequantizeOp>(use.getOwner()))
        continue;
      if (!back) {
        builder.setInsertionPointAfter(q);
        back = builder.create<RequantizeOp>(q.getLoc(), oldType, q);
      }
      use.set(back);
    }
  }
  // A uint8 value from elsewhere (a uint8 model input): requantized to int8
  // (the same shift by 128) where it is dequantized.
  SmallVector<DequantizeOp> deqs;
  func.walk([&](DequantizeOp d) { deqs.push_back(d); });
  for (DequantizeOp d : deqs) {
    Value in = d.getInput();
    auto u8 = dyn_cast<QType>(quantizedElementType(in.getType()));
    if (!u8 || u8.isSigned() || u8.getStorageTypeIntegralWidth() != 8 ||
        in.getDefiningOp<ConstantOp>())
      continue;
    builder.setInsertionPoint(d);
    QType s8 = int8Type(ctx, u8.getScale(), u8.getZeroPoint() - 128);
    d->setOperand(0, builder.create<RequantizeOp>(
                         d.getLoc(), withElement(in.getType(), s8), in));
  }
}

void Quantizer::cleanUpEdges() {
  // quantize(dequantize(q)): q itself (or a requantize).
  SmallVector<QuantizeOp> qs;
  func.walk([&](QuantizeOp q) { qs.push_back(q); });
  for (QuantizeOp q : qs) {
    auto deq = q.getInput().getDefiningOp<DequantizeOp>();
    if (!deq)
      continue;
    Value src = deq.getInput();
    if (src.getType() == q.getType()) {
      q.replaceAllUsesWith(src);
    } else if (isa<QType>(quantizedElementType(src.getType())) &&
               isa<QType>(quantizedElementType(q.getType()))) {
      builder.setInsertionPoint(q);
      q.replaceAllUsesWith(
          builder.create<RequantizeOp>(q.getLoc(), q.getType(), src)
              .getResult());
    } else {
      continue;
    }
    q.erase();
  }
  // Arguments that are only quantized become quantized arguments.
  Block &body = func.getBody().front();
  for (BlockArgument arg : body.getArguments()) {
    if (arg.use_empty())
      continue;
    Type t;
    bool onlyQuantized = llvm::all_of(arg.getUsers(), [&](Operation *u) {
      auto q = dyn_cast<QuantizeOp>(u);
      if (!q || (t && q.getType() != t))
        return false;
      t = q.getType();
      return true;
    });
    if (!onlyQuantized || !isInt8Storage(quantizedElementType(t)))
      continue;
    arg.setType(t);
    for (Operation *u : llvm::make_early_inc_range(arg.getUsers())) {
      u->getResult(0).replaceAllUsesWith(arg);
      u->erase();
    }
  }
  // Results that are dequantized int8 values are returned as int8.
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  for (OpOperand &o : ret->getOpOperands())
    if (auto deq = o.get().getDefiningOp<DequantizeOp>())
      if (isInt8Storage(quantizedElementType(deq.getInput().getType())))
        o.set(deq.getInput());
  // Dead dequantize / quantize ops.
  SmallVector<Operation *> dead;
  func.walk([&](Operation *op) {
    if (isa<DequantizeOp, QuantizeOp, ConstantOp>(op) && op->use_empty())
      dead.push_back(op);
  });
  for (Operation *op : llvm::reverse(dead))
    op->erase();
  func.setType(FunctionType::get(ctx, body.getArgumentTypes(),
                                 ret->getOperandTypes()));
}

LogicalResult Quantizer::run() {
  uint8ActivationsToInt8();
  SmallVector<Operation *> ops;
  for (Operation &op : func.getBody().front())
    if (!isa<ConstantOp, func::ReturnOp, QuantizeOp, DequantizeOp>(op))
      ops.push_back(&op);
  bool ok = true;
  for (Operation *op : ops) {
    if (named(op, mixed.int16)) {
      ok &= succeeded(convertInt16(op));
    } else if (mixed.weightsOnly || named(op, mixed.int8Weights)) {
      if (!keptFloat(op))
        ok &= succeeded(
            convertInt8Weights(op, named(op, mixed.int8Weights)));
    } else if (isa<MaxPoolOp, AveragePoolOp>(op) &&
               isInt8WeightsOp(op->getOperand(0).getDefiningOp())) {
      // A pool right after a float layer on int8 weights stays float with
      // it, so it fuses into that layer (conv_w8) instead of needing the
      // unpooled float tensor in the arena.
    } else {
      convert(op);
    }
  }
  if (!ok)
    return failure();
  cleanUpEdges();
  // The model's quantized weights whose dequantize cleanUpEdges removed.
  SmallVector<ConstantOp> unused;
  func.walk([&](ConstantOp c) {
    if (c->use_empty() && quantizedElementType(c.getType()))
      unused.push_back(c);
  });
  for (ConstantOp c : unused)
    c->erase();
  // Calibration attributes have served their purpose.
  func.walk([](Operation *op) { op->removeAttr(kCalibrationAttr); });
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    func.removeArgAttr(i, kCalibrationAttr);
  return success();
}

//===----------------------------------------------------------------------===//
// Mixed precision: int8 weights with float compute, int16 activations
//===----------------------------------------------------------------------===//

/// The symmetric int16 type (zero point 0, TFLite's 16x8 activations) of a
/// real range: scale max(|lo|, |hi|) / 32767.
QType int16TypeForRange(MLIRContext *ctx, double lo, double hi) {
  double m = std::max(std::fabs(lo), std::fabs(hi));
  if (!(m > 0) || !std::isfinite(m))
    m = 1.0;
  auto i16 = IntegerType::get(ctx, 16);
  return QType::get(quant::QuantizationFlags::Signed, i16,
                    Float32Type::get(ctx), m / 32767.0, 0, -32768, 32767);
}

bool isInt16Storage(quant::QuantizedType q) {
  return q && q.isSigned() && q.getStorageTypeIntegralWidth() == 16;
}

/// The real range a per-tensor type represents.
std::pair<double, double> realRange(QType t) {
  return {t.getScale() * double(t.getStorageTypeMin() - t.getZeroPoint()),
          t.getScale() * double(t.getStorageTypeMax() - t.getZeroPoint())};
}

bool Quantizer::named(Operation *op, const llvm::StringSet<> &names) {
  if (names.empty())
    return false;
  std::string name = locationName(op->getLoc());
  SmallVector<StringRef> parts;
  StringRef(name).split(parts, '+');
  return llvm::any_of(parts, [&](StringRef p) { return names.contains(p); });
}

Value Quantizer::quantizeColumns(Value b, Location loc) {
  std::vector<float> values = floatValues(b);
  auto type = cast<RankedTensorType>(b.getType());
  if (values.empty())
    return nullptr;
  int64_t n = type.getShape().back(), rows = (int64_t)values.size() / n;
  // Columns as rows, so a column's scale is the per-channel one.
  std::vector<float> t(values.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < n; ++c)
      t[c * rows + r] = values[r * n + c];
  std::vector<double> s = chooseInt8SymmetricPerChannel(t.data(), n, rows);
  SmallVector<int8_t> q(values.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < n; ++c) {
      double v = std::round(values[r * n + c] / s[c]);
      q[r * n + c] = static_cast<int8_t>(std::max(-127.0, std::min(127.0, v)));
    }
  auto i8 = IntegerType::get(ctx, 8);
  SmallVector<int64_t> zps(n, 0);
  auto qt = quant::UniformQuantizedPerAxisType::get(
      quant::QuantizationFlags::Signed, i8, Float32Type::get(ctx), s, zps,
      type.getRank() - 1, -128, 127);
  builder.setInsertionPointAfterValue(b);
  return builder.create<ConstantOp>(
      loc, withElement(type, qt),
      DenseElementsAttr::get(type.clone(i8), ArrayRef<int8_t>(q)));
}

LogicalResult Quantizer::convertInt8Weights(Operation *op, bool explicitly) {
  auto none = [&]() -> LogicalResult {
    if (!explicitly)
      return success();
    return op->emitError("--int8-weights: ")
           << op->getName()
           << " has no constant float weights to store in int8 (conv, gemm "
              "and matmul with a constant second operand have)";
  };
  if (op->getNumResults() != 1 ||
      !getElementTypeOrSelf(op->getResult(0).getType()).isF32())
    return none();
  Location loc = op->getLoc();
  if (auto conv = dyn_cast<ConvOp>(op)) {
    if (floatValues(conv.getWeight()).empty())
      return none();
    SmallVector<double> ws;
    Value w = quantizeWeights(conv.getWeight(), loc, ws);
    if (!w)
      return none();
    op->setOperand(1, w);
    return success();
  }
  if (auto gemm = dyn_cast<GemmOp>(op)) {
    if (floatValues(gemm.getB()).empty())
      return none();
    // Rows of the stored weights are output channels ([N, K], transB).
    SmallVector<double> ws;
    Value w = quantizeWeights(gemm.getB(), loc, ws, !gemm.getTransB());
    if (!w)
      return none();
    op->setOperand(1, w);
    gemm.setTransB(true);
    return success();
  }
  if (auto mm = dyn_cast<MatMulOp>(op)) {
    Value b = quantizeColumns(mm.getB(), loc);
    if (!b)
      return none();
    op->setOperand(1, b);
    return success();
  }
  return none();
}

std::optional<std::pair<double, double>> Quantizer::calibratedRange(Value v) {
  Attribute calib, qtype;
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    calib = func.getArgAttr(arg.getArgNumber(), kCalibrationAttr);
    qtype = func.getArgAttr(arg.getArgNumber(), kQuantTypeAttr);
  } else if (Operation *def = v.getDefiningOp()) {
    calib = def->getAttr(kCalibrationAttr);
    qtype = def->getAttr(kQuantTypeAttr);
  }
  if (auto range = dyn_cast_or_null<DenseF32ArrayAttr>(calib))
    if (range.size() == 2)
      return std::make_pair(double(range[0]), double(range[1]));
  if (auto t = dyn_cast_or_null<TypeAttr>(qtype))
    if (auto q = dyn_cast<QType>(t.getValue()))
      return realRange(q);
  return std::nullopt;
}

Value Quantizer::quantized16(Value v, Location loc) {
  if (auto deq = v.getDefiningOp<DequantizeOp>()) {
    Value q = deq.getInput();
    auto have = dyn_cast_or_null<QType>(quantizedElementType(q.getType()));
    if (!have)
      return nullptr;
    if (isInt16Storage(have) && have.getZeroPoint() == 0)
      return q;
    // An int8 (or other) neighbour: its whole real range in int16.
    auto [lo, hi] = realRange(have);
    builder.setInsertionPointAfterValue(q);
    return builder.create<RequantizeOp>(
        deq.getLoc(), withElement(q.getType(), int16TypeForRange(ctx, lo, hi)),
        q);
  }
  if (!getElementTypeOrSelf(v.getType()).isF32())
    return nullptr;
  if (!floatValues(v).empty()) {
    // A constant operand: int16, symmetric per tensor.
    std::vector<float> values = floatValues(v);
    double m = 0;
    for (float f : values)
      m = std::max(m, double(std::fabs(f)));
    QType t = int16TypeForRange(ctx, -m, m);
    SmallVector<int16_t> q;
    for (float f : values)
      q.push_back(static_cast<int16_t>(
          tempo_quantize_value(f, t.getScale(), 0, -32767, 32767)));
    auto type = cast<RankedTensorType>(v.getType());
    builder.setInsertionPointAfterValue(v);
    return builder.create<ConstantOp>(
        loc, withElement(type, t),
        DenseElementsAttr::get(type.clone(IntegerType::get(ctx, 16)),
                               ArrayRef<int16_t>(q)));
  }
  std::optional<std::pair<double, double>> range = calibratedRange(v);
  if (!range)
    return nullptr;
  builder.setInsertionPointAfterValue(v);
  Location at = v.getDefiningOp() ? v.getDefiningOp()->getLoc() : func.getLoc();
  return builder.create<QuantizeOp>(
      at,
      withElement(v.getType(),
                  int16TypeForRange(ctx, range->first, range->second)),
      v);
}

LogicalResult Quantizer::convertInt16(Operation *op) {
  auto error = [&]() {
    return op->emitError("--int16: ") << op->getName() << " ";
  };
  if (op->getNumResults() != 1 ||
      !getElementTypeOrSelf(op->getResult(0).getType()).isF32())
    return error() << "has no float result to run in int16";
  Location loc = op->getLoc();
  Value result = op->getResult(0);
  Type resultType = result.getType();
  StringRef act = "none";
  if (auto a = op->getAttrOfType<StringAttr>("act"))
    act = a.getValue();
  if (act != "none" && act != "relu" && act != "clip")
    return error() << "has a fused " << act
                   << " activation, which has no int16 form (relu and clip "
                      "fold into the output clamp)";

  // Operand i as int16 (an error names the operand).
  auto input = [&](unsigned i) -> FailureOr<Value> {
    Value q = quantized16(op->getOperand(i), loc);
    if (!q)
      return error() << "operand " << i
                     << " has no calibrated range to quantize to int16";
    return q;
  };
  // The int16 type of the result, from its calibrated range.
  auto outType = [&]() -> FailureOr<QType> {
    std::optional<std::pair<double, double>> r = calibratedRange(result);
    if (!r)
      return error() << "result has no calibrated range";
    return int16TypeForRange(ctx, r->first, r->second);
  };
  // int8 code after this op reads its result at the int8 type of the same
  // range.
  auto finish = [&](ArrayRef<std::pair<unsigned, Value>> operands, QType out,
                    function_ref<void(Operation *)> edit = nullptr) {
    QType as8 = calibratedType(result);
    if (!as8) {
      auto [lo, hi] = realRange(out);
      as8 = typeForRange(ctx, float(lo), float(hi));
    }
    builder.setInsertionPoint(op);
    Operation *n = builder.clone(*op);
    for (auto [i, v] : operands)
      n->setOperand(i, v);
    n->getResult(0).setType(withElement(resultType, out));
    if (edit)
      edit(n);
    int8Fallback[n->getResult(0)] = as8;
    replace(op, n);
    return success();
  };
  // The int32 bias of a 16x8 conv / dense at scale s_x * s_w[c]; an error if
  // a value does not fit.
  auto bias = [&](Value b, double xScale, ArrayRef<double> ws,
                  int64_t channels) -> FailureOr<Value> {
    std::vector<float> values = floatValues(b);
    for (int64_t c = 0; c < channels && !values.empty(); ++c) {
      float v = values[values.size() == 1 ? 0 : c];
      double s = xScale * ws[ws.size() == 1 ? 0 : c];
      if (std::fabs(std::round(v / s)) > 2147483647.0)
        return error() << "bias " << v << " of channel " << c
                       << " does not fit int32 at scale " << s;
    }
    Value q = quantizeBias(b, loc, xScale, ws, channels);
    if (!q)
      return error() << "needs a constant bias of one value per channel";
    return q;
  };
  auto scaleOf = [](Value v) {
    return cast<QType>(quantizedElementType(v.getType())).getScale();
  };

  if (auto conv = dyn_cast<ConvOp>(op)) {
    FailureOr<Value> x = input(0);
    FailureOr<QType> out = outType();
    if (failed(x) || failed(out))
      return failure();
    if (floatValues(conv.getWeight()).empty())
      return error() << "needs constant float weights";
    SmallVector<double> ws;
    Value w = quantizeWeights(conv.getWeight(), loc, ws);
    SmallVector<std::pair<unsigned, Value>> ops = {{0, *x}, {1, w}};
    if (conv.getBias()) {
      FailureOr<Value> b = bias(conv.getBias(), scaleOf(*x), ws, ws.size());
      if (failed(b))
        return failure();
      ops.push_back({2, *b});
    }
    return finish(ops, *out);
  }
  if (auto gemm = dyn_cast<GemmOp>(op)) {
    if (gemm.getTransA() || gemm.getAlpha().convertToFloat() != 1.0f ||
        gemm.getBeta().convertToFloat() != 1.0f)
      return error() << "needs no transA and alpha = beta = 1";
    if (floatValues(gemm.getB()).empty())
      return error() << "needs a constant B";
    if (gemm.getC()) {
      auto c = cast<RankedTensorType>(gemm.getC().getType()).getShape();
      if (c.size() == 2 && c[0] != 1)
        return error() << "needs a per-column C";
    }
    FailureOr<Value> x = input(0);
    FailureOr<QType> out = outType();
    if (failed(x) || failed(out))
      return failure();
    SmallVector<double> ws;
    Value w = quantizeWeights(gemm.getB(), loc, ws, !gemm.getTransB());
    SmallVector<std::pair<unsigned, Value>> ops = {{0, *x}, {1, w}};
    if (gemm.getC()) {
      FailureOr<Value> b = bias(gemm.getC(), scaleOf(*x), ws, ws.size());
      if (failed(b))
        return failure();
      ops.push_back({2, *b});
    }
    return finish(ops, *out, [&](Operation *n) {
      n->setAttr("transB", BoolAttr::get(ctx, true));
    });
  }
  if (isa<MatMulOp, AddOp, SubOp, MulOp>(op)) {
    FailureOr<Value> a = input(0), b = input(1);
    FailureOr<QType> out = outType();
    if (failed(a) || failed(b) || failed(out))
      return failure();
    return finish({{0, *a}, {1, *b}}, *out);
  }
  if (isa<MaxPoolOp, AveragePoolOp, ReshapeOp, TransposeOp, CopyOp, ReluOp,
          ClipOp>(op)) {
    if (isa<MaxPoolOp, AveragePoolOp>(op) &&
        cast<RankedTensorType>(op->getOperand(0).getType()).getRank() > 4)
      return error() << "is 3-D; the int16 pools are 1-D and 2-D";
    if (op->getNumOperands() != 1)
      return error() << "has more than one operand";
    FailureOr<Value> x = input(0);
    if (failed(x))
      return failure();
    return finish({{0, *x}}, cast<QType>(quantizedElementType(x->getType())));
  }
  if (auto cat = dyn_cast<ConcatOp>(op)) {
    FailureOr<QType> out = outType();
    if (failed(out))
      return failure();
    SmallVector<std::pair<unsigned, Value>> ops;
    for (unsigned i = 0; i < cat.getInputs().size(); ++i) {
      FailureOr<Value> x = input(i);
      if (failed(x))
        return failure();
      ops.push_back({i, *x});
    }
    return finish(ops, *out);
  }
  return error() << "has no int16 kernel (--int16 covers conv, gemm, "
                    "matmul, add, sub, mul, relu, clip, max_pool, "
                    "average_pool, concat, reshape and transpose)";
}

struct QuantizePass : mlir::tempo::impl::QuantizePassBase<QuantizePass> {
  using QuantizePassBase::QuantizePassBase;
  void runOnOperation() override {
    llvm::StringSet<> keep;
    for (const std::string &name : keepFloat)
      keep.insert(name);
    MixedPrecision mixed;
    for (const std::string &name : int8Weights)
      mixed.int8Weights.insert(name);
    for (const std::string &name : int16)
      mixed.int16.insert(name);
    mixed.weightsOnly = weightsOnly;
    Quantizer quantizer(getOperation(), keep, mixed);
    if (failed(quantizer.run()) || quantizer.hadQdqError())
      signalPassFailure();
  }
};

} // namespace
