//===- Report.cpp - Per-layer memory, work and cost report ----------------===//

#include "compiler/report/Report.h"
#include "compiler/eval/KernelParams.h"
#include "dialects/Tempo/IR/TempoOps.h"

#include "llvm/Support/Format.h"

#include <cmath>

using namespace mlir;
using namespace mlir::tempo;

WorkCounts &WorkCounts::operator+=(const WorkCounts &o) {
  macs += o.macs;
  elements += o.elements;
  transcendentals += o.transcendentals;
  compares += o.compares;
  bytesMoved += o.bytesMoved;
  kernelCalls += o.kernelCalls;
  return *this;
}

double WorkCounts::cycles(const CostModel &c) const {
  return macs * c.cyclesPerMac + elements * c.cyclesPerElement +
         transcendentals * c.cyclesPerTranscendental +
         compares * c.cyclesPerCompare + bytesMoved * c.cyclesPerByteMoved +
         kernelCalls * c.cyclesPerKernelCall;
}

/// Counts one kernel call from its parameters alone.
/// The cost of a fused activation over `n` outputs.
static void countActivation(const tempo_activation_params_t &a, int64_t n,
                            WorkCounts &w) {
  if (a.kind == TEMPO_ACT_NONE)
    return;
  w.elements += n;
  if (a.kind == TEMPO_ACT_SIGMOID || a.kind == TEMPO_ACT_TANH)
    w.transcendentals += n;
}

static WorkCounts countCall(const KernelCall &call, int64_t eltBytes) {
  WorkCounts w;
  w.kernelCalls = 1;
  std::visit(
      [&](const auto &p) {
        using P = std::decay_t<decltype(p)>;
        llvm::StringRef k = call.kernel;
        if constexpr (std::is_same_v<P, tempo_conv_params_t>) {
          int64_t outs = int64_t(p.batch) * p.out_c * p.out_h * p.out_w;
          w.macs = outs * (p.in_c / p.groups) * p.k_h * p.k_w;
          w.elements = p.has_bias ? outs : 0;
          countActivation(p.act, outs, w);
          if (p.pool != TEMPO_POOL_NONE)
            w.compares += int64_t(p.batch) * p.out_c * p.pooled_h *
                          p.pooled_w * p.pool_h * p.pool_w;
        } else if constexpr (std::is_same_v<P, tempo_gemm_params_t>) {
          w.macs = int64_t(p.m) * p.n * p.k;
          w.elements = int64_t(p.m) * p.n * (p.has_c ? 2 : 1);
          countActivation(p.act, int64_t(p.m) * p.n, w);
        } else if constexpr (std::is_same_v<P, tempo_matmul_params_t>) {
          int64_t batch = 1;
          for (int i = 0; i < p.batch_rank; ++i)
            batch *= p.out_batch_dims[i];
          w.macs = batch * p.m * p.n * p.k;
          countActivation(p.act, batch * p.m * p.n, w);
        } else if constexpr (std::is_same_v<P, tempo_batch_norm_params_t>) {
          w.elements = 2 * int64_t(p.batch) * p.channels * p.spatial;
        } else if constexpr (std::is_same_v<P, tempo_broadcast_params_t>) {
          w.elements = p.size;
          countActivation(p.act, p.size, w);
        } else if constexpr (std::is_same_v<P, tempo_channel_affine_params_t>) {
          w.elements = 2 * int64_t(p.batch) * p.channels * p.spatial;
        } else if constexpr (std::is_same_v<P, tempo_unary_params_t>) {
          w.elements = p.size;
          if (k == "sigmoid" || k == "tanh")
            w.transcendentals = p.size;
        } else if constexpr (std::is_same_v<P, tempo_softmax_params_t>) {
          int64_t n = int64_t(p.outer) * p.n * p.inner;
          w.transcendentals = n;
          w.elements = 3 * n;
        } else if constexpr (std::is_same_v<P, tempo_pool_params_t>) {
          w.compares = int64_t(p.batch) * p.channels * p.out_h * p.out_w *
                       p.k_h * p.k_w;
        } else if constexpr (std::is_same_v<P, tempo_reduce_params_t>) {
          w.compares = int64_t(p.outer) * p.inner;
        } else if constexpr (std::is_same_v<P, tempo_transpose_params_t>) {
          w.bytesMoved = int64_t(p.size) * eltBytes;
        } else if constexpr (std::is_same_v<P, tempo_concat_params_t>) {
          w.bytesMoved = int64_t(p.outer) * p.in_inner * eltBytes;
        } else if constexpr (std::is_same_v<P, tempo_copy_params_t>) {
          w.bytesMoved = p.bytes;
        }
      },
      call.params);
  return w;
}

FailureOr<WorkCounts> mlir::tempo::countWork(Operation *op) {
  FailureOr<std::vector<KernelCall>> calls = buildKernelCalls(op);
  if (failed(calls))
    return failure();
  int64_t eltBytes =
      elementBytes(getElementTypeOrSelf(op->getResult(0).getType()));
  WorkCounts total;
  for (const KernelCall &call : *calls)
    total += countCall(call, eltBytes);
  return total;
}

static std::string layerName(Operation *op) {
  return locationName(op->getLoc());
}

static std::string typeString(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

/// Estimates are whole numbers (cycles, nJ, us): stable and readable JSON.
static int64_t whole(double v) { return static_cast<int64_t>(std::llround(v)); }

FailureOr<llvm::json::Object>
mlir::tempo::buildReport(func::FuncOp func, const TargetDescription &target,
                         const ReportInfo &info) {
  auto arena = func->getAttrOfType<IntegerAttr>(kArenaSizeAttr);
  auto align = func->getAttrOfType<IntegerAttr>(kArenaAlignAttr);
  if (!arena || !align)
    return func.emitError("has no memory plan; cannot report");
  double pj = target.energyPjPerCycle.value_or(0);
  bool hasEnergy = target.energyPjPerCycle.has_value();
  bool hasClock = target.clockMhz.has_value();

  llvm::json::Array layers;
  WorkCounts total;
  int64_t weightBytes = 0;
  for (Operation &op : func.getBody().front()) {
    if (auto c = dyn_cast<ConstantOp>(op)) {
      if (!c->use_empty())
        weightBytes += tensorBytes(c.getType());
      continue;
    }
    if (isa<func::ReturnOp>(op))
      continue;
    // A view shares its operand's bytes and runs nothing.
    bool view = isa<ReshapeOp>(op) && op.hasAttr(kReusesAttr);
    FailureOr<WorkCounts> work = view ? WorkCounts() : countWork(&op);
    if (failed(work))
      return failure();
    total += *work;
    int64_t opWeights = 0;
    for (Value v : op.getOperands())
      if (auto c = v.getDefiningOp<ConstantOp>())
        opWeights += tensorBytes(c.getType());
    double cycles = work->cycles(target.cost);
    llvm::json::Object layer{
        {"name", layerName(&op)},
        {"op", op.getName().getStringRef().str()},
        {"output", typeString(op.getResult(0).getType())},
        {"output_bytes", tensorBytes(op.getResult(0).getType())},
        {"arena_offset", plannedOffset(op.getResult(0))},
        {"weight_bytes", opWeights},
        {"macs", work->macs},
        {"elementwise_ops", work->elements},
        {"transcendentals", work->transcendentals},
        {"compares", work->compares},
        {"bytes_moved", work->bytesMoved},
        {"estimated_cycles", whole(cycles)},
    };
    if (auto reuse = op.getAttrOfType<IntegerAttr>(kReusesAttr))
      layer[view ? "view_of_operand" : "in_place_over_operand"] = reuse.getInt();
    if (hasEnergy)
      layer["estimated_energy_nj"] = whole(cycles * pj * 1e-3);
    layers.push_back(std::move(layer));
  }

  double cycles = total.cycles(target.cost);
  llvm::json::Object estimate{
      {"macs", total.macs},
      {"elementwise_ops", total.elements},
      {"transcendentals", total.transcendentals},
      {"compares", total.compares},
      {"bytes_moved", total.bytesMoved},
      {"kernel_calls", total.kernelCalls},
      {"cycles", whole(cycles)},
  };
  if (hasEnergy)
    estimate["energy_nj"] = whole(cycles * pj * 1e-3);
  if (hasClock)
    estimate["latency_us"] = whole(cycles / double(*target.clockMhz));

  llvm::json::Object targetObj{{"name", target.name},
                               {"part", target.part},
                               {"align", target.align}};
  if (hasClock)
    targetObj["clock_mhz"] = *target.clockMhz;
  if (hasEnergy)
    targetObj["energy_pj_per_cycle"] = whole(pj);
  if (target.sramBytes)
    targetObj["sram_bytes"] = *target.sramBytes;
  if (target.flashBytes)
    targetObj["flash_bytes"] = *target.flashBytes;

  return llvm::json::Object{
      {"schema", "tempo.report/1"},
      {"tempoc_version", TEMPO_VERSION},
      {"model", llvm::json::Object{{"file", info.modelFile},
                                   {"digest", info.modelDigest},
                                   {"name", info.name}}},
      {"target", std::move(targetObj)},
      {"memory", llvm::json::Object{{"arena_bytes", arena.getInt()},
                                    {"arena_align", align.getInt()},
                                    {"weight_bytes", weightBytes}}},
      {"estimate", std::move(estimate)},
      {"layers", std::move(layers)},
  };
}

void mlir::tempo::printReportTable(llvm::raw_ostream &os,
                                   const llvm::json::Object &report) {
  const llvm::json::Array *layers = report.getArray("layers");
  os << "layer                  op                          out bytes         MACs    est. cycles\n";
  if (layers)
    for (const llvm::json::Value &v : *layers) {
      const llvm::json::Object *l = v.getAsObject();
      os << llvm::format("%-22s %-26s %10lld %12lld %14lld\n",
                         l->getString("name").value_or("").str().c_str(),
                         l->getString("op").value_or("").str().c_str(),
                         (long long)l->getInteger("output_bytes").value_or(0),
                         (long long)l->getInteger("macs").value_or(0),
                         (long long)l->getInteger("estimated_cycles").value_or(0));
    }
  const llvm::json::Object *mem = report.getObject("memory");
  const llvm::json::Object *est = report.getObject("estimate");
  if (mem)
    os << "arena " << mem->getInteger("arena_bytes").value_or(0)
       << " bytes (RAM), weights " << mem->getInteger("weight_bytes").value_or(0)
       << " bytes (flash)\n";
  if (est) {
    os << "estimate: " << est->getInteger("macs").value_or(0) << " MACs, "
       << est->getInteger("cycles").value_or(0) << " cycles";
    if (auto us = est->getInteger("latency_us"))
      os << llvm::format(", %.3f ms", *us / 1e3);
    if (auto nj = est->getInteger("energy_nj"))
      os << llvm::format(", %.3f uJ", *nj / 1e3);
    os << "\n";
  }
}
