//===- RangeEstimator.h - Activation ranges and int8 parameters -*- C++ -*-===//
//
// The statistics side of `tempoc compile --quantize=int8 --calibration DATA
// --calibration-method minmax|percentile|mse`. The driver runs the float
// model over the calibration samples and feeds every activation tensor's
// values to one TensorStatistics; the clipping range [lo, hi] it returns
// gives the tensor's int8 asymmetric per-tensor scale and zero point
// (chooseInt8Asymmetric). Weights get symmetric per-channel scales
// (chooseInt8SymmetricPerChannel). The scheme is the one described at the
// top of runtime/include/tempo/quant_params.h. No MLIR header.
//
// Two passes over the data, for the methods that need a histogram:
//
//   TensorStatistics stats;                      // one per tensor
//   for (each sample) stats.observeRange(values, n);          // pass 1
//   if (stats.nonFiniteCount()) error naming the tensor;
//   if (TensorStatistics::needsHistogram(method)) {
//     stats.startHistogram();
//     for (each sample) stats.observeHistogram(values, n);    // pass 2
//   }
//   auto [lo, hi] = stats.range(method);
//   Int8Quantization q = chooseInt8Asymmetric(lo, hi);
//
// The methods:
//
//  - minmax: [min, max] of every finite value seen.
//  - percentile (p, default 99.99): lo is the (100 - p)-th percentile and hi
//    the p-th percentile of the values, read from the histogram with linear
//    interpolation inside a bin (values assumed uniform within it), and
//    never outside [min, max]. Each tail drops (100 - p)% of the values.
//  - mse: the range minimising the expected squared error of int8
//    asymmetric quantization (256 levels) over the histogram:
//        sum over bins of count * e(centre),
//        e(x) = (x - qlo)^2 if x < qlo, (x - qhi)^2 if x > qhi,
//               step^2 / 12 otherwise,
//    where step and [qlo, qhi] are the scale and the representable range of
//    chooseInt8Asymmetric(lo, hi), zero point nudging included. Candidates
//    shrink each end towards 0 on its own: lo = aLo * L, hi = aHi * H, with
//    [L, H] the [min, max] range extended to include 0, for a in 128 linear
//    steps from 1.00 to 0.30 and below that halving every 4 steps down to
//    one bin width (so one far outlier can be clipped away); the best pair
//    is then refined on a 16x finer grid between its neighbouring
//    candidates. Every candidate costs O(log bins) through prefix sums
//    (about 2 ms a tensor at 2048 bins). Deterministic; ties keep the wider
//    range. Zero-point nudging makes the objective piecewise, so the result
//    is the best of the grid, not always of every range (in the unit test's
//    one-outlier case, within 0.1% of a scan of hi in steps of 0.5).
//
// Whatever the method, range() returns lo <= 0 <= hi and lo < hi: a range
// is extended to include 0 (as int8 asymmetric quantization needs real 0
// exactly representable), and a zero-width range (an all-zero tensor, or no
// finite value at all) becomes [0, 255 * kMinInt8Scale].
//
//===----------------------------------------------------------------------===//

#ifndef TEMPO_CALIBRATION_RANGEESTIMATOR_H
#define TEMPO_CALIBRATION_RANGEESTIMATOR_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace mlir::tempo {

/// How an activation's clipping range is chosen from calibration data.
enum class CalibrationMethod { MinMax, Percentile, Mse };

/// Parses "minmax", "percentile" or "mse" (the --calibration-method values).
/// Returns false, leaving `method` unchanged, for anything else.
bool parseCalibrationMethod(llvm::StringRef name, CalibrationMethod &method);

/// "minmax", "percentile" or "mse".
llvm::StringRef calibrationMethodName(CalibrationMethod method);

/// The smallest scale chooseInt8Asymmetric returns (float32's epsilon, the
/// floor PyTorch's observers use): a degenerate range still gives a usable
/// positive scale whose requantization multipliers stay representable.
constexpr double kMinInt8Scale = std::numeric_limits<float>::epsilon();

/// Streaming statistics of one tensor's values over the calibration run.
class TensorStatistics {
public:
  /// Pass 1: folds `count` values into min, max and count. NaN and +-inf are
  /// not folded in; they are counted in nonFiniteCount() so the caller can
  /// report the tensor.
  void observeRange(const float *values, size_t count);

  /// True if `method` reads the histogram, that is needs pass 2.
  static bool needsHistogram(CalibrationMethod method);

  /// Starts pass 2: a histogram of `bins` equal bins over [min(), max()]
  /// (after pass 1 is complete). Clears any earlier histogram.
  void startHistogram(int bins = 2048);

  /// Pass 2: adds `count` values to the histogram. Values outside [min(),
  /// max()] go to the end bins; non-finite values are skipped (pass 1
  /// counted them).
  void observeHistogram(const float *values, size_t count);

  /// The clipping range for `method` (see the file comment): lo <= 0 <= hi,
  /// lo < hi. `percentile` is only read by Percentile and must be in
  /// [50, 100]. Percentile and Mse need the histogram of pass 2 unless the
  /// tensor is degenerate (no finite value, or min() == max()), where every
  /// method gives the minmax range.
  std::pair<float, float> range(CalibrationMethod method,
                                double percentile = 99.99) const;

  /// Mse's objective for the range [lo, hi]: the expected squared error of
  /// quantizing a value drawn from the histogram with
  /// chooseInt8Asymmetric(lo, hi). Needs the histogram.
  double expectedSquaredError(double lo, double hi) const;

  /// Smallest / largest finite value seen (+inf / -inf before any).
  float min() const { return minValue; }
  float max() const { return maxValue; }
  /// Finite values seen in pass 1.
  uint64_t count() const { return finiteCount; }
  /// NaN and infinite values seen in pass 1.
  uint64_t nonFiniteCount() const { return nonFinite; }

  bool hasHistogram() const { return !bins.empty(); }
  /// The bin counts of pass 2 (empty before startHistogram).
  llvm::ArrayRef<uint64_t> histogram() const { return bins; }

private:
  /// Prefix sums over the bins, for O(log bins) error evaluations.
  struct Prefix {
    std::vector<double> centres;
    /// Sums over bins [0, i) of count, count * centre, count * centre^2.
    std::vector<double> n, s1, s2;
  };
  Prefix buildPrefix() const;
  double expectedSquaredError(const Prefix &prefix, double lo, double hi) const;
  std::pair<double, double> percentileRange(double percentile) const;
  std::pair<double, double> mseRange() const;

  float minValue = std::numeric_limits<float>::infinity();
  float maxValue = -std::numeric_limits<float>::infinity();
  uint64_t finiteCount = 0;
  uint64_t nonFinite = 0;

  std::vector<uint64_t> bins;
  /// The histogram's lower edge and bin width (0 if min() == max()).
  double binLo = 0, binWidth = 0;
};

/// Int8 asymmetric per-tensor quantization: real = scale * (q - zeroPoint).
struct Int8Quantization {
  double scale;
  int32_t zeroPoint;
};

/// TFLite's choice with zero-point nudging: [lo, hi] is extended to include
/// 0, scale = (hi - lo) / 255 (at least kMinInt8Scale, so a zero-width or
/// NaN range still gives a positive scale), zeroPoint = round(-128 -
/// lo / scale) (half away from zero) clamped to [-128, 127]. Real 0 is
/// exactly representable (as zeroPoint); the representable range
/// [scale * (-128 - zeroPoint), scale * (127 - zeroPoint)] is [lo, hi]
/// shifted by less than scale / 2.
Int8Quantization chooseInt8Asymmetric(float lo, float hi);

/// Int8 symmetric (zero point 0) per-channel scales for a weight tensor
/// whose outermost dim is the channel (ONNX Conv's OIHW, Gemm's [out, in]
/// after the transpose): channel c is w[c * perChannel, (c + 1) *
/// perChannel). scale[c] = max |w| / 127 over the channel; a channel of
/// zeros gets 1.0 (every value quantizes to 0 with any scale, and 1.0 keeps
/// the bias scale input_scale * scale[c] reasonable). Non-finite values are
/// ignored: the caller rejects them first.
std::vector<double> chooseInt8SymmetricPerChannel(const float *w,
                                                  int64_t channels,
                                                  int64_t perChannel);

} // namespace mlir::tempo

#endif // TEMPO_CALIBRATION_RANGEESTIMATOR_H
