//===- QuantKernelParams.cpp - Quantized tempo ops to int8 kernel calls ---===//
//
// The integer half of KernelParams: from an op whose values carry the quant
// dialect's uniform types to the calls of tempo/quant.h, with every
// requantization multiplier, shift and lookup table computed here, once, by
// the helpers of tempo/quant.h (so the compiler, the reference evaluator and
// the generated code share one definition). The scheme is
// docs/quantization.md's.
//
//===----------------------------------------------------------------------===//

#include "compiler/eval/KernelParams.h"
#include "dialects/Tempo/IR/TempoOps.h"

#include "tempo/mixed.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <cstring>
#include <functional>
#include <optional>

using namespace mlir;
using namespace mlir::tempo;

namespace {

using Calls = std::vector<KernelCall>;

int32_t i32(int64_t v) { return static_cast<int32_t>(v); }

quant::UniformQuantizedType perTensor(Value v) {
  return dyn_cast_or_null<quant::UniformQuantizedType>(
      quantizedElementType(v.getType()));
}

bool isInt8(quant::QuantizedType q) {
  return q && q.isSigned() && q.getStorageTypeIntegralWidth() == 8;
}

/// The activation's per-tensor int8 type, or a diagnostic naming `what`.
FailureOr<quant::UniformQuantizedType> int8Tensor(Operation *op, Value v,
                                                  StringRef what) {
  auto q = perTensor(v);
  if (!isInt8(q)) {
    op->emitOpError("int8 kernel needs a per-tensor int8 ")
        << what << ", got " << getElementTypeOrSelf(v.getType());
    return failure();
  }
  return q;
}

/// The weight scales, one per output channel (per-axis along `axis`) or
/// one (per tensor); the weights must be int8 with zero point 0.
FailureOr<SmallVector<double>> weightScales(Operation *op, Value w,
                                            int32_t axis) {
  quant::QuantizedType q = quantizedElementType(w.getType());
  if (!isInt8(q))
    return op->emitOpError("int8 kernel needs int8 weights, got ")
           << getElementTypeOrSelf(w.getType());
  if (auto t = dyn_cast<quant::UniformQuantizedType>(q)) {
    if (t.getZeroPoint() != 0)
      return op->emitOpError("int8 weights must be symmetric (zero point "
                             "0), got zero point ")
             << t.getZeroPoint();
    return SmallVector<double>{t.getScale()};
  }
  auto a = cast<quant::UniformQuantizedPerAxisType>(q);
  if (a.getQuantizedDimension() != axis)
    return op->emitOpError("int8 weights must be quantized along axis ")
           << axis << ", got axis " << a.getQuantizedDimension();
  for (int64_t zp : a.getZeroPoints())
    if (zp != 0)
      return op->emitOpError("int8 weights must be symmetric (zero point "
                             "0), got zero point ")
             << zp;
  return SmallVector<double>(a.getScales().begin(), a.getScales().end());
}

/// The bias must hold int32 integers (in the scale input x weight).
LogicalResult checkBias(Operation *op, Value b) {
  if (!b)
    return success();
  Type e = storageElementType(getElementTypeOrSelf(b.getType()));
  if (!e.isSignlessInteger(32))
    return op->emitOpError("int8 kernel needs an int32 bias, got ")
           << getElementTypeOrSelf(b.getType());
  return success();
}

LogicalResult quantizeMultiplier(Operation *op, double real, int32_t &m,
                                 int32_t &s) {
  if (tempo_quantize_multiplier(real, &m, &s) != 0)
    return op->emitOpError("requantization scale ")
           << real << " is out of the fixed-point range";
  return success();
}

KernelCall quantCall(const char *kernel, KernelParams p,
                     std::vector<int> operands,
                     std::vector<KernelTable> tables = {}) {
  KernelCall c;
  c.kernel = kernel;
  c.params = p;
  c.operands = std::move(operands);
  c.tables = std::move(tables);
  c.untyped = true;
  return c;
}

/// One int32 multiplier and one int32 shift per entry of `real`: the tables
/// of the kernels that take per-row requantization as is (LSTM / GRU / RNN
/// gate rows, the 16x8 kernels).
FailureOr<std::pair<KernelTable, KernelTable>>
multiplierTables(Operation *op, ArrayRef<double> real) {
  KernelTable m, s;
  for (double r : real) {
    int32_t mm, ss;
    if (failed(quantizeMultiplier(op, r, mm, ss)))
      return failure();
    m.values.push_back(mm);
    s.values.push_back(ss);
  }
  return std::make_pair(m, s);
}

/// The requantization tables of a conv or fully connected layer (see
/// tempo/quant_params.h): when the channels' shifts (of their nonzero
/// multipliers) differ by at most TEMPO_MAX_SHIFT_SPREAD, one shift for the
/// layer (the largest, S) and every multiplier at S; otherwise each
/// channel's multiplier and an int8 shift table.
struct RequantTables {
  KernelTable multiplier, shift;
  int32_t layerShift = 0;
};

FailureOr<RequantTables> requantTables(Operation *op, ArrayRef<double> real) {
  RequantTables t;
  t.shift.cType = "int8_t";
  SmallVector<int32_t> m, s;
  int32_t lo = INT32_MAX, hi = INT32_MIN;
  for (double r : real) {
    int32_t mm, ss;
    if (failed(quantizeMultiplier(op, r, mm, ss)))
      return failure();
    m.push_back(mm);
    s.push_back(ss);
    if (mm != 0) {
      lo = std::min(lo, ss);
      hi = std::max(hi, ss);
    }
  }
  if (hi == INT32_MIN)
    lo = hi = 0; // every multiplier is 0
  if (hi - lo > TEMPO_MAX_SHIFT_SPREAD) {
    t.multiplier.values.assign(m.begin(), m.end());
    t.shift.values.assign(s.begin(), s.end());
    return t;
  }
  t.layerShift = hi;
  for (double r : real) {
    int32_t mm;
    if (tempo_quantize_multiplier_at_shift(r, hi, &mm) != 0)
      return op->emitOpError("requantization scale ")
             << r << " is out of the fixed-point range at shift " << hi;
    t.multiplier.values.push_back(mm);
  }
  return t;
}

/// The int8 kernels accumulate in int32 (tempo/quant.h): conv and fully
/// connected take at most 32768 products per output (|x - zp| <= 255,
/// |w| <= 128, plus a bias below 2^30), matmul 33025.
LogicalResult checkAccumulator(Operation *op, int64_t products, int64_t max) {
  if (products <= max)
    return success();
  return op->emitOpError("int8 kernel sums ")
         << products << " products per output, more than the " << max
         << " its int32 accumulator holds";
}

/// The bias as a table the kernel reads instead of the constant: int16 when
/// every value fits, else int32 (no bias: an empty int32 table, a null
/// pointer). None if the bias is not a constant; the kernel then reads the
/// int32 operand.
std::optional<KernelTable> biasTable(Value bias) {
  KernelTable t;
  if (!bias)
    return t;
  auto c = bias.getDefiningOp<ConstantOp>();
  auto dense = c ? dyn_cast<DenseElementsAttr>(c.getValue()) : nullptr;
  if (!dense || !dense.getElementType().isInteger(32))
    return std::nullopt;
  std::vector<char> bytes = denseBytes(dense);
  bool fits16 = true;
  for (size_t i = 0; i + 4 <= bytes.size(); i += 4) {
    int32_t v;
    std::memcpy(&v, bytes.data() + i, 4);
    fits16 = fits16 && v >= INT16_MIN && v <= INT16_MAX;
    t.values.push_back(v);
  }
  t.cType = fits16 ? "int16_t" : "int32_t";
  return t;
}

/// The call of conv_s8 / fully_connected_s8: x, w, then the bias (a table
/// if it is a constant, else operand 2), the multipliers and the shifts.
KernelCall convLikeCall(const char *kernel, KernelParams p, Value bias,
                        RequantTables &rq) {
  std::optional<KernelTable> b = biasTable(bias);
  std::vector<KernelTable> tables;
  std::vector<int> operands = {0, 1};
  if (b)
    tables.push_back(std::move(*b));
  else
    operands.push_back(2);
  tables.push_back(std::move(rq.multiplier));
  tables.push_back(std::move(rq.shift));
  KernelCall c = quantCall(kernel, p, operands, tables);
  if (b && bias)
    c.tableOperands = {2};
  return c;
}

/// The clamp of the fused activation (attributes act, act_min, act_max) in
/// the output's integer domain; see tempo/quant_params.h.
LogicalResult activationClamp(Operation *op, quant::UniformQuantizedType y,
                              int32_t &lo, int32_t &hi) {
  lo = i32(y.getStorageTypeMin());
  hi = i32(y.getStorageTypeMax());
  auto act = op->getAttrOfType<StringAttr>("act");
  StringRef kind = act ? act.getValue() : "none";
  int32_t zp = i32(y.getZeroPoint());
  double scale = y.getScale();
  if (kind == "none")
    return success();
  if (kind == "relu") {
    lo = std::max(lo, zp);
    return success();
  }
  if (kind == "clip") {
    auto bound = [&](StringRef name, double d) {
      auto a = op->getAttrOfType<FloatAttr>(name);
      return a ? a.getValueAsDouble() : d;
    };
    double l = bound("act_min", -INFINITY), h = bound("act_max", INFINITY);
    if (std::isfinite(l))
      lo = std::max(lo, tempo_quantize_value(l, scale, zp, lo, hi));
    if (std::isfinite(h))
      hi = std::min(hi, tempo_quantize_value(h, scale, zp, lo, hi));
    return success();
  }
  return op->emitOpError("fused activation '")
         << kind << "' has no int8 form (only relu and clip fold into the "
                    "output clamp)";
}


/// The real function an int8 lookup table stands for, or null.
using RealFn = std::function<double(double)>;
RealFn pointwiseFunction(Operation *op) {
  return llvm::TypeSwitch<Operation *, RealFn>(op)
      .Case([](SigmoidOp) {
        return [](double x) { return 1.0 / (1.0 + std::exp(-x)); };
      })
      .Case([](TanhOp) { return [](double x) { return std::tanh(x); }; })
      .Case([](LeakyReluOp lr) {
        double a = lr.getAlpha().convertToDouble();
        return [a](double x) { return x < 0 ? a * x : x; };
      })
      .Case([](MathOp m) -> RealFn {
        double a = m.getAlpha().convertToDouble(),
               b = m.getBeta().convertToDouble();
        StringRef fn = m.getFn();
        if (fn == "hard_sigmoid")
          return [a, b](double x) {
            return std::max(0.0, std::min(1.0, a * x + b));
          };
        if (fn == "hard_swish")
          return [](double x) {
            return x * std::max(0.0, std::min(1.0, x / 6.0 + 0.5));
          };
        if (fn == "elu")
          return [a](double x) { return x < 0 ? a * (std::exp(x) - 1) : x; };
        if (fn == "softplus")
          return [](double x) { return std::log1p(std::exp(x)); };
        if (fn == "softsign")
          return [](double x) { return x / (1 + std::fabs(x)); };
        if (fn == "exp")
          return [](double x) { return std::exp(x); };
        if (fn == "abs")
          return [](double x) { return std::fabs(x); };
        if (fn == "neg")
          return [](double x) { return -x; };
        return nullptr;
      })
      .Default([](Operation *) { return RealFn(); });
}

double trampoline(double x, void *ctx) {
  return (*static_cast<RealFn *>(ctx))(x);
}

template <typename P> const P &geom(const Calls &g, size_t i = 0) {
  return std::get<P>(g[i].params);
}

/// The window geometry conv and pool structs share (1-D as h == 1), copied
/// from the float params into the int8 ones.
template <typename From, typename To> void copyWindow(const From &f, To &p) {
  p.batch = f.batch;
  p.in_h = f.in_h;
  p.in_w = f.in_w;
  p.out_h = f.out_h;
  p.out_w = f.out_w;
  p.k_h = f.k_h;
  p.k_w = f.k_w;
  p.stride_h = f.stride_h;
  p.stride_w = f.stride_w;
  p.dil_h = f.dil_h;
  p.dil_w = f.dil_w;
  p.pad_top = f.pad_top;
  p.pad_left = f.pad_left;
}

FailureOr<Calls> convCalls(ConvOp conv, const Calls &g) {
  Operation *op = conv;
  auto x = int8Tensor(op, conv.getInput(), "input");
  auto y = int8Tensor(op, conv.getOutput(), "output");
  if (failed(x) || failed(y))
    return failure();
  auto ws = weightScales(op, conv.getWeight(), 0);
  if (failed(ws) || failed(checkBias(op, conv.getBias())))
    return failure();
  const auto &f = geom<tempo_conv_params_t>(g);
  if (failed(checkAccumulator(
          op, int64_t(f.in_c / f.groups) * f.k_h * f.k_w, 32768)))
    return failure();
  tempo_qconv_params_t p{};
  copyWindow(f, p);
  p.in_c = f.in_c;
  p.out_c = f.out_c;
  p.groups = f.groups;
  p.has_bias = f.has_bias;
  p.in_zp = i32(x->getZeroPoint());
  p.out_zp = i32(y->getZeroPoint());
  p.per_channel = ws->size() > 1 ? 1 : 0;
  p.pool = f.pool;
  p.pool_h = f.pool_h;
  p.pool_w = f.pool_w;
  p.pooled_h = f.pooled_h;
  p.pooled_w = f.pooled_w;
  if (failed(activationClamp(op, *y, p.act_min, p.act_max)))
    return failure();
  SmallVector<double> real;
  for (double s : *ws)
    real.push_back(x->getScale() * s / y->getScale());
  auto tables = requantTables(op, real);
  if (failed(tables))
    return failure();
  p.shift = tables->layerShift;
  return Calls{convLikeCall("conv_s8", p, conv.getBias(), *tables)};
}

FailureOr<Calls> gemmCalls(GemmOp gemm, const Calls &g) {
  Operation *op = gemm;
  const auto &f = geom<tempo_gemm_params_t>(g);
  if (f.trans_a || !f.trans_b || f.alpha != 1.0f ||
      (f.has_c && (f.beta != 1.0f || f.c_rows != 1)))
    return op->emitOpError("int8 kernel needs transB, no transA, alpha = "
                           "beta = 1 and a per-column bias");
  auto x = int8Tensor(op, gemm.getA(), "input");
  auto y = int8Tensor(op, gemm.getOutput(), "output");
  if (failed(x) || failed(y))
    return failure();
  auto ws = weightScales(op, gemm.getB(), 0);
  if (failed(ws) || failed(checkBias(op, gemm.getC())) ||
      failed(checkAccumulator(op, f.k, 32768)))
    return failure();
  tempo_qfc_params_t p{};
  p.batch = f.m;
  p.in_features = f.k;
  p.out_features = f.n;
  p.has_bias = f.has_c;
  p.in_zp = i32(x->getZeroPoint());
  p.out_zp = i32(y->getZeroPoint());
  p.per_channel = ws->size() > 1 ? 1 : 0;
  if (failed(activationClamp(op, *y, p.act_min, p.act_max)))
    return failure();
  SmallVector<double> real;
  for (double s : *ws)
    real.push_back(x->getScale() * s / y->getScale());
  auto tables = requantTables(op, real);
  if (failed(tables))
    return failure();
  p.shift = tables->layerShift;
  KernelCall c = convLikeCall("fully_connected_s8", p, gemm.getC(), *tables);
  c.typeArgs = {getElementTypeOrSelf(gemm.getOutput().getType())};
  return Calls{c};
}

FailureOr<Calls> matmulCalls(MatMulOp mm, const Calls &g) {
  Operation *op = mm;
  auto a = int8Tensor(op, mm.getA(), "first input");
  auto b = int8Tensor(op, mm.getB(), "second input");
  auto y = int8Tensor(op, mm.getOutput(), "output");
  if (failed(a) || failed(b) || failed(y))
    return failure();
  const auto &f = geom<tempo_matmul_params_t>(g);
  if (failed(checkAccumulator(op, f.k, 33025)))
    return failure();
  tempo_qmatmul_params_t p{};
  p.m = f.m;
  p.n = f.n;
  p.k = f.k;
  p.batch_rank = f.batch_rank;
  for (int i = 0; i < TEMPO_MAX_RANK; ++i) {
    p.out_batch_dims[i] = f.out_batch_dims[i];
    p.a_batch_strides[i] = f.a_batch_strides[i];
    p.b_batch_strides[i] = f.b_batch_strides[i];
  }
  p.a_zp = i32(a->getZeroPoint());
  p.b_zp = i32(b->getZeroPoint());
  p.out_zp = i32(y->getZeroPoint());
  if (failed(quantizeMultiplier(op, a->getScale() * b->getScale() / y->getScale(),
                                p.multiplier, p.shift)) ||
      failed(activationClamp(op, *y, p.act_min, p.act_max)))
    return failure();
  return Calls{quantCall("matmul_s8", p, {0, 1})};
}

FailureOr<Calls> binaryCalls(Operation *op, const Calls &g, const char *kernel,
                             bool isMul) {
  auto a = int8Tensor(op, op->getOperand(0), "first input");
  auto b = int8Tensor(op, op->getOperand(1), "second input");
  auto y = int8Tensor(op, op->getResult(0), "output");
  if (failed(a) || failed(b) || failed(y))
    return failure();
  const auto &f = geom<tempo_broadcast_params_t>(g);
  tempo_qbinary_params_t p{};
  p.rank = f.rank;
  p.size = f.size;
  for (int i = 0; i < TEMPO_MAX_RANK; ++i) {
    p.out_dims[i] = f.out_dims[i];
    p.a_strides[i] = f.a_strides[i];
    p.b_strides[i] = f.b_strides[i];
  }
  p.a_zp = i32(a->getZeroPoint());
  p.b_zp = i32(b->getZeroPoint());
  p.out_zp = i32(y->getZeroPoint());
  int rc = isMul ? tempo_qbinary_mul_setup(a->getScale(), b->getScale(),
                                           y->getScale(), &p)
                 : tempo_qbinary_add_setup(a->getScale(), b->getScale(),
                                           y->getScale(), &p);
  if (rc != 0)
    return op->emitOpError("requantization scales are out of the "
                           "fixed-point range");
  if (failed(activationClamp(op, *y, p.act_min, p.act_max)))
    return failure();
  return Calls{quantCall(kernel, p, {0, 1})};
}

FailureOr<Calls> poolCalls(Operation *op, const Calls &g, const char *kernel) {
  auto x = int8Tensor(op, op->getOperand(0), "input");
  auto y = int8Tensor(op, op->getResult(0), "output");
  if (failed(x) || failed(y))
    return failure();
  if (*x != *y)
    return op->emitOpError("int8 pooling keeps the scale and zero point: "
                           "input ")
           << *x << ", output " << *y;
  const auto &f = geom<tempo_pool_params_t>(g);
  if (f.in_d > 1 || f.k_d > 1)
    return op->emitOpError("int8 pooling is 1-D or 2-D; a 3-D pool stays float");
  tempo_qpool_params_t p{};
  copyWindow(f, p);
  p.channels = f.channels;
  p.pad_bottom = f.pad_bottom;
  p.pad_right = f.pad_right;
  p.count_include_pad = f.count_include_pad;
  p.zp = i32(x->getZeroPoint());
  p.act_min = -128;
  p.act_max = 127;
  return Calls{quantCall(kernel, p, {0})};
}

FailureOr<Calls> unaryCalls(Operation *op, const Calls &g) {
  auto x = int8Tensor(op, op->getOperand(0), "input");
  auto y = int8Tensor(op, op->getResult(0), "output");
  if (failed(x) || failed(y))
    return failure();
  int32_t size = isa<MathOp>(op) ? geom<tempo_math_params_t>(g).size
                                  : geom<tempo_unary_params_t>(g).size;
  // Relu and Clip are clamps (with a rescale if the types differ).
  if (isa<ReluOp, ClipOp>(op)) {
    double lo = 0.0, hi = INFINITY;
    if (auto clip = dyn_cast<ClipOp>(op)) {
      lo = clip.getMin().convertToDouble();
      hi = clip.getMax().convertToDouble();
    }
    auto bound = [&](double v, int32_t dflt) {
      return std::isfinite(v) ? tempo_quantize_value(v, y->getScale(),
                                                     i32(y->getZeroPoint()),
                                                     -128, 127)
                              : dflt;
    };
    int32_t qlo = bound(lo, -128), qhi = bound(hi, 127);
    if (*x == *y)
      return Calls{quantCall("clamp_s8", tempo_qclamp_params_t{size, qlo, qhi},
                             {0})};
    tempo_requant_params_t p{size, i32(x->getZeroPoint()),
                             i32(y->getZeroPoint()), 0, 0, qlo, qhi};
    if (failed(quantizeMultiplier(op, x->getScale() / y->getScale(),
                                  p.multiplier, p.shift)))
      return failure();
    return Calls{quantCall("requantize_s8", p, {0})};
  }
  RealFn fn = pointwiseFunction(op);
  if (!fn)
    return op->emitOpError("has no int8 form");
  int8_t lut[256];
  tempo_build_lut_s8(x->getScale(), i32(x->getZeroPoint()), y->getScale(),
                     i32(y->getZeroPoint()), trampoline, &fn, lut);
  KernelTable t;
  t.cType = "int8_t";
  t.values.assign(lut, lut + 256);
  return Calls{quantCall("lut_s8", tempo_lut_params_t{size}, {0}, {t})};
}

FailureOr<Calls> softmaxCalls(SoftmaxOp sm, const Calls &g) {
  Operation *op = sm;
  auto x = int8Tensor(op, sm.getInput(), "input");
  auto y = int8Tensor(op, sm.getOutput(), "output");
  if (failed(x) || failed(y))
    return failure();
  if (y->getScale() != 1.0 / 256 || y->getZeroPoint() != -128)
    return op->emitOpError("int8 softmax writes scale 1/256, zero point "
                           "-128, got ")
           << *y;
  const auto &f = geom<tempo_softmax_params_t>(g);
  // The Q12.19 sum of up to n exps (each at most 1) must stay below 2^31.
  if (f.n > 4095)
    return op->emitOpError("int8 softmax over ")
           << f.n << " elements; the fixed-point sum allows at most 4095";
  tempo_qsoftmax_params_t p{f.outer, f.n, f.inner, 0, 0, 0};
  if (tempo_softmax_s8_scaling(x->getScale(), 1.0, &p.input_multiplier,
                               &p.input_left_shift, &p.diff_min) != 0)
    return op->emitOpError("int8 softmax input scale ")
           << x->getScale() << " is too small for the fixed-point exp (needs "
           << "scale * 2^26 > 1)";
  return Calls{quantCall("softmax_s8", p, {0})};
}

FailureOr<Calls> globalAveragePoolCalls(Operation *op, const Calls &g) {
  auto x = int8Tensor(op, op->getOperand(0), "input");
  auto y = int8Tensor(op, op->getResult(0), "output");
  if (failed(x) || failed(y))
    return failure();
  const auto &f = geom<tempo_reduce_params_t>(g);
  tempo_qreduce_params_t p{};
  p.outer = f.outer;
  p.inner = f.inner;
  p.in_zp = i32(x->getZeroPoint());
  p.out_zp = i32(y->getZeroPoint());
  p.act_min = -128;
  p.act_max = 127;
  if (failed(quantizeMultiplier(op, x->getScale() / y->getScale(),
                                p.multiplier, p.shift)))
    return failure();
  return Calls{quantCall("global_average_pool_s8", p, {0})};
}

FailureOr<Calls> concatCalls(ConcatOp cat, const Calls &g) {
  Operation *op = cat;
  auto y = int8Tensor(op, cat.getOutput(), "output");
  if (failed(y))
    return failure();
  Calls calls;
  for (auto [i, in] : llvm::enumerate(cat.getInputs())) {
    auto x = int8Tensor(op, in, "input");
    if (failed(x))
      return failure();
    const auto &f = geom<tempo_concat_params_t>(g, i);
    tempo_qconcat_params_t p{};
    p.outer = f.outer;
    p.in_inner = f.in_inner;
    p.out_inner = f.out_inner;
    p.offset = f.offset;
    p.identity = *x == *y ? 1 : 0;
    p.in_zp = i32(x->getZeroPoint());
    p.out_zp = i32(y->getZeroPoint());
    if (!p.identity &&
        failed(quantizeMultiplier(op, x->getScale() / y->getScale(),
                                  p.multiplier, p.shift)))
      return failure();
    calls.push_back(quantCall("concat_s8", p, {(int)i}));
  }
  return calls;
}

/// The scale / zero point fields and tables of a quantize or dequantize.
FailureOr<Calls> edgeCalls(Operation *op, Value quantized, const char *kernel) {
  quant::QuantizedType q = quantizedElementType(quantized.getType());
  auto shaped = cast<RankedTensorType>(quantized.getType());
  tempo_quantize_params_t p{};
  p.size = i32(shaped.getNumElements());
  std::vector<KernelTable> tables(2);
  tables[0].cType = "float";
  if (auto t = dyn_cast<quant::UniformQuantizedType>(q)) {
    p.scale = static_cast<float>(t.getScale());
    p.zp = i32(t.getZeroPoint());
  } else if (auto a = dyn_cast<quant::UniformQuantizedPerAxisType>(q)) {
    int32_t axis = a.getQuantizedDimension();
    p.channels = i32(shaped.getDimSize(axis));
    int64_t inner = 1;
    for (int64_t d : shaped.getShape().drop_front(axis + 1))
      inner *= d;
    p.inner = i32(inner);
    for (double s : a.getScales())
      tables[0].values.push_back(static_cast<float>(s));
    for (int64_t z : a.getZeroPoints())
      tables[1].values.push_back(static_cast<double>(z));
  } else {
    return op->emitOpError("supports uniform quantized types");
  }
  KernelCall c = quantCall(kernel, p, {0}, tables);
  c.typeArgs = {q};
  return Calls{c};
}

FailureOr<Calls> requantizeCalls(RequantizeOp rq) {
  auto x = perTensor(rq.getInput()), y = perTensor(rq.getOutput());
  tempo_requant_params_t p{};
  p.size = i32(cast<RankedTensorType>(rq.getType()).getNumElements());
  p.in_zp = i32(x.getZeroPoint());
  p.out_zp = i32(y.getZeroPoint());
  p.act_min = i32(y.getStorageTypeMin());
  p.act_max = i32(y.getStorageTypeMax());
  if (failed(quantizeMultiplier(rq, x.getScale() / y.getScale(), p.multiplier,
                                p.shift)))
    return failure();
  KernelCall c = quantCall("requantize", p, {0});
  c.typeArgs = {x, y};
  return Calls{c};
}

//===----------------------------------------------------------------------===//
// LSTM / GRU / RNN (lstm_s8, gru_s8, rnn_s8)
//===----------------------------------------------------------------------===//

/// Fractional bits of the int8 LSTM's cell state (Q4.11), as tempo-quantize
/// writes initial_c.
constexpr int32_t kCellFracBits = 11;
/// gru_s8 / rnn_s8: the int16 state x int8 R sums fit int32 up to here.
constexpr int64_t kMaxQ15Hidden = 256;

/// The per-row scales of W or R [D, rows, K] (axis 1), one per row.
FailureOr<SmallVector<double>> recurrentWeightScales(RecurrentOp rec, Value w,
                                                     StringRef what) {
  auto scales = weightScales(rec, w, 1);
  if (failed(scales))
    return failure();
  int64_t rows = cast<RankedTensorType>(w.getType()).getDimSize(1);
  if (scales->size() == 1)
    scales->assign(rows, (*scales)[0]);
  if ((int64_t)scales->size() != rows)
    return rec.emitOpError("int8 ")
           << what << " needs one scale per gate row (" << rows << "), got "
           << scales->size();
  return scales;
}

FailureOr<Calls> recurrentCalls(RecurrentOp rec, const Calls &g) {
  Operation *op = rec;
  StringRef cell = rec.getCell();
  bool lstm = cell == "lstm";
  auto x = int8Tensor(op, rec.getX(), "input X");
  auto y = int8Tensor(op, rec.getOutput(), "output (Y / Y_h)");
  if (failed(x) || failed(y))
    return failure();
  if (Value h0 = rec.getInitialH()) {
    auto h = int8Tensor(op, h0, "initial_h");
    if (failed(h))
      return failure();
    if (*h != *y)
      return rec.emitOpError("int8 initial_h must have the output's "
                             "quantization ")
             << *y << ", got " << *h;
  }
  if (rec.getClip() || rec.getInputForget() || rec.getPeephole())
    return rec.emitOpError("int8 ")
           << cell << " has no clip, input_forget or peepholes";
  // The activations the integer kernels compute.
  auto acts = rec.getActivations().getAsValueRange<StringAttr>();
  SmallVector<StringRef> have(acts.begin(), acts.end());
  int32_t rnnAct = TEMPO_RNN_ACT_TANH;
  for (auto [i, a] : llvm::enumerate(have)) {
    bool ok = lstm            ? a == (i % 3 == 0 ? "Sigmoid" : "Tanh")
              : cell == "gru" ? a == (i % 2 == 0 ? "Sigmoid" : "Tanh")
                              : a == have[0] && (a == "Tanh" || a == "Sigmoid");
    if (!ok)
      return rec.emitOpError("int8 ")
             << cell << " has no activation " << a << " in slot " << i;
    if (cell == "rnn" && a == "Sigmoid")
      rnnAct = TEMPO_RNN_ACT_SIGMOID;
  }
  if (lstm && rec.getResults()[2])
    return rec.emitOpError("int8 lstm writes Y and Y_h; Y_c (the int16 cell "
                           "state) stays internal");
  int64_t hidden = rec.getHiddenSize();
  if (!lstm && hidden > kMaxQ15Hidden)
    return rec.emitOpError("int8 ")
           << cell << " takes hidden_size up to " << kMaxQ15Hidden << ", got "
           << hidden;
  auto ws = recurrentWeightScales(rec, rec.getW(), "W");
  auto rs = recurrentWeightScales(rec, rec.getR(), "R");
  if (failed(ws) || failed(rs) || failed(checkBias(op, rec.getB())))
    return failure();
  if (Value c0 = rec.getInitialC()) {
    auto c = perTensor(c0);
    if (!c || c.getStorageTypeIntegralWidth() != 16 || c.getZeroPoint() != 0 ||
        c.getScale() != std::ldexp(1.0, -kCellFracBits))
      return rec.emitOpError("int8 lstm needs initial_c as int16 Q4.11 "
                             "(scale 2^-11, zero point 0), got ")
             << getElementTypeOrSelf(c0.getType());
  }

  // Per gate row: x-side sums to Q3.12, h-side sums to Q3.12. The h side is
  // the int8 h (LSTM) or the int16 Q0.15 state (GRU, RNN).
  double hSide = lstm ? y->getScale() : std::ldexp(1.0, -15);
  SmallVector<double> wReal, rReal;
  for (auto [w, r] : llvm::zip(*ws, *rs)) {
    wReal.push_back(x->getScale() * w * 4096.0);
    rReal.push_back(hSide * r * 4096.0);
  }
  auto wTables = multiplierTables(op, wReal);
  auto rTables = multiplierTables(op, rReal);
  if (failed(wTables) || failed(rTables))
    return failure();
  KernelTable sig, tanhT;
  sig.cType = tanhT.cType = "uint16_t";
  uint16_t sigT[TEMPO_SIGMOID_Q15_TABLE_SIZE], thT[TEMPO_TANH_Q15_TABLE_SIZE];
  tempo_build_sigmoid_q15_table(sigT);
  tempo_build_tanh_q15_table(thT);
  sig.values.assign(sigT, sigT + TEMPO_SIGMOID_Q15_TABLE_SIZE);
  tanhT.values.assign(thT, thT + TEMPO_TANH_Q15_TABLE_SIZE);
  std::vector<KernelTable> tables = {wTables->first, wTables->second,
                                     rTables->first, rTables->second, sig,
                                     tanhT};

  // Shapes, operands, packed result offsets and scratch as the float call.
  const KernelCall &f = g[0];
  std::vector<int> operands(f.operands.begin(), f.operands.begin() + 5);
  std::vector<int64_t> results(f.results.begin(), f.results.begin() + 2);
  KernelCall c;
  if (lstm) {
    const auto &fp = geom<tempo_lstm_params_t>(g);
    tempo_qlstm_params_t p{};
    p.seq_len = fp.seq_len;
    p.batch = fp.batch;
    p.input_size = fp.input_size;
    p.hidden_size = fp.hidden_size;
    p.x_zp = i32(x->getZeroPoint());
    p.h_zp = i32(y->getZeroPoint());
    p.cell_frac_bits = kCellFracBits;
    if (failed(quantizeMultiplier(op, std::ldexp(1.0, -30) / y->getScale(),
                                  p.hidden_multiplier, p.hidden_shift)))
      return failure();
    p.has_initial_h = fp.has_initial_h;
    p.has_initial_c = fp.has_initial_c;
    p.want_y = fp.want_y;
    p.want_y_h = fp.want_y_h;
    p.want_y_c = 0;
    p.direction = fp.direction;
    p.num_directions = fp.num_directions;
    p.layout = fp.layout;
    operands.push_back(f.operands[5]); // initial_c
    c = quantCall("lstm_s8", p, operands, tables);
  } else {
    tempo_qrecurrent_params_t p{};
    auto common = [&](const auto &fp) {
      p.seq_len = fp.seq_len;
      p.batch = fp.batch;
      p.input_size = fp.input_size;
      p.hidden_size = fp.hidden_size;
      p.direction = fp.direction;
      p.num_directions = fp.num_directions;
      p.layout = fp.layout;
      p.has_bias = fp.has_bias;
      p.has_initial_h = fp.has_initial_h;
      p.want_y = fp.want_y;
      p.want_y_h = fp.want_y_h;
    };
    if (cell == "gru") {
      const auto &fp = geom<tempo_gru_params_t>(g);
      common(fp);
      p.linear_before_reset = fp.linear_before_reset;
    } else {
      common(geom<tempo_rnn_params_t>(g));
      p.activation = rnnAct;
    }
    p.x_zp = i32(x->getZeroPoint());
    p.h_zp = i32(y->getZeroPoint());
    if (failed(quantizeMultiplier(op, y->getScale() * 32768.0,
                                  p.state_multiplier, p.state_shift)) ||
        failed(quantizeMultiplier(op, std::ldexp(1.0, -15) / y->getScale(),
                                  p.hidden_multiplier, p.hidden_shift)))
      return failure();
    c = quantCall(cell == "gru" ? "gru_s8" : "rnn_s8", p, operands, tables);
  }
  c.results = results;
  c.scratch = f.scratch;
  return Calls{c};
}

/// True if some operand or result is quantized (only then are there tables).
bool runsQuantizedKernelsQuietly(Operation *op) {
  auto quantized = [](Value v) {
    return quantizedElementType(v.getType()) != nullptr;
  };
  return op->getNumResults() == 1 &&
         (llvm::any_of(op->getOperands(), quantized) ||
          llvm::any_of(op->getResults(), quantized));
}

//===----------------------------------------------------------------------===//
// Mixed precision (tempo/mixed.h): int8 weights with float compute (*_w8),
// int16 activations with int8 weights (*_a16, TFLite's 16x8)
//===----------------------------------------------------------------------===//

bool isInt16(quant::QuantizedType q) {
  return q && q.isSigned() && q.getStorageTypeIntegralWidth() == 16;
}

/// A conv, gemm or matmul computing in float on int8 weights.
bool computesOnInt8Weights(Operation *op) {
  return isa<ConvOp, GemmOp, MatMulOp>(op) &&
         getElementTypeOrSelf(op->getResult(0).getType()).isF32() &&
         getElementTypeOrSelf(op->getOperand(0).getType()).isF32() &&
         isInt8(quantizedElementType(op->getOperand(1).getType()));
}

/// An op whose result and first operand are int16 (a requantize, quantize
/// or dequantize has its own kernels).
bool runsInt16(Operation *op) {
  return !isa<QuantizeOp, DequantizeOp, RequantizeOp>(op) &&
         op->getNumResults() == 1 && op->getNumOperands() >= 1 &&
         isInt16(quantizedElementType(op->getResult(0).getType())) &&
         isInt16(quantizedElementType(op->getOperand(0).getType()));
}

/// The float table of per-channel weight scales of a *_w8 kernel: weights
/// int8, symmetric, quantized along `axis` (or per tensor, repeated).
FailureOr<KernelTable> weightScaleTable(Operation *op, Value w, int32_t axis,
                                        int64_t channels) {
  quant::QuantizedType q = quantizedElementType(w.getType());
  KernelTable t;
  t.cType = "float";
  if (auto u = dyn_cast<quant::UniformQuantizedType>(q)) {
    if (u.getZeroPoint() != 0)
      return op->emitOpError("int8 weights must be symmetric (zero point "
                             "0), got zero point ")
             << u.getZeroPoint();
    t.values.assign(channels, static_cast<float>(u.getScale()));
    return t;
  }
  auto a = cast<quant::UniformQuantizedPerAxisType>(q);
  if (a.getQuantizedDimension() != axis ||
      (int64_t)a.getScales().size() != channels)
    return op->emitOpError("int8 weights must be quantized along axis ")
           << axis << " (" << channels << " output channels), got axis "
           << a.getQuantizedDimension();
  for (auto [s, zp] : llvm::zip(a.getScales(), a.getZeroPoints())) {
    if (zp != 0)
      return op->emitOpError("int8 weights must be symmetric (zero point "
                             "0), got zero point ")
             << zp;
    t.values.push_back(static_cast<float>(s));
  }
  return t;
}

FailureOr<Calls> int8WeightCalls(Operation *op, const Calls &g) {
  auto floatOperand = [&](int i) -> LogicalResult {
    if (i < (int)op->getNumOperands() &&
        !getElementTypeOrSelf(op->getOperand(i).getType()).isF32())
      return op->emitOpError("int8-weight kernel needs a float operand ")
             << i << ", got " << getElementTypeOrSelf(op->getOperand(i).getType());
    return success();
  };
  if (auto conv = dyn_cast<ConvOp>(op)) {
    const auto &f = geom<tempo_conv_params_t>(g);
    auto t = weightScaleTable(op, conv.getWeight(), 0, f.out_c);
    if (failed(t) || failed(floatOperand(2)))
      return failure();
    return Calls{quantCall("conv_w8", f, {0, 1, conv.getBias() ? 2 : -1},
                           {*t})};
  }
  if (auto gemm = dyn_cast<GemmOp>(op)) {
    const auto &f = geom<tempo_gemm_params_t>(g);
    auto t = weightScaleTable(op, gemm.getB(), f.trans_b ? 0 : 1, f.n);
    if (failed(t) || failed(floatOperand(2)))
      return failure();
    return Calls{quantCall("gemm_w8", f, {0, 1, gemm.getC() ? 2 : -1}, {*t})};
  }
  auto mm = cast<MatMulOp>(op);
  const auto &f = geom<tempo_matmul_params_t>(g);
  int32_t axis = cast<RankedTensorType>(mm.getB().getType()).getRank() - 1;
  auto t = weightScaleTable(op, mm.getB(), axis, f.n);
  if (failed(t))
    return failure();
  return Calls{quantCall("matmul_w8", f, {0, 1}, {*t})};
}

/// The activation's per-tensor symmetric int16 type, or a diagnostic.
FailureOr<quant::UniformQuantizedType> int16Tensor(Operation *op, Value v,
                                                   StringRef what) {
  auto q = perTensor(v);
  if (!isInt16(q) || q.getZeroPoint() != 0) {
    op->emitOpError("int16 kernel needs a per-tensor symmetric int16 ")
        << what << ", got " << getElementTypeOrSelf(v.getType());
    return failure();
  }
  return q;
}

/// Multiplier and shift tables for the 16x8 output stage, whose 64-bit
/// multiply takes shifts up to 7.
FailureOr<std::pair<KernelTable, KernelTable>>
multiplierTables64(Operation *op, ArrayRef<double> real) {
  auto tables = multiplierTables(op, real);
  if (failed(tables))
    return failure();
  for (auto [r, s] : llvm::zip(real, tables->second.values))
    if (s > 7)
      return op->emitOpError("requantization scale ")
             << r << " is too large for the 16x8 output stage (at most 2^7)";
  return tables;
}

FailureOr<Calls> int16Calls(Operation *op, const Calls &g) {
  auto x = int16Tensor(op, op->getOperand(0), "input");
  auto y = int16Tensor(op, op->getResult(0), "output");
  if (failed(x) || failed(y))
    return failure();
  // Conv / dense: per-channel multipliers of s_x * s_w[c] / s_y.
  auto weighted = [&](Value w, Value bias, const char *kernel,
                      KernelParams p) -> FailureOr<Calls> {
    auto ws = weightScales(op, w, 0);
    if (failed(ws) || failed(checkBias(op, bias)))
      return failure();
    SmallVector<double> real;
    for (double s : *ws)
      real.push_back(x->getScale() * s / y->getScale());
    auto tables = multiplierTables64(op, real);
    if (failed(tables))
      return failure();
    return Calls{quantCall(kernel, p, {0, 1, bias ? 2 : -1},
                           {tables->first, tables->second})};
  };
  auto perChannel = [&](Value w) {
    auto ws = weightScales(op, w, 0);
    return succeeded(ws) && ws->size() > 1 ? 1 : 0;
  };
  if (auto conv = dyn_cast<ConvOp>(op)) {
    const auto &f = geom<tempo_conv_params_t>(g);
    if (f.pool != TEMPO_POOL_NONE)
      return op->emitOpError("int16 conv has no fused pooling");
    tempo_qconv_params_t p{};
    copyWindow(f, p);
    p.in_c = f.in_c;
    p.out_c = f.out_c;
    p.groups = f.groups;
    p.has_bias = f.has_bias;
    p.per_channel = perChannel(conv.getWeight());
    if (failed(activationClamp(op, *y, p.act_min, p.act_max)))
      return failure();
    return weighted(conv.getWeight(), conv.getBias(), "conv_a16", p);
  }
  if (auto gemm = dyn_cast<GemmOp>(op)) {
    const auto &f = geom<tempo_gemm_params_t>(g);
    if (f.trans_a || !f.trans_b || f.alpha != 1.0f ||
        (f.has_c && (f.beta != 1.0f || f.c_rows != 1)))
      return op->emitOpError("int16 kernel needs transB, no transA, alpha = "
                             "beta = 1 and a per-column bias");
    tempo_qfc_params_t p{};
    p.batch = f.m;
    p.in_features = f.k;
    p.out_features = f.n;
    p.has_bias = f.has_c;
    p.per_channel = perChannel(gemm.getB());
    if (failed(activationClamp(op, *y, p.act_min, p.act_max)))
      return failure();
    return weighted(gemm.getB(), gemm.getC(), "fully_connected_a16", p);
  }
  if (auto mm = dyn_cast<MatMulOp>(op)) {
    auto b = int16Tensor(op, mm.getB(), "second input");
    if (failed(b))
      return failure();
    const auto &f = geom<tempo_matmul_params_t>(g);
    tempo_qmatmul_params_t p{};
    p.m = f.m;
    p.n = f.n;
    p.k = f.k;
    p.batch_rank = f.batch_rank;
    for (int i = 0; i < TEMPO_MAX_RANK; ++i) {
      p.out_batch_dims[i] = f.out_batch_dims[i];
      p.a_batch_strides[i] = f.a_batch_strides[i];
      p.b_batch_strides[i] = f.b_batch_strides[i];
    }
    double real = x->getScale() * b->getScale() / y->getScale();
    auto tables = multiplierTables64(op, {real});
    if (failed(tables) || failed(activationClamp(op, *y, p.act_min, p.act_max)))
      return failure();
    p.multiplier = i32((int64_t)tables->first.values[0]);
    p.shift = i32((int64_t)tables->second.values[0]);
    return Calls{quantCall("matmul_a16", p, {0, 1})};
  }
  if (isa<AddOp, SubOp, MulOp>(op)) {
    auto b = int16Tensor(op, op->getOperand(1), "second input");
    if (failed(b))
      return failure();
    const auto &f = geom<tempo_broadcast_params_t>(g);
    tempo_qbinary_params_t p{};
    p.rank = f.rank;
    p.size = f.size;
    for (int i = 0; i < TEMPO_MAX_RANK; ++i) {
      p.out_dims[i] = f.out_dims[i];
      p.a_strides[i] = f.a_strides[i];
      p.b_strides[i] = f.b_strides[i];
    }
    bool mul = isa<MulOp>(op);
    int rc = mul ? tempo_qbinary_mul_setup(x->getScale(), b->getScale(),
                                           y->getScale(), &p)
                 : tempo_qbinary_add16_setup(x->getScale(), b->getScale(),
                                             y->getScale(), &p);
    if (rc != 0)
      return op->emitOpError("requantization scales are out of the "
                             "fixed-point range");
    if (failed(activationClamp(op, *y, p.act_min, p.act_max)))
      return failure();
    const char *kernel =
        mul ? "mul_a16" : isa<AddOp>(op) ? "add_a16" : "sub_a16";
    return Calls{quantCall(kernel, p, {0, 1})};
  }
  if (isa<MaxPoolOp, AveragePoolOp>(op)) {
    if (*x != *y)
      return op->emitOpError("int16 pooling keeps the scale: input ")
             << *x << ", output " << *y;
    const auto &f = geom<tempo_pool_params_t>(g);
    if (f.in_d > 1 || f.k_d > 1)
      return op->emitOpError("int16 pooling is 1-D or 2-D");
    tempo_qpool_params_t p{};
    copyWindow(f, p);
    p.channels = f.channels;
    p.pad_bottom = f.pad_bottom;
    p.pad_right = f.pad_right;
    p.count_include_pad = f.count_include_pad;
    p.zp = 0;
    p.act_min = -32768;
    p.act_max = 32767;
    return Calls{quantCall(isa<MaxPoolOp>(op) ? "max_pool_a16"
                                              : "average_pool_a16",
                           p, {0})};
  }
  if (isa<ReluOp, ClipOp>(op)) {
    double lo = 0.0, hi = INFINITY;
    if (auto clip = dyn_cast<ClipOp>(op)) {
      lo = clip.getMin().convertToDouble();
      hi = clip.getMax().convertToDouble();
    }
    auto bound = [&](double v, int32_t dflt) {
      return std::isfinite(v) ? tempo_quantize_value(v, y->getScale(), 0,
                                                     -32768, 32767)
                              : dflt;
    };
    int32_t size = geom<tempo_unary_params_t>(g).size;
    int32_t qlo = bound(lo, -32768), qhi = bound(hi, 32767);
    if (*x == *y)
      return Calls{quantCall("clamp_a16", tempo_qclamp_params_t{size, qlo, qhi},
                             {0})};
    tempo_requant_params_t p{size, 0, 0, 0, 0, qlo, qhi};
    if (failed(quantizeMultiplier(op, x->getScale() / y->getScale(),
                                  p.multiplier, p.shift)))
      return failure();
    KernelCall c = quantCall("requantize", p, {0});
    c.typeArgs = {*x, *y};
    return Calls{c};
  }
  if (auto cat = dyn_cast<ConcatOp>(op)) {
    Calls calls;
    for (auto [i, in] : llvm::enumerate(cat.getInputs())) {
      auto xi = int16Tensor(op, in, "input");
      if (failed(xi))
        return failure();
      const auto &f = geom<tempo_concat_params_t>(g, i);
      tempo_qconcat_params_t p{};
      p.outer = f.outer;
      p.in_inner = f.in_inner;
      p.out_inner = f.out_inner;
      p.offset = f.offset;
      p.identity = *xi == *y ? 1 : 0;
      if (!p.identity &&
          failed(quantizeMultiplier(op, xi->getScale() / y->getScale(),
                                    p.multiplier, p.shift)))
        return failure();
      calls.push_back(quantCall("concat_a16", p, {(int)i}));
    }
    return calls;
  }
  return op->emitOpError("has no int16 kernel");
}

} // namespace

FailureOr<std::vector<KernelCall>>
mlir::tempo::buildQuantKernelCalls(Operation *op, const Calls &geometry) {
  if (computesOnInt8Weights(op))
    return int8WeightCalls(op, geometry);
  if (runsInt16(op))
    return int16Calls(op, geometry);
  return llvm::TypeSwitch<Operation *, FailureOr<Calls>>(op)
      .Case([&](ConvOp c) { return convCalls(c, geometry); })
      .Case([&](GemmOp c) { return gemmCalls(c, geometry); })
      .Case([&](MatMulOp c) { return matmulCalls(c, geometry); })
      .Case([&](AddOp) { return binaryCalls(op, geometry, "add_s8", false); })
      .Case([&](SubOp) { return binaryCalls(op, geometry, "sub_s8", false); })
      .Case([&](MulOp) { return binaryCalls(op, geometry, "mul_s8", true); })
      .Case([&](MaxPoolOp) { return poolCalls(op, geometry, "max_pool_s8"); })
      .Case([&](AveragePoolOp) {
        return poolCalls(op, geometry, "average_pool_s8");
      })
      .Case([&](GlobalAveragePoolOp) {
        return globalAveragePoolCalls(op, geometry);
      })
      .Case([&](ConcatOp c) { return concatCalls(c, geometry); })
      .Case<ReluOp, ClipOp, SigmoidOp, TanhOp, LeakyReluOp, MathOp>(
          [&](Operation *) { return unaryCalls(op, geometry); })
      .Case([&](SoftmaxOp s) { return softmaxCalls(s, geometry); })
      .Case([&](RecurrentOp r) { return recurrentCalls(r, geometry); })
      .Case([&](QuantizeOp q) {
        return edgeCalls(op, q.getOutput(), "quantize_linear");
      })
      .Case([&](DequantizeOp d) {
        return edgeCalls(op, d.getInput(), "dequantize_linear");
      })
      .Case([&](RequantizeOp r) { return requantizeCalls(r); })
      // Reinterprets the storage (the verifier checked it): a plain copy.
      .Case([&](CastOp) -> FailureOr<Calls> { return geometry; })
      .Default([&](Operation *) -> FailureOr<Calls> {
        return op->emitOpError("has no int8 kernel");
      });
}

int64_t mlir::tempo::kernelTableBytes(Operation *op) {
  if (!runsQuantizedKernelsQuietly(op))
    return 0;
  ScopedDiagnosticHandler quiet(op->getContext(),
                                [](Diagnostic &) { return success(); });
  FailureOr<Calls> calls = buildKernelCalls(op);
  if (failed(calls))
    return 0;
  int64_t bytes = 0;
  for (const KernelCall &c : *calls)
    for (const KernelTable &t : c.tables) {
      bytes += t.elementBytes() * (int64_t)t.values.size();
    }
  return bytes;
}

bool mlir::tempo::readsOperandAsTable(Operation *op, unsigned index) {
  if (!runsQuantizedKernelsQuietly(op))
    return false;
  ScopedDiagnosticHandler quiet(op->getContext(),
                                [](Diagnostic &) { return success(); });
  FailureOr<Calls> calls = buildKernelCalls(op);
  if (failed(calls) || calls->empty())
    return false;
  return llvm::all_of(*calls, [&](const KernelCall &c) {
    return llvm::is_contained(c.tableOperands, static_cast<int>(index));
  });
}

bool mlir::tempo::constantInFlash(Operation *constant) {
  return llvm::any_of(constant->getResult(0).getUses(), [](OpOperand &use) {
    return !readsOperandAsTable(use.getOwner(), use.getOperandNumber());
  });
}
