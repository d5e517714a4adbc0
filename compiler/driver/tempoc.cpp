//===- tempoc.cpp - The Tempo compiler driver -----------------------------===//
//
//   tempoc compile MODEL.onnx -o DIR [--name NAME] [--emit=cpp|mlir] ...
//   tempoc run MODEL.onnx --input X.pb ... [-o DIR] ...
//   tempoc measure MODEL.onnx --target NAME [-o DIR] ...
//
// Exit codes: 0 success; 1 the model cannot be compiled (invalid or
// unsupported model, failed pass), reported at the ONNX node at fault;
// 2 bad command line; 3 an input or output file cannot be read or written.
// On any failure no output file is left behind.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/Measure.h"
#include "compiler/eval/Evaluator.h"
#include "compiler/eval/KernelParams.h"
#include "compiler/import/OnnxImporter.h"
#include "dialects/Tempo/IR/TempoOps.h"
#include "compiler/report/Report.h"
#include "compiler/driver/Quantization.h"
#include "passes/Analysis/BufferLiveness.h"
#include "passes/Passes.h"
#include "targets/Cpp/CppEmitter.h"
#include "targets/Target.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>
#include <map>

using namespace mlir;

namespace {

enum ExitCode { kOk = 0, kModelError = 1, kUsageError = 2, kIoError = 3 };

const char *kUsage = R"(usage: tempoc <command> [options]

Commands:
  compile MODEL -o DIR     compile an ONNX model (or tempo .mlir) to C++
  run MODEL --input X.pb   evaluate the model with the reference kernels
  measure MODEL --target T build the generated code for target T and run it:
                           natively for host (median wall time), under QEMU
                           for Cortex-M (exact instruction count, flash, RAM,
                           stack); prints the per-layer report with the
                           measured figures beside the estimates

Options:
  -o DIR                   output directory (compile: required; run: write
                           output_<i>.pb files there instead of printing)
  --name NAME              C identifier prefix of the generated API
                           (default: the model file's stem)
  --emit=cpp|mlir|mlir-import
                           what compile writes (default cpp: NAME.h, NAME.cpp;
                           mlir: NAME.mlir, the planned IR; mlir-import: the
                           IR as imported, before any pass). With -o - the
                           MLIR forms go to standard output.
  --input-shape NAME=DIMS  give graph input NAME the static shape DIMS,
                           e.g. --input-shape x=1x3x128 (repeatable)
  --freeze-input NAME=PB   replace graph input NAME by the constant tensor in
                           the TensorProto file PB (repeatable)
  --input X.pb             run: a TensorProto per graph input, in order
  --align N                arena buffer alignment in bytes (default 16)
  --target NAME            the target: host (default), cortex-m0plus,
                           cortex-m4f, cortex-m7, cortex-m33, cortex-m55; sets
                           the default alignment and the report's cost model
  --target-file FILE.json  a target description of your own (see
                           targets/descriptions/README.md)
  --report                 compile: also write NAME.report.json (per-layer
                           RAM, flash, MACs, estimated cycles and energy)
  --no-fusion              skip the graph optimisations (batch-norm folding,
                           activation and pooling fusion)
  --no-in-place            give every value a buffer of its own (no views,
                           no in-place ops)
  --quantize=int8          integer-only int8 inference (docs/quantization.md):
                           int8 weights per output channel, int8 activations
                           from calibration, int8 model inputs and outputs
  --quantize=int8-weights  int8 weights (per output channel, with a float
                           scale table) on every conv, gemm and matmul with
                           a constant operand; float activations and compute;
                           no calibration data
  --calibration DATA       the data --quantize=int8 calibrates on: a folder
                           of test_data_set_*/input_*.pb, .npy/.npz files or
                           CSV sensor logs (one row per time step)
  --calibration-method M   minmax (default), percentile or mse
  --calibration-percentile P
                           the percentile method's P (default 99.99)
  --calibration-stride N   CSV rows between windows (default: the window)
  --validation DATA        data for the accuracy report (default: the
                           calibration data; with int8-weights: no report
                           unless given)
  --keep-float NODE,...    ONNX nodes that stay float (weights included)
  --int8-weights NODE,...  with --quantize=int8: ONNX nodes that compute in
                           float on int8 weights instead of int8 activations
  --int16 NODE,...         with --quantize=int8: ONNX nodes that run with
                           int16 activations (16x8: int8 weights, int64
                           accumulators), requantized to/from int8 neighbours
  --opt Os|O2              measure: optimisation level (default Os)
  --runs N                 measure on host: timed runs (default 201)
  --help, --version

Exit codes: 0 success, 1 model error (reported at the ONNX node),
2 usage error, 3 file error. Nothing is written on failure.
)";

struct Options {
  std::string command, model, outDir, name, emit = "cpp", target = "host";
  std::string targetFile, opt = "Os";
  int64_t align = 0; // 0: the target's
  int runs = 201;
  bool report = false, fuse = true, inPlace = true;
  std::string quantize;
  mlir::tempo::QuantizationOptions quant;
  mlir::tempo::LoadOptions load;
  std::vector<std::string> inputs;
};

int usageError(const llvm::Twine &msg) {
  llvm::errs() << "tempoc: error: " << msg << "\n"
               << "run 'tempoc --help' for usage\n";
  return kUsageError;
}

bool parseDims(llvm::StringRef text, std::vector<int64_t> &dims) {
  llvm::SmallVector<llvm::StringRef> parts;
  text.split(parts, 'x');
  for (llvm::StringRef p : parts) {
    int64_t d;
    if (p.getAsInteger(10, d) || d < 1)
      return false;
    dims.push_back(d);
  }
  return !dims.empty();
}

/// Appends the comma-separated node names of a per-layer option.
void splitNames(llvm::StringRef text, std::vector<std::string> &out) {
  llvm::SmallVector<llvm::StringRef> names;
  text.split(names, ',', -1, false);
  for (llvm::StringRef n : names)
    out.push_back(n.trim().str());
}

/// Checks the per-layer precision options against each other and the
/// mode; returns -1 or the exit code.
int checkPrecisionOptions(const Options &o) {
  const mlir::tempo::QuantizationOptions &q = o.quant;
  if (o.quantize == "int8" && q.calibration.empty())
    return usageError("--quantize=int8 needs --calibration DATA");
  if (o.quantize == "int8-weights") {
    if (!q.calibration.empty())
      return usageError("--quantize=int8-weights needs no calibration data "
                        "(the weights are quantized from their own values); "
                        "drop --calibration, or give --validation DATA for "
                        "the accuracy report");
    if (!q.int16.empty() || !q.int8Weights.empty())
      return usageError(
          llvm::Twine(q.int16.empty() ? "--int8-weights" : "--int16") +
          " applies with --quantize=int8 (with --quantize=int8-weights "
          "every conv, gemm and matmul already has int8 weights and float "
          "activations)");
  }
  // A node takes one precision.
  std::map<std::string, const char *> seen;
  for (auto [flag, names] :
       {std::make_pair("--keep-float", &q.keepFloat),
        std::make_pair("--int8-weights", &q.int8Weights),
        std::make_pair("--int16", &q.int16)})
    for (const std::string &n : *names) {
      auto [it, inserted] = seen.try_emplace(n, flag);
      if (!inserted && llvm::StringRef(it->second) != flag)
        return usageError("node '" + n + "' is named in both " + it->second +
                          " and " + flag + "; give each node one precision");
    }
  return -1;
}

/// Every node name in `names` must name a node of the imported model (an
/// op's location; fused ops carry "a+b"). Returns -1 or the exit code.
int checkNodeNames(const Options &o, ModuleOp module) {
  llvm::StringSet<> known;
  module.walk([&](Operation *op) {
    std::string name = mlir::tempo::locationName(op->getLoc());
    llvm::SmallVector<llvm::StringRef> parts;
    llvm::StringRef(name).split(parts, '+');
    for (llvm::StringRef p : parts)
      if (!p.empty())
        known.insert(p);
  });
  const mlir::tempo::QuantizationOptions &q = o.quant;
  for (auto [flag, names] :
       {std::make_pair("--keep-float", &q.keepFloat),
        std::make_pair("--int8-weights", &q.int8Weights),
        std::make_pair("--int16", &q.int16)}) {
    std::vector<std::string> unknown;
    for (const std::string &n : *names)
      if (!known.contains(n))
        unknown.push_back("'" + n + "'");
    if (!unknown.empty()) {
      llvm::errs() << "tempoc: error: " << flag << ": the model has no node "
                   << "named " << llvm::join(unknown, ", ") << "\n";
      return kUsageError;
    }
  }
  return -1;
}

/// Parses argv; returns -1 on success or the exit code to return.
int parseArgs(int argc, char **argv, Options &o) {
  if (argc < 2)
    return usageError("no command given");
  llvm::StringRef first = argv[1];
  if (first == "--help" || first == "-h") {
    llvm::outs() << kUsage;
    return kOk;
  }
  if (first == "--version") {
    llvm::outs() << "tempoc " << TEMPO_VERSION << " (MLIR "
                 << LLVM_VERSION_STRING << ", ONNX opset "
                 << mlir::tempo::kTargetOpset << ")\n";
    return kOk;
  }
  o.command = first.str();
  if (o.command != "compile" && o.command != "run" && o.command != "measure")
    return usageError("unknown command '" + o.command + "'");
  for (int i = 2; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    auto value = [&](llvm::StringRef flag, std::string &out) -> bool {
      if (arg == flag) {
        if (i + 1 >= argc)
          return false;
        out = argv[++i];
        return true;
      }
      if (arg.starts_with(flag.str() + "=")) {
        out = arg.drop_front(flag.size() + 1).str();
        return true;
      }
      return false;
    };
    std::string v;
    if (arg == "--help" || arg == "-h") {
      llvm::outs() << kUsage;
      return kOk;
    } else if (value("-o", v)) {
      o.outDir = v;
    } else if (value("--name", v)) {
      o.name = v;
    } else if (value("--emit", v)) {
      if (v != "cpp" && v != "mlir" && v != "mlir-import")
        return usageError("--emit takes cpp, mlir or mlir-import, got '" + v +
                          "'");
      o.emit = v;
    } else if (value("--target-file", v)) {
      o.targetFile = v;
    } else if (value("--target", v)) {
      o.target = v;
    } else if (arg == "--report") {
      o.report = true;
    } else if (arg == "--no-fusion") {
      o.fuse = false;
    } else if (arg == "--no-in-place") {
      o.inPlace = false;
    } else if (value("--quantize", v)) {
      if (v != "int8" && v != "int8-weights")
        return usageError("--quantize takes int8 or int8-weights, got '" + v +
                          "'");
      o.quantize = v;
      o.quant.weightsOnly = v == "int8-weights";
    } else if (value("--calibration-method", v)) {
      if (!mlir::tempo::parseCalibrationMethod(v, o.quant.method))
        return usageError("--calibration-method takes minmax, percentile or "
                          "mse, got '" + v + "'");
    } else if (value("--calibration-percentile", v)) {
      if (llvm::StringRef(v).getAsDouble(o.quant.percentile) ||
          !(o.quant.percentile >= 50.0 && o.quant.percentile <= 100.0))
        return usageError("--calibration-percentile takes a number in "
                          "[50, 100], got '" + v + "'");
    } else if (value("--calibration-stride", v)) {
      if (llvm::StringRef(v).getAsInteger(10, o.quant.csvStride) ||
          o.quant.csvStride < 1)
        return usageError("--calibration-stride takes a positive integer, "
                          "got '" + v + "'");
    } else if (value("--calibration", v)) {
      o.quant.calibration = v;
    } else if (value("--validation", v)) {
      o.quant.validation = v;
    } else if (value("--keep-float", v)) {
      splitNames(v, o.quant.keepFloat);
    } else if (value("--int8-weights", v)) {
      splitNames(v, o.quant.int8Weights);
    } else if (value("--int16", v)) {
      splitNames(v, o.quant.int16);
    } else if (value("--opt", v)) {
      if (v != "Os" && v != "O2")
        return usageError("--opt takes Os or O2, got '" + v + "'");
      o.opt = v;
    } else if (value("--runs", v)) {
      if (llvm::StringRef(v).getAsInteger(10, o.runs) || o.runs < 1 ||
          o.runs > 10001)
        return usageError("--runs takes 1..10001, got '" + v + "'");
    } else if (value("--align", v)) {
      if (llvm::StringRef(v).getAsInteger(10, o.align) || o.align < 1 ||
          (o.align & (o.align - 1)))
        return usageError("--align takes a power of two, got '" + v + "'");
    } else if (value("--input", v)) {
      o.inputs.push_back(v);
    } else if (value("--input-shape", v) || value("--freeze-input", v)) {
      bool shape = arg.starts_with("--input-shape");
      auto [name, rhs] = llvm::StringRef(v).split('=');
      if (name.empty() || rhs.empty())
        return usageError(llvm::Twine(shape ? "--input-shape" : "--freeze-input") +
                          " takes NAME=" + (shape ? "DIMS" : "FILE.pb") +
                          ", got '" + v + "'");
      if (shape) {
        std::vector<int64_t> dims;
        if (!parseDims(rhs, dims))
          return usageError("--input-shape " + name +
                            ": dims must be positive integers joined by 'x', "
                            "e.g. 1x3x128; got '" + rhs + "'");
        o.load.inputShapes[name.str()] = dims;
      } else {
        o.load.freezeInputs[name.str()] = rhs.str();
      }
    } else if (arg.starts_with("-")) {
      return usageError("unknown option '" + arg + "'");
    } else if (o.model.empty()) {
      o.model = arg.str();
    } else {
      return usageError("unexpected argument '" + arg + "'");
    }
  }
  if (o.model.empty())
    return usageError("no model given");
  if (o.quantize.empty() && (!o.quant.calibration.empty() ||
                             !o.quant.validation.empty() ||
                             !o.quant.keepFloat.empty() ||
                             !o.quant.int8Weights.empty() ||
                             !o.quant.int16.empty()))
    return usageError("--calibration, --validation, --keep-float, "
                      "--int8-weights and --int16 apply with --quantize=int8 "
                      "(or int8-weights) only");
  if (int rc = checkPrecisionOptions(o); rc >= 0)
    return rc;
  if (o.command == "compile" && o.outDir.empty())
    return usageError("compile needs -o DIR");
  if (o.command != "compile" && o.emit != "cpp")
    return usageError("--emit applies to compile only");
  if (o.outDir == "-" && (o.command != "compile" || o.emit == "cpp"))
    return usageError("-o - (standard output) works with --emit=mlir and "
                      "--emit=mlir-import only");
  if (o.name.empty())
    o.name = llvm::sys::path::stem(o.model).str();
  // The name becomes a C identifier prefix.
  for (char &c : o.name)
    if (!llvm::isAlnum(c) && c != '_')
      c = '_';
  if (llvm::isDigit(o.name[0]))
    o.name = "_" + o.name;
  return -1;
}

/// Prints diagnostics as "tempoc: error: NODE: message", notes indented.
void printDiagnostic(Diagnostic &diag) {
  llvm::raw_ostream &os = llvm::errs();
  const char *sev = diag.getSeverity() == DiagnosticSeverity::Error ? "error"
                    : diag.getSeverity() == DiagnosticSeverity::Warning
                        ? "warning"
                    : diag.getSeverity() == DiagnosticSeverity::Remark
                        ? "remark"
                        : "note";
  os << "tempoc: " << sev << ": ";
  Location loc = diag.getLocation();
  std::string name = mlir::tempo::locationName(loc);
  if (!name.empty())
    os << name << ": ";
  else if (auto file = dyn_cast<FileLineColLoc>(loc))
    os << file.getFilename().getValue() << ":" << file.getLine() << ":"
       << file.getColumn() << ": ";
  os << diag.str() << "\n";
  for (Diagnostic &note : diag.getNotes())
    printDiagnostic(note);
}

/// Imports (ONNX) or parses (.mlir) the model into a module with one func.
OwningOpRef<ModuleOp> loadModule(MLIRContext &ctx, const Options &o,
                                 mlir::tempo::LoadedModel &loaded, int &exitCode) {
  if (llvm::StringRef(o.model).ends_with(".mlir")) {
    if (!o.load.freezeInputs.empty() || !o.load.inputShapes.empty()) {
      exitCode = usageError("--freeze-input and --input-shape apply to ONNX "
                            "models only");
      return nullptr;
    }
    llvm::SourceMgr sm;
    auto module = parseSourceFile<ModuleOp>(o.model, sm, &ctx);
    exitCode = module ? kOk : kModelError;
    loaded.digest = mlir::tempo::fileDigest(o.model);
    return module;
  }
  std::string error;
  if (!mlir::tempo::loadOnnxModel(o.model, o.load, loaded, error)) {
    llvm::errs() << "tempoc: error: " << error << "\n";
    exitCode = error.rfind("cannot read", 0) == 0 ? kIoError : kModelError;
    return nullptr;
  }
  auto module = mlir::tempo::importOnnxGraph(ctx, loaded, o.name);
  exitCode = module ? kOk : kModelError;
  return module;
}

func::FuncOp onlyFunc(ModuleOp module) {
  auto funcs = module.getOps<func::FuncOp>();
  if (std::distance(funcs.begin(), funcs.end()) != 1) {
    module.emitError("expects exactly one function");
    return nullptr;
  }
  return *funcs.begin();
}

/// Writes all files or none: each goes to a temporary first.
int writeFilesAtomically(
    const std::vector<std::pair<std::string, std::string>> &files) {
  std::vector<std::string> temps;
  auto cleanup = [&] {
    for (const std::string &t : temps)
      llvm::sys::fs::remove(t);
  };
  for (const auto &[path, contents] : files) {
    std::string temp = path + ".tmp";
    std::error_code ec;
    llvm::raw_fd_ostream os(temp, ec);
    if (!ec) {
      os << contents;
      os.close();
      ec = os.error();
    }
    temps.push_back(temp);
    if (ec) {
      llvm::errs() << "tempoc: error: cannot write '" << path
                   << "': " << ec.message() << "\n";
      cleanup();
      return kIoError;
    }
  }
  for (size_t i = 0; i < files.size(); ++i)
    if (std::error_code ec = llvm::sys::fs::rename(temps[i], files[i].first)) {
      llvm::errs() << "tempoc: error: cannot write '" << files[i].first
                   << "': " << ec.message() << "\n";
      cleanup();
      return kIoError;
    }
  return kOk;
}

using FileList = std::vector<std::pair<std::string, std::string>>;

/// Renders what `compile` writes (code or MLIR, and the report if asked)
/// for the planned (or, with --emit=mlir-import, imported) module.
int renderOutputs(const Options &o, ModuleOp module,
                  const mlir::tempo::LoadedModel &loaded,
                  const mlir::tempo::TargetDescription &target, bool withReport,
                  FileList &files, llvm::json::Object *reportOut) {
  func::FuncOp func = onlyFunc(module);
  if (!func)
    return kModelError;
  llvm::SmallString<256> base(o.outDir);
  llvm::sys::path::append(base, o.name);
  if (o.emit != "cpp") {
    std::string text;
    llvm::raw_string_ostream os(text);
    // The imported IR shows each op's ONNX node name.
    OpPrintingFlags flags;
    if (o.emit == "mlir-import")
      flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/true);
    module.print(os, flags);
    files.push_back({(base + ".mlir").str(), text});
  } else {
    std::string h, cpp;
    llvm::raw_string_ostream hs(h), cs(cpp);
    mlir::tempo::CppEmitOptions emit;
    emit.name = o.name;
    emit.modelFile = llvm::sys::path::filename(o.model).str();
    emit.modelDigest = loaded.digest;
    emit.target = target.name;
    if (failed(mlir::tempo::emitCpp(func, emit, hs, cs)))
      return kModelError;
    files.push_back({(base + ".h").str(), h});
    files.push_back({(base + ".cpp").str(), cpp});
  }
  if (withReport) {
    mlir::tempo::ReportInfo info{llvm::sys::path::filename(o.model).str(),
                                 loaded.digest, o.name};
    auto report = mlir::tempo::buildReport(func, target, info);
    if (failed(report))
      return kModelError;
    std::string text;
    llvm::raw_string_ostream os(text);
    os << llvm::formatv("{0:2}", llvm::json::Value(llvm::json::Object(*report)))
       << "\n";
    files.push_back({(base + ".report.json").str(), text});
    if (reportOut)
      *reportOut = std::move(*report);
    auto plan = mlir::tempo::buildPlan(func);
    if (failed(plan))
      return kModelError;
    std::string planText;
    llvm::raw_string_ostream ps(planText);
    ps << llvm::formatv("{0:2}", llvm::json::Value(std::move(*plan))) << "\n";
    files.push_back({(base + ".plan.json").str(), planText});
  }
  return kOk;
}

int writeOutputs(const Options &o, const FileList &files) {
  if (std::error_code ec = llvm::sys::fs::create_directories(o.outDir)) {
    llvm::errs() << "tempoc: error: cannot create '" << o.outDir
                 << "': " << ec.message() << "\n";
    return kIoError;
  }
  return writeFilesAtomically(files);
}

/// Warns when the model does not fit the target part's memories.
void checkBudget(func::FuncOp func, const mlir::tempo::TargetDescription &t) {
  auto arena = func->getAttrOfType<IntegerAttr>(mlir::tempo::kArenaSizeAttr);
  if (!arena)
    return;
  int64_t weights = mlir::tempo::weightBytes(func);
  if (t.sramBytes && arena.getInt() > *t.sramBytes)
    llvm::errs() << "tempoc: warning: the arena (" << arena.getInt()
                 << " bytes) exceeds the SRAM of " << t.name << " (" << *t.sramBytes
                 << " bytes, " << t.part << ")\n";
  if (t.flashBytes && weights > *t.flashBytes)
    llvm::errs() << "tempoc: warning: the weights (" << weights
                 << " bytes) exceed the flash of " << t.name << " ("
                 << *t.flashBytes << " bytes, " << t.part << ")\n";
}

int compile(const Options &o, ModuleOp module,
            const mlir::tempo::LoadedModel &loaded,
            const mlir::tempo::TargetDescription &target,
            const llvm::json::Object &accuracy) {
  FileList files;
  if (int rc = renderOutputs(o, module, loaded, target, o.report, files,
                             nullptr))
    return rc;
  if (o.outDir == "-") {
    llvm::outs() << files.front().second;
    return kOk;
  }
  if (!accuracy.empty()) {
    // The accuracy report of --quantize=int8 goes beside the code.
    std::string text;
    llvm::raw_string_ostream os(text);
    os << llvm::formatv("{0:2}", llvm::json::Value(llvm::json::Object(accuracy)))
       << "\n";
    llvm::SmallString<256> path(o.outDir);
    llvm::sys::path::append(path, o.name + ".accuracy.json");
    files.push_back({path.str().str(), text});
  }
  if (int rc = writeOutputs(o, files))
    return rc;
  func::FuncOp func = onlyFunc(module);
  checkBudget(func, target);
  if (auto arena = func->getAttrOfType<IntegerAttr>(mlir::tempo::kArenaSizeAttr))
    llvm::outs() << o.name << ": arena " << arena.getInt()
                 << " bytes (RAM), weights " << mlir::tempo::weightBytes(func)
                 << " bytes (flash) -> "
                 << llvm::sys::path::parent_path(files.front().first) << "/"
                 << o.name << (o.emit == "cpp" ? ".{h,cpp}" : ".mlir")
                 << (o.report ? " + .report.json, .plan.json" : "")
                 << (accuracy.empty() ? "" : " + .accuracy.json") << "\n";
  if (!accuracy.empty())
    mlir::tempo::printAccuracyTable(llvm::outs(), accuracy);
  if (o.report && o.emit == "cpp") {
    llvm::json::Object report;
    FileList unused;
    if (int rc = renderOutputs(o, module, loaded, target, true, unused, &report))
      return rc;
    mlir::tempo::printReportTable(llvm::outs(), report);
    if (failed(mlir::tempo::printMemoryMap(llvm::outs(), func)))
      return kModelError;
  }
  return kOk;
}

/// Reads one TensorProto per function argument as raw bytes, checking its
/// type against the argument's.
int readInputs(MLIRContext &ctx, const Options &o, func::FuncOp func,
               std::vector<std::vector<char>> &inputs) {
  if (o.inputs.size() != func.getNumArguments()) {
    llvm::errs() << "tempoc: error: the model has " << func.getNumArguments()
                 << " (non-frozen) input(s); got " << o.inputs.size()
                 << " --input file(s)\n";
    return kUsageError;
  }
  for (auto [i, path] : llvm::enumerate(o.inputs)) {
    onnx::TensorProto t;
    std::string error;
    if (!mlir::tempo::readTensorProto(path, t, error)) {
      llvm::errs() << "tempoc: error: " << error << "\n";
      return kIoError;
    }
    DenseElementsAttr attr = mlir::tempo::tensorProtoToAttr(
        ctx, t, NameLoc::get(StringAttr::get(&ctx, path)));
    if (!attr)
      return kModelError;
    Type want = func.getArgumentTypes()[i];
    // A quantized input takes float data, quantized as the generated
    // NAME_set_input_f32 does.
    if (mlir::tempo::quantizedElementType(want) &&
        attr.getElementType().isF32() &&
        cast<ShapedType>(attr.getType()).getShape() ==
            cast<ShapedType>(want).getShape()) {
      std::vector<float> values(attr.getValues<float>().begin(),
                                attr.getValues<float>().end());
      inputs.push_back(mlir::tempo::argumentBytes(want, values));
      continue;
    }
    if (attr.getType() != want) {
      auto name = func.getArgAttrOfType<StringAttr>(i, mlir::tempo::kNameAttr);
      llvm::errs() << "tempoc: error: '" << path << "' holds a "
                   << attr.getType() << ", input '"
                   << (name ? name.getValue() : "") << "' expects " << want
                   << "\n";
      return kModelError;
    }
    inputs.push_back(mlir::tempo::denseBytes(attr));
  }
  return kOk;
}

/// Deterministic synthetic inputs: floats in [-1, 1), small integers.
std::vector<std::vector<char>> syntheticInputs(func::FuncOp func) {
  std::vector<std::vector<char>> inputs;
  uint32_t state = 12345;
  auto next = [&] {
    state = state * 1664525u + 1013904223u;
    return state >> 8;
  };
  for (Type t : func.getArgumentTypes()) {
    auto shaped = cast<RankedTensorType>(t);
    Type elt = shaped.getElementType();
    int64_t n = shaped.getNumElements(), eb = mlir::tempo::elementBytes(elt);
    std::vector<char> bytes(n * eb);
    for (int64_t i = 0; i < n; ++i) {
      if (elt.isF32()) {
        float f = float(next()) / float(1 << 23) - 1.0f;
        std::memcpy(bytes.data() + i * 4, &f, 4);
      } else {
        int64_t v = next() % 16;
        std::memcpy(bytes.data() + i * eb, &v, eb);
      }
    }
    inputs.push_back(std::move(bytes));
  }
  return inputs;
}

int measure(MLIRContext &ctx, const Options &given, ModuleOp module,
            const mlir::tempo::LoadedModel &loaded,
            const mlir::tempo::TargetDescription &target) {
  func::FuncOp func = onlyFunc(module);
  if (!func)
    return kModelError;
  Options o = given;
  llvm::SmallString<128> work;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("tempoc-measure", work)) {
    llvm::errs() << "tempoc: error: cannot create a work directory: "
                 << ec.message() << "\n";
    return kIoError;
  }
  bool keep = !o.outDir.empty();
  if (!keep)
    o.outDir = work.str().str();
  auto cleanup = llvm::make_scope_exit([&] {
    llvm::sys::fs::remove_directories(work);
  });

  FileList files;
  llvm::json::Object report;
  if (int rc = renderOutputs(o, module, loaded, target, /*withReport=*/true,
                             files, &report))
    return rc;
  if (int rc = writeOutputs(o, files))
    return rc;

  std::vector<std::vector<char>> inputs;
  if (!o.inputs.empty()) {
    if (int rc = readInputs(ctx, o, func, inputs))
      return rc;
  } else {
    inputs = syntheticInputs(func);
  }
  mlir::tempo::MeasureRequest req;
  req.target = target;
  req.genDir = o.outDir;
  req.name = o.name;
  req.workDir = work.str().str();
  req.opt = o.opt;
  req.runs = o.runs;
  FileList raw;
  for (auto [i, bytes] : llvm::enumerate(inputs)) {
    std::string path = (work + "/input_" + llvm::Twine(i) + ".bin").str();
    raw.push_back({path, std::string(bytes.begin(), bytes.end())});
    req.inputFiles.push_back(path);
  }
  for (unsigned i = 0; i < func.getNumResults(); ++i)
    req.outputFiles.push_back((work + "/output_" + llvm::Twine(i) + ".bin").str());
  if (int rc = writeFilesAtomically(raw))
    return rc;

  std::string error;
  std::optional<llvm::json::Object> measured =
      mlir::tempo::measureOnTarget(req, error);
  if (!measured) {
    llvm::errs() << "tempoc: error: " << error << "\n";
    return kModelError;
  }
  const llvm::json::Object *est = report.getObject("estimate");
  int64_t macs = est ? est->getInteger("macs").value_or(0) : 0;
  if (auto insns = measured->getInteger("instructions")) {
    // Ratios in thousandths keep the JSON integral and stable.
    if (macs)
      (*measured)["instructions_per_mac_x1000"] =
          (int64_t)std::llround(double(*insns) * 1000 / macs);
    if (int64_t cycles = est ? est->getInteger("cycles").value_or(0) : 0)
      (*measured)["estimate_over_measured_x1000"] =
          (int64_t)std::llround(double(cycles) * 1000 / double(*insns));
  }
  (*measured)["inputs"] = o.inputs.empty() ? "synthetic" : "given";
  // Total RAM the model needs: its arena plus the stack during inference.
  if (auto stack = measured->getInteger("inference_stack_bytes")) {
    const llvm::json::Object *mem = report.getObject("memory");
    int64_t arena = mem ? mem->getInteger("arena_bytes").value_or(0) : 0;
    (*measured)["model_total_ram_bytes"] = arena + *stack;
  }
  report["measured"] = std::move(*measured);

  mlir::tempo::printReportTable(llvm::outs(), report);
  const llvm::json::Object &m = *report.getObject("measured");
  llvm::outs() << "measured on " << target.name << " (-" << o.opt << "): ";
  if (auto ns = m.getInteger("median_ns"))
    llvm::outs() << llvm::format("median %.3f ms over %d runs", *ns / 1e6,
                                 o.runs);
  else
    llvm::outs() << m.getInteger("instructions").value_or(0)
                 << " instructions ("
                 << llvm::format("%.2f", m.getInteger("instructions_per_mac_x1000").value_or(0) / 1000.0)
                 << " per MAC), flash " << m.getInteger("flash_bytes").value_or(0)
                 << " bytes (model " << m.getInteger("model_flash_bytes").value_or(0)
                 << "), RAM " << m.getInteger("ram_bytes").value_or(0)
                 << " bytes (model " << m.getInteger("model_ram_bytes").value_or(0)
                 << "), stack " << m.getInteger("stack_bytes").value_or(0)
                 << " bytes (inference "
                 << m.getInteger("inference_stack_bytes").value_or(0)
                 << "); model RAM = arena + inference stack = "
                 << m.getInteger("model_total_ram_bytes").value_or(0) << " bytes";
  llvm::outs() << "\n";

  if (keep) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << llvm::formatv("{0:2}", llvm::json::Value(std::move(report))) << "\n";
    llvm::SmallString<256> path(o.outDir);
    llvm::sys::path::append(path, o.name + ".report.json");
    if (int rc = writeFilesAtomically({{path.str().str(), text}}))
      return rc;
    llvm::outs() << "report -> " << path << "\n";
  }
  return kOk;
}

/// Prints a tensor's values (all of them up to 64, then a count).
void printTensor(llvm::raw_ostream &os, llvm::StringRef name, Type type,
                 const std::vector<char> &bytes) {
  auto shaped = cast<RankedTensorType>(type);
  Type elt = mlir::tempo::storageElementType(shaped.getElementType());
  os << name << ": " << type << "\n  [";
  int64_t n = shaped.getNumElements(), eb = mlir::tempo::elementBytes(elt);
  for (int64_t i = 0; i < n && i < 64; ++i) {
    os << (i ? ", " : "");
    const char *p = bytes.data() + i * eb;
    if (elt.isF32()) {
      float f;
      std::memcpy(&f, p, 4);
      os << llvm::format("%.7g", f);
    } else {
      int64_t v = 0;
      std::memcpy(&v, p, eb);
      if (!elt.isUnsignedInteger() && eb < 8 && (v >> (8 * eb - 1)) & 1)
        v -= int64_t(1) << (8 * eb);
      os << v;
    }
  }
  os << (n > 64 ? ", ... (" + std::to_string(n) + " values)" : "") << "]\n";
}

int run(MLIRContext &ctx, const Options &o, ModuleOp module) {
  func::FuncOp func = onlyFunc(module);
  if (!func)
    return kModelError;
  std::vector<std::vector<char>> inputs;
  if (int rc = readInputs(ctx, o, func, inputs))
    return rc;
  auto outputs = mlir::tempo::evaluatePlannedFunction(func, inputs);
  if (failed(outputs))
    return kModelError;
  std::vector<std::pair<std::string, std::string>> files;
  for (auto [i, bytes] : llvm::enumerate(*outputs)) {
    auto nameAttr = func.getResultAttrOfType<StringAttr>(i, mlir::tempo::kNameAttr);
    std::string name = nameAttr ? nameAttr.str() : "output" + std::to_string(i);
    Type type = func.getResultTypes()[i];
    if (o.outDir.empty()) {
      printTensor(llvm::outs(), name, type, bytes);
      continue;
    }
    auto shaped = cast<RankedTensorType>(type);
    onnx::TensorProto t;
    t.set_name(name);
    for (int64_t d : shaped.getShape())
      t.add_dims(d);
    Type elt = mlir::tempo::storageElementType(shaped.getElementType());
    int onnxType = elt.isF32()             ? onnx::TensorProto::FLOAT
                   : elt.isInteger(1)      ? onnx::TensorProto::BOOL
                   : elt.isUnsignedInteger(8) ? onnx::TensorProto::UINT8
                   : elt.isInteger(8)      ? onnx::TensorProto::INT8
                   : elt.isUnsignedInteger(16) ? onnx::TensorProto::UINT16
                   : elt.isInteger(16)     ? onnx::TensorProto::INT16
                   : elt.isInteger(32)     ? onnx::TensorProto::INT32
                                           : onnx::TensorProto::INT64;
    t.set_data_type(onnxType);
    t.set_raw_data(bytes.data(), bytes.size());
    std::string serialized;
    t.SerializeToString(&serialized);
    llvm::SmallString<256> path(o.outDir);
    llvm::sys::path::append(path, "output_" + std::to_string(i) + ".pb");
    files.push_back({path.str().str(), serialized});
  }
  if (files.empty())
    return kOk;
  if (std::error_code ec = llvm::sys::fs::create_directories(o.outDir)) {
    llvm::errs() << "tempoc: error: cannot create '" << o.outDir
                 << "': " << ec.message() << "\n";
    return kIoError;
  }
  return writeFilesAtomically(files);
}

} // namespace

int main(int argc, char **argv) {
  Options o;
  if (int rc = parseArgs(argc, argv, o); rc >= 0)
    return rc;

  MLIRContext ctx;
  // Errors name the ONNX node; an IR dump of the op would only be noise.
  ctx.printOpOnDiagnostic(false);
  ctx.loadDialect<mlir::tempo::TempoDialect, func::FuncDialect,
                  quant::QuantizationDialect>();
  ScopedDiagnosticHandler handler(&ctx, [](Diagnostic &diag) {
    printDiagnostic(diag);
    return success();
  });

  mlir::tempo::LoadedModel loaded;
  llvm::json::Object accuracy;
  int rc = kOk;
  OwningOpRef<ModuleOp> module = loadModule(ctx, o, loaded, rc);
  if (!module)
    return rc == kOk ? kModelError : rc;

  // The target: its alignment is the default, its cost model the report's.
  std::string error;
  std::optional<mlir::tempo::TargetDescription> target =
      o.targetFile.empty() ? mlir::tempo::loadBuiltinTarget(o.target, error)
                           : mlir::tempo::loadTargetFile(o.targetFile, error);
  if (!target) {
    llvm::errs() << "tempoc: error: " << error << "\n";
    return o.targetFile.empty() ? kUsageError : kIoError;
  }

  if (int rc = checkNodeNames(o, *module); rc >= 0)
    return rc;
  if (o.command == "compile" && o.emit == "mlir-import")
    return compile(o, *module, loaded, *target, accuracy);

  int64_t align = o.align ? o.align : target->align;
  // The imported graph's own bound (every value its own buffer), kept for
  // the report's "what the optimisations saved".
  for (auto func : module->getOps<func::FuncOp>())
    func->setAttr(mlir::tempo::kUnoptimizedBoundAttr,
                  Builder(&ctx).getI64IntegerAttr(mlir::tempo::liveSetBound(
                      mlir::tempo::collectPlainBuffers(func).requests, align)));

  // A QDQ model runs on the int8 kernels with its own scales and zero
  // points, without --quantize; with it, calibration covers only the float
  // tensors the model left unannotated.
  if (mlir::tempo::hasQdqTypes(*module) &&
      failed(mlir::tempo::quantizeQdqModule(*module, o.quant.keepFloat,
                                            llvm::errs())))
    return kModelError;

  mlir::tempo::TempoPipelineOptions pipeline;
  pipeline.align = align;
  pipeline.fuse = o.fuse;
  pipeline.inPlace = o.inPlace;
  if (o.quantize.empty()) {
    PassManager pm(&ctx);
    mlir::tempo::buildTempoPipeline(pm, pipeline);
    if (failed(pm.run(*module)))
      return kModelError;
  } else {
    PassManager floatPm(&ctx);
    mlir::tempo::buildTempoFloatPipeline(floatPm, pipeline);
    if (failed(floatPm.run(*module)))
      return kModelError;
    mlir::tempo::QuantizationOptions quant = o.quant;
    quant.pipeline = pipeline;
    std::string qerror;
    if (failed(mlir::tempo::quantizeModule(*module, quant, accuracy, qerror))) {
      if (!qerror.empty())
        llvm::errs() << "tempoc: error: " << qerror << "\n";
      return qerror.empty() ? kModelError : kIoError;
    }
    PassManager pm(&ctx);
    mlir::tempo::buildTempoLoweringPipeline(pm, pipeline);
    if (failed(pm.run(*module)))
      return kModelError;
  }

  if (o.command == "compile")
    return compile(o, *module, loaded, *target, accuracy);
  if (o.command == "measure")
    return measure(ctx, o, *module, loaded, *target);
  return run(ctx, o, *module);
}
