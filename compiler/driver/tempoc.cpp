//===- tempoc.cpp - The Tempo compiler driver -----------------------------===//
//
//   tempoc compile MODEL.onnx -o DIR [--name NAME] [--emit=cpp|mlir] ...
//   tempoc run MODEL.onnx --input X.pb ... [-o DIR] ...
//
// Exit codes: 0 success; 1 the model cannot be compiled (invalid or
// unsupported model, failed pass), reported at the ONNX node at fault;
// 2 bad command line; 3 an input or output file cannot be read or written.
// On any failure no output file is left behind.
//
//===----------------------------------------------------------------------===//

#include "compiler/eval/Evaluator.h"
#include "compiler/eval/KernelParams.h"
#include "compiler/import/OnnxImporter.h"
#include "dialects/Tempo/IR/TempoOps.h"
#include "passes/Passes.h"
#include "targets/Cpp/CppEmitter.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace mlir;

namespace {

enum ExitCode { kOk = 0, kModelError = 1, kUsageError = 2, kIoError = 3 };

const char *kUsage = R"(usage: tempoc <command> [options]

Commands:
  compile MODEL -o DIR     compile an ONNX model (or tempo .mlir) to C++
  run MODEL --input X.pb   evaluate the model with the reference kernels

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
  --target NAME            target recorded in the generated code (host)
  --help, --version

Exit codes: 0 success, 1 model error (reported at the ONNX node),
2 usage error, 3 file error. Nothing is written on failure.
)";

struct Options {
  std::string command, model, outDir, name, emit = "cpp", target = "host";
  int64_t align = 16;
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
  if (o.command != "compile" && o.command != "run")
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
    } else if (value("--target", v)) {
      if (v != "host")
        return usageError("unknown target '" + v + "' (available: host)");
      o.target = v;
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
  if (o.command == "compile" && o.outDir.empty())
    return usageError("compile needs -o DIR");
  if (o.command == "run" && o.emit != "cpp")
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
                        : "note";
  os << "tempoc: " << sev << ": ";
  Location loc = diag.getLocation();
  if (auto name = dyn_cast<NameLoc>(loc))
    os << name.getName().getValue() << ": ";
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

int compile(MLIRContext &ctx, const Options &o, ModuleOp module,
            const mlir::tempo::LoadedModel &loaded) {
  func::FuncOp func = onlyFunc(module);
  if (!func)
    return kModelError;
  std::vector<std::pair<std::string, std::string>> files;
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
    if (o.outDir == "-") {
      llvm::outs() << text;
      return kOk;
    }
    files.push_back({(base + ".mlir").str(), text});
  } else {
    std::string h, cpp;
    llvm::raw_string_ostream hs(h), cs(cpp);
    mlir::tempo::CppEmitOptions emit;
    emit.name = o.name;
    emit.modelFile = llvm::sys::path::filename(o.model).str();
    emit.modelDigest = loaded.digest;
    emit.target = o.target;
    if (failed(mlir::tempo::emitCpp(func, emit, hs, cs)))
      return kModelError;
    files.push_back({(base + ".h").str(), h});
    files.push_back({(base + ".cpp").str(), cpp});
  }
  if (std::error_code ec = llvm::sys::fs::create_directories(o.outDir)) {
    llvm::errs() << "tempoc: error: cannot create '" << o.outDir
                 << "': " << ec.message() << "\n";
    return kIoError;
  }
  if (int rc = writeFilesAtomically(files))
    return rc;
  if (auto arena = func->getAttrOfType<IntegerAttr>(mlir::tempo::kArenaSizeAttr))
    llvm::outs() << o.name << ": arena " << arena.getInt()
                 << " bytes (RAM), weights " << mlir::tempo::weightBytes(func)
                 << " bytes (flash) -> " << base
                 << (o.emit == "cpp" ? ".{h,cpp}" : ".mlir") << "\n";
  return kOk;
}

/// Prints a tensor's values (all of them up to 64, then a count).
void printTensor(llvm::raw_ostream &os, llvm::StringRef name, Type type,
                 const std::vector<char> &bytes) {
  auto shaped = cast<RankedTensorType>(type);
  Type elt = shaped.getElementType();
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
  if (o.inputs.size() != func.getNumArguments()) {
    llvm::errs() << "tempoc: error: the model has " << func.getNumArguments()
                 << " (non-frozen) input(s); got " << o.inputs.size()
                 << " --input file(s)\n";
    return kUsageError;
  }
  std::vector<std::vector<char>> inputs;
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
    Type elt = shaped.getElementType();
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
  ctx.loadDialect<mlir::tempo::TempoDialect, func::FuncDialect,
                  quant::QuantizationDialect>();
  ScopedDiagnosticHandler handler(&ctx, [](Diagnostic &diag) {
    printDiagnostic(diag);
    return success();
  });

  mlir::tempo::LoadedModel loaded;
  int rc = kOk;
  OwningOpRef<ModuleOp> module = loadModule(ctx, o, loaded, rc);
  if (!module)
    return rc == kOk ? kModelError : rc;

  if (o.command == "compile" && o.emit == "mlir-import")
    return compile(ctx, o, *module, loaded);

  PassManager pm(&ctx);
  mlir::tempo::TempoPipelineOptions pipeline;
  pipeline.align = o.align;
  mlir::tempo::buildTempoPipeline(pm, pipeline);
  if (failed(pm.run(*module)))
    return kModelError;

  return o.command == "compile" ? compile(ctx, o, *module, loaded)
                                : run(ctx, o, *module);
}
