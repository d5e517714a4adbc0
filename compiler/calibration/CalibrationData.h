//===- CalibrationData.h - Read calibration samples for quantization ------===//
//
// `tempoc compile --quantize=int8 --calibration DATA` runs the float model on
// sample inputs read from DATA. This file reads DATA into float32 samples,
// one value vector per model input, and rejects anything doubtful with a
// message naming the file (and, for CSV, the line and column). It includes
// no MLIR header.
//
// DATA is one of:
//
//  - A folder in the ONNX test-data layout: test_data_set_0/, 1/, ... (in
//    numeric order: 2 before 10), each with input_0.pb ... input_<n-1>.pb,
//    one serialized float32 TensorProto per model input, of exactly the
//    input's shape. A folder holding input_*.pb itself is one sample; a
//    single .pb file is one sample of a one-input model.
//  - A .npy file (format 1.0, 2.0 or 3.0, C order, dtype <f4, <f8, <i2,
//    <i4, <i8, |i1, |u1, <u2; converted to float32) for a one-input model. An
//    array of the input's shape S is one sample; [N, S...] is N samples, and
//    so is [N, S1...] when S = [1, S1...] (the batch dim holds the samples).
//  - A .npz archive (np.savez, stored; np.savez_compressed, deflated, if
//    zlib was found at build time) with one member per model input, named
//    after the input or arr_0, arr_1, ... in input order (a one-input model
//    also takes an archive with a single member of any name). Every member
//    follows the .npy rule and all give the same number of samples.
//  - A CSV sensor log for a one-input model of shape [1, C, T], [1, T, C] or
//    [T, C]: one row per time step, one comma-separated column per channel.
//    The column count picks the layout; when C == T, [1, C, T] (channels
//    first) is taken. The first row is a header if none of its fields is a
//    number. Blank lines and lines starting with '#' are skipped. The rows
//    are cut into windows of T rows starting every `csvStride` rows (T if
//    0); rows after the last full window are not used.
//  - A folder of .pb, .npy, .npz and .csv files (numeric name order, other
//    files ignored), each read as above.
//
// Every value must be finite. Samples come in a deterministic order: files
// and folders by name (numeric runs compared as numbers), then in file
// order.
//
//===----------------------------------------------------------------------===//

#ifndef TEMPO_CALIBRATION_CALIBRATIONDATA_H
#define TEMPO_CALIBRATION_CALIBRATIONDATA_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mlir::tempo {

/// One graph input of the model being calibrated (float32 only).
struct InputSpec {
  std::string name;
  /// Static, positive dims.
  std::vector<int64_t> shape;
};

/// One set of model inputs.
struct CalibrationSample {
  /// One row-major vector per model input, in input order.
  std::vector<std::vector<float>> inputs;
  /// Where it came from, for messages: "log.csv lines 2-129",
  /// "x.npy sample 3", "data/test_data_set_0".
  std::string origin;
};

struct CalibrationOptions {
  /// Rows between the starts of two CSV windows; 0: the window length
  /// (non-overlapping windows).
  int64_t csvStride = 0;
  /// Stop after this many samples; 0: read all.
  size_t maxSamples = 0;
};

/// Reads every sample of DATA for a model with these inputs, appending to
/// `out`. On error returns false and sets `error` to a message naming the
/// file (and for CSV the line and column, as "file:line:column: ...").
bool readCalibrationData(const std::string &path,
                         const std::vector<InputSpec> &inputs,
                         const CalibrationOptions &options,
                         std::vector<CalibrationSample> &out,
                         std::string &error);

/// True if deflated .npz members (np.savez_compressed) can be read, that is
/// zlib was found when Tempo was built.
bool calibrationSupportsDeflate();

} // namespace mlir::tempo

#endif // TEMPO_CALIBRATION_CALIBRATIONDATA_H
