//===- Report.cpp - Per-layer memory, work and cost report ----------------===//

#include "compiler/report/Report.h"
#include "compiler/eval/KernelParams.h"
#include "dialects/Tempo/IR/TempoOps.h"
#include "passes/Analysis/BufferLiveness.h"

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
          int64_t outs =
              int64_t(p.batch) * p.out_c * p.out_d * p.out_h * p.out_w;
          w.macs = outs * (p.in_c / p.groups) * p.k_d * p.k_h * p.k_w;
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
          w.compares = int64_t(p.batch) * p.channels * p.out_d * p.out_h *
                       p.out_w * p.k_d * p.k_h * p.k_w;
        } else if constexpr (std::is_same_v<P, tempo_reduce_params_t>) {
          w.compares = int64_t(p.outer) * p.inner;
        } else if constexpr (std::is_same_v<P, tempo_transpose_params_t>) {
          w.bytesMoved = int64_t(p.size) * eltBytes;
        } else if constexpr (std::is_same_v<P, tempo_concat_params_t>) {
          w.bytesMoved = int64_t(p.outer) * p.in_inner * eltBytes;
        } else if constexpr (std::is_same_v<P, tempo_copy_params_t>) {
          w.bytesMoved = p.bytes;
        } else if constexpr (std::is_same_v<P, tempo_chain_params_t>) {
          w.elements = int64_t(p.size) * p.num_steps;
          countActivation(p.act, p.size, w);
        } else if constexpr (std::is_same_v<P, tempo_math_params_t>) {
          w.elements = p.size;
          switch (p.op) {
          case TEMPO_MATH_EXP: case TEMPO_MATH_LOG: case TEMPO_MATH_ERF:
          case TEMPO_MATH_SIN: case TEMPO_MATH_COS: case TEMPO_MATH_ELU:
          case TEMPO_MATH_SELU: case TEMPO_MATH_CELU: case TEMPO_MATH_SOFTPLUS:
            w.transcendentals = p.size;
            break;
          default:
            break;
          }
        } else if constexpr (std::is_same_v<P, tempo_binary_math_params_t>) {
          w.elements = p.shape.size;
          if (p.op == TEMPO_BINARY_POW)
            w.transcendentals = p.shape.size;
        } else if constexpr (std::is_same_v<P, tempo_reduction_params_t> ||
                             std::is_same_v<P, tempo_arg_reduce_params_t>) {
          w.compares = int64_t(p.outer) * p.n * p.inner;
        } else if constexpr (std::is_same_v<P, tempo_layer_norm_params_t>) {
          // Mean, variance, normalise, scale, shift.
          w.elements = 5 * int64_t(p.outer) * p.n;
        } else if constexpr (std::is_same_v<P, tempo_strided_copy_params_t> ||
                             std::is_same_v<P, tempo_cast_params_t>) {
          w.bytesMoved = int64_t(p.size) * eltBytes;
        } else if constexpr (std::is_same_v<P, tempo_gather_params_t>) {
          w.bytesMoved = int64_t(p.outer) * p.m * p.inner * eltBytes;
        } else if constexpr (std::is_same_v<P, tempo_dft_params_t>) {
          // The direct form (the radix-2 path needs fewer): a complex
          // multiply-accumulate, two real MACs on real input, per term.
          w.macs = int64_t(p.outer) * p.inner * p.n_out * p.length *
                   (p.in_complex ? 4 : 2);
        } else if constexpr (std::is_same_v<P, tempo_stft_params_t>) {
          w.macs = int64_t(p.batch) * p.frames * p.n_out * p.frame_length *
                   (p.in_complex ? 4 : 2);
        } else if constexpr (std::is_same_v<P, tempo_lp_pool_params_t>) {
          const tempo_pool_params_t &q = p.pool;
          w.elements = int64_t(q.batch) * q.channels * q.out_h * q.out_w *
                       q.k_h * q.k_w;
          if (p.p > 2)
            w.transcendentals = w.elements;
        } else if constexpr (std::is_same_v<P, tempo_cumsum_params_t>) {
          w.elements = int64_t(p.outer) * p.n * p.inner;
        } else if constexpr (std::is_same_v<P, tempo_qconv_params_t>) {
          int64_t outs = int64_t(p.batch) * p.out_c * p.out_h * p.out_w;
          w.macs = outs * (p.in_c / p.groups) * p.k_h * p.k_w;
          w.elements = outs; // requantization
          if (p.pool != TEMPO_POOL_NONE)
            w.compares += outs;
        } else if constexpr (std::is_same_v<P, tempo_qfc_params_t>) {
          w.macs = int64_t(p.batch) * p.in_features * p.out_features;
          w.elements = int64_t(p.batch) * p.out_features;
        } else if constexpr (std::is_same_v<P, tempo_qmatmul_params_t>) {
          int64_t batch = 1;
          for (int i = 0; i < p.batch_rank; ++i)
            batch *= p.out_batch_dims[i];
          w.macs = batch * p.m * p.n * p.k;
          w.elements = batch * p.m * p.n;
        } else if constexpr (std::is_same_v<P, tempo_qbinary_params_t>) {
          w.elements = 3 * int64_t(p.size);
        } else if constexpr (std::is_same_v<P, tempo_qpool_params_t>) {
          w.compares = int64_t(p.batch) * p.channels * p.out_h * p.out_w *
                       p.k_h * p.k_w;
        } else if constexpr (std::is_same_v<P, tempo_qreduce_params_t>) {
          w.compares = int64_t(p.outer) * p.inner;
        } else if constexpr (std::is_same_v<P, tempo_qconcat_params_t>) {
          w.bytesMoved = int64_t(p.outer) * p.in_inner;
        } else if constexpr (std::is_same_v<P, tempo_requant_params_t> ||
                             std::is_same_v<P, tempo_qclamp_params_t> ||
                             std::is_same_v<P, tempo_lut_params_t> ||
                             std::is_same_v<P, tempo_quantize_params_t>) {
          w.elements = p.size;
        } else if constexpr (std::is_same_v<P, tempo_qsoftmax_params_t>) {
          w.elements = 3 * int64_t(p.outer) * p.n * p.inner;
        } else if constexpr (std::is_same_v<P, tempo_lstm_params_t> ||
                             std::is_same_v<P, tempo_gru_params_t> ||
                             std::is_same_v<P, tempo_rnn_params_t>) {
          // Gates per step: LSTM 4 (3 sigmoid + 2 tanh), GRU 3 (2 + 1), RNN 1.
          int64_t gates = std::is_same_v<P, tempo_lstm_params_t>  ? 4
                          : std::is_same_v<P, tempo_gru_params_t> ? 3
                                                                  : 1;
          int64_t acts = std::is_same_v<P, tempo_lstm_params_t>  ? 5
                         : std::is_same_v<P, tempo_gru_params_t> ? 3
                                                                 : 1;
          int64_t steps = int64_t(p.num_directions) * p.seq_len * p.batch;
          w.macs = steps * gates * p.hidden_size *
                   (int64_t(p.input_size) + p.hidden_size);
          w.transcendentals = steps * acts * p.hidden_size;
          w.elements = steps * 3 * gates * p.hidden_size;
        } else if constexpr (std::is_same_v<P, tempo_qlstm_params_t> ||
                             std::is_same_v<P, tempo_qrecurrent_params_t>) {
          // The int8 cells: the same dot products; per gate row two
          // requantizations and an add, per activation a table lookup.
          int64_t gates, acts;
          if constexpr (std::is_same_v<P, tempo_qlstm_params_t>) {
            gates = 4;
            acts = 5;
          } else {
            gates = k == "gru_s8" ? 3 : 1;
            acts = gates;
          }
          int64_t steps = int64_t(p.num_directions > 1 ? 2 : 1) * p.seq_len *
                          p.batch;
          w.macs = steps * gates * p.hidden_size *
                   (int64_t(p.input_size) + p.hidden_size);
          w.elements = steps * (3 * gates + acts) * p.hidden_size;
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
      if (constantInFlash(c))
        weightBytes += tensorBytes(c.getType());
      continue;
    }
    // Requantization and lookup tables live in flash beside the weights.
    int64_t tables = kernelTableBytes(&op);
    weightBytes += tables;
    if (isa<func::ReturnOp>(op))
      continue;
    // A view shares its operand's bytes and runs nothing.
    bool view = isa<ReshapeOp>(op) && op.hasAttr(kReusesAttr);
    FailureOr<WorkCounts> work = view ? WorkCounts() : countWork(&op);
    if (failed(work))
      return failure();
    total += *work;
    int64_t opWeights = tables;
    for (OpOperand &use : op.getOpOperands())
      if (auto c = use.get().getDefiningOp<ConstantOp>();
          c && !readsOperandAsTable(&op, use.getOperandNumber()))
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

  llvm::json::Object memory{{"arena_bytes", arena.getInt()},
                            {"arena_align", align.getInt()},
                            {"weight_bytes", weightBytes}};
  if (auto bound = func->getAttrOfType<IntegerAttr>(kLiveBoundAttr)) {
    // L: the most bytes alive at any step of the chosen schedule.
    memory["live_bound_bytes"] = bound.getInt();
    if (bound.getInt())
      memory["arena_over_bound_x1000"] =
          whole(1000.0 * arena.getInt() / double(bound.getInt()));
  }
  if (auto strategy = func->getAttrOfType<StringAttr>(kPlanStrategyAttr))
    memory["plan_strategy"] = strategy.str();
  if (auto raw = func->getAttrOfType<IntegerAttr>(kUnoptimizedBoundAttr)) {
    // The imported graph's own bound: every value its own buffer.
    memory["unoptimized_bound_bytes"] = raw.getInt();
    memory["saved_vs_unoptimized_bytes"] = raw.getInt() - arena.getInt();
    if (raw.getInt())
      memory["arena_over_unoptimized_x1000"] =
          whole(1000.0 * arena.getInt() / double(raw.getInt()));
  }
  // The model's inputs and outputs, with what firmware needs to feed a
  // quantized one (scale and zero point).
  auto ioList = [&](bool inputs) {
    llvm::json::Array list;
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    unsigned n = inputs ? func.getNumArguments() : func.getNumResults();
    for (unsigned i = 0; i < n; ++i) {
      Type t = inputs ? func.getArgumentTypes()[i] : func.getResultTypes()[i];
      auto name = inputs ? func.getArgAttrOfType<StringAttr>(i, kNameAttr)
                         : func.getResultAttrOfType<StringAttr>(i, kNameAttr);
      Value v = inputs ? Value(func.getArgument(i)) : ret.getOperand(i);
      llvm::json::Object o{{"name", name ? name.str() : ""},
                           {"type", typeString(t)},
                           {"bytes", tensorBytes(t)},
                           {"arena_offset", plannedOffset(v)}};
      if (auto q = dyn_cast_or_null<quant::UniformQuantizedType>(
              quantizedElementType(t))) {
        o["scale"] = q.getScale();
        o["zero_point"] = q.getZeroPoint();
      }
      list.push_back(std::move(o));
    }
    return list;
  };
  return llvm::json::Object{
      {"schema", "tempo.report/1"},
      {"inputs", ioList(true)},
      {"outputs", ioList(false)},
      {"tempoc_version", TEMPO_VERSION},
      {"model", llvm::json::Object{{"file", info.modelFile},
                                   {"digest", info.modelDigest},
                                   {"name", info.name}}},
      {"target", std::move(targetObj)},
      {"memory", std::move(memory)},
      {"estimate", std::move(estimate)},
      {"layers", std::move(layers)},
  };
}

/// A short name for a buffer's first value: the function argument's ONNX
/// name, or its op's location name.
static std::string valueName(func::FuncOp func, Value v) {
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), kNameAttr);
    return name ? name.str() : "arg" + std::to_string(arg.getArgNumber());
  }
  std::string name = locationName(v.getDefiningOp()->getLoc());
  return name.empty() ? v.getDefiningOp()->getName().getStringRef().str() : name;
}

FailureOr<llvm::json::Object> mlir::tempo::buildPlan(func::FuncOp func) {
  auto arena = func->getAttrOfType<IntegerAttr>(kArenaSizeAttr);
  auto bound = func->getAttrOfType<IntegerAttr>(kLiveBoundAttr);
  FailureOr<FunctionBuffers> buffers = collectBuffers(func);
  if (!arena || failed(buffers))
    return func.emitError("has no valid memory plan");
  std::vector<llvm::json::Array> members(buffers->requests.size());
  std::vector<int64_t> offsets(buffers->requests.size(), 0);
  for (auto [v, b] : llvm::zip(buffers->values, buffers->bufferOf)) {
    members[b].push_back(valueName(func, v));
    offsets[b] = plannedOffset(v);
  }
  llvm::json::Array list;
  for (size_t b = 0; b < buffers->requests.size(); ++b) {
    const BufferRequest &r = buffers->requests[b];
    list.push_back(llvm::json::Object{{"id", int64_t(b)},
                                      {"values", std::move(members[b])},
                                      {"offset", offsets[b]},
                                      {"bytes", r.size},
                                      {"first_step", r.first},
                                      {"last_step", r.last}});
  }
  llvm::json::Array steps;
  steps.push_back("(inputs)");
  for (Operation &op : func.getBody().front())
    if (!isa<ConstantOp>(op))
      steps.push_back(isa<func::ReturnOp>(op) ? std::string("(outputs)")
                                              : locationName(op.getLoc()));
  llvm::json::Object plan{{"schema", "tempo.plan/1"},
                          {"arena_bytes", arena.getInt()},
                          {"buffers", std::move(list)},
                          {"steps", std::move(steps)}};
  if (bound)
    plan["live_bound_bytes"] = bound.getInt();
  return plan;
}

LogicalResult mlir::tempo::printMemoryMap(llvm::raw_ostream &os,
                                          func::FuncOp func) {
  auto arena = func->getAttrOfType<IntegerAttr>(kArenaSizeAttr);
  FailureOr<FunctionBuffers> buffers = collectBuffers(func);
  if (!arena || failed(buffers))
    return func.emitError("has no valid memory plan");
  const int64_t width = 64, bytes = arena.getInt();
  const int64_t perColumn = std::max<int64_t>(1, (bytes + width - 1) / width);
  static const char kLetters[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  size_t n = buffers->requests.size();
  std::vector<int64_t> offsets(n, 0);
  std::vector<std::string> names(n);
  for (auto [v, b] : llvm::zip(buffers->values, buffers->bufferOf)) {
    offsets[b] = plannedOffset(v);
    if (names[b].empty())
      names[b] = valueName(func, v);
  }
  std::vector<std::string> stepNames = {"(inputs)"};
  for (Operation &op : func.getBody().front())
    if (!isa<ConstantOp>(op))
      stepNames.push_back(isa<func::ReturnOp>(op) ? "(outputs)"
                                                  : locationName(op.getLoc()));
  std::vector<int64_t> live(stepNames.size(), 0);
  for (size_t b = 0; b < n; ++b)
    for (int64_t s = buffers->requests[b].first;
         s <= buffers->requests[b].last && s < (int64_t)live.size(); ++s)
      live[s] += buffers->requests[b].size;
  int64_t peak = *std::max_element(live.begin(), live.end());
  os << "memory map (arena " << bytes << " bytes, one column = " << perColumn
     << " bytes; * = peak step)\n";
  os << "step  op                               live bytes  arena\n";
  for (size_t s = 0; s < stepNames.size(); ++s) {
    std::string bar(std::max<int64_t>(1, (bytes + perColumn - 1) / perColumn), '.');
    for (size_t b = 0; b < n; ++b) {
      const BufferRequest &r = buffers->requests[b];
      if ((int64_t)s < r.first || (int64_t)s > r.last || r.size == 0)
        continue;
      for (int64_t c = offsets[b] / perColumn;
           c <= (offsets[b] + r.size - 1) / perColumn && c < (int64_t)bar.size(); ++c)
        bar[c] = kLetters[b % (sizeof(kLetters) - 1)];
    }
    std::string name = stepNames[s].size() > 30
                           ? stepNames[s].substr(0, 27) + "..."
                           : stepNames[s];
    os << llvm::format("%4zu  %-30s %11lld %c |%s|\n", s, name.c_str(),
                       (long long)live[s], live[s] == peak ? '*' : ' ',
                       bar.c_str());
  }
  os << "buffers:";
  for (size_t b = 0; b < n; ++b)
    os << (b % 3 == 0 ? "\n  " : "   ") << kLetters[b % (sizeof(kLetters) - 1)]
       << " " << names[b] << " (" << buffers->requests[b].size << " B @ "
       << offsets[b] << ")";
  os << "\n";
  return success();
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
  if (mem) {
    os << "arena " << mem->getInteger("arena_bytes").value_or(0)
       << " bytes (RAM), weights " << mem->getInteger("weight_bytes").value_or(0)
       << " bytes (flash)";
    if (auto bound = mem->getInteger("live_bound_bytes"))
      os << "; live-set bound L " << *bound << " bytes, arena/L "
         << llvm::format("%.3f", mem->getInteger("arena_over_bound_x1000").value_or(0) / 1000.0);
    if (auto raw = mem->getInteger("unoptimized_bound_bytes"))
      os << "; unoptimized graph's L " << *raw << " bytes (arena is "
         << llvm::format("%.3f", mem->getInteger("arena_over_unoptimized_x1000").value_or(0) / 1000.0)
         << "x)";
    os << "\n";
  }
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
