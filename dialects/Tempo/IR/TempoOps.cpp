//===- TempoOps.cpp - Verifiers of the tempo ops --------------------------===//

#include "dialects/Tempo/IR/TempoOps.h"
#include "dialects/Tempo/IR/TempoShapes.h"
#include "tempo/params.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::tempo;

static ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

/// Bytes of a tensor value (i1 as one byte).
static int64_t tensorByteSize(Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  Type e = storageElementType(t.getElementType());
  return t.getNumElements() *
         (e.isInteger(1) ? 1 : (int64_t)e.getIntOrFloatBitWidth() / 8);
}

/// Checks a spatial attribute array has one entry per spatial dim (or two
/// per dim for pads) and positive values where required.
static LogicalResult verifyWindowAttrs(Operation *op, int64_t spatial,
                                       ArrayRef<int64_t> strides,
                                       ArrayRef<int64_t> dilations,
                                       ArrayRef<int64_t> pads) {
  if ((int64_t)strides.size() != spatial || (int64_t)dilations.size() != spatial)
    return op->emitOpError("expects ")
           << spatial << " strides and dilations, got " << strides.size()
           << " and " << dilations.size();
  if ((int64_t)pads.size() != 2 * spatial)
    return op->emitOpError("expects ") << 2 * spatial << " pads, got "
                                       << pads.size();
  for (int64_t s : strides)
    if (s < 1)
      return op->emitOpError("stride must be positive, got ") << s;
  for (int64_t d : dilations)
    if (d < 1)
      return op->emitOpError("dilation must be positive, got ") << d;
  for (int64_t p : pads)
    if (p < 0)
      return op->emitOpError("pad must not be negative, got ") << p;
  return success();
}

/// Checks the fused-activation attributes every op that carries them has.
static LogicalResult verifyFusedActivation(Operation *op) {
  auto act = op->getAttrOfType<StringAttr>("act");
  if (!act || act.getValue() == "none")
    return success();
  static const char *const kKinds[] = {"relu",    "clip", "leaky_relu",
                                       "sigmoid", "tanh", "hard_sigmoid",
                                       "hard_swish"};
  if (llvm::find(kKinds, act.getValue()) == std::end(kKinds))
    return op->emitOpError("unknown fused activation '") << act.getValue() << "'";
  Type elt = getElementTypeOrSelf(op->getResult(0).getType());
  // On a quantized op, relu and clip are the output clamp.
  if (isa<quant::QuantizedType>(elt)) {
    if (act.getValue() != "relu" && act.getValue() != "clip")
      return op->emitOpError("fuses ")
             << act.getValue() << " into a quantized op (only relu and clip "
             << "fold into its output clamp)";
    return success();
  }
  if (!isa<FloatType>(elt))
    return op->emitOpError("fuses an activation into an integer op");
  if (act.getValue() == "clip") {
    auto lo = op->getAttrOfType<FloatAttr>("act_min");
    auto hi = op->getAttrOfType<FloatAttr>("act_max");
    if (!lo || !hi)
      return op->emitOpError("fused clip needs act_min and act_max");
    if (lo.getValueAsDouble() > hi.getValueAsDouble())
      return op->emitOpError("fused clip has act_min > act_max");
  }
  return success();
}

LogicalResult ConvOp::verify() {
  if (failed(verifyFusedActivation(*this)))
    return failure();
  ArrayRef<int64_t> x = shapeOf(getInput()), w = shapeOf(getWeight()),
                    y = shapeOf(getOutput());
  if (x.size() != 3 && x.size() != 4)
    return emitOpError("expects a 1-D (rank 3) or 2-D (rank 4) input, got rank ")
           << x.size();
  if (w.size() != x.size() || y.size() != x.size())
    return emitOpError("expects input, weight and output of equal rank");
  int64_t spatial = x.size() - 2, group = getGroup();
  if (failed(verifyWindowAttrs(*this, spatial, getStrides(), getDilations(),
                               getPads())))
    return failure();
  if (group < 1 || x[1] % group != 0 || w[0] % group != 0)
    return emitOpError("group ")
           << group << " must divide input channels " << x[1]
           << " and output channels " << w[0];
  if (w[1] * group != x[1])
    return emitOpError("weight expects ")
           << w[1] * group << " input channels, input has " << x[1];
  if (getBias() && (shapeOf(getBias()).size() != 1 || shapeOf(getBias())[0] != w[0]))
    return emitOpError("bias must have shape [") << w[0] << "]";
  if (y[0] != x[0] || y[1] != w[0])
    return emitOpError("result must be [") << x[0] << ", " << w[0] << ", ...]";
  bool pooled = getPool() != "none";
  if (pooled && getPool() != "max" && getPool() != "average")
    return emitOpError("unknown fused pool '") << getPool() << "'";
  if (pooled && (!getPoolWindow() || (int64_t)getPoolWindow()->size() != spatial))
    return emitOpError("fused pool needs a pool_window of ") << spatial
                                                             << " values";
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t expect =
        windowOutSize(x[2 + i], w[2 + i], getStrides()[i], getDilations()[i],
                      getPads()[i], getPads()[spatial + i]);
    if (pooled && expect >= 1) {
      int64_t win = (*getPoolWindow())[i];
      if (win < 1 || win > expect)
        return emitOpError("pool window ") << win << " does not fit spatial dim "
                                           << i << " of size " << expect;
      expect /= win;
    }
    if (expect < 1 || y[2 + i] != expect)
      return emitOpError("spatial dim ")
             << i << " of the result should be " << expect << ", got "
             << y[2 + i];
  }
  return success();
}

LogicalResult GemmOp::verify() {
  if (failed(verifyFusedActivation(*this)))
    return failure();
  ArrayRef<int64_t> a = shapeOf(getA()), b = shapeOf(getB()),
                    y = shapeOf(getOutput());
  if (a.size() != 2 || b.size() != 2 || y.size() != 2)
    return emitOpError("expects 2-D operands and result");
  int64_t m = getTransA() ? a[1] : a[0], ka = getTransA() ? a[0] : a[1];
  int64_t kb = getTransB() ? b[1] : b[0], n = getTransB() ? b[0] : b[1];
  if (ka != kb)
    return emitOpError("inner dimensions differ: ") << ka << " vs " << kb;
  if (y[0] != m || y[1] != n)
    return emitOpError("result must be [") << m << ", " << n << "]";
  if (getC()) {
    ArrayRef<int64_t> c = shapeOf(getC());
    auto bc = broadcastShapes(c, y);
    if (c.size() > 2 || !bc || ArrayRef<int64_t>(*bc) != y)
      return emitOpError("C does not broadcast to [") << m << ", " << n << "]";
  }
  return success();
}

LogicalResult MatMulOp::verify() {
  if (failed(verifyFusedActivation(*this)))
    return failure();
  ArrayRef<int64_t> a = shapeOf(getA()), b = shapeOf(getB()),
                    y = shapeOf(getOutput());
  if (a.size() < 2 || b.size() < 2)
    return emitOpError("expects operands of rank 2 or more");
  if (a.back() != b[b.size() - 2])
    return emitOpError("inner dimensions differ: ")
           << a.back() << " vs " << b[b.size() - 2];
  auto batch = broadcastShapes(a.drop_back(2), b.drop_back(2));
  if (!batch)
    return emitOpError("batch dimensions do not broadcast");
  SmallVector<int64_t> expect(*batch);
  expect.push_back(a[a.size() - 2]);
  expect.push_back(b.back());
  if (ArrayRef<int64_t>(expect) != y)
    return emitOpError("result shape does not match the operands");
  if (y.size() > 6)
    return emitOpError("supports rank up to 6, got ") << y.size();
  return success();
}

LogicalResult BatchNormOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput());
  if (x.size() < 2)
    return emitOpError("expects rank 2 or more");
  if (getInput().getType() != getOutput().getType())
    return emitOpError("result type must equal the input type");
  for (Value v : {getScale(), getBias(), getMean(), getVariance()})
    if (shapeOf(v).size() != 1 || shapeOf(v)[0] != x[1])
      return emitOpError("per-channel operands must have shape [") << x[1] << "]";
  return success();
}

LogicalResult ElementwiseChainOp::verify() {
  if (failed(verifyFusedActivation(*this)))
    return failure();
  int64_t n = getInputs().size();
  ArrayRef<int32_t> code = getCode();
  if (n < 1 || n > TEMPO_CHAIN_MAX_INPUTS)
    return emitOpError("takes 1 to ") << TEMPO_CHAIN_MAX_INPUTS << " inputs, got " << n;
  if (code.empty() || code.size() % 3 != 0 ||
      (int64_t)code.size() / 3 > TEMPO_CHAIN_MAX_STEPS)
    return emitOpError("code must hold 1 to ")
           << TEMPO_CHAIN_MAX_STEPS << " steps of 3 values";
  for (Value in : getInputs())
    if (in.getType() != getType())
      return emitOpError("inputs must have the result's type ") << getType();
  if (!isa<FloatType>(getType().getElementType()))
    return emitOpError("needs float operands");
  for (int64_t s = 0; s < (int64_t)code.size() / 3; ++s) {
    if (code[3 * s] < 0 || code[3 * s] > 3)
      return emitOpError("step ") << s << " has unknown opcode " << code[3 * s];
    for (int k = 1; k <= 2; ++k)
      if (code[3 * s + k] < 0 || code[3 * s + k] >= n + s)
        return emitOpError("step ") << s << " reads register " << code[3 * s + k]
                                    << ", not yet written";
  }
  return success();
}

LogicalResult ChannelAffineOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput());
  if (x.size() < 2)
    return emitOpError("expects rank 2 or more");
  if (getInput().getType() != getOutput().getType())
    return emitOpError("result type must equal the input type");
  for (Value v : {getScale(), getShift()})
    if (shapeOf(v).size() != 1 || shapeOf(v)[0] != x[1])
      return emitOpError("scale and shift must have shape [") << x[1] << "]";
  return success();
}

template <typename BinOp>
static LogicalResult verifyBinary(BinOp op) {
  if (failed(verifyFusedActivation(op)))
    return failure();
  auto bc = broadcastShapes(shapeOf(op.getLhs()), shapeOf(op.getRhs()));
  if (!bc)
    return op.emitOpError("operand shapes do not broadcast");
  if (ArrayRef<int64_t>(*bc) != shapeOf(op.getOutput()))
    return op.emitOpError("result shape is not the broadcast shape");
  if (bc->size() > 6)
    return op.emitOpError("supports rank up to 6, got ") << bc->size();
  return success();
}

LogicalResult AddOp::verify() { return verifyBinary(*this); }
LogicalResult SubOp::verify() { return verifyBinary(*this); }
LogicalResult MulOp::verify() { return verifyBinary(*this); }
LogicalResult DivOp::verify() { return verifyBinary(*this); }

LogicalResult ClipOp::verify() {
  if (getMin().convertToDouble() > getMax().convertToDouble())
    return emitOpError("min ") << getMin().convertToDouble() << " exceeds max "
                               << getMax().convertToDouble();
  return success();
}

template <typename PoolOp>
static LogicalResult verifyPool(PoolOp op) {
  ArrayRef<int64_t> x = shapeOf(op.getInput()), y = shapeOf(op.getOutput());
  if (x.size() < 3 || x.size() > 5)
    return op.emitOpError("expects a rank 3, 4 or 5 input, got rank ")
           << x.size();
  if (y.size() != x.size() || y[0] != x[0] || y[1] != x[1])
    return op.emitOpError("result must keep batch and channels");
  int64_t spatial = x.size() - 2;
  if ((int64_t)op.getKernelShape().size() != spatial)
    return op.emitOpError("expects ") << spatial << " kernel dims";
  if (failed(verifyWindowAttrs(op, spatial, op.getStrides(), op.getDilations(),
                               op.getPads())))
    return failure();
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t args[] = {x[2 + i], op.getKernelShape()[i], op.getStrides()[i],
                      op.getDilations()[i], op.getPads()[i],
                      op.getPads()[spatial + i]};
    int64_t lo = windowOutSize(args[0], args[1], args[2], args[3], args[4], args[5]);
    int64_t hi = windowOutSizeCeil(args[0], args[1], args[2], args[3], args[4], args[5]);
    if (lo < 1 || (y[2 + i] != lo && y[2 + i] != hi))
      return op.emitOpError("spatial dim ")
             << i << " of the result should be " << lo
             << (hi != lo ? " (or " + std::to_string(hi) + " with ceil_mode)" : "")
             << ", got " << y[2 + i];
  }
  return success();
}

LogicalResult MaxPoolOp::verify() {
  ArrayRef<bool> want = getResults();
  if (want.size() != 2 || want[0] == want[1])
    return emitOpError("results must select exactly one of Y and Indices");
  if (getStorageOrder() != 0 && getStorageOrder() != 1)
    return emitOpError("storage_order must be 0 or 1, got ")
           << getStorageOrder();
  Type elt = getElementTypeOrSelf(getOutput().getType());
  if (want[1] ? !elt.isSignlessInteger(64)
              : elt != getElementTypeOrSelf(getInput().getType()))
    return emitOpError(want[1] ? "indices result must be i64"
                               : "result element type must be the input's");
  return verifyPool(*this);
}
LogicalResult AveragePoolOp::verify() { return verifyPool(*this); }

LogicalResult LpPoolOp::verify() {
  if (shapeOf(getInput()).size() > 4)
    return emitOpError("supports 1-D and 2-D pooling (input rank 3 or 4)");
  if (!isa<FloatType>(getElementTypeOrSelf(getInput().getType())) ||
      getInput().getType() != getOutput().getType().clone(shapeOf(getInput())))
    return emitOpError("needs a float input and result of one element type");
  if (getP() < 1)
    return emitOpError("p must be at least 1, got ") << getP();
  return verifyPool(*this);
}

LogicalResult CumSumOp::verify() {
  int64_t rank = shapeOf(getInput()).size();
  // The I64Attr getter is unsigned: read the stored value back as signed.
  auto axis = static_cast<int64_t>(getAxis());
  if (axis < 0 || axis >= std::max<int64_t>(rank, 1))
    return emitOpError("axis ") << axis << " is out of range for rank "
                                << rank;
  return success();
}

LogicalResult GlobalAveragePoolOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), y = shapeOf(getOutput());
  if (x.size() < 3 || y.size() != x.size() || y[0] != x[0] || y[1] != x[1])
    return emitOpError("expects [N, C, spatial...] -> [N, C, 1...]");
  for (size_t i = 2; i < y.size(); ++i)
    if (y[i] != 1)
      return emitOpError("result spatial dims must be 1");
  return success();
}

LogicalResult SoftmaxOp::verify() {
  int64_t rank = shapeOf(getInput()).size();
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << getAxis() << " is out of range for rank "
                                << rank;
  return success();
}

LogicalResult ReshapeOp::verify() {
  if (numElements(shapeOf(getInput())) != numElements(shapeOf(getOutput())))
    return emitOpError("element count changes from ")
           << numElements(shapeOf(getInput())) << " to "
           << numElements(shapeOf(getOutput()));
  if (getElementTypeOrSelf(getInput()) != getElementTypeOrSelf(getOutput()))
    return emitOpError("element type must not change");
  return success();
}

LogicalResult TransposeOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), y = shapeOf(getOutput());
  ArrayRef<int64_t> perm = getPerm();
  if (perm.size() != x.size() || y.size() != x.size())
    return emitOpError("perm must have one entry per dimension");
  if (x.size() > 6)
    return emitOpError("supports rank up to 6, got ") << x.size();
  SmallVector<bool> seen(x.size(), false);
  for (int64_t p : perm) {
    if (p < 0 || p >= (int64_t)x.size() || seen[p])
      return emitOpError("perm is not a permutation");
    seen[p] = true;
  }
  for (size_t i = 0; i < perm.size(); ++i)
    if (y[i] != x[perm[i]])
      return emitOpError("result dim ") << i << " should be " << x[perm[i]];
  return success();
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("expects at least one input");
  ArrayRef<int64_t> y = shapeOf(getOutput());
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0 || axis >= (int64_t)y.size())
    return emitOpError("axis ") << axis << " is out of range";
  int64_t total = 0;
  for (Value in : getInputs()) {
    ArrayRef<int64_t> x = shapeOf(in);
    if (x.size() != y.size())
      return emitOpError("inputs must have the result's rank");
    for (size_t i = 0; i < x.size(); ++i)
      if ((int64_t)i != axis && x[i] != y[i])
        return emitOpError("input dim ") << i << " differs from the result";
    total += x[axis];
  }
  if (total != y[axis])
    return emitOpError("result axis extent should be ") << total;
  return success();
}

//===----------------------------------------------------------------------===//
// Wider ONNX op set
//===----------------------------------------------------------------------===//

/// The result of an op packing several ONNX outputs: one wanted output is
/// the result in any shape with its element count; several are a 1-D
/// result of the summed counts.
static LogicalResult verifyPacked(Operation *op, ArrayRef<bool> wanted,
                                  ArrayRef<int64_t> counts) {
  int64_t total = 0, n = 0;
  for (auto [w, c] : llvm::zip(wanted, counts))
    if (w) {
      total += c;
      ++n;
    }
  ArrayRef<int64_t> y = shapeOf(op->getResult(0));
  if (n == 0)
    return op->emitOpError("computes none of its outputs");
  if (numElements(y) != total || (n > 1 && y.size() != 1))
    return op->emitOpError("result must hold ")
           << total << " elements" << (n > 1 ? " in one dimension" : "");
  return success();
}

static bool isFloatTensor(Value v) {
  return isa<FloatType>(getElementTypeOrSelf(v.getType()));
}

LogicalResult MathOp::verify() {
  static const char *const kFns[] = {
      "abs",          "neg",        "exp",      "log",
      "sqrt",         "reciprocal", "erf",      "floor",
      "ceil",         "sign",       "sin",      "cos",
      "elu",          "selu",       "celu",     "thresholded_relu",
      "hard_sigmoid", "hard_swish", "softplus", "softsign"};
  if (llvm::find(kFns, getFn()) == std::end(kFns))
    return emitOpError("unknown fn '") << getFn() << "'";
  if (!isFloatTensor(getInput()) && getFn() != "abs" && getFn() != "neg" &&
      getFn() != "sign")
    return emitOpError("fn '") << getFn() << "' needs a float tensor";
  return success();
}

LogicalResult BinaryMathOp::verify() {
  if (getFn() != "pow" && getFn() != "max" && getFn() != "min" &&
      getFn() != "prelu")
    return emitOpError("unknown fn '") << getFn() << "'";
  Type e = getElementTypeOrSelf(getOutput());
  if (getElementTypeOrSelf(getLhs()) != e ||
      getElementTypeOrSelf(getRhs()) != e)
    return emitOpError("operands must have the result's element type");
  auto bc = broadcastShapes(shapeOf(getLhs()), shapeOf(getRhs()));
  if (!bc)
    return emitOpError("operand shapes do not broadcast");
  if (ArrayRef<int64_t>(*bc) != shapeOf(getOutput()))
    return emitOpError("result shape is not the broadcast shape");
  if (bc->size() > 6)
    return emitOpError("supports rank up to 6, got ") << bc->size();
  return success();
}

/// Checks `axes` are adjacent, ascending and in range, and that `y` is `x`
/// with those axes set to 1.
static LogicalResult verifyReducedShape(Operation *op, ArrayRef<int64_t> x,
                                        ArrayRef<int64_t> axes,
                                        ArrayRef<int64_t> y) {
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < 0 || axes[i] >= (int64_t)x.size())
      return op->emitOpError("axis ") << axes[i] << " is out of range";
    if (i > 0 && axes[i] != axes[i - 1] + 1)
      return op->emitOpError("axes must be adjacent and ascending");
  }
  if (y.size() != x.size())
    return op->emitOpError("result must keep the input's rank");
  for (size_t d = 0; d < x.size(); ++d) {
    bool reduced = llvm::is_contained(axes, (int64_t)d);
    if (y[d] != (reduced ? 1 : x[d]))
      return op->emitOpError("result dim ")
             << d << " should be " << (reduced ? 1 : x[d]);
  }
  return success();
}

LogicalResult ReduceOp::verify() {
  static const char *const kKinds[] = {
      "sum", "mean", "max",        "min",     "prod",
      "l1",  "l2",   "sum_square", "log_sum", "log_sum_exp"};
  if (llvm::find(kKinds, getKind()) == std::end(kKinds))
    return emitOpError("unknown kind '") << getKind() << "'";
  if (getElementTypeOrSelf(getInput()) != getElementTypeOrSelf(getOutput()))
    return emitOpError("element type must not change");
  return verifyReducedShape(*this, shapeOf(getInput()), getAxes(),
                            shapeOf(getOutput()));
}

LogicalResult ArgReduceOp::verify() {
  if (getKind() != "max" && getKind() != "min")
    return emitOpError("unknown kind '") << getKind() << "'";
  if (!getElementTypeOrSelf(getOutput()).isSignlessInteger(64))
    return emitOpError("result must be i64");
  int64_t axis = getAxis();
  return verifyReducedShape(*this, shapeOf(getInput()), {axis},
                            shapeOf(getOutput()));
}

template <typename AxisOp> static LogicalResult verifyAxis(AxisOp op) {
  int64_t rank = shapeOf(op.getInput()).size();
  if ((int64_t)op.getAxis() < 0 || (int64_t)op.getAxis() >= rank)
    return op.emitOpError("axis ")
           << op.getAxis() << " is out of range for rank " << rank;
  return success();
}

LogicalResult LogSoftmaxOp::verify() {
  if (!isFloatTensor(getInput()))
    return emitOpError("needs a float tensor");
  return verifyAxis(*this);
}
LogicalResult HardmaxOp::verify() { return verifyAxis(*this); }

LogicalResult LayerNormOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput());
  int64_t axis = getAxis();
  if (axis < 0 || axis >= (int64_t)x.size())
    return emitOpError("axis ") << axis << " is out of range";
  if (!isFloatTensor(getInput()))
    return emitOpError("needs a float tensor");
  for (Value v : {getScale(), getBias()})
    if (v && shapeOf(v) != x.drop_front(axis))
      return emitOpError("scale and bias must have the input's dims from axis ")
             << axis << " on";
  if (getResults().size() != 3)
    return emitOpError("results must have 3 entries (Y, Mean, InvStdDev)");
  int64_t outer = numElements(x.take_front(axis));
  return verifyPacked(*this, getResults(), {numElements(x), outer, outer});
}

LogicalResult BatchNormTrainingOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput());
  if (x.size() < 2)
    return emitOpError("expects rank 2 or more");
  for (Value v : {getInput(), getScale(), getBias(), getMean(), getVariance(),
                  getOutput()})
    if (getElementTypeOrSelf(v.getType()) !=
            getElementTypeOrSelf(getInput().getType()) ||
        !isa<FloatType>(getElementTypeOrSelf(v.getType())))
      return emitOpError("needs float operands and result of one type");
  for (Value v : {getScale(), getBias(), getMean(), getVariance()})
    if (shapeOf(v).size() != 1 || shapeOf(v)[0] != x[1])
      return emitOpError("per-channel operands must have shape [") << x[1] << "]";
  if (getResults().size() != 3)
    return emitOpError(
        "results must have 3 entries (Y, running_mean, running_var)");
  return verifyPacked(*this, getResults(), {numElements(x), x[1], x[1]});
}

LogicalResult InstanceNormOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput());
  if (x.size() < 3)
    return emitOpError("expects rank 3 or more");
  if (getInput().getType() != getOutput().getType() ||
      !isFloatTensor(getInput()))
    return emitOpError("result type must equal the float input type");
  for (Value v : {getScale(), getBias()})
    if (shapeOf(v).size() != 1 || shapeOf(v)[0] != x[1])
      return emitOpError("scale and bias must have shape [") << x[1] << "]";
  return success();
}

LogicalResult StridedCopyOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), y = shapeOf(getOutput());
  if (x.size() != y.size())
    return emitOpError("input and result must have the same rank");
  if (x.size() > 6)
    return emitOpError("supports rank up to 6, got ") << x.size();
  if (getStart().size() != x.size() || getStep().size() != x.size())
    return emitOpError("expects one start and one step per dim");
  if (getElementTypeOrSelf(getInput()) != getElementTypeOrSelf(getOutput()))
    return emitOpError("element type must not change");
  StringRef b = getBorder();
  if (b != "constant" && b != "edge" && b != "reflect" && b != "wrap")
    return emitOpError("unknown border '") << b << "'";
  if (getPadValue() &&
      (numElements(shapeOf(getPadValue())) != 1 ||
       getElementTypeOrSelf(getPadValue()) != getElementTypeOrSelf(getInput())))
    return emitOpError("pad value must be one element of the input's type");
  return success();
}

LogicalResult GatherOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), idx = shapeOf(getIndices()),
                    y = shapeOf(getOutput());
  int64_t axis = getAxis();
  if (axis < 0 || axis >= (int64_t)x.size())
    return emitOpError("axis ") << axis << " is out of range";
  if (!getElementTypeOrSelf(getIndices()).isSignlessInteger(32))
    return emitOpError("indices must be i32");
  SmallVector<int64_t> expect(x.take_front(axis));
  expect.append(idx.begin(), idx.end());
  expect.append(x.begin() + axis + 1, x.end());
  if (ArrayRef<int64_t>(expect) != y)
    return emitOpError("result shape does not match input and indices");
  // The kernel trusts its index table: it must be known and in range.
  auto c = getIndices().getDefiningOp<ConstantOp>();
  auto dense = c ? dyn_cast<DenseElementsAttr>(c.getValue()) : nullptr;
  if (!dense)
    return emitOpError("indices must be a tempo.constant");
  for (const APInt &i : dense.getValues<APInt>())
    if (i.getSExtValue() < 0 || i.getSExtValue() >= x[axis])
      return emitOpError("index ")
             << i.getSExtValue() << " is out of range [0, " << x[axis] << ")";
  return success();
}

LogicalResult CastOp::verify() {
  if (shapeOf(getInput()) != shapeOf(getOutput()))
    return emitOpError("shape must not change");
  // To or from a quantized type, a cast reinterprets the stored integers
  // (quant.scast): the other side is the storage type.
  Type in = getElementTypeOrSelf(getInput()),
       out = getElementTypeOrSelf(getOutput());
  if ((isa<quant::QuantizedType>(in) || isa<quant::QuantizedType>(out)) &&
      storageElementType(in) != storageElementType(out))
    return emitOpError("a cast to or from a quantized type keeps the storage "
                       "type, got ")
           << in << " to " << out;
  return success();
}

LogicalResult ConvTransposeOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), w = shapeOf(getWeight()),
                    y = shapeOf(getOutput());
  if (x.size() < 3 || x.size() > 5)
    return emitOpError("expects a 1-D, 2-D or 3-D (rank 3, 4 or 5) input, "
                       "got rank ")
           << x.size();
  if (w.size() != x.size() || y.size() != x.size())
    return emitOpError("expects input, weight and output of equal rank");
  if (!isFloatTensor(getInput()))
    return emitOpError("needs a float tensor");
  int64_t spatial = x.size() - 2, group = getGroup();
  if ((int64_t)getStrides().size() != spatial ||
      (int64_t)getDilations().size() != spatial ||
      (int64_t)getPads().size() != spatial)
    return emitOpError("expects ")
           << spatial << " strides, dilations and begin pads";
  if (group < 1 || x[1] % group != 0 || w[0] != x[1])
    return emitOpError("weight must be [") << x[1] << ", M / group, ...]";
  if (y[0] != x[0] || y[1] != w[1] * group)
    return emitOpError("result must be [")
           << x[0] << ", " << w[1] * group << ", ...]";
  if (getBias() &&
      (shapeOf(getBias()).size() != 1 || shapeOf(getBias())[0] != y[1]))
    return emitOpError("bias must have shape [") << y[1] << "]";
  for (int64_t i = 0; i < spatial; ++i)
    if (getStrides()[i] < 1 || getDilations()[i] < 1 || getPads()[i] < 0 ||
        y[2 + i] < 1)
      return emitOpError("needs positive strides, dilations and extents and "
                         "non-negative pads");
  return success();
}

LogicalResult RecurrentOp::verify() {
  StringRef cell = getCell();
  int64_t gates = cell == "lstm"  ? 4
                  : cell == "gru" ? 3
                  : cell == "rnn" ? 1
                                  : 0;
  if (!gates)
    return emitOpError("unknown cell '") << cell << "'";
  StringRef dir = getDirection();
  if (dir != "forward" && dir != "reverse" && dir != "bidirectional")
    return emitOpError("unknown direction '") << dir << "'";
  int64_t d = dir == "bidirectional" ? 2 : 1, h = getHiddenSize();
  ArrayRef<int64_t> x = shapeOf(getX());
  if (x.size() != 3 || getLayout() > 1)
    return emitOpError("expects a rank 3 input and layout 0 or 1");
  int64_t s = getLayout() ? x[1] : x[0], b = getLayout() ? x[0] : x[1];
  // The int8 form (tempo-quantize): int8 x, weights, h and result, int32
  // bias, int16 initial_c; the scratch is bytes for the integer kernel.
  bool quantized = quantizedElementType(getX().getType()) != nullptr;
  if (quantized) {
    auto storage = [](Value v, unsigned bits) {
      quant::QuantizedType q = quantizedElementType(v.getType());
      return q && q.isSigned() && q.getStorageTypeIntegralWidth() == bits;
    };
    auto perTensor8 = [&](Value v) {
      return storage(v, 8) &&
             isa<quant::UniformQuantizedType>(quantizedElementType(v.getType()));
    };
    if (!perTensor8(getX()) || !perTensor8(getOutput()) ||
        (getInitialH() && !perTensor8(getInitialH())))
      return emitOpError("int8 form needs per-tensor int8 x, initial_h and "
                         "result");
    if (!storage(getW(), 8) || !storage(getR(), 8))
      return emitOpError("int8 form needs int8 W and R");
    if (getB() && !storage(getB(), 32))
      return emitOpError("int8 form needs an int32 B");
    if (getInitialC() && !storage(getInitialC(), 16))
      return emitOpError("int8 form needs an int16 initial_c");
    if (getPeephole())
      return emitOpError("int8 form has no peepholes");
    int64_t bytes = cell == "lstm"  ? 8 * h + 3 * b * h
                    : cell == "gru" ? 2 * (4 * h + b * h)
                                    : 2 * (h + b * h);
    if (tensorByteSize(getScratch()) < bytes)
      return emitOpError("scratch must hold ") << bytes << " bytes";
  } else {
    for (Value v : getOperands())
      if (!isFloatTensor(v))
        return emitOpError("needs float tensors");
  }
  auto expect = [&](Value v, ArrayRef<int64_t> want, StringRef what) {
    if (!v || shapeOf(v) == want)
      return true;
    emitOpError(what) << " has the wrong shape";
    return false;
  };
  SmallVector<int64_t> state = getLayout() ? SmallVector<int64_t>{b, d, h}
                                           : SmallVector<int64_t>{d, b, h};
  if (!expect(getW(), {d, gates * h, x[2]}, "W") ||
      !expect(getR(), {d, gates * h, h}, "R") ||
      !expect(getB(), {d, 2 * gates * h}, "B") ||
      !expect(getInitialH(), state, "initial_h") ||
      !expect(getInitialC(), state, "initial_c") ||
      !expect(getPeephole(), {d, 3 * h}, "P"))
    return failure();
  if (cell != "lstm" && (getInitialC() || getPeephole()))
    return emitOpError("only lstm takes initial_c and P");
  static const char *const kActivations[] = {
      "Sigmoid",         "Tanh",       "Relu",        "LeakyRelu",
      "ThresholdedRelu", "ScaledTanh", "HardSigmoid", "Elu",
      "Softsign",        "Softplus",   "Affine"};
  for (Attribute a : getActivations())
    if (llvm::find(kActivations, cast<StringAttr>(a).getValue()) ==
        std::end(kActivations))
      return emitOpError("unknown activation '")
             << cast<StringAttr>(a).getValue() << "'";
  size_t acts = cell == "lstm" ? 3 : cell == "gru" ? 2 : 1;
  if (getActivations().size() != acts * d ||
      getActivationAlpha().size() != acts * d ||
      getActivationBeta().size() != acts * d)
    return emitOpError("expects ")
           << acts * d << " activations, alphas and betas";
  int64_t scratchElems = gates * h + (cell == "lstm" ? 2 : 1) * b * h;
  if (!quantized && numElements(shapeOf(getScratch())) < scratchElems)
    return emitOpError("scratch must hold ") << scratchElems << " elements";
  int64_t y = s * d * b * h, yh = d * b * h;
  if (getResults().size() != (cell == "lstm" ? 3u : 2u))
    return emitOpError("results must have one entry per ONNX output");
  return verifyPacked(*this, getResults(), {y, yh, yh});
}

LogicalResult DftOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), y = shapeOf(getOutput());
  int64_t axis = getAxis(), len = getLength();
  if (x.size() < 2 || (x.back() != 1 && x.back() != 2) ||
      !isFloatTensor(getInput()))
    return emitOpError("expects a float input [..., 1 or 2]");
  if (axis < 0 || axis >= (int64_t)x.size() - 1)
    return emitOpError("axis ") << axis << " is out of range";
  if (len < 1)
    return emitOpError("length must be positive");
  SmallVector<int64_t> expect(x);
  expect[axis] = getOnesided() ? len / 2 + 1 : len;
  expect.back() = 2;
  if (ArrayRef<int64_t>(expect) != y)
    return emitOpError("result shape does not match the transform");
  if (tensorByteSize(getScratch()) < 4 * len * 4)
    return emitOpError("scratch must hold ") << 4 * len * 4 << " bytes";
  return success();
}

LogicalResult StftOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getSignal()), y = shapeOf(getOutput());
  int64_t len = getFrameLength(), step = getFrameStep();
  if (x.size() != 3 || (x[2] != 1 && x[2] != 2) || !isFloatTensor(getSignal()))
    return emitOpError("expects a float signal [batch, length, 1 or 2]");
  if (len < 1 || step < 1 || len > x[1])
    return emitOpError("needs 0 < frame_length <= signal length and a "
                       "positive frame_step");
  if (getWindow() && shapeOf(getWindow()) != ArrayRef<int64_t>{len})
    return emitOpError("window must have shape [") << len << "]";
  SmallVector<int64_t> expect = {x[0], (x[1] - len) / step + 1,
                                 getOnesided() ? len / 2 + 1 : len, 2};
  if (ArrayRef<int64_t>(expect) != y)
    return emitOpError("result shape does not match the transform");
  if (tensorByteSize(getScratch()) < 4 * len * 4)
    return emitOpError("scratch must hold ") << 4 * len * 4 << " bytes";
  return success();
}

#define GET_OP_CLASSES
#include "dialects/Tempo/IR/TempoOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Constants with a quantized type, and the quantization ops
//===----------------------------------------------------------------------===//

ParseResult mlir::tempo::parseQuantizedAs(OpAsmParser &parser, Type &result,
                                          Attribute value) {
  if (succeeded(parser.parseOptionalKeyword("as")))
    return parser.parseType(result);
  auto typed = dyn_cast<TypedAttr>(value);
  if (!typed)
    return parser.emitError(parser.getCurrentLocation(),
                            "expected a typed constant value");
  result = typed.getType();
  return success();
}

void mlir::tempo::printQuantizedAs(OpAsmPrinter &printer, Operation *,
                                   Type result, Attribute value) {
  auto typed = dyn_cast<TypedAttr>(value);
  if (!typed || typed.getType() != result)
    printer << " as " << result;
}

ParseResult mlir::tempo::parseResultTypeIfDifferent(OpAsmParser &parser,
                                                    Type &result, Type input) {
  if (succeeded(parser.parseOptionalArrow()))
    return parser.parseType(result);
  result = input;
  return success();
}

void mlir::tempo::printResultTypeIfDifferent(OpAsmPrinter &printer,
                                             Operation *, Type result,
                                             Type input) {
  if (result != input)
    printer << " -> " << result;
}

bool mlir::tempo::sameTypeUnlessQuantized(Type input, Type result) {
  if (input == result)
    return true;
  auto a = dyn_cast<ShapedType>(input), b = dyn_cast<ShapedType>(result);
  return a && b && a.getShape() == b.getShape() &&
         quantizedElementType(a) && quantizedElementType(b);
}

LogicalResult ConstantOp::verify() {
  auto valueType = cast<ShapedType>(getValue().getType());
  auto resultType = cast<ShapedType>(getResult().getType());
  if (valueType == resultType)
    return success();
  auto q = dyn_cast<quant::QuantizedType>(resultType.getElementType());
  if (!q)
    return emitOpError("value type ")
           << valueType << " differs from the result type " << resultType;
  if (valueType.getShape() != resultType.getShape() ||
      valueType.getElementType() != storageElementType(q))
    return emitOpError("a quantized constant of type ")
           << resultType << " must hold a " << storageElementType(q)
           << " tensor of the same shape, got " << valueType;
  return success();
}

/// A per-axis quantized type must be quantized along a dim of the tensor.
static LogicalResult verifyQuantizedTensor(Operation *op, Type type) {
  auto q = quantizedElementType(type);
  if (!q)
    return success();
  auto shaped = cast<ShapedType>(type);
  if (auto axis = dyn_cast<quant::UniformQuantizedPerAxisType>(q)) {
    int32_t d = axis.getQuantizedDimension();
    if (d < 0 || d >= shaped.getRank() ||
        shaped.getDimSize(d) != (int64_t)axis.getScales().size())
      return op->emitOpError("per-axis type ")
             << q << " does not match the shape " << shaped;
    return success();
  }
  if (!isa<quant::UniformQuantizedType>(q))
    return op->emitOpError("supports uniform quantized types, got ") << q;
  return success();
}

LogicalResult QuantizeOp::verify() {
  if (shapeOf(getInput()) != shapeOf(getOutput()))
    return emitOpError("shape must not change");
  if (!getElementTypeOrSelf(getInput().getType()).isF32() ||
      !quantizedElementType(getOutput().getType()))
    return emitOpError("converts f32 to a quantized type");
  return verifyQuantizedTensor(*this, getOutput().getType());
}

LogicalResult DequantizeOp::verify() {
  if (shapeOf(getInput()) != shapeOf(getOutput()))
    return emitOpError("shape must not change");
  if (!quantizedElementType(getInput().getType()) ||
      !getElementTypeOrSelf(getOutput().getType()).isF32())
    return emitOpError("converts a quantized type to f32");
  return verifyQuantizedTensor(*this, getInput().getType());
}

LogicalResult RequantizeOp::verify() {
  if (shapeOf(getInput()) != shapeOf(getOutput()))
    return emitOpError("shape must not change");
  auto in = dyn_cast_or_null<quant::UniformQuantizedType>(
      quantizedElementType(getInput().getType()));
  auto out = dyn_cast_or_null<quant::UniformQuantizedType>(
      quantizedElementType(getOutput().getType()));
  if (!in || !out)
    return emitOpError("converts between per-tensor quantized types");
  return success();
}
