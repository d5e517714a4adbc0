//===- Measure.h - Build generated code for a target, run it, measure -----===//

#ifndef TEMPO_DRIVER_MEASURE_H
#define TEMPO_DRIVER_MEASURE_H

#include "targets/Target.h"

#include "llvm/Support/JSON.h"

#include <string>
#include <vector>

namespace mlir::tempo {

struct MeasureRequest {
  TargetDescription target;
  std::string genDir, name, workDir;
  std::string opt = "Os";                 ///< "Os" or "O2"
  std::vector<std::string> inputFiles;    ///< raw bytes per model input
  std::vector<std::string> outputFiles;   ///< where the outputs go
  int runs = 201;                         ///< host only: timed runs
  int timeoutSeconds = 120;
};

/// Builds NAME.cpp with the harness for the target and runs it: natively
/// for `host` (median wall time over `runs`), under QEMU otherwise (exact
/// instruction count, image flash/RAM, stack). On success returns the
/// "measured" object of the report; on failure sets `error`.
std::optional<llvm::json::Object> measureOnTarget(const MeasureRequest &req,
                                                  std::string &error);

/// The Tempo source tree ($TEMPO_HOME or the one tempoc was built from).
std::string tempoHome();

} // namespace mlir::tempo

#endif // TEMPO_DRIVER_MEASURE_H
