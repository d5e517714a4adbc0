//===- Measure.cpp - Build generated code for a target, run it, measure ---===//

#include "compiler/driver/Measure.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <cstdlib>

using namespace mlir::tempo;

std::string mlir::tempo::tempoHome() {
  if (const char *home = std::getenv("TEMPO_HOME"))
    return home;
  return TEMPO_SOURCE_DIR;
}

namespace {

std::string joinPath(llvm::StringRef a, llvm::StringRef b,
                     llvm::StringRef c = "", llvm::StringRef d = "") {
  llvm::SmallString<256> p(a);
  for (llvm::StringRef part : {b, c, d})
    if (!part.empty())
      llvm::sys::path::append(p, part);
  return p.str().str();
}

/// Runs a program; captures stdout and stderr into files under `work`.
/// Returns the exit code (-1 if it could not start or timed out).
int runProgram(llvm::ArrayRef<std::string> argv, const std::string &work,
               llvm::StringRef tag, int timeout, std::string &out,
               std::string &err) {
  std::string outPath = joinPath(work, tag.str() + ".stdout");
  std::string errPath = joinPath(work, tag.str() + ".stderr");
  llvm::SmallVector<llvm::StringRef> args(argv.begin(), argv.end());
  std::optional<llvm::StringRef> redirects[] = {std::nullopt,
                                                llvm::StringRef(outPath),
                                                llvm::StringRef(errPath)};
  std::string execError;
  auto program = llvm::sys::findProgramByName(argv[0]);
  if (!program) {
    err = "cannot find '" + argv[0] + "' on PATH";
    return -1;
  }
  int rc = llvm::sys::ExecuteAndWait(*program, args, std::nullopt, redirects,
                                     timeout, 0, &execError);
  if (auto b = llvm::MemoryBuffer::getFile(outPath))
    out = (*b)->getBuffer().str();
  if (auto b = llvm::MemoryBuffer::getFile(errPath))
    err = (*b)->getBuffer().str();
  if (!execError.empty())
    err += execError;
  return rc;
}

std::string lastLines(const std::string &text, size_t n = 12) {
  llvm::SmallVector<llvm::StringRef> lines;
  llvm::StringRef(text).rtrim().split(lines, '\n');
  std::string s;
  for (size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i)
    s += "  " + lines[i].str() + "\n";
  return s;
}

std::optional<llvm::json::Object> measureHost(const MeasureRequest &req,
                                              std::string &error) {
  std::string home = tempoHome();
  std::string exe = joinPath(req.workDir, req.name + "-bench");
  std::vector<std::string> build = {
      "c++", "-std=c++17", "-" + req.opt, "-Wall", "-Wextra", "-Werror",
      "-fno-exceptions", "-fno-rtti", "-ffp-contract=off",
      "-DTEMPO_HARNESS_TIMING", "-DTEMPO_MODEL=" + req.name,
      "-DTEMPO_MODEL_HEADER=\"" + req.name + ".h\"",
      "-I" + joinPath(home, "runtime", "include"), "-I" + req.genDir,
      joinPath(home, "test", "e2e", "harness.cpp"),
      joinPath(req.genDir, req.name + ".cpp"), "-o", exe};
  std::string out, err;
  if (runProgram(build, req.workDir, "build", req.timeoutSeconds, out, err) != 0) {
    error = "building the generated code for the host failed:\n" + lastLines(err);
    return std::nullopt;
  }
  std::vector<std::string> run = {exe, "--repeat", std::to_string(req.runs)};
  run.insert(run.end(), req.inputFiles.begin(), req.inputFiles.end());
  run.push_back("-o");
  run.insert(run.end(), req.outputFiles.begin(), req.outputFiles.end());
  if (runProgram(run, req.workDir, "run", req.timeoutSeconds, out, err) != 0) {
    error = "running the generated code failed:\n" + lastLines(err);
    return std::nullopt;
  }
  size_t at = out.find("median_ns=");
  int64_t ns = 0;
  if (at == std::string::npos ||
      llvm::StringRef(out).substr(at + 10).take_while(llvm::isDigit).getAsInteger(10, ns)) {
    error = "the harness printed no timing: " + out;
    return std::nullopt;
  }
  return llvm::json::Object{{"target", "host"},
                            {"opt", req.opt},
                            {"runs", req.runs},
                            {"median_ns", ns}};
}

std::optional<llvm::json::Object> measureQemu(const MeasureRequest &req,
                                              std::string &error) {
  std::string json = joinPath(req.workDir, "qemu.json");
  std::vector<std::string> cmd = {
      "/usr/bin/python3", joinPath(tempoHome(), "test", "qemu", "run_on_qemu.py"),
      "--target", req.target.path, "--gen", req.genDir, "--name", req.name,
      "--opt", req.opt, "--json", json, "--work", joinPath(req.workDir, "qemu"),
      "--timeout", std::to_string(req.timeoutSeconds)};
  cmd.push_back("--inputs");
  cmd.insert(cmd.end(), req.inputFiles.begin(), req.inputFiles.end());
  cmd.push_back("--outputs");
  cmd.insert(cmd.end(), req.outputFiles.begin(), req.outputFiles.end());
  std::string out, err;
  int rc = runProgram(cmd, req.workDir, "qemu", req.timeoutSeconds + 120, out, err);
  if (rc != 0) {
    error = "building or running on " + req.target.name + " under QEMU failed:\n" +
            lastLines(err + out);
    return std::nullopt;
  }
  auto buffer = llvm::MemoryBuffer::getFile(json);
  llvm::Expected<llvm::json::Value> parsed =
      buffer ? llvm::json::parse((*buffer)->getBuffer())
             : llvm::Expected<llvm::json::Value>(
                   llvm::createStringError(buffer.getError(), "no result"));
  if (!parsed || !parsed->getAsObject()) {
    error = "run_on_qemu.py wrote no readable result " + json;
    if (!parsed)
      llvm::consumeError(parsed.takeError());
    return std::nullopt;
  }
  const llvm::json::Object &r = *parsed->getAsObject();
  llvm::json::Object m{{"target", req.target.name}, {"opt", req.opt}};
  for (const char *key :
       {"insns", "flash_bytes", "ram_bytes", "model_flash_bytes",
        "model_ram_bytes", "stack_bytes", "inference_stack_bytes"})
    if (auto v = r.getInteger(key))
      m[key == llvm::StringRef("insns") ? "instructions" : key] = *v;
  if (!m.getInteger("instructions")) {
    error = "run_on_qemu.py reported no instruction count";
    return std::nullopt;
  }
  if (auto machine = r.getString("qemu_machine"))
    m["qemu_machine"] = machine->str();
  return m;
}

} // namespace

std::optional<llvm::json::Object>
mlir::tempo::measureOnTarget(const MeasureRequest &req, std::string &error) {
  if (req.target.name == "host")
    return measureHost(req, error);
  if (!req.target.qemuMachine) {
    error = "target '" + req.target.name +
            "' has no QEMU board (qemu_machine is null in " + req.target.path +
            "), so it cannot be measured here";
    return std::nullopt;
  }
  return measureQemu(req, error);
}
