//===- BufferLiveness.cpp - Buffers of a function and their lifetimes -----===//

#include "passes/Analysis/BufferLiveness.h"
#include "compiler/eval/KernelParams.h"
#include "dialects/Tempo/IR/TempoOps.h"

#include "llvm/ADT/DenseMap.h"

using namespace mlir;
using namespace mlir::tempo;

FunctionBuffers mlir::tempo::collectBuffers(func::FuncOp func) {
  FunctionBuffers out;
  llvm::DenseMap<Value, size_t> index;
  auto add = [&](Value v, int64_t step) {
    index[v] = out.values.size();
    out.values.push_back(v);
    out.requests.push_back({tensorBytes(v.getType()), step, step});
  };
  for (BlockArgument arg : func.getArguments())
    add(arg, 0);
  int64_t step = 0;
  Block &body = func.getBody().front();
  for (Operation &op : body) {
    if (isa<mlir::tempo::ConstantOp>(op))
      continue;
    ++step;
    for (Value operand : op.getOperands()) {
      auto it = index.find(operand);
      if (it != index.end())
        out.requests[it->second].last = step;
    }
    if (!isa<func::ReturnOp>(op))
      for (Value result : op.getResults())
        add(result, step);
  }
  return out;
}

