//===- Report.h - Per-layer memory, work and cost report ------------------===//
//
// The JSON report tempoc writes beside the generated code (--report) and
// that `tempoc measure` completes with measured figures. Its schema is
// "tempo.report/1": fields are only ever added; keys print sorted, so the
// same model and options give byte-identical reports.
//
//===----------------------------------------------------------------------===//

#ifndef TEMPO_REPORT_REPORT_H
#define TEMPO_REPORT_REPORT_H

#include "targets/Target.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/JSON.h"

namespace mlir::tempo {

/// What one layer (op) does, counted from its kernel parameters.
struct WorkCounts {
  int64_t macs = 0;            ///< multiply-accumulates (conv, gemm, matmul)
  int64_t elements = 0;        ///< elementwise arithmetic operations
  int64_t transcendentals = 0; ///< expf / tanhf calls
  int64_t compares = 0;        ///< pooling compares and adds
  int64_t bytesMoved = 0;      ///< bytes copied (transpose, concat, copy)
  int64_t kernelCalls = 0;

  WorkCounts &operator+=(const WorkCounts &o);
  /// Estimated cycles on a target with this cost model.
  double cycles(const CostModel &cost) const;
};

/// The work of one op (a planned or unplanned tempo op with a kernel).
FailureOr<WorkCounts> countWork(Operation *op);

struct ReportInfo {
  std::string modelFile, modelDigest, name;
};

/// Builds the report of a planned function for `target`.
FailureOr<llvm::json::Object> buildReport(func::FuncOp func,
                                          const TargetDescription &target,
                                          const ReportInfo &info);

/// The memory plan as JSON (schema "tempo.plan/1"): every buffer with the
/// values it holds, its offset, size and lifetime; the arena; the bound.
FailureOr<llvm::json::Object> buildPlan(func::FuncOp func);

/// A text memory map: one row per step, the arena drawn left to right with
/// a letter per live buffer, the peak step marked.
LogicalResult printMemoryMap(llvm::raw_ostream &os, func::FuncOp func);

/// Prints a per-layer table of the report (for the terminal).
void printReportTable(llvm::raw_ostream &os, const llvm::json::Object &report);

} // namespace mlir::tempo

#endif // TEMPO_REPORT_REPORT_H
