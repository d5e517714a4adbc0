//===- Target.h - Target descriptions -------------------------------------===//
//
// Targets differ in data, not in code: each is a JSON file under
// targets/descriptions/ (schema in its README), parsed with LLVM's JSON
// support. A user adds a part by writing one file and passing
// --target-file.
//
//===----------------------------------------------------------------------===//

#ifndef TEMPO_TARGETS_TARGET_H
#define TEMPO_TARGETS_TARGET_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir::tempo {

/// Cycles the target spends per unit of work, for the per-layer estimate.
struct CostModel {
  double cyclesPerMac = 1, cyclesPerElement = 1, cyclesPerTranscendental = 1,
         cyclesPerCompare = 1, cyclesPerByteMoved = 1, cyclesPerKernelCall = 0;
};

struct TargetDescription {
  std::string name, part, triple, cpu, fpu, floatAbi, toolchain;
  bool hasFpu = false, fpuDouble = false, hasDsp = false, hasMve = false;
  std::optional<int64_t> sramBytes, flashBytes, clockMhz;
  std::optional<double> energyPjPerCycle;
  int64_t align = 16;
  std::optional<std::string> qemuMachine;
  std::vector<std::string> cflags;
  CostModel cost;
  /// The file it was read from.
  std::string path;
};

/// The folder with the built-in descriptions ($TEMPO_HOME/targets/
/// descriptions if TEMPO_HOME is set, else the source tree's).
std::string builtinTargetDir();

/// Names of the built-in targets, sorted.
std::vector<std::string> builtinTargetNames();

/// Reads a description file; on failure returns nullopt and sets `error` to
/// a message naming the file and the field at fault.
std::optional<TargetDescription> loadTargetFile(const std::string &path,
                                                std::string &error);

/// Loads built-in target `name`; unknown names list the available ones.
std::optional<TargetDescription> loadBuiltinTarget(const std::string &name,
                                                   std::string &error);

} // namespace mlir::tempo

#endif // TEMPO_TARGETS_TARGET_H
