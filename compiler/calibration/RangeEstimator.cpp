//===- RangeEstimator.cpp - Activation ranges and int8 parameters ---------===//
//
// The methods are described in RangeEstimator.h. Counts and sums are kept in
// integers and doubles; only the returned ranges are floats.
//
//===----------------------------------------------------------------------===//

#include "compiler/calibration/RangeEstimator.h"

#include <algorithm>
#include <cassert>
#include <cmath>

using namespace mlir::tempo;
using llvm::StringRef;

bool mlir::tempo::parseCalibrationMethod(StringRef name,
                                         CalibrationMethod &method) {
  for (CalibrationMethod m :
       {CalibrationMethod::MinMax, CalibrationMethod::Percentile,
        CalibrationMethod::Mse}) {
    if (name == calibrationMethodName(m)) {
      method = m;
      return true;
    }
  }
  return false;
}

StringRef mlir::tempo::calibrationMethodName(CalibrationMethod method) {
  switch (method) {
  case CalibrationMethod::MinMax:
    return "minmax";
  case CalibrationMethod::Percentile:
    return "percentile";
  case CalibrationMethod::Mse:
    return "mse";
  }
  assert(false && "unknown calibration method");
  return "";
}

//===----------------------------------------------------------------------===//
// TensorStatistics
//===----------------------------------------------------------------------===//

void TensorStatistics::observeRange(const float *values, size_t count) {
  float lo = minValue, hi = maxValue;
  uint64_t finite = 0;
  for (size_t i = 0; i < count; ++i) {
    float v = values[i];
    if (!std::isfinite(v))
      continue;
    ++finite;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  minValue = lo;
  maxValue = hi;
  finiteCount += finite;
  nonFinite += count - finite;
}

bool TensorStatistics::needsHistogram(CalibrationMethod method) {
  return method != CalibrationMethod::MinMax;
}

void TensorStatistics::startHistogram(int numBins) {
  assert(numBins > 0 && "a histogram needs at least one bin");
  bins.assign(size_t(numBins), 0);
  binLo = finiteCount ? double(minValue) : 0.0;
  binWidth = finiteCount && minValue < maxValue
                 ? (double(maxValue) - double(minValue)) / numBins
                 : 0.0;
}

void TensorStatistics::observeHistogram(const float *values, size_t count) {
  assert(hasHistogram() && "observeHistogram before startHistogram");
  const int64_t last = int64_t(bins.size()) - 1;
  for (size_t i = 0; i < count; ++i) {
    float v = values[i];
    if (!std::isfinite(v))
      continue;
    int64_t bin = 0;
    if (binWidth > 0) {
      double x = std::floor((double(v) - binLo) / binWidth);
      bin = x <= 0 ? 0 : x >= double(last) ? last : int64_t(x);
    }
    ++bins[size_t(bin)];
  }
}

TensorStatistics::Prefix TensorStatistics::buildPrefix() const {
  Prefix p;
  size_t nb = bins.size();
  p.centres.resize(nb);
  p.n.assign(nb + 1, 0.0);
  p.s1.assign(nb + 1, 0.0);
  p.s2.assign(nb + 1, 0.0);
  for (size_t i = 0; i < nb; ++i) {
    double c = binLo + (double(i) + 0.5) * binWidth;
    double n = double(bins[i]);
    p.centres[i] = c;
    p.n[i + 1] = p.n[i] + n;
    p.s1[i + 1] = p.s1[i] + n * c;
    p.s2[i + 1] = p.s2[i] + n * c * c;
  }
  return p;
}

double TensorStatistics::expectedSquaredError(const Prefix &p, double lo,
                                              double hi) const {
  size_t nb = bins.size();
  double total = p.n[nb];
  if (total == 0)
    return 0;
  Int8Quantization q = chooseInt8Asymmetric(float(lo), float(hi));
  double s = q.scale;
  double qlo = s * (-128 - q.zeroPoint), qhi = s * (127 - q.zeroPoint);
  // Bins [0, kLo) have their centre below qlo, bins [kHi, nb) above qhi.
  size_t kLo =
      size_t(std::lower_bound(p.centres.begin(), p.centres.end(), qlo) -
             p.centres.begin());
  size_t kHi =
      size_t(std::upper_bound(p.centres.begin(), p.centres.end(), qhi) -
             p.centres.begin());
  kHi = std::max(kHi, kLo);
  // sum n (c - t)^2 = sum n c^2 - 2 t sum n c + t^2 sum n.
  double below = p.s2[kLo] - 2 * qlo * p.s1[kLo] + qlo * qlo * p.n[kLo];
  double aboveN = total - p.n[kHi];
  double above = (p.s2[nb] - p.s2[kHi]) - 2 * qhi * (p.s1[nb] - p.s1[kHi]) +
                 qhi * qhi * aboveN;
  double inside = p.n[kHi] - p.n[kLo];
  return (std::max(below, 0.0) + std::max(above, 0.0) + inside * s * s / 12) /
         total;
}

double TensorStatistics::expectedSquaredError(double lo, double hi) const {
  assert(hasHistogram() && "expectedSquaredError needs the histogram");
  return expectedSquaredError(buildPrefix(), lo, hi);
}

std::pair<double, double>
TensorStatistics::percentileRange(double percentile) const {
  assert(percentile >= 50 && percentile <= 100 &&
         "the percentile must be in [50, 100]");
  uint64_t total = 0;
  for (uint64_t n : bins)
    total += n;
  if (total == 0)
    return {minValue, maxValue};
  // The value below which a fraction q of the histogram lies.
  auto quantile = [&](double q) {
    double rank = q * double(total), below = 0;
    for (size_t i = 0; i < bins.size(); ++i) {
      double n = double(bins[i]);
      if (n == 0)
        continue;
      if (below + n >= rank) {
        double frac = std::clamp((rank - below) / n, 0.0, 1.0);
        return binLo + (double(i) + frac) * binWidth;
      }
      below += n;
    }
    return double(maxValue);
  };
  double lo = quantile((100 - percentile) / 100);
  double hi = quantile(percentile / 100);
  return {std::clamp(lo, double(minValue), double(maxValue)),
          std::clamp(hi, double(minValue), double(maxValue))};
}

std::pair<double, double> TensorStatistics::mseRange() const {
  Prefix p = buildPrefix();
  // Candidate ends for one side of extent `extreme` (<= 0 for lo, >= 0 for
  // hi), widest first.
  auto candidates = [&](double extreme) {
    std::vector<float> out;
    if (extreme == 0) {
      out.push_back(0);
      return out;
    }
    constexpr int kLinearSteps = 128;
    for (int k = 0; k < kLinearSteps; ++k)
      out.push_back(float(extreme * (1.0 - 0.70 * k / (kLinearSteps - 1))));
    for (int j = 1;; ++j) {
      double a = 0.30 * std::exp2(-j / 4.0);
      if (a * std::fabs(extreme) < binWidth)
        break;
      out.push_back(float(extreme * a));
    }
    return out;
  };
  std::vector<float> lows = candidates(std::min(double(minValue), 0.0));
  std::vector<float> highs = candidates(std::max(double(maxValue), 0.0));

  float bestLo = lows.front(), bestHi = highs.front();
  double best = expectedSquaredError(p, bestLo, bestHi);
  size_t bestI = 0, bestJ = 0;
  for (size_t i = 0; i < lows.size(); ++i) {
    for (size_t j = 0; j < highs.size(); ++j) {
      double err = expectedSquaredError(p, lows[i], highs[j]);
      if (err < best) {
        best = err;
        bestI = i;
        bestJ = j;
        bestLo = lows[i];
        bestHi = highs[j];
      }
    }
  }

  // Refine between the neighbours of the best candidates, widest first.
  auto fine = [](const std::vector<float> &c, size_t k) {
    constexpr int kSteps = 32;
    double outer = c[k ? k - 1 : 0], inner = c[std::min(k + 1, c.size() - 1)];
    std::vector<float> out;
    for (int s = 0; s <= kSteps; ++s)
      out.push_back(float(outer + (inner - outer) * s / kSteps));
    return out;
  };
  std::vector<float> fineLows = fine(lows, bestI);
  std::vector<float> fineHighs = fine(highs, bestJ);
  for (float lo : fineLows) {
    for (float hi : fineHighs) {
      double err = expectedSquaredError(p, lo, hi);
      if (err < best) {
        best = err;
        bestLo = lo;
        bestHi = hi;
      }
    }
  }
  return {bestLo, bestHi};
}

std::pair<float, float> TensorStatistics::range(CalibrationMethod method,
                                                double percentile) const {
  double lo = 0, hi = 0;
  if (finiteCount) {
    lo = minValue;
    hi = maxValue;
  }
  if (finiteCount && minValue < maxValue &&
      method != CalibrationMethod::MinMax) {
    assert(hasHistogram() && "range() needs the histogram of pass 2");
    std::tie(lo, hi) = method == CalibrationMethod::Percentile
                           ? percentileRange(percentile)
                           : mseRange();
  }
  float l = float(std::min(lo, 0.0)), h = float(std::max(hi, 0.0));
  if (l == 0)
    l = 0; // not -0
  if (!(h > l))
    h = l + float(255 * kMinInt8Scale);
  return {l, h};
}

//===----------------------------------------------------------------------===//
// Quantization parameters
//===----------------------------------------------------------------------===//

Int8Quantization mlir::tempo::chooseInt8Asymmetric(float lo, float hi) {
  double l = std::min(double(lo), 0.0), h = std::max(double(hi), 0.0);
  double scale = (h - l) / 255;
  if (!(scale >= kMinInt8Scale)) // also NaN
    scale = kMinInt8Scale;
  double zp = std::round(-128 - l / scale);
  if (!(zp >= -128)) // also NaN
    zp = -128;
  if (zp > 127)
    zp = 127;
  return {scale, int32_t(zp)};
}

std::vector<double>
mlir::tempo::chooseInt8SymmetricPerChannel(const float *w, int64_t channels,
                                           int64_t perChannel) {
  assert(channels >= 0 && perChannel >= 0 && "negative weight dims");
  std::vector<double> scales(static_cast<size_t>(channels));
  for (int64_t c = 0; c < channels; ++c) {
    float maxAbs = 0;
    const float *row = w + c * perChannel;
    for (int64_t i = 0; i < perChannel; ++i)
      if (std::isfinite(row[i]))
        maxAbs = std::max(maxAbs, std::fabs(row[i]));
    scales[size_t(c)] = maxAbs > 0 ? double(maxAbs) / 127 : 1.0;
  }
  return scales;
}
