//===- BufferLiveness.cpp - Buffers of a function and their lifetimes -----===//

#include "passes/Analysis/BufferLiveness.h"
#include "compiler/eval/KernelParams.h"
#include "dialects/Tempo/IR/TempoOps.h"

#include "llvm/ADT/DenseMap.h"

using namespace mlir;
using namespace mlir::tempo;

/// The conv shapes tempo::conv computes over its own input (kernels.h:
/// convPointwiseInPlace, convDepthwiseInPlace), with the same limits.
static bool convRunsInPlace(ConvOp conv) {
  auto x = cast<RankedTensorType>(conv.getInput().getType());
  auto w = cast<RankedTensorType>(conv.getWeight().getType());
  auto y = cast<RankedTensorType>(conv.getType());
  if (!x.getElementType().isF32() || x.getDimSize(0) != 1 ||
      conv.getPool() != "none")
    return false;
  auto ones = [](ArrayRef<int64_t> v) {
    return llvm::all_of(v, [](int64_t d) { return d == 1; });
  };
  auto zeros = [](ArrayRef<int64_t> v) {
    return llvm::all_of(v, [](int64_t d) { return d == 0; });
  };
  int64_t inC = x.getDimSize(1), outC = y.getDimSize(1);
  ArrayRef<int64_t> k = w.getShape().drop_front(2);
  // Pointwise: 1x1, stride 1, unpadded, one group, out_c <= in_c <= 64.
  if (ones(k) && ones(conv.getStrides()) && zeros(conv.getPads()) &&
      conv.getGroup() == 1 && outC <= inC && inC <= 64)
    return true;
  // 1-D depthwise, stride and dilation 1, output as wide as the input.
  return x.getRank() == 3 && static_cast<int64_t>(conv.getGroup()) == inC && outC == inC &&
         ones(conv.getStrides()) && ones(conv.getDilations()) &&
         k[0] <= 16 && y.getDimSize(2) == x.getDimSize(2);
}

ReuseKind mlir::tempo::reuseKind(Operation *op, unsigned i) {
  if (i >= op->getNumOperands() || op->getNumResults() != 1)
    return ReuseKind::None;
  Value operand = op->getOperand(i), result = op->getResult(0);
  // Constants live in flash, never in the arena.
  if (operand.getDefiningOp<ConstantOp>())
    return ReuseKind::None;
  if (isa<ReshapeOp>(op))
    return ReuseKind::View;
  if (auto conv = dyn_cast<ConvOp>(op))
    return i == 0 && convRunsInPlace(conv) ? ReuseKind::InPlace
                                           : ReuseKind::None;
  // In place: the kernel reads element k of the operand before writing
  // element k of the result, and both have the same type.
  if (operand.getType() != result.getType())
    return ReuseKind::None;
  if (isa<ReluOp, SigmoidOp, TanhOp, LeakyReluOp, ClipOp, SoftmaxOp>(op))
    return ReuseKind::InPlace;
  if (isa<BatchNormOp, ChannelAffineOp>(op) && i == 0)
    return ReuseKind::InPlace;
  if (isa<AddOp, SubOp, MulOp, DivOp, ElementwiseChainOp>(op))
    return ReuseKind::InPlace;
  return ReuseKind::None;
}

namespace {

/// Walks a function in op order, tracking the lifetime of every value and
/// the buffer classes formed by reuses so far.
class LivenessWalk {
public:
  explicit LivenessWalk(func::FuncOp func) : func(func) {
    // Last use of every value first: in-place legality needs it.
    int64_t step = 0;
    for (BlockArgument arg : func.getArguments())
      add(arg, 0);
    for (Operation &op : func.getBody().front()) {
      if (isa<ConstantOp>(op))
        continue;
      ++step;
      stepOf[&op] = step;
      for (Value operand : op.getOperands())
        if (auto it = index.find(operand); it != index.end()) {
          lastUse[operand] = step;
          classLast[it->second] = step;
        }
      if (!isa<func::ReturnOp>(op))
        for (Value result : op.getResults())
          add(result, step);
    }
    lastStep = step;
  }

  /// The latest step at which any value already in `v`'s class is read.
  int64_t classLastUse(Value v) { return classLast[find(index.lookup(v))]; }

  /// Whether `op` may keep its result in operand i's buffer.
  bool canReuse(Operation *op, unsigned i, std::string *why = nullptr) {
    ReuseKind kind = reuseKind(op, i);
    if (kind == ReuseKind::None) {
      if (why)
        *why = "this op cannot share operand " + std::to_string(i) +
               "'s buffer";
      return false;
    }
    if (kind == ReuseKind::InPlace &&
        classLastUse(op->getOperand(i)) > stepOf.lookup(op)) {
      if (why)
        *why = "operand " + std::to_string(i) +
               "'s buffer is still read after this op overwrites it";
      return false;
    }
    return true;
  }

  void merge(Operation *op, unsigned i) {
    size_t a = find(index.lookup(op->getOperand(i)));
    size_t b = find(index.lookup(op->getResult(0)));
    // The earlier value leads, so buffers are numbered in op order.
    if (b < a)
      std::swap(a, b);
    parent[b] = a;
    classLast[a] = std::max(classLast[a], classLast[b]);
  }

  FunctionBuffers finish() {
    FunctionBuffers out;
    out.lastStep = lastStep;
    llvm::DenseMap<size_t, size_t> bufferOfLeader;
    for (Value v : order) {
      size_t leader = find(index.lookup(v));
      auto [it, inserted] = bufferOfLeader.try_emplace(leader, out.requests.size());
      if (inserted)
        out.requests.push_back({0, born.lookup(v), born.lookup(v)});
      BufferRequest &r = out.requests[it->second];
      r.size = std::max(r.size, tensorBytes(v.getType()));
      r.first = std::min(r.first, born.lookup(v));
      r.last = std::max({r.last, born.lookup(v), lastUse.lookup(v)});
      out.values.push_back(v);
      out.bufferOf.push_back(it->second);
    }
    return out;
  }

  func::FuncOp func;
  llvm::DenseMap<Operation *, int64_t> stepOf;

private:
  void add(Value v, int64_t step) {
    index[v] = order.size();
    order.push_back(v);
    born[v] = step;
    parent.push_back(parent.size());
    classLast.push_back(step);
  }

  size_t find(size_t i) {
    while (parent[i] != i)
      i = parent[i] = parent[parent[i]];
    return i;
  }

  std::vector<Value> order;
  llvm::DenseMap<Value, size_t> index;
  llvm::DenseMap<Value, int64_t> born, lastUse;
  std::vector<size_t> parent;     ///< union-find over value indices
  std::vector<int64_t> classLast; ///< per class leader: last read step
  int64_t lastStep = 0;
};

} // namespace

FailureOr<FunctionBuffers> mlir::tempo::collectBuffers(func::FuncOp func) {
  LivenessWalk walk(func);
  for (Operation &op : func.getBody().front()) {
    auto reuse = op.getAttrOfType<IntegerAttr>(kReusesAttr);
    if (!reuse)
      continue;
    std::string why;
    if (!walk.canReuse(&op, reuse.getInt(), &why))
      return op.emitOpError("cannot keep its result in operand ")
             << reuse.getInt() << "'s buffer: " << why;
    walk.merge(&op, reuse.getInt());
  }
  return walk.finish();
}

int64_t mlir::tempo::markReuses(func::FuncOp func) {
  LivenessWalk walk(func);
  Builder b(func.getContext());
  int64_t marked = 0;
  for (Operation &op : func.getBody().front()) {
    op.removeAttr(kReusesAttr);
    for (unsigned i = 0; i < op.getNumOperands(); ++i) {
      if (!walk.canReuse(&op, i))
        continue;
      op.setAttr(kReusesAttr, b.getI64IntegerAttr(i));
      walk.merge(&op, i);
      ++marked;
      break;
    }
  }
  return marked;
}

FunctionBuffers mlir::tempo::collectPlainBuffers(func::FuncOp func) {
  return LivenessWalk(func).finish();
}
