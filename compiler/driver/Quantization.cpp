//===- Quantization.cpp - Calibration and the accuracy report -------------===//

#include "compiler/driver/Quantization.h"
#include "compiler/calibration/Progress.h"
#include "compiler/eval/Evaluator.h"
#include "compiler/eval/KernelParams.h"
#include "dialects/Tempo/IR/TempoOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/Format.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

using namespace mlir;
using namespace mlir::tempo;

namespace {

/// The key of a value in every transformed copy of the graph: its op's
/// tempo.id, or -1 - N for function argument N.
std::optional<int64_t> keyOf(Value v) {
  if (auto arg = dyn_cast<BlockArgument>(v))
    return -1 - (int64_t)arg.getArgNumber();
  if (Operation *op = v.getDefiningOp())
    if (auto id = op->getAttrOfType<IntegerAttr>(kOpIdAttr))
      return id.getInt();
  return std::nullopt;
}

func::FuncOp onlyFunc(ModuleOp module) {
  auto funcs = module.getOps<func::FuncOp>();
  return std::distance(funcs.begin(), funcs.end()) == 1 ? *funcs.begin()
                                                       : func::FuncOp();
}

/// A value's bytes as real numbers: f32 as is, per-tensor quantized values
/// dequantized; empty for anything else.
std::vector<float> realValues(Type type, const char *bytes) {
  auto shaped = cast<RankedTensorType>(type);
  int64_t n = shaped.getNumElements();
  std::vector<float> out;
  Type elt = shaped.getElementType();
  if (elt.isF32()) {
    out.resize(n);
    std::memcpy(out.data(), bytes, n * 4);
  } else if (auto q = dyn_cast<quant::UniformQuantizedType>(elt)) {
    int64_t eb = elementBytes(elt);
    out.resize(n);
    for (int64_t i = 0; i < n; ++i) {
      int64_t v = 0;
      if (eb == 1)
        v = q.isSigned() ? (int64_t) reinterpret_cast<const int8_t *>(bytes)[i]
                         : (int64_t) reinterpret_cast<const uint8_t *>(bytes)[i];
      else if (eb == 2)
        v = reinterpret_cast<const int16_t *>(bytes)[i];
      else
        v = reinterpret_cast<const int32_t *>(bytes)[i];
      out[i] = static_cast<float>(v - q.getZeroPoint()) *
               static_cast<float>(q.getScale());
    }
  }
  return out;
}

/// A planned copy of `module` for the evaluator, without fusion so every
/// op's result is observed.
FailureOr<OwningOpRef<ModuleOp>> plannedCopy(ModuleOp module,
                                             const TempoPipelineOptions &base) {
  OwningOpRef<ModuleOp> copy(cast<ModuleOp>(module->clone()));
  PassManager pm(module.getContext());
  TempoPipelineOptions options = base;
  options.fuse = false;
  buildTempoLoweringPipeline(pm, options);
  if (failed(pm.run(*copy)))
    return failure();
  return copy;
}

std::vector<InputSpec> inputSpecs(func::FuncOp func, std::string &error) {
  std::vector<InputSpec> specs;
  for (auto [i, t] : llvm::enumerate(func.getArgumentTypes())) {
    auto shaped = cast<RankedTensorType>(t);
    auto name = func.getArgAttrOfType<StringAttr>(i, kNameAttr);
    InputSpec s;
    s.name = name ? name.str() : "input" + std::to_string(i);
    // A QDQ model's int8 inputs take float data too (quantized as the
    // generated NAME_set_input_f32 does).
    if (!shaped.getElementType().isF32() &&
        !quantizedElementType(shaped.getElementType())) {
      error = "--quantize=int8 calibrates float32 inputs; input '" + s.name +
              "' is not float32";
      return {};
    }
    s.shape.assign(shaped.getShape().begin(), shaped.getShape().end());
    specs.push_back(s);
  }
  return specs;
}

/// The arguments' bytes for one sample (quantized arguments quantized).
std::vector<std::vector<char>> sampleBytes(func::FuncOp func,
                                           const CalibrationSample &s) {
  std::vector<std::vector<char>> out;
  for (auto [i, t] : llvm::enumerate(func.getArgumentTypes()))
    out.push_back(argumentBytes(t, s.inputs[i]));
  return out;
}

struct ErrorStats {
  double signal = 0, noise = 0, maxAbs = 0, sumAbs = 0;
  int64_t count = 0, argmaxSamples = 0, argmaxAgree = 0;
  std::string name, op, precision;
  void add(const std::vector<float> &ref, const std::vector<float> &got) {
    for (size_t i = 0; i < ref.size(); ++i) {
      double d = double(got[i]) - ref[i];
      signal += double(ref[i]) * ref[i];
      noise += d * d;
      maxAbs = std::max(maxAbs, std::fabs(d));
      sumAbs += std::fabs(d);
    }
    count += ref.size();
  }
  double sqnr() const {
    if (noise == 0)
      return 999.0;
    return std::min(999.0, 10.0 * std::log10(signal / noise));
  }
  llvm::json::Object json() const {
    llvm::json::Object o{{"name", name},
                         {"sqnr_db", std::round(sqnr() * 100) / 100},
                         {"max_abs_error", maxAbs},
                         {"mean_abs_error", count ? sumAbs / count : 0.0}};
    if (!op.empty())
      o["op"] = op;
    if (!precision.empty())
      o["precision"] = precision;
    if (argmaxSamples)
      o["argmax_agreement"] = double(argmaxAgree) / argmaxSamples;
    return o;
  }
};

/// The precision an op runs in, as the accuracy report names it: "int8",
/// "int16" (its result's storage), "int8-weights" (float compute on an int8
/// weight operand) or "float".
std::string precisionOf(Operation *op) {
  if (quant::QuantizedType q = quantizedElementType(op->getResult(0).getType()))
    return "int" + std::to_string(q.getStorageTypeIntegralWidth());
  for (Value v : op->getOperands())
    if (quant::QuantizedType q = quantizedElementType(v.getType()))
      if (v.getDefiningOp<ConstantOp>() && q.getStorageTypeIntegralWidth() == 8)
        return "int8-weights";
  return "float";
}

int64_t argmax(const std::vector<float> &v) {
  return std::max_element(v.begin(), v.end()) - v.begin();
}

} // namespace

std::vector<char> mlir::tempo::argumentBytes(Type type,
                                             const std::vector<float> &values) {
  auto shaped = cast<RankedTensorType>(type);
  std::vector<char> bytes(tensorBytes(shaped));
  auto q = dyn_cast<quant::UniformQuantizedType>(shaped.getElementType());
  if (!q) {
    std::memcpy(bytes.data(), values.data(),
                std::min(bytes.size(), values.size() * 4));
    return bytes;
  }
  // As tempo::quantize_linear: x / scale in float, round half to even.
  float scale = static_cast<float>(q.getScale());
  int64_t lo = q.getStorageTypeMin(), hi = q.getStorageTypeMax();
  for (size_t i = 0; i < values.size() && i < bytes.size(); ++i) {
    float v = values[i] / scale;
    int64_t r = std::isnan(v) ? 0 : (int64_t)std::nearbyint(
                                        std::max(-131072.0f, std::min(131072.0f, v)));
    int64_t s = std::min(hi, std::max(lo, r + q.getZeroPoint()));
    bytes[i] = static_cast<char>(static_cast<uint8_t>(s));
  }
  return bytes;
}

LogicalResult mlir::tempo::quantizeModule(ModuleOp module,
                                          const QuantizationOptions &options,
                                          llvm::json::Object &accuracy,
                                          std::string &error) {
  func::FuncOp func = onlyFunc(module);
  if (!func)
    return module.emitError("expects one function");
  MLIRContext *ctx = module.getContext();
  Builder b(ctx);

  // Number the ops so transformed copies can be matched.
  int64_t next = 0;
  for (Operation &op : func.getBody().front())
    if (!isa<ConstantOp, func::ReturnOp>(op))
      op.setAttr(kOpIdAttr, b.getI64IntegerAttr(next++));

  std::vector<InputSpec> specs = inputSpecs(func, error);
  // int8 weights alone read no data: any input type will do.
  if (!error.empty() && options.weightsOnly && options.validation.empty())
    error.clear();
  if (!error.empty())
    return failure();
  CalibrationOptions readOptions;
  readOptions.csvStride = options.csvStride;
  std::vector<CalibrationSample> samples;
  if (!options.weightsOnly) {
    if (!readCalibrationData(options.calibration, specs, readOptions, samples,
                             error))
      return failure();
    if (samples.empty()) {
      error = "the calibration data '" + options.calibration +
              "' holds no sample";
      return failure();
    }
  }

  // Calibration: the float model over every sample, one or two passes
  // (none for int8 weights alone: the weights need no data).
  FailureOr<OwningOpRef<ModuleOp>> ref = plannedCopy(module, options.pipeline);
  if (failed(ref))
    return failure();
  func::FuncOp refFunc = onlyFunc(**ref);
  std::map<int64_t, TensorStatistics> stats;
  std::map<int64_t, std::string> names;
  bool histogram = TensorStatistics::needsHistogram(options.method);
  if (!options.weightsOnly) {
    ProgressBar bar("calibrating", samples.size() * (histogram ? 2 : 1));
    for (int pass = 0; pass < (histogram ? 2 : 1); ++pass) {
      if (pass == 1)
        for (auto &[k, s] : stats)
          s.startHistogram();
      for (const CalibrationSample &s : samples) {
        auto observe = [&](Value v, const char *bytes) {
          std::optional<int64_t> key = keyOf(v);
          if (!key || !getElementTypeOrSelf(v.getType()).isF32())
            return;
          std::vector<float> values = realValues(v.getType(), bytes);
          TensorStatistics &st = stats[*key];
          if (pass == 0) {
            st.observeRange(values.data(), values.size());
            if (!names.count(*key))
              names[*key] = v.getDefiningOp()
                                ? locationName(v.getDefiningOp()->getLoc())
                                : specs[-1 - *key].name;
          } else {
            st.observeHistogram(values.data(), values.size());
          }
        };
        if (failed(evaluatePlannedFunction(refFunc, sampleBytes(refFunc, s),
                                           observe)))
          return failure();
        bar.advance();
      }
    }
  }
  for (auto &[key, st] : stats)
    if (st.nonFiniteCount()) {
      error = "calibration: tensor '" + names[key] + "' took " +
              std::to_string(st.nonFiniteCount()) +
              " non-finite values (NaN or infinity) on the calibration data";
      return failure();
    }

  // Record the ranges, then quantize.
  auto rangeAttr = [&](int64_t key) -> Attribute {
    auto it = stats.find(key);
    if (it == stats.end() || it->second.count() == 0)
      return {};
    auto [lo, hi] = it->second.range(options.method, options.percentile);
    return b.getDenseF32ArrayAttr({lo, hi});
  };
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    if (Attribute a = rangeAttr(-1 - (int64_t)i))
      func.setArgAttr(i, kCalibrationAttr, a);
  for (Operation &op : func.getBody().front())
    if (auto id = op.getAttrOfType<IntegerAttr>(kOpIdAttr))
      if (Attribute a = rangeAttr(id.getInt()))
        op.setAttr(kCalibrationAttr, a);

  PassManager pm(ctx);
  QuantizePassOptions qopts;
  qopts.keepFloat = options.keepFloat;
  qopts.int8Weights = options.int8Weights;
  qopts.int16 = options.int16;
  qopts.weightsOnly = options.weightsOnly;
  pm.nest<func::FuncOp>().addPass(createQuantizePass(qopts));
  pm.nest<func::FuncOp>().addPass(createCanonicalizerPass());
  if (failed(pm.run(module)))
    return failure();
  if (options.weightsOnly && options.validation.empty()) {
    // No data, no report.
    func.walk([](Operation *op) { op->removeAttr(kOpIdAttr); });
    return success();
  }

  // The accuracy report: float and quantized copies, unfused, side by side.
  std::vector<CalibrationSample> validation;
  if (!options.validation.empty()) {
    if (!readCalibrationData(options.validation, specs, readOptions,
                             validation, error))
      return failure();
  } else {
    validation = samples;
  }
  FailureOr<OwningOpRef<ModuleOp>> qref = plannedCopy(module, options.pipeline);
  if (failed(qref))
    return failure();
  func::FuncOp qFunc = onlyFunc(**qref);
  std::map<int64_t, ErrorStats> layers;
  std::vector<ErrorStats> outputs(qFunc.getNumResults());
  for (const CalibrationSample &s : validation) {
    std::map<int64_t, std::vector<float>> floats;
    auto observeFloat = [&](Value v, const char *bytes) {
      if (std::optional<int64_t> key = keyOf(v); key && *key >= 0)
        floats[*key] = realValues(v.getType(), bytes);
    };
    auto refOut =
        evaluatePlannedFunction(refFunc, sampleBytes(refFunc, s), observeFloat);
    if (failed(refOut))
      return failure();
    auto observeQuant = [&](Value v, const char *bytes) {
      std::optional<int64_t> key = keyOf(v);
      if (!key || *key < 0)
        return;
      auto it = floats.find(*key);
      std::vector<float> got = realValues(v.getType(), bytes);
      if (it == floats.end() || got.size() != it->second.size())
        return;
      ErrorStats &e = layers[*key];
      if (e.name.empty()) {
        e.name = locationName(v.getDefiningOp()->getLoc());
        e.op = v.getDefiningOp()->getName().getStringRef().str();
        e.precision = precisionOf(v.getDefiningOp());
      }
      e.add(it->second, got);
    };
    auto qOut =
        evaluatePlannedFunction(qFunc, sampleBytes(qFunc, s), observeQuant);
    if (failed(qOut))
      return failure();
    for (unsigned i = 0; i < qFunc.getNumResults(); ++i) {
      std::vector<float> want =
          realValues(refFunc.getResultTypes()[i], (*refOut)[i].data());
      std::vector<float> got =
          realValues(qFunc.getResultTypes()[i], (*qOut)[i].data());
      if (want.size() != got.size())
        continue;
      ErrorStats &e = outputs[i];
      if (e.name.empty()) {
        auto name = qFunc.getResultAttrOfType<StringAttr>(i, kNameAttr);
        e.name = name ? name.str() : "output" + std::to_string(i);
      }
      e.add(want, got);
      if (want.size() > 1) {
        ++e.argmaxSamples;
        e.argmaxAgree += argmax(want) == argmax(got);
      }
    }
  }
  std::vector<ErrorStats> sorted;
  for (auto &[k, e] : layers)
    sorted.push_back(e);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const ErrorStats &a, const ErrorStats &b) {
                     return a.sqnr() < b.sqnr();
                   });
  llvm::json::Array layerJson, outputJson;
  std::map<std::string, int64_t> byPrecision;
  for (const ErrorStats &e : sorted) {
    layerJson.push_back(e.json());
    ++byPrecision[e.precision];
  }
  llvm::json::Object precisions;
  for (const auto &[p, n] : byPrecision)
    precisions[p] = n;
  for (const ErrorStats &e : outputs)
    outputJson.push_back(e.json());
  accuracy = llvm::json::Object{
      {"schema", "tempo.accuracy/1"},
      {"quantize", options.weightsOnly ? "int8-weights" : "int8"},
      {"layer_precisions", std::move(precisions)},
      {"calibration_method", options.weightsOnly
                                 ? std::string("none")
                                 : calibrationMethodName(options.method).str()},
      {"calibration_samples", (int64_t)samples.size()},
      {"validation_samples", (int64_t)validation.size()},
      {"validation_data", options.validation.empty() ? options.calibration
                                                     : options.validation},
      {"outputs", std::move(outputJson)},
      {"layers", std::move(layerJson)},
  };
  // The ids have served their purpose.
  func.walk([](Operation *op) { op->removeAttr(kOpIdAttr); });
  return success();
}

//===----------------------------------------------------------------------===//
// QDQ models: the model's own types, no calibration
//===----------------------------------------------------------------------===//

/// The ops of `func` that carry a QDQ type (tempo.qtype) and are not the
/// quantize / dequantize / constant ops of the QDQ form itself.
static SmallVector<Operation *> qdqTypedOps(func::FuncOp func) {
  SmallVector<Operation *> ops;
  func.walk([&](Operation *op) {
    if (op->hasAttr(kQuantTypeAttr) &&
        !isa<QuantizeOp, DequantizeOp, ConstantOp, CastOp>(op))
      ops.push_back(op);
  });
  return ops;
}

bool mlir::tempo::hasQdqTypes(ModuleOp module) {
  for (auto func : module.getOps<func::FuncOp>())
    if (!qdqTypedOps(func).empty())
      return true;
  return false;
}

LogicalResult
mlir::tempo::quantizeQdqModule(ModuleOp module,
                               const std::vector<std::string> &keepFloat,
                               llvm::raw_ostream &notes) {
  PassManager pm(module.getContext());
  QuantizePassOptions qopts;
  qopts.keepFloat = keepFloat;
  pm.nest<func::FuncOp>().addPass(createQuantizePass(qopts));
  pm.nest<func::FuncOp>().addPass(createCanonicalizerPass());
  if (failed(pm.run(module)))
    return failure();
  // What tempo-quantize converted lost its tempo.qtype; what is left stays
  // float between a dequantize and a quantize.
  for (auto func : module.getOps<func::FuncOp>()) {
    SmallVector<Operation *> left = qdqTypedOps(func);
    if (left.empty())
      continue;
    notes << "tempoc: note: " << left.size()
          << " op(s) in QDQ form stay float between dequantize and quantize "
             "(no int8 kernel):";
    for (Operation *op : left)
      notes << " " << locationName(op->getLoc()) << " ("
            << op->getName().getStringRef() << ")";
    notes << "\n";
  }
  return success();
}

void mlir::tempo::printAccuracyTable(llvm::raw_ostream &os,
                                     const llvm::json::Object &accuracy) {
  if (accuracy.getString("quantize").value_or("int8") == "int8-weights")
    os << "int8-weights accuracy on "
       << accuracy.getInteger("validation_samples").value_or(0)
       << " sample(s) (int8 weights, float compute, vs float):\n";
  else
    os << "int8 accuracy on "
       << accuracy.getInteger("validation_samples").value_or(0)
       << " sample(s) (quantized vs float; calibration "
       << accuracy.getString("calibration_method").value_or("") << " on "
       << accuracy.getInteger("calibration_samples").value_or(0)
       << " sample(s)):\n";
  auto row = [&](const llvm::json::Value &v, bool output) {
    const llvm::json::Object *o = v.getAsObject();
    std::string line;
    llvm::raw_string_ostream ls(line);
    ls << llvm::format("  %-8s %-28s %-12s %9.2f dB  max %-10.4g mean %-10.4g",
                       output ? "output" : "layer",
                       o->getString("name").value_or("").str().c_str(),
                       o->getString("precision").value_or("").str().c_str(),
                       o->getNumber("sqnr_db").value_or(0),
                       o->getNumber("max_abs_error").value_or(0),
                       o->getNumber("mean_abs_error").value_or(0));
    if (auto agree = o->getNumber("argmax_agreement"))
      ls << llvm::format("  argmax agrees %.1f%%", *agree * 100);
    os << llvm::StringRef(line).rtrim() << "\n";
  };
  if (const llvm::json::Array *outs = accuracy.getArray("outputs"))
    for (const llvm::json::Value &v : *outs)
      row(v, true);
  if (const llvm::json::Array *layers = accuracy.getArray("layers"))
    for (const llvm::json::Value &v : *layers)
      row(v, false);
}
