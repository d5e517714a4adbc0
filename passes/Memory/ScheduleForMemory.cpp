//===- ScheduleForMemory.cpp - Order ops to lower peak live memory --------===//

#include "compiler/eval/KernelParams.h"
#include "passes/Analysis/BufferLiveness.h"
#include "passes/Passes.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir::tempo {
#define GEN_PASS_DEF_SCHEDULEFORMEMORYPASS
#include "passes/Passes.h.inc"
} // namespace mlir::tempo

using namespace mlir;
using namespace mlir::tempo;

namespace {

/// The live-set bound (no reuse) of running `order` after the arguments.
int64_t boundOf(func::FuncOp func, ArrayRef<Operation *> order) {
  llvm::DenseMap<Value, BufferRequest> live;
  for (BlockArgument arg : func.getArguments())
    live[arg] = {tensorBytes(arg.getType()), 0, 0};
  int64_t step = 0;
  for (Operation *op : order) {
    ++step;
    for (Value v : op->getOperands())
      if (auto it = live.find(v); it != live.end())
        it->second.last = step;
    for (Value r : op->getResults())
      live[r] = {tensorBytes(r.getType()), step, step};
  }
  ++step; // the return keeps the outputs alive to the end
  Operation *ret = func.getBody().front().getTerminator();
  for (Value v : ret->getOperands())
    if (auto it = live.find(v); it != live.end())
      it->second.last = step;
  std::vector<BufferRequest> requests;
  for (auto &[v, r] : live)
    requests.push_back(r);
  return liveSetBound(requests, 1);
}

struct ScheduleForMemoryPass final
    : public mlir::tempo::impl::ScheduleForMemoryPassBase<ScheduleForMemoryPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    Block &body = func.getBody().front();
    Operation *ret = body.getTerminator();
    SmallVector<Operation *> original;
    for (Operation &op : body)
      if (!isa<ConstantOp>(op) && &op != ret)
        original.push_back(&op);

    // Remaining readers of each value; returned values are never freed.
    llvm::DenseMap<Value, int64_t> readers;
    llvm::DenseSet<Value> returned(ret->getOperands().begin(),
                                   ret->getOperands().end());
    llvm::DenseMap<Operation *, int64_t> position, waiting;
    for (auto [i, op] : llvm::enumerate(original)) {
      position[op] = i;
      for (Value v : op->getOperands())
        ++readers[v];
    }
    // An op is ready when every operand produced by a scheduled-in-body op
    // is available.
    SmallVector<Operation *> ready, order;
    for (Operation *op : original) {
      int64_t deps = 0;
      for (Value v : op->getOperands())
        if (Operation *def = v.getDefiningOp(); def && position.count(def))
          ++deps;
      waiting[op] = deps;
      if (deps == 0)
        ready.push_back(op);
    }
    while (!ready.empty()) {
      // Net bytes: allocated by the op minus freed by its last reads.
      auto net = [&](Operation *op) {
        int64_t bytes = 0;
        for (Value r : op->getResults())
          bytes += tensorBytes(r.getType());
        SmallVector<Value, 4> seen;
        for (Value v : op->getOperands()) {
          if (llvm::is_contained(seen, v) || returned.count(v) ||
              v.getDefiningOp<ConstantOp>())
            continue;
          seen.push_back(v);
          int64_t uses = llvm::count(op->getOperands(), v);
          if (readers[v] == uses)
            bytes -= tensorBytes(v.getType());
        }
        return bytes;
      };
      auto best = std::min_element(ready.begin(), ready.end(),
                                   [&](Operation *a, Operation *b) {
                                     int64_t na = net(a), nb = net(b);
                                     if (na != nb)
                                       return na < nb;
                                     return position[a] < position[b];
                                   });
      Operation *op = *best;
      ready.erase(best);
      order.push_back(op);
      for (Value v : op->getOperands())
        --readers[v];
      for (Value r : op->getResults())
        for (Operation *user : r.getUsers())
          if (waiting.count(user) && --waiting[user] == 0)
            ready.push_back(user);
    }
    assert(order.size() == original.size() && "the body is not a DAG");

    int64_t before = boundOf(func, original), after = boundOf(func, order);
    Builder b(func.getContext());
    if (after < before) {
      for (Operation *op : order)
        op->moveBefore(ret);
      func->setAttr("tempo.schedule_bound", b.getI64IntegerAttr(after));
    } else {
      func->setAttr("tempo.schedule_bound", b.getI64IntegerAttr(before));
    }
  }
};

} // namespace
