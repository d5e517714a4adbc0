//===- Quantization.h - Calibration and the accuracy report ---------------===//
//
// tempoc's --quantize=int8 (and int8-weights) between the float graph
// optimisations and the
// lowering: run the float model in the reference evaluator over the
// calibration data and record every tensor's range (tempo.calib), run
// tempo-quantize, and measure what quantization cost, layer by layer, on
// the validation data.
//
//===----------------------------------------------------------------------===//

#ifndef TEMPO_DRIVER_QUANTIZATION_H
#define TEMPO_DRIVER_QUANTIZATION_H

#include "compiler/calibration/CalibrationData.h"
#include "compiler/calibration/RangeEstimator.h"
#include "passes/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/JSON.h"

#include <string>
#include <vector>

namespace mlir::tempo {

struct QuantizationOptions {
  std::string calibration;
  std::string validation;
  CalibrationMethod method = CalibrationMethod::MinMax;
  double percentile = 99.99;
  int64_t csvStride = 0;
  std::vector<std::string> keepFloat;
  /// Mixed precision (docs/quantization.md): ONNX nodes computing in float
  /// on int8 weights, nodes running with int16 activations, and the
  /// whole-model int8-weights mode (no calibration; the accuracy report
  /// only if `validation` is given).
  std::vector<std::string> int8Weights, int16;
  bool weightsOnly = false;
  TempoPipelineOptions pipeline;
};

/// Quantizes `module`, which has been through buildTempoFloatPipeline:
/// calibrates it, runs tempo-quantize, and fills `accuracy` with the
/// report (tempo.accuracy/1). The module is left ready for
/// buildTempoLoweringPipeline. Errors are reported as diagnostics or in
/// `error` (data files); returns failure then.
LogicalResult quantizeModule(ModuleOp module, const QuantizationOptions &options,
                             llvm::json::Object &accuracy, std::string &error);

/// True if the imported model is in QDQ form: an op (not a quantize,
/// dequantize or constant) whose output a QuantizeLinear reads carries the
/// type the model gave it (tempo.qtype).
bool hasQdqTypes(ModuleOp module);

/// Compiles a QDQ model's quantized part to the int8 kernels with the
/// model's own scales and zero points, no calibration: tempo-quantize (which
/// takes the model's int8 weights as they are and its activation types from
/// tempo.qtype) and canonicalize, before the float graph optimisations (which
/// would fold the weights' dequantize into float constants). Writes to
/// `notes` one line naming the ops in QDQ form that stay float (no int8
/// kernel), if any.
LogicalResult quantizeQdqModule(ModuleOp module,
                                const std::vector<std::string> &keepFloat,
                                llvm::raw_ostream &notes);

/// The bytes of a function argument of type `type` from float values: a
/// copy for f32, quantized as tempo::quantize_linear does for a quantized
/// argument (round half to even, saturating).
std::vector<char> argumentBytes(mlir::Type type,
                                const std::vector<float> &values);

/// Prints the accuracy report: the outputs first, then the layers, worst
/// SQNR first.
void printAccuracyTable(llvm::raw_ostream &os,
                        const llvm::json::Object &accuracy);

} // namespace mlir::tempo

#endif // TEMPO_DRIVER_QUANTIZATION_H
