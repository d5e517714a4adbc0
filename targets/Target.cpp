//===- Target.cpp - Target descriptions -----------------------------------===//

#include "targets/Target.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cstdlib>

using namespace mlir::tempo;

std::string mlir::tempo::builtinTargetDir() {
  llvm::SmallString<256> dir;
  if (const char *home = std::getenv("TEMPO_HOME"))
    dir = home;
  else
    dir = TEMPO_SOURCE_DIR;
  llvm::sys::path::append(dir, "targets", "descriptions");
  return dir.str().str();
}

std::vector<std::string> mlir::tempo::builtinTargetNames() {
  std::vector<std::string> names;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(builtinTargetDir(), ec), end;
       it != end && !ec; it.increment(ec))
    if (llvm::sys::path::extension(it->path()) == ".json")
      names.push_back(llvm::sys::path::stem(it->path()).str());
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

/// Reads fields out of one JSON object, remembering the first problem.
class FieldReader {
public:
  FieldReader(const llvm::json::Object &obj, std::string where)
      : obj(obj), where(std::move(where)) {}

  void str(llvm::StringRef key, std::string &out, bool required = true) {
    if (auto v = obj.getString(key))
      out = v->str();
    else if (required)
      fail(key, "a string");
  }
  void optStr(llvm::StringRef key, std::optional<std::string> &out) {
    const llvm::json::Value *v = obj.get(key);
    if (!v || v->kind() == llvm::json::Value::Null)
      return;
    if (auto s = v->getAsString())
      out = s->str();
    else
      fail(key, "a string or null");
  }
  void boolean(llvm::StringRef key, bool &out) {
    if (auto v = obj.getBoolean(key))
      out = *v;
    else
      fail(key, "true or false");
  }
  void optInt(llvm::StringRef key, std::optional<int64_t> &out) {
    const llvm::json::Value *v = obj.get(key);
    if (!v || v->kind() == llvm::json::Value::Null)
      return;
    if (auto i = v->getAsInteger(); i && *i > 0)
      out = *i;
    else
      fail(key, "a positive integer or null");
  }
  void optNum(llvm::StringRef key, std::optional<double> &out) {
    const llvm::json::Value *v = obj.get(key);
    if (!v || v->kind() == llvm::json::Value::Null)
      return;
    if (auto d = v->getAsNumber(); d && *d >= 0)
      out = *d;
    else
      fail(key, "a non-negative number or null");
  }
  void num(llvm::StringRef key, double &out) {
    if (auto d = obj.getNumber(key); d && *d >= 0)
      out = *d;
    else
      fail(key, "a non-negative number");
  }
  void strList(llvm::StringRef key, std::vector<std::string> &out) {
    const llvm::json::Array *arr = obj.getArray(key);
    if (!arr)
      return fail(key, "a list of strings");
    for (const llvm::json::Value &v : *arr) {
      auto s = v.getAsString();
      if (!s)
        return fail(key, "a list of strings");
      out.push_back(s->str());
    }
  }
  void fail(llvm::StringRef key, llvm::StringRef expected) {
    if (error.empty())
      error = where + ": field '" + key.str() + "' must be " + expected.str();
  }
  std::string error;

private:
  const llvm::json::Object &obj;
  std::string where;
};

} // namespace

std::optional<TargetDescription>
mlir::tempo::loadTargetFile(const std::string &path, std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) {
    error = "cannot read target description '" + path +
            "': " + buffer.getError().message();
    return std::nullopt;
  }
  llvm::Expected<llvm::json::Value> json =
      llvm::json::parse((*buffer)->getBuffer());
  if (!json) {
    error = "target description '" + path +
            "' is not valid JSON: " + llvm::toString(json.takeError());
    return std::nullopt;
  }
  const llvm::json::Object *obj = json->getAsObject();
  if (!obj) {
    error = "target description '" + path + "' must be a JSON object";
    return std::nullopt;
  }
  TargetDescription t;
  t.path = path;
  FieldReader r(*obj, "target description '" + path + "'");
  r.str("name", t.name);
  r.str("part", t.part, /*required=*/false);
  r.str("triple", t.triple);
  r.str("cpu", t.cpu);
  r.str("fpu", t.fpu, /*required=*/false);
  r.str("float_abi", t.floatAbi);
  r.str("toolchain", t.toolchain);
  r.boolean("has_fpu", t.hasFpu);
  r.boolean("fpu_double", t.fpuDouble);
  r.boolean("has_dsp", t.hasDsp);
  r.boolean("has_mve", t.hasMve);
  r.optInt("sram_bytes", t.sramBytes);
  r.optInt("flash_bytes", t.flashBytes);
  r.optInt("clock_mhz", t.clockMhz);
  r.optNum("energy_pj_per_cycle", t.energyPjPerCycle);
  r.optStr("qemu_machine", t.qemuMachine);
  r.strList("cflags", t.cflags);
  if (auto align = obj->getInteger("align"); align && *align > 0 &&
                                             (*align & (*align - 1)) == 0)
    t.align = *align;
  else
    r.fail("align", "a power of two");
  if (const llvm::json::Object *cost = obj->getObject("cost")) {
    FieldReader c(*cost, "target description '" + path + "', cost");
    c.num("cycles_per_mac", t.cost.cyclesPerMac);
    c.num("cycles_per_element", t.cost.cyclesPerElement);
    c.num("cycles_per_transcendental", t.cost.cyclesPerTranscendental);
    c.num("cycles_per_compare", t.cost.cyclesPerCompare);
    c.num("cycles_per_byte_moved", t.cost.cyclesPerByteMoved);
    c.num("cycles_per_kernel_call", t.cost.cyclesPerKernelCall);
    if (r.error.empty())
      r.error = c.error;
  } else {
    r.fail("cost", "an object (the cost model)");
  }
  for (char ch : t.name)
    if (!llvm::isAlnum(ch) && ch != '-' && ch != '_') {
      r.fail("name", "letters, digits, '-' and '_'");
      break;
    }
  if (!r.error.empty()) {
    error = r.error;
    return std::nullopt;
  }
  return t;
}

std::optional<TargetDescription>
mlir::tempo::loadBuiltinTarget(const std::string &name, std::string &error) {
  std::vector<std::string> names = builtinTargetNames();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    error = "unknown target '" + name + "' (available: ";
    for (size_t i = 0; i < names.size(); ++i)
      error += (i ? ", " : "") + names[i];
    error += "; or describe your own part with --target-file FILE.json)";
    return std::nullopt;
  }
  llvm::SmallString<256> path(builtinTargetDir());
  llvm::sys::path::append(path, name + ".json");
  return loadTargetFile(path.str().str(), error);
}
