//===- KernelParams.cpp - From tempo ops to runtime kernel calls ----------===//

#include "compiler/eval/KernelParams.h"
#include "dialects/Tempo/IR/TempoOps.h"
#include "dialects/Tempo/IR/TempoShapes.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"

#include <cmath>
#include <cstdio>
#include <limits>

using namespace mlir;
using namespace mlir::tempo;

namespace {

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

int32_t i32(int64_t v) { return static_cast<int32_t>(v); }

/// Row-major strides of `shape` aligned to the right of a rank-`rank`
/// output, 0 where the operand broadcasts.
void broadcastStrides(ArrayRef<int64_t> shape, ArrayRef<int64_t> out,
                      int32_t *strides) {
  size_t rank = out.size(), lead = rank - shape.size();
  int64_t stride = 1;
  for (size_t i = rank; i-- > 0;) {
    int64_t d = i < lead ? 1 : shape[i - lead];
    strides[i] = d == 1 ? 0 : i32(stride);
    stride *= d;
  }
}

KernelCall call(const char *kernel, KernelParams p, std::vector<int> operands) {
  KernelCall c;
  c.kernel = kernel;
  c.params = p;
  c.operands = std::move(operands);
  return c;
}

/// Spatial dim `fromEnd` (0 = w, 1 = h, 2 = d) of a window attribute or
/// shape whose spatial dims are the last `spatial` entries, or `absent` when
/// the op has fewer spatial dims (1-D ops have h == 1, 1-D/2-D depth 1).
int32_t spatialDim(ArrayRef<int64_t> v, size_t spatial, size_t fromEnd,
                   int64_t absent) {
  return fromEnd < spatial ? i32(v[v.size() - 1 - fromEnd]) : i32(absent);
}

/// The shape fields of a conv-like kernel (1-D as h == 1, 1-D / 2-D with
/// depth 1): batch and channels from x / y, kernel from w, strides,
/// dilations and the leading pads (`begin`, one per spatial dim).
tempo_conv_params_t convGeometry(ArrayRef<int64_t> x, ArrayRef<int64_t> w,
                                 ArrayRef<int64_t> y, ArrayRef<int64_t> strides,
                                 ArrayRef<int64_t> dilations,
                                 ArrayRef<int64_t> begin) {
  size_t n = x.size() - 2;
  tempo_conv_params_t p{};
  p.batch = i32(x[0]);
  p.in_c = i32(x[1]);
  p.out_c = i32(y[1]);
  p.in_d = spatialDim(x, n, 2, 1);
  p.in_h = spatialDim(x, n, 1, 1);
  p.in_w = spatialDim(x, n, 0, 1);
  p.out_d = spatialDim(y, n, 2, 1);
  p.out_h = spatialDim(y, n, 1, 1);
  p.out_w = spatialDim(y, n, 0, 1);
  p.k_d = spatialDim(w, n, 2, 1);
  p.k_h = spatialDim(w, n, 1, 1);
  p.k_w = spatialDim(w, n, 0, 1);
  p.stride_d = spatialDim(strides, n, 2, 1);
  p.stride_h = spatialDim(strides, n, 1, 1);
  p.stride_w = spatialDim(strides, n, 0, 1);
  p.dil_d = spatialDim(dilations, n, 2, 1);
  p.dil_h = spatialDim(dilations, n, 1, 1);
  p.dil_w = spatialDim(dilations, n, 0, 1);
  p.pad_front = spatialDim(begin, n, 2, 0);
  p.pad_top = spatialDim(begin, n, 1, 0);
  p.pad_left = spatialDim(begin, n, 0, 0);
  return p;
}

tempo_pool_params_t poolParams(Operation *op, ArrayRef<int64_t> kernel,
                               ArrayRef<int64_t> strides,
                               ArrayRef<int64_t> dilations,
                               ArrayRef<int64_t> pads) {
  ArrayRef<int64_t> x = shapeOf(op->getOperand(0)), y = shapeOf(op->getResult(0));
  size_t n = kernel.size();
  ArrayRef<int64_t> begin = pads.take_front(n), end = pads.drop_front(n);
  tempo_pool_params_t p{};
  p.batch = i32(x[0]);
  p.channels = i32(x[1]);
  p.in_d = spatialDim(x, n, 2, 1);
  p.in_h = spatialDim(x, n, 1, 1);
  p.in_w = spatialDim(x, n, 0, 1);
  p.out_d = spatialDim(y, n, 2, 1);
  p.out_h = spatialDim(y, n, 1, 1);
  p.out_w = spatialDim(y, n, 0, 1);
  p.k_d = spatialDim(kernel, n, 2, 1);
  p.k_h = spatialDim(kernel, n, 1, 1);
  p.k_w = spatialDim(kernel, n, 0, 1);
  p.stride_d = spatialDim(strides, n, 2, 1);
  p.stride_h = spatialDim(strides, n, 1, 1);
  p.stride_w = spatialDim(strides, n, 0, 1);
  p.dil_d = spatialDim(dilations, n, 2, 1);
  p.dil_h = spatialDim(dilations, n, 1, 1);
  p.dil_w = spatialDim(dilations, n, 0, 1);
  p.pad_front = spatialDim(begin, n, 2, 0);
  p.pad_top = spatialDim(begin, n, 1, 0);
  p.pad_left = spatialDim(begin, n, 0, 0);
  p.pad_back = spatialDim(end, n, 2, 0);
  p.pad_bottom = spatialDim(end, n, 1, 0);
  p.pad_right = spatialDim(end, n, 0, 0);
  return p;
}

/// The fused activation an op carries (attributes act, act_alpha, ...).
tempo_activation_params_t activationParams(Operation *op) {
  tempo_activation_params_t a{};
  auto act = op->getAttrOfType<StringAttr>("act");
  llvm::StringRef kind = act ? act.getValue() : "none";
  a.kind = llvm::StringSwitch<int32_t>(kind)
               .Case("relu", TEMPO_ACT_RELU)
               .Case("clip", TEMPO_ACT_CLIP)
               .Case("leaky_relu", TEMPO_ACT_LEAKY_RELU)
               .Case("sigmoid", TEMPO_ACT_SIGMOID)
               .Case("tanh", TEMPO_ACT_TANH)
               .Case("hard_sigmoid", TEMPO_ACT_HARD_SIGMOID)
               .Case("hard_swish", TEMPO_ACT_HARD_SWISH)
               .Default(TEMPO_ACT_NONE);
  auto f = [&](llvm::StringRef name, float d) {
    auto attr = op->getAttrOfType<FloatAttr>(name);
    return attr ? static_cast<float>(attr.getValueAsDouble()) : d;
  };
  a.alpha = f("act_alpha", 0.0f);
  a.beta = f("act_beta", 0.0f);
  a.lo = f("act_min", 0.0f);
  a.hi = f("act_max", 0.0f);
  return a;
}

tempo_broadcast_params_t binaryParams(Operation *op) {
  ArrayRef<int64_t> y = shapeOf(op->getResult(0));
  tempo_broadcast_params_t p{};
  // A rank-0 result is one element: describe it as rank 1.
  SmallVector<int64_t> out(y.begin(), y.end());
  if (out.empty())
    out.push_back(1);
  p.rank = i32(out.size());
  p.size = i32(numElements(out));
  for (size_t i = 0; i < out.size(); ++i)
    p.out_dims[i] = i32(out[i]);
  broadcastStrides(shapeOf(op->getOperand(0)), out, p.a_strides);
  broadcastStrides(shapeOf(op->getOperand(1)), out, p.b_strides);
  p.act = activationParams(op);
  return p;
}

tempo_unary_params_t unaryParams(Operation *op) {
  tempo_unary_params_t p{};
  p.size = i32(numElements(shapeOf(op->getResult(0))));
  p.lo = -std::numeric_limits<double>::infinity();
  p.hi = std::numeric_limits<double>::infinity();
  return p;
}

/// [outer, n, inner] of `shape` around dims [first, first + count).
void axisSplit(ArrayRef<int64_t> shape, int64_t first, int64_t count,
               int32_t &outer, int32_t &n, int32_t &inner) {
  outer = i32(numElements(shape.take_front(first)));
  n = i32(numElements(shape.slice(first, count)));
  inner = i32(numElements(shape.drop_front(first + count)));
}

/// Element offsets of the packed outputs (see verifyPacked in TempoOps.cpp):
/// -1 for an output that is not computed.
std::vector<int64_t> packedOffsets(ArrayRef<bool> wanted,
                                   ArrayRef<int64_t> counts) {
  std::vector<int64_t> out;
  int64_t at = 0;
  for (auto [w, c] : llvm::zip(wanted, counts)) {
    out.push_back(w ? at : -1);
    if (w)
      at += c;
  }
  return out;
}

/// Index of `v` among the op's operands, -1 for a null value.
int operandIndex(Operation *op, Value v) {
  if (!v)
    return -1;
  for (OpOperand &o : op->getOpOperands())
    if (o.get() == v)
      return o.getOperandNumber();
  return -1;
}

int32_t rnnActivation(StringRef name) {
  return llvm::StringSwitch<int32_t>(name)
      .Case("Sigmoid", TEMPO_RNN_ACT_SIGMOID)
      .Case("Tanh", TEMPO_RNN_ACT_TANH)
      .Case("Relu", TEMPO_RNN_ACT_RELU)
      .Case("LeakyRelu", TEMPO_RNN_ACT_LEAKY_RELU)
      .Case("ThresholdedRelu", TEMPO_RNN_ACT_THRESHOLDED_RELU)
      .Case("ScaledTanh", TEMPO_RNN_ACT_SCALED_TANH)
      .Case("HardSigmoid", TEMPO_RNN_ACT_HARD_SIGMOID)
      .Case("Elu", TEMPO_RNN_ACT_ELU)
      .Case("Softsign", TEMPO_RNN_ACT_SOFTSIGN)
      .Case("Softplus", TEMPO_RNN_ACT_SOFTPLUS)
      .Case("Affine", TEMPO_RNN_ACT_AFFINE)
      .Default(-1);
}

/// Fills the fields the three recurrent params structs share.
template <typename P> LogicalResult recurrentParams(RecurrentOp rec, P &p) {
  ArrayRef<int64_t> x = shapeOf(rec.getX());
  bool batchFirst = rec.getLayout() == 1;
  p.seq_len = i32(batchFirst ? x[1] : x[0]);
  p.batch = i32(batchFirst ? x[0] : x[1]);
  p.input_size = i32(x[2]);
  p.hidden_size = i32(rec.getHiddenSize());
  p.direction = llvm::StringSwitch<int32_t>(rec.getDirection())
                    .Case("reverse", TEMPO_RNN_REVERSE)
                    .Case("bidirectional", TEMPO_RNN_BIDIRECTIONAL)
                    .Default(TEMPO_RNN_FORWARD);
  p.num_directions = p.direction == TEMPO_RNN_BIDIRECTIONAL ? 2 : 1;
  p.layout = i32(rec.getLayout());
  size_t perDir = rec.getActivations().size() / p.num_directions;
  for (auto [k, name] : llvm::enumerate(rec.getActivations())) {
    size_t slot = (k / perDir) * TEMPO_RNN_MAX_ACTIVATIONS + k % perDir;
    StringRef n = cast<StringAttr>(name).getValue();
    p.activations[slot] = rnnActivation(n);
    if (p.activations[slot] < 0)
      return rec.emitOpError("unknown activation '") << n << "'";
    p.activation_alpha[slot] = rec.getActivationAlpha()[k];
    p.activation_beta[slot] = rec.getActivationBeta()[k];
  }
  p.clip = rec.getClip() ? rec.getClip()->convertToFloat() : 0.0f;
  p.has_bias = rec.getB() ? 1 : 0;
  p.has_initial_h = rec.getInitialH() ? 1 : 0;
  ArrayRef<bool> want = rec.getResults();
  p.want_y = want[0];
  p.want_y_h = want[1];
  return success();
}

} // namespace

/// True if the op computes on quantized values (so the integer kernels of
/// tempo/quant.h run it). Data movement on quantized values runs the
/// ordinary kernels on the storage type.
static bool runsQuantizedKernels(Operation *op) {
  if (isa<QuantizeOp, DequantizeOp, RequantizeOp>(op))
    return true;
  if (isa<ReshapeOp, CopyOp, TransposeOp, StridedCopyOp, GatherOp, ScratchOp>(
          op))
    return false;
  auto quantized = [](Value v) {
    return quantizedElementType(v.getType()) != nullptr;
  };
  return llvm::any_of(op->getOperands(), quantized) ||
         llvm::any_of(op->getResults(), quantized);
}

/// The kernel calls of `op` on float (or plain integer) tensors. With
/// `geometryOnly`, element types are not checked: the quantized path reuses
/// the shape fields.
static FailureOr<std::vector<KernelCall>> plainKernelCalls(Operation *op,
                                                           bool geometryOnly);

FailureOr<std::vector<KernelCall>> mlir::tempo::buildKernelCalls(Operation *op) {
  if (!runsQuantizedKernels(op))
    return plainKernelCalls(op, /*geometryOnly=*/false);
  std::vector<KernelCall> geometry;
  if (!isa<QuantizeOp, DequantizeOp, RequantizeOp>(op)) {
    FailureOr<std::vector<KernelCall>> plain =
        plainKernelCalls(op, /*geometryOnly=*/true);
    if (failed(plain))
      return failure();
    geometry = std::move(*plain);
  }
  return buildQuantKernelCalls(op, geometry);
}

static FailureOr<std::vector<KernelCall>> plainKernelCalls(Operation *op,
                                                           bool geometryOnly) {
  Type elt = getElementTypeOrSelf(op->getResult(0).getType());
  if (!cElementType(elt))
    return op->emitOpError("has no kernel for element type ") << elt;
  bool isFloat = geometryOnly || isa<FloatType>(elt);

  using Calls = std::vector<KernelCall>;
  auto result =
      llvm::TypeSwitch<Operation *, FailureOr<Calls>>(op)
          .Case([&](ConvOp conv) -> FailureOr<Calls> {
            ArrayRef<int64_t> x = shapeOf(conv.getInput()),
                              w = shapeOf(conv.getWeight()),
                              y = shapeOf(conv.getOutput());
            bool is1d = x.size() == 3;
            size_t n = x.size() - 2;
            tempo_conv_params_t p =
                convGeometry(x, w, y, conv.getStrides(), conv.getDilations(),
                             conv.getPads().take_front(n));
            p.groups = i32(conv.getGroup());
            p.has_bias = conv.getBias() ? 1 : 0;
            p.act = activationParams(conv);
            if (conv.getPool() != "none") {
              ArrayRef<int64_t> win = *conv.getPoolWindow();
              p.pool = conv.getPool() == "max" ? TEMPO_POOL_MAX
                                               : TEMPO_POOL_AVERAGE;
              p.pool_h = is1d ? 1 : i32(win[0]);
              p.pool_w = i32(win.back());
              p.pooled_h = is1d ? 1 : i32(y[2]);
              p.pooled_w = i32(y.back());
              // The conv's own (unpooled) extent.
              p.out_h = is1d ? 1
                             : i32(windowOutSize(x[2], w[2], conv.getStrides()[0],
                                                 conv.getDilations()[0],
                                                 conv.getPads()[0],
                                                 conv.getPads()[n]));
              p.out_w = i32(windowOutSize(
                  x.back(), w.back(), conv.getStrides().back(),
                  conv.getDilations().back(), conv.getPads()[n - 1],
                  conv.getPads()[2 * n - 1]));
            }
            if (!isFloat)
              return conv.emitOpError("has no integer kernel yet");
            return Calls{call("conv", p, {0, 1, conv.getBias() ? 2 : -1})};
          })
          .Case([&](GemmOp gemm) -> FailureOr<Calls> {
            ArrayRef<int64_t> a = shapeOf(gemm.getA()), y = shapeOf(gemm.getOutput());
            tempo_gemm_params_t p{};
            p.m = i32(y[0]);
            p.n = i32(y[1]);
            p.k = i32(gemm.getTransA() ? a[0] : a[1]);
            p.trans_a = gemm.getTransA();
            p.trans_b = gemm.getTransB();
            p.alpha = gemm.getAlpha().convertToFloat();
            p.beta = gemm.getBeta().convertToFloat();
            if (gemm.getC()) {
              ArrayRef<int64_t> c = shapeOf(gemm.getC());
              p.has_c = 1;
              p.c_rows = c.size() == 2 ? i32(c[0]) : 1;
              p.c_cols = c.empty() ? 1 : i32(c.back());
            }
            p.act = activationParams(gemm);
            if (!isFloat)
              return gemm.emitOpError("has no integer kernel yet");
            return Calls{call("gemm", p, {0, 1, gemm.getC() ? 2 : -1})};
          })
          .Case([&](MatMulOp mm) -> FailureOr<Calls> {
            ArrayRef<int64_t> a = shapeOf(mm.getA()), b = shapeOf(mm.getB()),
                              y = shapeOf(mm.getOutput());
            tempo_matmul_params_t p{};
            p.m = i32(y[y.size() - 2]);
            p.n = i32(y.back());
            p.k = i32(a.back());
            ArrayRef<int64_t> batch = y.drop_back(2);
            p.batch_rank = i32(batch.size());
            for (size_t i = 0; i < batch.size(); ++i)
              p.out_batch_dims[i] = i32(batch[i]);
            broadcastStrides(a.drop_back(2), batch, p.a_batch_strides);
            broadcastStrides(b.drop_back(2), batch, p.b_batch_strides);
            p.act = activationParams(mm);
            if (!isFloat)
              return mm.emitOpError("has no integer kernel yet");
            return Calls{call("matmul", p, {0, 1})};
          })
          .Case([&](BatchNormOp bn) -> FailureOr<Calls> {
            ArrayRef<int64_t> x = shapeOf(bn.getInput());
            tempo_batch_norm_params_t p{};
            p.batch = i32(x[0]);
            p.channels = i32(x[1]);
            p.spatial = i32(numElements(x.drop_front(2)));
            p.epsilon = bn.getEpsilon().convertToFloat();
            if (!isFloat)
              return bn.emitOpError("needs a float input");
            return Calls{call("batch_norm", p, {0, 1, 2, 3, 4})};
          })
          .Case([&](BatchNormTrainingOp bn) -> FailureOr<Calls> {
            ArrayRef<int64_t> x = shapeOf(bn.getInput());
            tempo_batch_norm_params_t p{};
            p.batch = i32(x[0]);
            p.channels = i32(x[1]);
            p.spatial = i32(numElements(x.drop_front(2)));
            p.epsilon = bn.getEpsilon().convertToFloat();
            p.momentum = bn.getMomentum().convertToFloat();
            KernelCall c = call("batch_norm_training", p, {0, 1, 2, 3, 4});
            c.results =
                packedOffsets(bn.getResults(), {numElements(x), x[1], x[1]});
            return Calls{c};
          })
          .Case([&](ElementwiseChainOp chain) -> FailureOr<Calls> {
            tempo_chain_params_t p{};
            p.size = i32(numElements(shapeOf(chain.getOutput())));
            p.num_inputs = i32(chain.getInputs().size());
            p.num_steps = i32(chain.getCode().size() / 3);
            for (auto [i, c] : llvm::enumerate(chain.getCode()))
              p.code[i] = c;
            p.act = activationParams(chain);
            std::vector<int> ins;
            for (int i = 0; i < p.num_inputs; ++i)
              ins.push_back(i);
            return Calls{call("elementwise_chain", p, ins)};
          })
          .Case([&](ChannelAffineOp ca) -> FailureOr<Calls> {
            ArrayRef<int64_t> x = shapeOf(ca.getInput());
            tempo_channel_affine_params_t p{i32(x[0]), i32(x[1]),
                                            i32(numElements(x.drop_front(2)))};
            if (!isFloat)
              return ca.emitOpError("needs a float input");
            return Calls{call("channel_affine", p, {0, 1, 2})};
          })
          .Case([&](AddOp) {
            return Calls{call("add", binaryParams(op), {0, 1})};
          })
          .Case([&](SubOp) {
            return Calls{call("sub", binaryParams(op), {0, 1})};
          })
          .Case([&](MulOp) {
            return Calls{call("mul", binaryParams(op), {0, 1})};
          })
          .Case([&](DivOp) {
            return Calls{call("div", binaryParams(op), {0, 1})};
          })
          .Case(
              [&](ReluOp) { return Calls{call("relu", unaryParams(op), {0})}; })
          .Case([&](SigmoidOp) -> FailureOr<Calls> {
            if (!isFloat)
              return op->emitOpError("needs a float input");
            return Calls{call("sigmoid", unaryParams(op), {0})};
          })
          .Case([&](TanhOp) -> FailureOr<Calls> {
            if (!isFloat)
              return op->emitOpError("needs a float input");
            return Calls{call("tanh", unaryParams(op), {0})};
          })
          .Case([&](LeakyReluOp lr) -> FailureOr<Calls> {
            tempo_unary_params_t p = unaryParams(op);
            p.alpha = lr.getAlpha().convertToFloat();
            if (!isFloat)
              return op->emitOpError("needs a float input");
            return Calls{call("leaky_relu", p, {0})};
          })
          .Case([&](ClipOp clip) {
            tempo_unary_params_t p = unaryParams(op);
            p.lo = clip.getMin().convertToDouble();
            p.hi = clip.getMax().convertToDouble();
            // Integer bounds are clamped to the element type's range so the
            // kernel's conversion to T is always defined.
            if (auto it = dyn_cast<IntegerType>(elt)) {
              unsigned bits = it.getWidth();
              double lo = it.isUnsigned() ? 0.0 : -std::ldexp(1.0, bits - 1);
              double hi = it.isUnsigned() ? std::ldexp(1.0, bits) - 1
                                          : std::ldexp(1.0, bits - 1) - 1;
              p.lo = std::min(std::max(p.lo, lo), hi);
              p.hi = std::min(std::max(p.hi, lo), hi);
            }
            return Calls{call("clip", p, {0})};
          })
          .Case([&](MaxPoolOp pool) {
            tempo_pool_params_t p =
                poolParams(op, pool.getKernelShape(), pool.getStrides(),
                           pool.getDilations(), pool.getPads());
            if (!pool.getResults()[1])
              return Calls{call("max_pool", p, {0})};
            // Indices only: instantiated with the input's type, Y not
            // written (results: Y -> null, Indices -> the i64 result).
            p.storage_order = i32(pool.getStorageOrder());
            KernelCall c = call("max_pool_with_indices", p, {0});
            c.element = getElementTypeOrSelf(pool.getInput().getType());
            c.results = {-1, 0};
            return Calls{c};
          })
          .Case([&](AveragePoolOp pool) -> FailureOr<Calls> {
            tempo_pool_params_t p =
                poolParams(op, pool.getKernelShape(), pool.getStrides(),
                           pool.getDilations(), pool.getPads());
            p.count_include_pad = pool.getCountIncludePad();
            if (!isFloat)
              return op->emitOpError("needs a float input");
            return Calls{call("average_pool", p, {0})};
          })
          .Case([&](LpPoolOp pool) -> FailureOr<Calls> {
            if (!isFloat)
              return op->emitOpError("needs a float input");
            tempo_lp_pool_params_t p{
                poolParams(op, pool.getKernelShape(), pool.getStrides(),
                           pool.getDilations(), pool.getPads()),
                i32(pool.getP())};
            return Calls{call("lp_pool", p, {0})};
          })
          .Case([&](CumSumOp cs) {
            tempo_cumsum_params_t p{};
            ArrayRef<int64_t> x = shapeOf(cs.getInput());
            if (x.empty()) {
              p.outer = p.n = p.inner = 1;
            } else {
              axisSplit(x, cs.getAxis(), 1, p.outer, p.n, p.inner);
            }
            p.exclusive = cs.getExclusive();
            p.reverse = cs.getReverse();
            return Calls{call("cumsum", p, {0})};
          })
          .Case([&](GlobalAveragePoolOp gap) -> FailureOr<Calls> {
            ArrayRef<int64_t> x = shapeOf(gap.getInput());
            tempo_reduce_params_t p{i32(x[0] * x[1]),
                                    i32(numElements(x.drop_front(2)))};
            if (!isFloat)
              return op->emitOpError("needs a float input");
            return Calls{call("global_average_pool", p, {0})};
          })
          .Case([&](SoftmaxOp sm) -> FailureOr<Calls> {
            ArrayRef<int64_t> x = shapeOf(sm.getInput());
            int64_t axis = sm.getAxis();
            tempo_softmax_params_t p{i32(numElements(x.take_front(axis))),
                                     i32(x[axis]),
                                     i32(numElements(x.drop_front(axis + 1)))};
            if (!isFloat)
              return op->emitOpError("needs a float input");
            return Calls{call("softmax", p, {0})};
          })
          .Case([&](TransposeOp tr) {
            ArrayRef<int64_t> x = shapeOf(tr.getInput()), y = shapeOf(tr.getOutput());
            tempo_transpose_params_t p{};
            SmallVector<int64_t> inStrides(x.size(), 1);
            for (size_t i = x.size(); i-- > 1;)
              inStrides[i - 1] = inStrides[i] * x[i];
            p.rank = i32(std::max<size_t>(y.size(), 1));
            p.size = i32(numElements(y));
            p.out_dims[0] = 1;
            for (size_t i = 0; i < y.size(); ++i) {
              p.out_dims[i] = i32(y[i]);
              p.in_strides[i] = i32(inStrides[tr.getPerm()[i]]);
            }
            return Calls{call("transpose", p, {0})};
          })
          .Case([&](ConcatOp cat) {
            ArrayRef<int64_t> y = shapeOf(cat.getOutput());
            int64_t axis = cat.getAxis();
            int64_t outer = numElements(y.take_front(axis));
            int64_t inner = numElements(y.drop_front(axis + 1));
            Calls calls;
            int64_t offset = 0;
            for (auto [i, in] : llvm::enumerate(cat.getInputs())) {
              int64_t extent = shapeOf(in)[axis];
              tempo_concat_params_t p{i32(outer), i32(extent * inner),
                                      i32(y[axis] * inner), i32(offset * inner)};
              calls.push_back(call("concat", p, {(int)i}));
              offset += extent;
            }
            return calls;
          })
          .Case<ReshapeOp, CopyOp>([&](Operation *) {
            tempo_copy_params_t p{i32(tensorBytes(op->getResult(0).getType()))};
            return Calls{call("copy", p, {0})};
          })
          .Case([&](MathOp m) {
            tempo_math_params_t p{};
            p.size = i32(numElements(shapeOf(m.getOutput())));
            p.op = llvm::StringSwitch<int32_t>(m.getFn())
                       .Case("abs", TEMPO_MATH_ABS)
                       .Case("neg", TEMPO_MATH_NEG)
                       .Case("exp", TEMPO_MATH_EXP)
                       .Case("log", TEMPO_MATH_LOG)
                       .Case("sqrt", TEMPO_MATH_SQRT)
                       .Case("reciprocal", TEMPO_MATH_RECIPROCAL)
                       .Case("erf", TEMPO_MATH_ERF)
                       .Case("floor", TEMPO_MATH_FLOOR)
                       .Case("ceil", TEMPO_MATH_CEIL)
                       .Case("sign", TEMPO_MATH_SIGN)
                       .Case("sin", TEMPO_MATH_SIN)
                       .Case("cos", TEMPO_MATH_COS)
                       .Case("elu", TEMPO_MATH_ELU)
                       .Case("selu", TEMPO_MATH_SELU)
                       .Case("celu", TEMPO_MATH_CELU)
                       .Case("thresholded_relu", TEMPO_MATH_THRESHOLDED_RELU)
                       .Case("hard_sigmoid", TEMPO_MATH_HARD_SIGMOID)
                       .Case("hard_swish", TEMPO_MATH_HARD_SWISH)
                       .Case("softplus", TEMPO_MATH_SOFTPLUS)
                       .Default(TEMPO_MATH_SOFTSIGN);
            p.alpha = m.getAlpha().convertToFloat();
            p.beta = m.getBeta().convertToFloat();
            return Calls{call("math", p, {0})};
          })
          .Case([&](BinaryMathOp bm) {
            tempo_binary_math_params_t p{};
            p.op = llvm::StringSwitch<int32_t>(bm.getFn())
                       .Case("pow", TEMPO_BINARY_POW)
                       .Case("max", TEMPO_BINARY_MAX)
                       .Case("min", TEMPO_BINARY_MIN)
                       .Default(TEMPO_BINARY_PRELU);
            p.shape = binaryParams(op);
            return Calls{call("binary_math", p, {0, 1})};
          })
          .Case([&](ReduceOp red) {
            tempo_reduction_params_t p{};
            ArrayRef<int64_t> axes = red.getAxes();
            axisSplit(shapeOf(red.getInput()), axes.empty() ? 0 : axes[0],
                      axes.size(), p.outer, p.n, p.inner);
            p.op = llvm::StringSwitch<int32_t>(red.getKind())
                       .Case("sum", TEMPO_REDUCE_SUM)
                       .Case("mean", TEMPO_REDUCE_MEAN)
                       .Case("max", TEMPO_REDUCE_MAX)
                       .Case("min", TEMPO_REDUCE_MIN)
                       .Case("prod", TEMPO_REDUCE_PROD)
                       .Case("l1", TEMPO_REDUCE_L1)
                       .Case("l2", TEMPO_REDUCE_L2)
                       .Case("sum_square", TEMPO_REDUCE_SUM_SQUARE)
                       .Case("log_sum", TEMPO_REDUCE_LOG_SUM)
                       .Default(TEMPO_REDUCE_LOG_SUM_EXP);
            return Calls{call("reduce", p, {0})};
          })
          .Case([&](ArgReduceOp ar) {
            tempo_arg_reduce_params_t p{};
            axisSplit(shapeOf(ar.getInput()), ar.getAxis(), 1, p.outer, p.n,
                      p.inner);
            p.op = ar.getKind() == "max" ? TEMPO_ARG_MAX : TEMPO_ARG_MIN;
            p.select_last_index = ar.getSelectLastIndex();
            KernelCall c = call("arg_reduce", p, {0});
            c.element = getElementTypeOrSelf(ar.getInput());
            return Calls{c};
          })
          .Case<LogSoftmaxOp, HardmaxOp>([&](Operation *) -> FailureOr<Calls> {
            tempo_softmax_params_t p{};
            int64_t axis = op->getAttrOfType<IntegerAttr>("axis").getInt();
            axisSplit(shapeOf(op->getOperand(0)), axis, 1, p.outer, p.n,
                      p.inner);
            return Calls{
                call(isa<HardmaxOp>(op) ? "hardmax" : "log_softmax", p, {0})};
          })
          .Case([&](LayerNormOp ln) {
            ArrayRef<int64_t> x = shapeOf(ln.getInput());
            int64_t axis = ln.getAxis();
            tempo_layer_norm_params_t p{};
            p.outer = i32(numElements(x.take_front(axis)));
            p.n = i32(numElements(x.drop_front(axis)));
            p.epsilon = ln.getEpsilon().convertToFloat();
            p.has_bias = ln.getBias() ? 1 : 0;
            KernelCall c = call("layer_norm", p, {0, 1, ln.getBias() ? 2 : -1});
            c.results = packedOffsets(ln.getResults(),
                                      {numElements(x), p.outer, p.outer});
            return Calls{c};
          })
          .Case([&](InstanceNormOp in) {
            ArrayRef<int64_t> x = shapeOf(in.getInput());
            tempo_batch_norm_params_t p{i32(x[0]), i32(x[1]),
                                        i32(numElements(x.drop_front(2))),
                                        in.getEpsilon().convertToFloat(),
                                        0.0f};
            return Calls{call("instance_norm", p, {0, 1, 2})};
          })
          .Case([&](StridedCopyOp sc) {
            ArrayRef<int64_t> x = shapeOf(sc.getInput()),
                              y = shapeOf(sc.getOutput());
            tempo_strided_copy_params_t p{};
            p.rank = i32(y.size());
            p.size = i32(numElements(y));
            p.border = llvm::StringSwitch<int32_t>(sc.getBorder())
                           .Case("edge", TEMPO_BORDER_EDGE)
                           .Case("reflect", TEMPO_BORDER_REFLECT)
                           .Case("wrap", TEMPO_BORDER_WRAP)
                           .Default(TEMPO_BORDER_CONSTANT);
            for (size_t d = 0; d < y.size(); ++d) {
              p.out_dims[d] = i32(y[d]);
              p.in_dims[d] = i32(x[d]);
              p.start[d] = i32(sc.getStart()[d]);
              p.step[d] = i32(sc.getStep()[d]);
            }
            return Calls{
                call("strided_copy", p, {0, sc.getPadValue() ? 1 : -1})};
          })
          .Case([&](GatherOp g) {
            ArrayRef<int64_t> x = shapeOf(g.getInput());
            int64_t axis = g.getAxis();
            tempo_gather_params_t p{};
            p.outer = i32(numElements(x.take_front(axis)));
            p.n = i32(x[axis]);
            p.m = i32(numElements(shapeOf(g.getIndices())));
            p.inner = i32(numElements(x.drop_front(axis + 1)));
            return Calls{call("gather", p, {0, 1})};
          })
          .Case([&](CastOp c) -> FailureOr<Calls> {
            if (!cElementType(getElementTypeOrSelf(c.getInput())))
              return c.emitOpError("has no kernel for element type ")
                     << getElementTypeOrSelf(c.getInput());
            KernelCall k = call(
                "cast",
                tempo_cast_params_t{i32(numElements(shapeOf(c.getOutput())))},
                {0});
            k.isCast = true;
            return Calls{k};
          })
          .Case([&](ConvTransposeOp ct) -> FailureOr<Calls> {
            ArrayRef<int64_t> x = shapeOf(ct.getInput()),
                              w = shapeOf(ct.getWeight()),
                              y = shapeOf(ct.getOutput());
            // conv_transpose keeps only its begin pads (the importer folds
            // end pads into the output extent).
            tempo_conv_params_t p = convGeometry(
                x, w, y, ct.getStrides(), ct.getDilations(), ct.getPads());
            p.groups = i32(ct.getGroup());
            p.has_bias = ct.getBias() ? 1 : 0;
            return Calls{
                call("conv_transpose", p, {0, 1, ct.getBias() ? 2 : -1})};
          })
          .Case([&](RecurrentOp rec) -> FailureOr<Calls> {
            auto idx = [&](Value v) { return operandIndex(op, v); };
            ArrayRef<int64_t> x = shapeOf(rec.getX());
            int64_t h = rec.getHiddenSize(),
                    d = rec.getDirection() == "bidirectional" ? 2 : 1;
            int64_t b = rec.getLayout() ? x[0] : x[1],
                    s = rec.getLayout() ? x[1] : x[0];
            std::vector<int64_t> outs = packedOffsets(
                rec.getResults(), {s * d * b * h, d * b * h, d * b * h});
            std::vector<int> ins = {idx(rec.getX()), idx(rec.getW()),
                                    idx(rec.getR()), idx(rec.getB()),
                                    idx(rec.getInitialH())};
            KernelCall c;
            if (rec.getCell() == "lstm") {
              tempo_lstm_params_t p{};
              if (failed(recurrentParams(rec, p)))
                return failure();
              p.input_forget = rec.getInputForget();
              p.has_initial_c = rec.getInitialC() ? 1 : 0;
              p.has_peephole = rec.getPeephole() ? 1 : 0;
              p.want_y_c = rec.getResults()[2];
              ins.push_back(idx(rec.getInitialC()));
              ins.push_back(idx(rec.getPeephole()));
              c = call("lstm", p, ins);
            } else if (rec.getCell() == "gru") {
              tempo_gru_params_t p{};
              if (failed(recurrentParams(rec, p)))
                return failure();
              p.linear_before_reset = rec.getLinearBeforeReset();
              c = call("gru", p, ins);
              outs.resize(2);
            } else {
              tempo_rnn_params_t p{};
              if (failed(recurrentParams(rec, p)))
                return failure();
              c = call("rnn", p, ins);
              outs.resize(2);
            }
            c.results = outs;
            c.scratch = idx(rec.getScratch());
            return Calls{c};
          })
          .Case([&](DftOp dft) {
            ArrayRef<int64_t> x = shapeOf(dft.getInput()),
                              y = shapeOf(dft.getOutput());
            int64_t axis = dft.getAxis();
            tempo_dft_params_t p{};
            p.outer = i32(numElements(x.take_front(axis)));
            p.inner = i32(numElements(x.slice(axis + 1, x.size() - axis - 2)));
            p.n_in = i32(x[axis]);
            p.length = i32(dft.getLength());
            p.n_out = i32(y[axis]);
            p.in_complex = x.back() == 2;
            p.inverse = dft.getInverse();
            KernelCall c = call("dft", p, {0});
            c.scratch = 1;
            c.untyped = true;
            return Calls{c};
          })
          .Case([&](StftOp st) {
            ArrayRef<int64_t> x = shapeOf(st.getSignal()),
                              y = shapeOf(st.getOutput());
            tempo_stft_params_t p{};
            p.batch = i32(x[0]);
            p.signal_length = i32(x[1]);
            p.in_complex = x[2] == 2;
            p.frame_step = i32(st.getFrameStep());
            p.frame_length = i32(st.getFrameLength());
            p.frames = i32(y[1]);
            p.n_out = i32(y[2]);
            p.has_window = st.getWindow() ? 1 : 0;
            KernelCall c =
                call("stft", p, {0, operandIndex(op, st.getWindow())});
            c.scratch = operandIndex(op, st.getScratch());
            c.untyped = true;
            return Calls{c};
          })
          // Arena bytes only the kernel that takes them writes: no call.
          .Case([&](ScratchOp) { return Calls{}; })
          .Default([&](Operation *) -> FailureOr<Calls> {
            return op->emitOpError("has no kernel");
          });
  return result;
}

const char *mlir::tempo::paramsTypeName(const KernelParams &params) {
  static const char *const kNames[] = {"tempo_conv_params_t",
                                       "tempo_pool_params_t",
                                       "tempo_reduce_params_t",
                                       "tempo_gemm_params_t",
                                       "tempo_matmul_params_t",
                                       "tempo_broadcast_params_t",
                                       "tempo_unary_params_t",
                                       "tempo_softmax_params_t",
                                       "tempo_batch_norm_params_t",
                                       "tempo_transpose_params_t",
                                       "tempo_concat_params_t",
                                       "tempo_copy_params_t",
                                       "tempo_channel_affine_params_t",
                                       "tempo_math_params_t",
                                       "tempo_binary_math_params_t",
                                       "tempo_reduction_params_t",
                                       "tempo_arg_reduce_params_t",
                                       "tempo_layer_norm_params_t",
                                       "tempo_strided_copy_params_t",
                                       "tempo_gather_params_t",
                                       "tempo_cast_params_t",
                                       "tempo_dft_params_t",
                                       "tempo_stft_params_t",
                                       "tempo_lstm_params_t",
                                       "tempo_gru_params_t",
                                       "tempo_rnn_params_t",
                                       "tempo_chain_params_t",
                                       "tempo_qconv_params_t",
                                       "tempo_qfc_params_t",
                                       "tempo_qmatmul_params_t",
                                       "tempo_qbinary_params_t",
                                       "tempo_qpool_params_t",
                                       "tempo_qreduce_params_t",
                                       "tempo_qconcat_params_t",
                                       "tempo_requant_params_t",
                                       "tempo_qclamp_params_t",
                                       "tempo_lut_params_t",
                                       "tempo_qsoftmax_params_t",
                                       "tempo_quantize_params_t",
                                       "tempo_lp_pool_params_t",
                                       "tempo_cumsum_params_t",
                                       "tempo_qlstm_params_t",
                                       "tempo_qrecurrent_params_t"};
  static_assert(std::variant_size_v<KernelParams> == std::size(kNames));
  return kNames[params.index()];
}

/// Shortest-enough decimal (9 / 17 significant digits round-trip float /
/// double) with a decimal point so it is a floating literal.
static std::string decimal(double v, int digits) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%.*g", digits, v);
  std::string s = buf;
  if (s.find_first_of(".e") == std::string::npos)
    s += ".0";
  return s;
}

std::string mlir::tempo::floatLiteral(float v) {
  if (std::isnan(v))
    return "__builtin_nanf(\"\")";
  if (std::isinf(v))
    return v < 0 ? "-HUGE_VALF" : "HUGE_VALF";
  return decimal(v, 9) + "f";
}

std::string mlir::tempo::doubleLiteral(double v) {
  if (std::isnan(v))
    return "__builtin_nan(\"\")";
  if (std::isinf(v))
    return v < 0 ? "-HUGE_VAL" : "HUGE_VAL";
  return decimal(v, 17);
}

namespace {

/// Prints aggregate fields separated by ", ".
class FieldPrinter {
public:
  explicit FieldPrinter(llvm::raw_ostream &os) : os(os) { os << "{"; }
  ~FieldPrinter() { os << "}"; }
  FieldPrinter &operator<<(int32_t v) {
    sep();
    os << v;
    return *this;
  }
  FieldPrinter &operator<<(float v) {
    sep();
    os << floatLiteral(v);
    return *this;
  }
  FieldPrinter &operator<<(double v) {
    sep();
    os << doubleLiteral(v);
    return *this;
  }
  FieldPrinter &operator<<(const tempo_activation_params_t &a) {
    sep();
    os << "{" << a.kind << ", " << floatLiteral(a.alpha) << ", "
       << floatLiteral(a.beta) << ", " << floatLiteral(a.lo) << ", "
       << floatLiteral(a.hi) << "}";
    return *this;
  }
  FieldPrinter &operator<<(const tempo_broadcast_params_t &p) {
    sep();
    constexpr int R = TEMPO_MAX_RANK;
    FieldPrinter nested(os);
    (nested << p.rank << p.size)
            .array(p.out_dims, R)
            .array(p.a_strides, R)
            .array(p.b_strides, R)
        << p.act;
    return *this;
  }
  FieldPrinter &operator<<(const tempo_pool_params_t &p) {
    sep();
    FieldPrinter nested(os);
    nested << p.batch << p.channels << p.in_h << p.in_w << p.out_h << p.out_w
           << p.k_h << p.k_w << p.stride_h << p.stride_w << p.dil_h << p.dil_w
           << p.pad_top << p.pad_left << p.pad_bottom << p.pad_right
           << p.count_include_pad << p.in_d << p.out_d << p.k_d << p.stride_d
           << p.dil_d << p.pad_front << p.pad_back << p.storage_order;
    return *this;
  }
  FieldPrinter &farray(const float *v, int n) {
    sep();
    os << "{";
    for (int i = 0; i < n; ++i)
      os << (i ? ", " : "") << floatLiteral(v[i]);
    os << "}";
    return *this;
  }
  FieldPrinter &array(const int32_t *v, int n) {
    sep();
    os << "{";
    for (int i = 0; i < n; ++i)
      os << (i ? ", " : "") << v[i];
    os << "}";
    return *this;
  }

private:
  void sep() {
    if (!first)
      os << ", ";
    first = false;
  }
  llvm::raw_ostream &os;
  bool first = true;
};

} // namespace

void mlir::tempo::printParams(llvm::raw_ostream &os, const KernelParams &params) {
  FieldPrinter f(os);
  constexpr int R = TEMPO_MAX_RANK;
  std::visit(
      [&](const auto &p) {
        using P = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<P, tempo_conv_params_t>)
          f << p.batch << p.in_c << p.in_h << p.in_w << p.out_c << p.out_h
            << p.out_w << p.k_h << p.k_w << p.stride_h << p.stride_w
            << p.dil_h << p.dil_w << p.pad_top << p.pad_left << p.groups
            << p.has_bias << p.act << p.pool << p.pool_h << p.pool_w
            << p.pooled_h << p.pooled_w << p.in_d << p.out_d << p.k_d
            << p.stride_d << p.dil_d << p.pad_front;
        else if constexpr (std::is_same_v<P, tempo_pool_params_t>)
          f << p.batch << p.channels << p.in_h << p.in_w << p.out_h << p.out_w
            << p.k_h << p.k_w << p.stride_h << p.stride_w << p.dil_h << p.dil_w
            << p.pad_top << p.pad_left << p.pad_bottom << p.pad_right
            << p.count_include_pad << p.in_d << p.out_d << p.k_d << p.stride_d
            << p.dil_d << p.pad_front << p.pad_back << p.storage_order;
        else if constexpr (std::is_same_v<P, tempo_reduce_params_t>)
          f << p.outer << p.inner;
        else if constexpr (std::is_same_v<P, tempo_gemm_params_t>)
          f << p.m << p.n << p.k << p.trans_a << p.trans_b << p.alpha
            << p.beta << p.has_c << p.c_rows << p.c_cols << p.act;
        else if constexpr (std::is_same_v<P, tempo_matmul_params_t>)
          (f << p.m << p.n << p.k << p.batch_rank)
              .array(p.out_batch_dims, R)
              .array(p.a_batch_strides, R)
              .array(p.b_batch_strides, R)
              << p.act;
        else if constexpr (std::is_same_v<P, tempo_broadcast_params_t>)
          (f << p.rank << p.size)
              .array(p.out_dims, R)
              .array(p.a_strides, R)
              .array(p.b_strides, R)
              << p.act;
        else if constexpr (std::is_same_v<P, tempo_unary_params_t>)
          f << p.size << p.alpha << p.lo << p.hi;
        else if constexpr (std::is_same_v<P, tempo_softmax_params_t>)
          f << p.outer << p.n << p.inner;
        else if constexpr (std::is_same_v<P, tempo_batch_norm_params_t>)
          f << p.batch << p.channels << p.spatial << p.epsilon << p.momentum;
        else if constexpr (std::is_same_v<P, tempo_transpose_params_t>)
          (f << p.rank << p.size).array(p.out_dims, R).array(p.in_strides, R);
        else if constexpr (std::is_same_v<P, tempo_concat_params_t>)
          f << p.outer << p.in_inner << p.out_inner << p.offset;
        else if constexpr (std::is_same_v<P, tempo_copy_params_t>)
          f << p.bytes;
        else if constexpr (std::is_same_v<P, tempo_chain_params_t>)
          (f << p.size << p.num_inputs << p.num_steps)
              .array(p.code, 3 * TEMPO_CHAIN_MAX_STEPS)
              << p.act;
        else if constexpr (std::is_same_v<P, tempo_channel_affine_params_t>)
          f << p.batch << p.channels << p.spatial;
        else if constexpr (std::is_same_v<P, tempo_math_params_t>)
          f << p.size << p.op << p.alpha << p.beta;
        else if constexpr (std::is_same_v<P, tempo_binary_math_params_t>)
          f << p.op << p.shape;
        else if constexpr (std::is_same_v<P, tempo_reduction_params_t>)
          f << p.outer << p.n << p.inner << p.op;
        else if constexpr (std::is_same_v<P, tempo_arg_reduce_params_t>)
          f << p.outer << p.n << p.inner << p.op << p.select_last_index;
        else if constexpr (std::is_same_v<P, tempo_layer_norm_params_t>)
          f << p.outer << p.n << p.epsilon << p.has_bias;
        else if constexpr (std::is_same_v<P, tempo_strided_copy_params_t>)
          (f << p.rank << p.size << p.border)
              .array(p.out_dims, R)
              .array(p.in_dims, R)
              .array(p.start, R)
              .array(p.step, R);
        else if constexpr (std::is_same_v<P, tempo_gather_params_t>)
          f << p.outer << p.n << p.m << p.inner;
        else if constexpr (std::is_same_v<P, tempo_cast_params_t>)
          f << p.size;
        else if constexpr (std::is_same_v<P, tempo_dft_params_t>)
          f << p.outer << p.inner << p.n_in << p.length << p.n_out
            << p.in_complex << p.inverse;
        else if constexpr (std::is_same_v<P, tempo_lp_pool_params_t>)
          f << p.pool << p.p;
        else if constexpr (std::is_same_v<P, tempo_cumsum_params_t>)
          f << p.outer << p.n << p.inner << p.exclusive << p.reverse;
        else if constexpr (std::is_same_v<P, tempo_qlstm_params_t>)
          f << p.seq_len << p.batch << p.input_size << p.hidden_size << p.x_zp
            << p.h_zp << p.cell_frac_bits << p.hidden_multiplier
            << p.hidden_shift << p.has_initial_h << p.has_initial_c
            << p.want_y << p.want_y_h << p.want_y_c << p.direction
            << p.num_directions << p.layout;
        else if constexpr (std::is_same_v<P, tempo_qrecurrent_params_t>)
          f << p.seq_len << p.batch << p.input_size << p.hidden_size
            << p.direction << p.num_directions << p.layout << p.x_zp << p.h_zp
            << p.activation << p.linear_before_reset << p.has_bias
            << p.has_initial_h << p.want_y << p.want_y_h
            << p.state_multiplier << p.state_shift << p.hidden_multiplier
            << p.hidden_shift;
        else if constexpr (std::is_same_v<P, tempo_qconv_params_t>)
          f << p.batch << p.in_c << p.in_h << p.in_w << p.out_c << p.out_h
            << p.out_w << p.k_h << p.k_w << p.stride_h << p.stride_w
            << p.dil_h << p.dil_w << p.pad_top << p.pad_left << p.groups
            << p.has_bias << p.in_zp << p.out_zp << p.act_min << p.act_max
            << p.per_channel << p.pool << p.pool_h << p.pool_w << p.pooled_h
            << p.pooled_w << p.shift;
        else if constexpr (std::is_same_v<P, tempo_qfc_params_t>)
          f << p.batch << p.in_features << p.out_features << p.has_bias
            << p.in_zp << p.out_zp << p.act_min << p.act_max << p.per_channel
            << p.shift;
        else if constexpr (std::is_same_v<P, tempo_qmatmul_params_t>)
          (f << p.m << p.n << p.k << p.batch_rank)
                  .array(p.out_batch_dims, R)
                  .array(p.a_batch_strides, R)
                  .array(p.b_batch_strides, R)
              << p.a_zp << p.b_zp << p.out_zp << p.multiplier << p.shift
              << p.act_min << p.act_max;
        else if constexpr (std::is_same_v<P, tempo_qbinary_params_t>)
          (f << p.rank << p.size)
                  .array(p.out_dims, R)
                  .array(p.a_strides, R)
                  .array(p.b_strides, R)
              << p.a_zp << p.b_zp << p.out_zp << p.left_shift
              << p.a_multiplier << p.a_shift << p.b_multiplier << p.b_shift
              << p.out_multiplier << p.out_shift << p.act_min << p.act_max;
        else if constexpr (std::is_same_v<P, tempo_qpool_params_t>)
          f << p.batch << p.channels << p.in_h << p.in_w << p.out_h << p.out_w
            << p.k_h << p.k_w << p.stride_h << p.stride_w << p.dil_h << p.dil_w
            << p.pad_top << p.pad_left << p.pad_bottom << p.pad_right
            << p.count_include_pad << p.zp << p.act_min << p.act_max;
        else if constexpr (std::is_same_v<P, tempo_qreduce_params_t>)
          f << p.outer << p.inner << p.in_zp << p.out_zp << p.multiplier
            << p.shift << p.act_min << p.act_max;
        else if constexpr (std::is_same_v<P, tempo_qconcat_params_t>)
          f << p.outer << p.in_inner << p.out_inner << p.offset << p.identity
            << p.in_zp << p.out_zp << p.multiplier << p.shift;
        else if constexpr (std::is_same_v<P, tempo_requant_params_t>)
          f << p.size << p.in_zp << p.out_zp << p.multiplier << p.shift
            << p.act_min << p.act_max;
        else if constexpr (std::is_same_v<P, tempo_qclamp_params_t>)
          f << p.size << p.act_min << p.act_max;
        else if constexpr (std::is_same_v<P, tempo_lut_params_t>)
          f << p.size;
        else if constexpr (std::is_same_v<P, tempo_qsoftmax_params_t>)
          f << p.outer << p.n << p.inner << p.input_multiplier
            << p.input_left_shift << p.diff_min;
        else if constexpr (std::is_same_v<P, tempo_quantize_params_t>)
          f << p.size << p.scale << p.zp << p.channels << p.inner;
        else if constexpr (std::is_same_v<P, tempo_stft_params_t>)
          f << p.batch << p.signal_length << p.in_complex << p.frame_step
            << p.frame_length << p.frames << p.n_out << p.has_window;
        else {
          constexpr int A = TEMPO_RNN_ACTIVATION_SLOTS;
          (f << p.seq_len << p.batch << p.input_size << p.hidden_size
             << p.num_directions << p.direction << p.layout)
                  .array(p.activations, A)
                  .farray(p.activation_alpha, A)
                  .farray(p.activation_beta, A)
              << p.clip;
          if constexpr (std::is_same_v<P, tempo_lstm_params_t>)
            f << p.input_forget << p.has_bias << p.has_initial_h
              << p.has_initial_c << p.has_peephole << p.want_y << p.want_y_h
              << p.want_y_c;
          else if constexpr (std::is_same_v<P, tempo_gru_params_t>)
            f << p.linear_before_reset << p.has_bias << p.has_initial_h
              << p.want_y << p.want_y_h;
          else
            f << p.has_bias << p.has_initial_h << p.want_y << p.want_y_h;
        }
      },
      params);
}

const char *mlir::tempo::cElementType(Type t) {
  t = storageElementType(t);
  if (t.isF32())
    return "float";
  if (auto it = dyn_cast<IntegerType>(t)) {
    bool u = it.isUnsigned();
    switch (it.getWidth()) {
    case 1:
      return "uint8_t"; // bool, one byte per element
    case 8:
      return u ? "uint8_t" : "int8_t";
    case 16:
      return u ? "uint16_t" : "int16_t";
    case 32:
      return u ? "uint32_t" : "int32_t";
    case 64:
      return u ? "uint64_t" : "int64_t";
    }
  }
  return nullptr;
}

int64_t mlir::tempo::elementBytes(Type t) {
  t = storageElementType(t);
  if (t.isInteger(1))
    return 1;
  return t.getIntOrFloatBitWidth() / 8;
}

int64_t mlir::tempo::tensorBytes(Type t) {
  auto shaped = cast<ShapedType>(t);
  return shaped.getNumElements() * elementBytes(shaped.getElementType());
}

std::vector<char> mlir::tempo::denseBytes(DenseElementsAttr attr) {
  Type elt = attr.getElementType();
  int64_t n = attr.getNumElements(), eb = elementBytes(elt);
  std::vector<char> out(n * eb);
  if (elt.isInteger(1)) {
    int64_t i = 0;
    for (bool b : attr.getValues<bool>())
      out[i++] = b ? 1 : 0;
    return out;
  }
  ArrayRef<char> raw = attr.getRawData();
  if (attr.isSplat()) {
    for (int64_t i = 0; i < n; ++i)
      std::memcpy(out.data() + i * eb, raw.data(), eb);
  } else {
    std::memcpy(out.data(), raw.data(), out.size());
  }
  return out;
}

static void collectNames(Location loc, SmallVectorImpl<std::string> &names) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    std::string n = name.getName().str();
    if (llvm::find(names, n) == names.end())
      names.push_back(n);
  } else if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location child : fused.getLocations())
      collectNames(child, names);
  }
}

std::string mlir::tempo::locationName(Location loc) {
  SmallVector<std::string> names;
  collectNames(loc, names);
  return llvm::join(names, "+");
}

int64_t mlir::tempo::plannedOffset(Value value) {
  IntegerAttr attr;
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    if (auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp()))
      attr = dyn_cast_or_null<IntegerAttr>(
          func.getArgAttr(arg.getArgNumber(), kOffsetAttr));
  } else {
    attr = value.getDefiningOp()->getAttrOfType<IntegerAttr>(kOffsetAttr);
  }
  return attr ? attr.getInt() : -1;
}
