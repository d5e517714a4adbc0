//===- RangeEstimatorTest.cpp - Calibration ranges and int8 parameters ----===//
//
// TensorStatistics on distributions whose answer is known: min/max across
// batches, percentiles of a uniform grid and of uniform data with outliers,
// the MSE range of heavy-tailed (Laplacian) and uniform data. The int8
// parameters are checked against hand-computed values and against their
// contract (0 representable, the range covered within half a step). The
// progress bar is drawn into a string. Random data comes from a fixed-seed
// std::mt19937 whose raw output the standard specifies, turned into floats
// here (the std:: distributions differ between libraries).
//
//===----------------------------------------------------------------------===//

#include "compiler/calibration/RangeEstimator.h"
#include "compiler/calibration/Progress.h"

#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace mlir::tempo;

namespace {

/// Uniform in (0, 1).
double uniform01(std::mt19937 &rng) {
  return (double(rng()) + 0.5) / 4294967296.0;
}

std::vector<float> uniformValues(size_t n, float lo, float hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<float> v(n);
  for (float &x : v)
    x = float(lo + (hi - lo) * uniform01(rng));
  return v;
}

/// Laplace(0, b) by the inverse CDF.
std::vector<float> laplaceValues(size_t n, double b, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<float> v(n);
  for (float &x : v) {
    double u = uniform01(rng) - 0.5;
    x = float(-b * (u < 0 ? -1 : 1) * std::log(1 - 2 * std::fabs(u)));
  }
  return v;
}

/// Both passes over `values`, fed in batches of `batch`.
TensorStatistics statsOf(const std::vector<float> &values,
                         size_t batch = 1000) {
  TensorStatistics s;
  for (size_t i = 0; i < values.size(); i += batch)
    s.observeRange(values.data() + i, std::min(batch, values.size() - i));
  s.startHistogram();
  for (size_t i = 0; i < values.size(); i += batch)
    s.observeHistogram(values.data() + i, std::min(batch, values.size() - i));
  return s;
}

void expectValidRange(std::pair<float, float> r) {
  EXPECT_LE(r.first, 0.0f);
  EXPECT_GE(r.second, 0.0f);
  EXPECT_LT(r.first, r.second);
}

//===----------------------------------------------------------------------===//
// Methods and min/max
//===----------------------------------------------------------------------===//

TEST(RangeEstimator, MethodNames) {
  for (CalibrationMethod m :
       {CalibrationMethod::MinMax, CalibrationMethod::Percentile,
        CalibrationMethod::Mse}) {
    CalibrationMethod parsed = CalibrationMethod::MinMax;
    ASSERT_TRUE(parseCalibrationMethod(calibrationMethodName(m), parsed));
    EXPECT_EQ(parsed, m);
  }
  EXPECT_EQ(calibrationMethodName(CalibrationMethod::MinMax), "minmax");
  EXPECT_EQ(calibrationMethodName(CalibrationMethod::Percentile), "percentile");
  EXPECT_EQ(calibrationMethodName(CalibrationMethod::Mse), "mse");
  CalibrationMethod m = CalibrationMethod::Mse;
  EXPECT_FALSE(parseCalibrationMethod("MinMax", m));
  EXPECT_FALSE(parseCalibrationMethod("", m));
  EXPECT_FALSE(parseCalibrationMethod("kl", m));
  EXPECT_EQ(m, CalibrationMethod::Mse);
  EXPECT_FALSE(TensorStatistics::needsHistogram(CalibrationMethod::MinMax));
  EXPECT_TRUE(TensorStatistics::needsHistogram(CalibrationMethod::Percentile));
  EXPECT_TRUE(TensorStatistics::needsHistogram(CalibrationMethod::Mse));
}

TEST(RangeEstimator, MinMaxExactAcrossBatches) {
  TensorStatistics s;
  std::vector<float> a = {0.25f, -1.5f, 3.0f}, b = {2.999f, -1.4999f},
                     c = {-7.125f}, d = {1e-3f, 6.5f, 0.0f};
  s.observeRange(a.data(), a.size());
  s.observeRange(b.data(), b.size());
  s.observeRange(c.data(), 0); // an empty batch changes nothing
  s.observeRange(d.data(), d.size());
  EXPECT_EQ(s.min(), -1.5f);
  EXPECT_EQ(s.max(), 6.5f);
  s.observeRange(c.data(), c.size());
  EXPECT_EQ(s.min(), -7.125f);
  EXPECT_EQ(s.count(), 9u);
  EXPECT_EQ(s.nonFiniteCount(), 0u);
  auto r = s.range(CalibrationMethod::MinMax);
  EXPECT_EQ(r.first, -7.125f);
  EXPECT_EQ(r.second, 6.5f);
}

TEST(RangeEstimator, NonFiniteValuesAreCountedNotFolded) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> a = {1.0f, nan, -2.0f}, b = {inf, -inf, 0.5f, nan};
  TensorStatistics s;
  s.observeRange(a.data(), a.size());
  s.observeRange(b.data(), b.size());
  EXPECT_EQ(s.count(), 3u);
  EXPECT_EQ(s.nonFiniteCount(), 4u);
  EXPECT_EQ(s.min(), -2.0f);
  EXPECT_EQ(s.max(), 1.0f);
  s.startHistogram(16);
  s.observeHistogram(a.data(), a.size());
  s.observeHistogram(b.data(), b.size());
  uint64_t total = 0;
  for (uint64_t n : s.histogram())
    total += n;
  EXPECT_EQ(total, 3u);
  EXPECT_EQ(s.histogram().front(), 1u); // -2
  EXPECT_EQ(s.histogram().back(), 1u);  // 1, the last bin's upper edge
  for (CalibrationMethod m :
       {CalibrationMethod::MinMax, CalibrationMethod::Percentile,
        CalibrationMethod::Mse}) {
    auto r = s.range(m);
    EXPECT_TRUE(std::isfinite(r.first) && std::isfinite(r.second));
    expectValidRange(r);
  }
}

TEST(RangeEstimator, HistogramClampsValuesOutsidePass1) {
  std::vector<float> pass1 = {0.0f, 1.0f}, pass2 = {-5.0f, 0.5f, 9.0f};
  TensorStatistics s;
  s.observeRange(pass1.data(), pass1.size());
  s.startHistogram(4);
  s.observeHistogram(pass2.data(), pass2.size());
  EXPECT_EQ(s.histogram(), llvm::ArrayRef<uint64_t>({1, 0, 1, 1}));
}

//===----------------------------------------------------------------------===//
// Percentile
//===----------------------------------------------------------------------===//

TEST(RangeEstimator, PercentileOfAUniformGrid) {
  // x_i = -1 + 2 (i + 1/2) / N: the p-th percentile is 2 p / 100 - 1.
  const size_t n = 100000;
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = float(-1 + 2 * (i + 0.5) / n);
  TensorStatistics s = statsOf(v);
  auto r = s.range(CalibrationMethod::Percentile, 99);
  EXPECT_NEAR(r.first, -0.98, 1e-3);
  EXPECT_NEAR(r.second, 0.98, 1e-3);
  r = s.range(CalibrationMethod::Percentile, 90);
  EXPECT_NEAR(r.first, -0.80, 1e-3);
  EXPECT_NEAR(r.second, 0.80, 1e-3);
  // p = 100 is minmax.
  r = s.range(CalibrationMethod::Percentile, 100);
  EXPECT_EQ(r.first, s.min());
  EXPECT_EQ(r.second, s.max());
}

TEST(RangeEstimator, PercentileExcludesOutliers) {
  std::vector<float> v = uniformValues(10000, -1, 1, 1);
  for (int i = 0; i < 5; ++i) {
    v.push_back(40.0f + i);
    v.push_back(-30.0f - i);
  }
  std::shuffle(v.begin(), v.end(), std::mt19937(2));
  TensorStatistics s = statsOf(v, 333);
  auto minmax = s.range(CalibrationMethod::MinMax);
  EXPECT_EQ(minmax.first, -34.0f);
  EXPECT_EQ(minmax.second, 44.0f);
  // 99.9: each tail drops 10 of 10010 values, the 5 outliers and a few
  // uniform ones. The histogram's bins are 78 / 2048 wide.
  auto r = s.range(CalibrationMethod::Percentile, 99.9);
  const double bin = 78.0 / 2048;
  EXPECT_GT(r.first, -1 - bin);
  EXPECT_LT(r.first, -0.95);
  EXPECT_LT(r.second, 1 + bin);
  EXPECT_GT(r.second, 0.95);
}

//===----------------------------------------------------------------------===//
// MSE
//===----------------------------------------------------------------------===//

TEST(RangeEstimator, MseClipsAHeavyTail) {
  std::vector<float> v = laplaceValues(200000, 1.0, 3);
  TensorStatistics s = statsOf(v);
  auto minmax = s.range(CalibrationMethod::MinMax);
  auto mse = s.range(CalibrationMethod::Mse);
  expectValidRange(mse);
  EXPECT_LT(mse.second, 0.9f * minmax.second);
  EXPECT_GT(mse.first, 0.9f * minmax.first);
  // Not clipped into the bulk either: Laplace(1) has 99% of its mass in
  // [-4.6, 4.6].
  EXPECT_GT(mse.second, 4.6f);
  EXPECT_LT(mse.first, -4.6f);
  EXPECT_LT(s.expectedSquaredError(mse.first, mse.second),
            0.9 * s.expectedSquaredError(minmax.first, minmax.second));
}

TEST(RangeEstimator, MseKeepsAUniformRange) {
  // For U(-1, 1) the optimum clips only ~0.4% (where the clipping error's
  // slope, (1 - a)^2, meets the noise's, 3 a^2 (2 / 255)^2 / 12).
  std::vector<float> v = uniformValues(100000, -1, 1, 4);
  TensorStatistics s = statsOf(v);
  auto mse = s.range(CalibrationMethod::Mse);
  EXPECT_LT(mse.first, 0.99f * s.min());
  EXPECT_GT(mse.second, 0.99f * s.max());
  // All positive: lo stays 0.
  std::vector<float> pos = uniformValues(100000, 2, 6, 5);
  TensorStatistics p = statsOf(pos);
  auto r = p.range(CalibrationMethod::Mse);
  EXPECT_EQ(r.first, 0.0f);
  EXPECT_GT(r.second, 0.99f * p.max());
  EXPECT_LE(r.second, p.max());
}

TEST(RangeEstimator, MseMatchesTheOptimumForOneFarOutlier) {
  // N values in [-1, 1] and one at 1000. Clipping the outlier to h costs
  // (1000 - h)^2, the step (h + 1) / 255 costs N (h + 1)^2 / (12 * 255^2):
  // the optimum is h = (1000 - k) / (1 + k) with k = N / 780300, here 205.6,
  // below the 0.30 * max that the linear candidates reach. (Nudging the zero
  // point clips part of [-1, 0] too, which the formula leaves out: allow
  // 10%.)
  const size_t n = 3000000;
  std::vector<float> v = uniformValues(n, -1, 1, 6);
  v[123456] = 1000.0f;
  TensorStatistics s = statsOf(v, 4096);
  auto r = s.range(CalibrationMethod::Mse);
  const double k = double(n - 1) / (12 * 255.0 * 255.0);
  const double h = (1000 - k) / (1 + k);
  EXPECT_NEAR(r.second, h, 0.1 * h);
  EXPECT_LT(r.first, -0.7f);
  // No hi on a grid of 0.5 does better by more than 0.1% (the nudged
  // objective is piecewise, the search's grid is finite).
  double best = s.expectedSquaredError(r.first, r.second);
  for (double hi = 1; hi <= 1000; hi += 0.5)
    EXPECT_LE(best, s.expectedSquaredError(r.first, hi) * 1.001) << hi;
}

TEST(RangeEstimator, MseIsDeterministic) {
  std::vector<float> v = laplaceValues(50000, 0.5, 7);
  auto a = statsOf(v, 1000).range(CalibrationMethod::Mse);
  auto b = statsOf(v, 777).range(CalibrationMethod::Mse);
  EXPECT_EQ(a, b);
}

//===----------------------------------------------------------------------===//
// Degenerate tensors
//===----------------------------------------------------------------------===//

TEST(RangeEstimator, RangesAlwaysHoldZeroAndHaveWidth) {
  const float tiny = float(255 * kMinInt8Scale);
  struct Case {
    std::vector<float> values;
    float lo, hi;
  } cases[] = {
      {{5, 5, 5}, 0, 5}, {{-2, -2}, -2, 0},    {{0, 0, 0, 0}, 0, tiny},
      {{}, 0, tiny},     {{3, 4, 3.5f}, 0, 4}, {{-4, -3}, -4, 0},
  };
  for (const Case &c : cases) {
    TensorStatistics s = statsOf(c.values);
    for (CalibrationMethod m :
         {CalibrationMethod::MinMax, CalibrationMethod::Percentile,
          CalibrationMethod::Mse}) {
      auto r = s.range(m);
      expectValidRange(r);
      EXPECT_FALSE(std::signbit(r.first) && r.first == 0) << "-0 as lo";
      if (m == CalibrationMethod::MinMax || c.values.empty() ||
          s.min() == s.max()) {
        EXPECT_EQ(r.first, c.lo);
        EXPECT_EQ(r.second, c.hi);
      } else {
        EXPECT_GE(r.first, c.lo);
        EXPECT_LE(r.second, c.hi);
      }
    }
  }
}

//===----------------------------------------------------------------------===//
// Int8 parameters
//===----------------------------------------------------------------------===//

/// The contract of chooseInt8Asymmetric for [lo, hi].
void expectAsymmetricContract(float lo, float hi) {
  SCOPED_TRACE(testing::Message() << "[" << lo << ", " << hi << "]");
  Int8Quantization q = chooseInt8Asymmetric(lo, hi);
  ASSERT_GT(q.scale, 0);
  ASSERT_GE(q.zeroPoint, -128);
  ASSERT_LE(q.zeroPoint, 127);
  double l = std::min(lo, 0.0f), h = std::max(hi, 0.0f);
  EXPECT_DOUBLE_EQ(q.scale, std::max((h - l) / 255, kMinInt8Scale));
  // Real 0 lies exactly on the grid: the representable ends are whole
  // steps from 0.
  double qlo = q.scale * (-128 - q.zeroPoint);
  double qhi = q.scale * (127 - q.zeroPoint);
  EXPECT_LE(qlo, 0);
  EXPECT_GE(qhi, 0);
  // ... and the requested range is covered within half a step.
  EXPECT_LE(qlo, l + q.scale / 2 + 1e-12);
  EXPECT_GE(qhi, h - q.scale / 2 - 1e-12);
  // Quantizing 0 gives the zero point, dequantizing it gives 0.
  double q0 = std::round(0.0 / q.scale) + q.zeroPoint;
  EXPECT_EQ(q0, q.zeroPoint);
  EXPECT_EQ((q0 - q.zeroPoint) * q.scale, 0.0);
}

TEST(RangeEstimator, Int8AsymmetricKnownValues) {
  Int8Quantization q = chooseInt8Asymmetric(-1, 3);
  EXPECT_DOUBLE_EQ(q.scale, 4.0 / 255);
  EXPECT_EQ(q.zeroPoint, -64);       // round(-128 + 63.75)
  q = chooseInt8Asymmetric(0.5f, 2); // all positive: [0, 2]
  EXPECT_DOUBLE_EQ(q.scale, 2.0 / 255);
  EXPECT_EQ(q.zeroPoint, -128);
  q = chooseInt8Asymmetric(-3, -1); // all negative: [-3, 0]
  EXPECT_DOUBLE_EQ(q.scale, 3.0 / 255);
  EXPECT_EQ(q.zeroPoint, 127);
  q = chooseInt8Asymmetric(-1, 1);
  EXPECT_DOUBLE_EQ(q.scale, 2.0 / 255);
  EXPECT_EQ(q.zeroPoint, -1);     // round(-128 + 127.5), half away from zero
  q = chooseInt8Asymmetric(0, 0); // constant zero
  EXPECT_EQ(q.scale, kMinInt8Scale);
  EXPECT_EQ(q.zeroPoint, -128);
  q = chooseInt8Asymmetric(2, 2); // constant: [0, 2]
  EXPECT_DOUBLE_EQ(q.scale, 2.0 / 255);
  EXPECT_EQ(q.zeroPoint, -128);
  q = chooseInt8Asymmetric(std::numeric_limits<float>::quiet_NaN(), 1);
  EXPECT_GT(q.scale, 0);
  EXPECT_GE(q.zeroPoint, -128);
  EXPECT_LE(q.zeroPoint, 127);
}

TEST(RangeEstimator, Int8AsymmetricContract) {
  std::mt19937 rng(8);
  for (int i = 0; i < 2000; ++i) {
    float a = float(std::ldexp(uniform01(rng) * 2 - 1, int(rng() % 20) - 10));
    float b = float(std::ldexp(uniform01(rng) * 2 - 1, int(rng() % 20) - 10));
    expectAsymmetricContract(std::min(a, b), std::max(a, b));
  }
  expectAsymmetricContract(0, 0);
  expectAsymmetricContract(0, 1e-9f);
  expectAsymmetricContract(-1e-9f, 0);
  expectAsymmetricContract(3, 3);
  expectAsymmetricContract(-3, -3);
  expectAsymmetricContract(-1e30f, 1e30f);
}

TEST(RangeEstimator, Int8SymmetricPerChannel) {
  std::vector<float> w = {
      1.0f,   -2.0f, 0.5f,   0.0f, // max |w| = 2
      0.0f,   0.0f,  0.0f,   0.0f, // all zero
      -127.f, 3.0f,  4.0f,   5.0f, // max |w| = 127
      0.0f,   0.0f,  1e-20f, 0.0f,
  };
  std::vector<double> s = chooseInt8SymmetricPerChannel(w.data(), 4, 4);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_DOUBLE_EQ(s[0], 2.0 / 127);
  EXPECT_EQ(s[1], 1.0);
  EXPECT_DOUBLE_EQ(s[2], 1.0);
  EXPECT_DOUBLE_EQ(s[3], double(1e-20f) / 127);
  EXPECT_TRUE(chooseInt8SymmetricPerChannel(w.data(), 0, 4).empty());
  // One channel over the whole tensor is per-tensor.
  s = chooseInt8SymmetricPerChannel(w.data(), 1, 16);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_DOUBLE_EQ(s[0], 1.0);
}

//===----------------------------------------------------------------------===//
// Progress bar
//===----------------------------------------------------------------------===//

TEST(ProgressBar, SilentWhenNotEnabled) {
  std::string out;
  llvm::raw_string_ostream os(out);
  {
    ProgressBar bar("calibrating", 10, os, /*enabled=*/false);
    EXPECT_FALSE(bar.isEnabled());
    for (int i = 0; i < 10; ++i)
      bar.advance();
    bar.finish();
  }
  os.flush();
  EXPECT_EQ(out, "");
}

TEST(ProgressBar, DrawsWhenEnabled) {
  std::string out;
  llvm::raw_string_ostream os(out);
  {
    ProgressBar bar("calibrating", 4, os, /*enabled=*/true);
    for (int i = 0; i < 4; ++i)
      bar.advance();
  } // the destructor finishes the line
  os.flush();
  const std::string dots(30, '.'), hashes(30, '#');
  std::string expected;
  for (int filled : {0, 7, 15, 22, 30})
    expected += "\rcalibrating [" + hashes.substr(0, filled) +
                dots.substr(0, 30 - filled) + "] " +
                std::to_string(filled == 0    ? 0
                               : filled == 7  ? 1
                               : filled == 15 ? 2
                               : filled == 22 ? 3
                                              : 4) +
                "/4";
  expected += "\n";
  EXPECT_EQ(out, expected);
}

TEST(ProgressBar, FinishIsIdempotentAndDrawsTheLastCount) {
  std::string out;
  llvm::raw_string_ostream os(out);
  ProgressBar bar("run", 0, os, true);
  bar.finish();
  bar.finish();
  bar.advance(); // after finish: nothing
  os.flush();
  EXPECT_EQ(out, "\rrun [" + std::string(30, '#') + "] 0/0\n");
}

TEST(ProgressBar, RedrawsRarelyOnALongRun) {
  std::string out;
  llvm::raw_string_ostream os(out);
  {
    ProgressBar bar("samples", 1000000, os, true);
    for (int i = 0; i < 1000000; ++i)
      bar.advance();
  }
  os.flush();
  size_t draws = std::count(out.begin(), out.end(), '\r');
  // 101 percentages, plus at most 20 a second of time-based redraws.
  EXPECT_GE(draws, 101u);
  EXPECT_LT(draws, 200u);
  EXPECT_NE(out.find("] 1000000/1000000\n"), std::string::npos);
}

} // namespace
