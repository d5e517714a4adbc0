//===- OpsTest.cpp - Unit tests for tempo/ops.h ---------------------------===//
//
// Two kinds of tests:
//  - per kernel, small hand-computed cases with exact expected numbers
//    (including the cases ONNX leaves open, pinned to what ops.h documents),
//    and randomized checks against references written differently (a
//    scatter-form ConvTranspose, a double-precision DFT, materialised index
//    arithmetic for the strided copy);
//  - ONNX's own node tests (/usr/share/libonnx-testdata), extracted by
//    make_ops_cases.py into ops_cases.inc with the kernel parameters the
//    compiler would compute, checked within a stated tolerance.
//
// All randomness comes from a fixed-seed generator, so failures reproduce.
//
//===----------------------------------------------------------------------===//

#include "tempo/ops.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

// Exact float expectations below assume every product is rounded.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

//===----------------------------------------------------------------------===//
// Every supported instantiation must compile warning-free.
//===----------------------------------------------------------------------===//

#define TEMPO_OPS_ANY(T)                                                       \
  template void tempo::math<T>(const tempo_math_params_t &, const T *, T *);   \
  template void tempo::binary_math<T>(const tempo_binary_math_params_t &,      \
                                      const T *, const T *, T *);              \
  template void tempo::reduce<T>(const tempo_reduction_params_t &, const T *,  \
                                 T *);                                         \
  template void tempo::arg_reduce<T>(const tempo_arg_reduce_params_t &,        \
                                     const T *, int64_t *);                    \
  template void tempo::cumsum<T>(const tempo_cumsum_params_t &, const T *,     \
                                 T *);                                         \
  template void tempo::hardmax<T>(const tempo_softmax_params_t &, const T *,   \
                                  T *);                                        \
  template void tempo::strided_copy<T>(const tempo_strided_copy_params_t &,    \
                                       const T *, const T *, T *);             \
  template void tempo::gather<T>(const tempo_gather_params_t &, const T *,     \
                                 const int32_t *, T *);
#define TEMPO_OPS_FLOAT(T)                                                     \
  TEMPO_OPS_ANY(T)                                                             \
  template void tempo::log_softmax<T>(const tempo_softmax_params_t &,          \
                                      const T *, T *);                         \
  template void tempo::layer_norm<T>(const tempo_layer_norm_params_t &,        \
                                     const T *, const T *, const T *, T *,     \
                                     T *, T *);                                \
  template void tempo::instance_norm<T>(const tempo_batch_norm_params_t &,     \
                                        const T *, const T *, const T *, T *); \
  template void tempo::lp_pool<T>(const tempo_lp_pool_params_t &, const T *,   \
                                  T *);                                        \
  template void tempo::conv_transpose<T>(const tempo_conv_params_t &,          \
                                         const T *, const T *, const T *, T *);
#define TEMPO_OPS_CAST(F, T)                                                   \
  template void tempo::cast<F, T>(const tempo_cast_params_t &, const F *, T *);
#define TEMPO_OPS_CASTS(F)                                                     \
  TEMPO_OPS_CAST(F, float)                                                     \
  TEMPO_OPS_CAST(F, double)                                                    \
  TEMPO_OPS_CAST(F, bool)                                                      \
  TEMPO_OPS_CAST(F, int8_t)                                                    \
  TEMPO_OPS_CAST(F, uint8_t)                                                   \
  TEMPO_OPS_CAST(F, int16_t)                                                   \
  TEMPO_OPS_CAST(F, uint16_t)                                                  \
  TEMPO_OPS_CAST(F, int32_t)                                                   \
  TEMPO_OPS_CAST(F, uint32_t)                                                  \
  TEMPO_OPS_CAST(F, int64_t)                                                   \
  TEMPO_OPS_CAST(F, uint64_t)
TEMPO_OPS_FLOAT(float)
TEMPO_OPS_FLOAT(double)
TEMPO_OPS_ANY(uint8_t)
TEMPO_OPS_ANY(int8_t)
TEMPO_OPS_ANY(uint16_t)
TEMPO_OPS_ANY(int16_t)
TEMPO_OPS_ANY(uint32_t)
TEMPO_OPS_ANY(int32_t)
TEMPO_OPS_ANY(uint64_t)
TEMPO_OPS_ANY(int64_t)
TEMPO_OPS_CASTS(float)
TEMPO_OPS_CASTS(double)
TEMPO_OPS_CASTS(bool)
TEMPO_OPS_CASTS(int8_t)
TEMPO_OPS_CASTS(uint8_t)
TEMPO_OPS_CASTS(int16_t)
TEMPO_OPS_CASTS(uint16_t)
TEMPO_OPS_CASTS(int32_t)
TEMPO_OPS_CASTS(uint32_t)
TEMPO_OPS_CASTS(int64_t)
TEMPO_OPS_CASTS(uint64_t)
#undef TEMPO_OPS_CASTS
#undef TEMPO_OPS_CAST
#undef TEMPO_OPS_FLOAT
#undef TEMPO_OPS_ANY

namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// xorshift64*: deterministic, seeded per test.
class Rng {
public:
  explicit Rng(uint64_t seed) : state(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t next() {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1Dull;
  }
  int32_t range(int32_t lo, int32_t hi) {
    return lo +
           static_cast<int32_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  float unit() {
    return static_cast<float>(static_cast<int64_t>(next() >> 40) - (1 << 23)) /
           static_cast<float>(1 << 23);
  }
  std::vector<float> floats(size_t n) {
    std::vector<float> v(n);
    for (float &f : v)
      f = unit();
    return v;
  }

private:
  uint64_t state;
};

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

template <typename T> bool same(T a, T b) {
  if constexpr (std::is_floating_point_v<T>)
    if (std::isnan(a) && std::isnan(b))
      return true;
  return a == b;
}

template <typename T>
::testing::AssertionResult allSame(const std::vector<T> &got,
                                   const std::vector<T> &want) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure()
           << "size " << got.size() << " != " << want.size();
  for (size_t i = 0; i < got.size(); ++i)
    if (!same(got[i], want[i]))
      return ::testing::AssertionFailure()
             << "element " << i << ": got " << +got[i] << ", want " << +want[i];
  return ::testing::AssertionSuccess();
}

/// |got - want| <= atol + rtol * |want| elementwise (NaN == NaN, inf == inf).
template <typename T>
::testing::AssertionResult allNear(const std::vector<T> &got,
                                   const std::vector<double> &want, double rtol,
                                   double atol) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure()
           << "size " << got.size() << " != " << want.size();
  for (size_t i = 0; i < got.size(); ++i) {
    const double g = static_cast<double>(got[i]), w = want[i];
    if (std::isnan(w) ? std::isnan(g)
                      : (g == w || std::fabs(g - w) <= atol + rtol * std::fabs(w)))
      continue;
    return ::testing::AssertionFailure() << "element " << i << ": got " << g
                                         << ", want " << w;
  }
  return ::testing::AssertionSuccess();
}

template <typename T> std::vector<T> cvt(const std::vector<double> &v) {
  std::vector<T> r(v.size());
  for (size_t i = 0; i < v.size(); ++i)
    r[i] = static_cast<T>(v[i]);
  return r;
}

tempo_math_params_t mathParams(size_t n, int32_t op, float alpha = 0,
                               float beta = 0) {
  tempo_math_params_t p{};
  p.size = static_cast<int32_t>(n);
  p.op = op;
  p.alpha = alpha;
  p.beta = beta;
  return p;
}

template <typename T>
std::vector<T> runMath(int32_t op, const std::vector<T> &x, float alpha = 0,
                       float beta = 0) {
  std::vector<T> y(x.size());
  tempo::math(mathParams(x.size(), op, alpha, beta), x.data(), y.data());
  return y;
}

/// Same-shape binary params over n elements.
tempo_binary_math_params_t binaryParams(int32_t op, int32_t n) {
  tempo_binary_math_params_t p{};
  p.op = op;
  p.shape.rank = 1;
  p.shape.size = n;
  p.shape.out_dims[0] = n;
  p.shape.a_strides[0] = p.shape.b_strides[0] = 1;
  return p;
}

template <typename T>
std::vector<T> runBinary(int32_t op, const std::vector<T> &a,
                         const std::vector<T> &b) {
  std::vector<T> y(a.size());
  tempo::binary_math(binaryParams(op, static_cast<int32_t>(a.size())),
                     a.data(), b.data(), y.data());
  return y;
}

template <typename T>
std::vector<T> runReduce(int32_t op, int32_t outer, int32_t n, int32_t inner,
                         const std::vector<T> &x) {
  tempo_reduction_params_t p{outer, n, inner, op};
  std::vector<T> y(static_cast<size_t>(outer * inner));
  tempo::reduce(p, x.data(), y.data());
  return y;
}

//===----------------------------------------------------------------------===//
// Elementwise math
//===----------------------------------------------------------------------===//

TEST(OpsMathTest, BasicFloatOps) {
  const std::vector<float> x = {-2.5f, -0.0f, 0.0f, 1.5f, 4.0f};
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_ABS, x),
                      {2.5f, 0.0f, 0.0f, 1.5f, 4.0f}));
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_NEG, x),
                      {2.5f, 0.0f, -0.0f, -1.5f, -4.0f}));
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_FLOOR, x),
                      {-3.0f, -0.0f, 0.0f, 1.0f, 4.0f}));
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_CEIL, x),
                      {-2.0f, -0.0f, 0.0f, 2.0f, 4.0f}));
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_SIGN, x),
                      {-1.0f, 0.0f, 0.0f, 1.0f, 1.0f}));
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_RECIPROCAL, x),
                      {-0.4f, -kInf, kInf, 1 / 1.5f, 0.25f}));
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_SQRT, std::vector<float>{4, 2, -1}),
                      {2.0f, sqrtf(2.0f), kNaN}));
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_LOG, std::vector<float>{1, 0, -1}),
                      {0.0f, -kInf, kNaN}));
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_EXP, std::vector<float>{0, -kInf}),
                      {1.0f, 0.0f}));
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_SIN, std::vector<float>{0, 1}),
                      {0.0f, sinf(1.0f)}));
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_COS, std::vector<float>{0, 1}),
                      {1.0f, cosf(1.0f)}));
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_ERF, std::vector<float>{0, kInf, -1}),
                      {0.0f, 1.0f, erff(-1.0f)}));
  // NaN stays NaN through Sign.
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_SIGN, std::vector<float>{kNaN}),
                      {kNaN}));
}

TEST(OpsMathTest, Activations) {
  const std::vector<float> x = {-2.0f, -0.5f, 0.0f, 0.5f, 3.0f};
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_ELU, x, 2.0f),
                      {2.0f * expm1f(-2.0f), 2.0f * expm1f(-0.5f), 0.0f, 0.5f,
                       3.0f}));
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_SELU, x, 2.0f, 3.0f),
                      {3.0f * (2.0f * expm1f(-2.0f)),
                       3.0f * (2.0f * expm1f(-0.5f)), 0.0f, 1.5f, 9.0f}));
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_CELU, x, 2.0f),
                      {2.0f * expm1f(-1.0f), 2.0f * expm1f(-0.25f), 0.0f, 0.5f,
                       3.0f}));
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_THRESHOLDED_RELU, x, 0.5f),
                      {0.0f, 0.0f, 0.0f, 0.0f, 3.0f}));
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_HARD_SIGMOID, x, 0.25f, 0.5f),
                      {0.0f, 0.375f, 0.5f, 0.625f, 1.0f}));
  const float sixth = 1.0f / 6.0f;
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_HARD_SWISH, x),
                      {-2.0f * (-2.0f * sixth + 0.5f),
                       -0.5f * (-0.5f * sixth + 0.5f), 0.0f,
                       0.5f * (0.5f * sixth + 0.5f), 3.0f}));
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_SOFTSIGN, x),
                      {-2.0f / 3.0f, -0.5f / 1.5f, 0.0f, 0.5f / 1.5f, 0.75f}));
  // Softplus neither overflows nor loses the tail.
  const std::vector<float> sp =
      runMath(TEMPO_MATH_SOFTPLUS, std::vector<float>{-100, 0, 100, 1000});
  EXPECT_NEAR(sp[0], expf(-100.0f), 1e-50);
  EXPECT_FLOAT_EQ(sp[1], logf(2.0f));
  EXPECT_EQ(sp[2], 100.0f);
  EXPECT_EQ(sp[3], 1000.0f);
  // NaN handling: ThresholdedRelu maps NaN to 0 (ONNX's where), others keep it.
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_THRESHOLDED_RELU,
                              std::vector<float>{kNaN}, 1.0f),
                      {0.0f}));
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_HARD_SIGMOID, std::vector<float>{kNaN},
                              0.2f, 0.5f),
                      {kNaN}));
}

TEST(OpsMathTest, InPlaceAndDouble) {
  std::vector<double> x = {-1.0, 4.0};
  tempo::math(mathParams(2, TEMPO_MATH_SQRT), x.data(), x.data());
  EXPECT_TRUE(std::isnan(x[0]));
  EXPECT_EQ(x[1], 2.0);
}

TEST(OpsMathTest, IntegersWrap) {
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_ABS, std::vector<int8_t>{-128, -5, 0, 7}),
                      {-128, 5, 0, 7}));
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_NEG, std::vector<int8_t>{-128, -5, 0, 7}),
                      {-128, 5, 0, -7}));
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_SIGN,
                              std::vector<int64_t>{INT64_MIN, -5, 0, 7}),
                      {-1, -1, 0, 1}));
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_SIGN, std::vector<uint8_t>{0, 200}),
                      {0, 1}));
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_ABS, std::vector<uint16_t>{65535}),
                      {65535}));
  // Ops ONNX does not define for integers write zeros.
  EXPECT_TRUE(allSame(runMath(TEMPO_MATH_EXP, std::vector<int32_t>{3, 4}),
                      {0, 0}));
}

TEST(OpsBinaryTest, PowMaxMinPRelu) {
  EXPECT_TRUE(allSame(runBinary<float>(TEMPO_BINARY_POW, {2, 4, -2, 0},
                                       {10, 0.5f, 3, 0}),
                      {1024.0f, 2.0f, -8.0f, 1.0f}));
  EXPECT_TRUE(allSame(runBinary<float>(TEMPO_BINARY_MAX, {1, kNaN, 3, -0.5f},
                                       {2, 1, kNaN, -1}),
                      {2.0f, kNaN, kNaN, -0.5f}));
  EXPECT_TRUE(allSame(runBinary<float>(TEMPO_BINARY_MIN, {1, kNaN, 3, -0.5f},
                                       {2, 1, kNaN, -1}),
                      {1.0f, kNaN, kNaN, -1.0f}));
  EXPECT_TRUE(allSame(runBinary<float>(TEMPO_BINARY_PRELU, {-2, 3, 0, kNaN},
                                       {0.5f, 0.5f, 0.5f, 0.5f}),
                      {-1.0f, 3.0f, 0.0f, kNaN}));
}

TEST(OpsBinaryTest, IntegerPow) {
  EXPECT_TRUE(allSame(runBinary<int32_t>(TEMPO_BINARY_POW,
                                         {3, -2, 2, 0, 1, -1, -1, 5, 0},
                                         {4, 3, 31, 0, -7, -3, -4, -1, -2}),
                      {81, -8, INT32_MIN, 1, 1, -1, 1, 0, 0}));
  // 3^5 = 243 wraps in int8 to -13; 2^8 wraps to 0.
  EXPECT_TRUE(allSame(runBinary<int8_t>(TEMPO_BINARY_POW, {3, 2}, {5, 8}),
                      {-13, 0}));
  EXPECT_TRUE(allSame(runBinary<uint64_t>(TEMPO_BINARY_POW, {2, 10}, {63, 19}),
                      {uint64_t(1) << 63, 10000000000000000000ull}));
  EXPECT_TRUE(allSame(runBinary<int16_t>(TEMPO_BINARY_PRELU, {-300, 5},
                                         {200, 7}),
                      {static_cast<int16_t>(-60000), 5}));
  EXPECT_TRUE(allSame(runBinary<uint8_t>(TEMPO_BINARY_MAX, {0, 255}, {1, 3}),
                      {1, 255}));
}

TEST(OpsBinaryTest, BroadcastRowTimesColumnAndChain) {
  // a [2, 1], b [3]: y [2, 3] = max(a, b); then chain a third input [3].
  tempo_binary_math_params_t p{};
  p.op = TEMPO_BINARY_MAX;
  p.shape.rank = 2;
  p.shape.size = 6;
  p.shape.out_dims[0] = 2;
  p.shape.out_dims[1] = 3;
  p.shape.a_strides[0] = 1;
  p.shape.b_strides[1] = 1;
  const float a[] = {1, 5}, b[] = {0, 2, 7}, c[] = {3, 3, 3};
  std::vector<float> y(6);
  tempo::binary_math(p, a, b, y.data());
  EXPECT_TRUE(allSame(y, {1.0f, 2.0f, 7.0f, 5.0f, 5.0f, 7.0f}));
  p.shape.a_strides[0] = 3;
  p.shape.a_strides[1] = 1;
  p.shape.b_strides[0] = 0;
  tempo::binary_math(p, y.data(), c, y.data());
  EXPECT_TRUE(allSame(y, {3.0f, 3.0f, 7.0f, 5.0f, 5.0f, 7.0f}));
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

TEST(OpsReduceTest, AllOpsFloat) {
  // [outer 2, n 3, inner 2]
  const std::vector<float> x = {1, -2, 3, 4, -5, 6, //
                                0.5f, 1, 2, 1, 4, 1};
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_SUM, 2, 3, 2, x),
                      {-1.0f, 8.0f, 6.5f, 3.0f}));
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_MEAN, 2, 3, 2, x),
                      {-1.0f / 3.0f, 8.0f / 3.0f, 6.5f / 3.0f, 1.0f}));
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_MAX, 2, 3, 2, x),
                      {3.0f, 6.0f, 4.0f, 1.0f}));
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_MIN, 2, 3, 2, x),
                      {-5.0f, -2.0f, 0.5f, 1.0f}));
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_PROD, 2, 3, 2, x),
                      {-15.0f, -48.0f, 4.0f, 1.0f}));
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_L1, 2, 3, 2, x),
                      {9.0f, 12.0f, 6.5f, 3.0f}));
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_SUM_SQUARE, 2, 3, 2, x),
                      {35.0f, 56.0f, 20.25f, 3.0f}));
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_L2, 2, 3, 2, x),
                      {sqrtf(35.0f), sqrtf(56.0f), 4.5f, sqrtf(3.0f)}));
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_LOG_SUM, 2, 3, 2, x),
                      {kNaN, logf(8.0f), logf(6.5f), logf(3.0f)}));
  const std::vector<float> lse = runReduce(TEMPO_REDUCE_LOG_SUM_EXP, 2, 3, 2, x);
  EXPECT_FLOAT_EQ(lse[0], static_cast<float>(std::log(
                              std::exp(1.0) + std::exp(3.0) + std::exp(-5.0))));
  EXPECT_FLOAT_EQ(lse[3], static_cast<float>(std::log(3 * std::exp(1.0))));
}

TEST(OpsReduceTest, LogSumExpDoesNotOverflowAndHandlesInfinities) {
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_LOG_SUM_EXP, 1, 2, 1,
                                std::vector<float>{1000, 1000}),
                      {1000.0f + logf(2.0f)}));
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_LOG_SUM_EXP, 3, 2, 1,
                                std::vector<float>{kInf, 1, -kInf, -kInf, kNaN,
                                                   1}),
                      {kInf, -kInf, kNaN}));
}

TEST(OpsReduceTest, EmptyAxisGivesIdentity) {
  const std::vector<float> none;
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_SUM, 1, 0, 1, none), {0.0f}));
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_PROD, 1, 0, 1, none), {1.0f}));
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_MAX, 1, 0, 1, none), {-kInf}));
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_MIN, 1, 0, 1, none), {kInf}));
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_MEAN, 1, 0, 1, none), {kNaN}));
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_LOG_SUM, 1, 0, 1, none), {-kInf}));
  EXPECT_TRUE(
      allSame(runReduce(TEMPO_REDUCE_LOG_SUM_EXP, 1, 0, 1, none), {-kInf}));
  const std::vector<int8_t> inone;
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_MAX, 1, 0, 1, inone),
                      {static_cast<int8_t>(-128)}));
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_MEAN, 1, 0, 1, inone),
                      {static_cast<int8_t>(0)}));
}

TEST(OpsReduceTest, MaxMinPropagateNaN) {
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_MAX, 1, 3, 1,
                                std::vector<float>{1, kNaN, 2}),
                      {kNaN}));
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_MIN, 1, 3, 1,
                                std::vector<float>{1, 2, kNaN}),
                      {kNaN}));
}

TEST(OpsReduceTest, Integers) {
  const std::vector<int8_t> x = {100, 100, -7, 3};
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_SUM, 1, 4, 1, x), {-60}));
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_MEAN, 1, 4, 1, x), {49}));
  // 100 * -7 = -700 and 100 * 3 = 300, modulo 256.
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_PROD, 1, 2, 2, x), {68, 44}));
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_MAX, 1, 4, 1, x), {100}));
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_MIN, 1, 4, 1, x), {-7}));
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_L1, 2, 2, 1, x), {-56, 10}));
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_SUM_SQUARE, 2, 2, 1,
                                std::vector<int32_t>{3, 4, -5, 12}),
                      {25, 169}));
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_L2, 2, 2, 1,
                                std::vector<int32_t>{3, 4, 2, 2}),
                      {5, 2}));  // sqrt(8) = 2.83 truncates
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_LOG_SUM, 1, 2, 1,
                                std::vector<int32_t>{10, 10}),
                      {2}));  // log(20) = 2.996 truncates
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_LOG_SUM_EXP, 1, 2, 1,
                                std::vector<int64_t>{100, 100}),
                      {100}));
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_MEAN, 1, 3, 1,
                                std::vector<int32_t>{-1, -1, 0}),
                      {0}));  // -2 / 3 truncates toward zero
}

TEST(OpsReduceTest, NonAdjacentAxesBySuccessiveCalls) {
  // ReduceSum over axes {0, 2} of [2, 3, 2]: reduce the inner axis
  // ([6, 2, 1]), then the outer one ([1, 2, 3]).
  std::vector<float> x(12);
  for (int i = 0; i < 12; ++i)
    x[static_cast<size_t>(i)] = static_cast<float>(i);
  const std::vector<float> t = runReduce(TEMPO_REDUCE_SUM, 6, 2, 1, x);
  EXPECT_TRUE(allSame(runReduce(TEMPO_REDUCE_SUM, 1, 2, 3, t),
                      {0 + 1 + 6 + 7.0f, 2 + 3 + 8 + 9.0f, 4 + 5 + 10 + 11.0f}));
}

TEST(OpsArgReduceTest, TiesNaNAndSelectLast) {
  const std::vector<float> x = {1, 3, 3, 0, kNaN, 2, kNaN, 1};
  tempo_arg_reduce_params_t p{2, 4, 1, TEMPO_ARG_MAX, 0};
  std::vector<int64_t> y(2);
  tempo::arg_reduce(p, x.data(), y.data());
  EXPECT_TRUE(allSame(y, {1, 0}));
  p.select_last_index = 1;
  tempo::arg_reduce(p, x.data(), y.data());
  EXPECT_TRUE(allSame(y, {2, 2}));
  p.op = TEMPO_ARG_MIN;
  tempo::arg_reduce(p, x.data(), y.data());
  EXPECT_TRUE(allSame(y, {3, 2}));
  p.select_last_index = 0;
  tempo::arg_reduce(p, x.data(), y.data());
  EXPECT_TRUE(allSame(y, {3, 0}));
  // Inner stride, integers.
  const std::vector<int16_t> xi = {5, -1, 5, 7};
  tempo_arg_reduce_params_t q{1, 2, 2, TEMPO_ARG_MIN, 1};
  tempo::arg_reduce(q, xi.data(), y.data());
  EXPECT_TRUE(allSame(y, {1, 0}));
}

TEST(OpsCumSumTest, Modes) {
  const std::vector<int32_t> x = {1, 2, 3, 4, 10, 20, 30, 40};
  auto run = [&](int32_t excl, int32_t rev, int32_t inner) {
    // x viewed as [2, 4 / inner, inner].
    tempo_cumsum_params_t p{2, 4 / inner, inner, excl, rev};
    std::vector<int32_t> y(8);
    tempo::cumsum(p, x.data(), y.data());
    return y;
  };
  EXPECT_TRUE(allSame(run(0, 0, 1), {1, 3, 6, 10, 10, 30, 60, 100}));
  EXPECT_TRUE(allSame(run(1, 0, 1), {0, 1, 3, 6, 0, 10, 30, 60}));
  EXPECT_TRUE(allSame(run(0, 1, 1), {10, 9, 7, 4, 100, 90, 70, 40}));
  EXPECT_TRUE(allSame(run(1, 1, 1), {9, 7, 4, 0, 90, 70, 40, 0}));
  EXPECT_TRUE(allSame(run(0, 0, 2), {1, 2, 4, 6, 10, 20, 40, 60}));
  // In place, wrapping.
  std::vector<uint8_t> z = {200, 100, 1};
  tempo_cumsum_params_t p{1, 3, 1, 0, 0};
  tempo::cumsum(p, z.data(), z.data());
  EXPECT_TRUE(allSame(z, {200, 44, 45}));
}

TEST(OpsSoftmaxFamilyTest, LogSoftmaxAndHardmax) {
  const std::vector<float> x = {1, 2, 3, 1000, 1000, kNaN};
  tempo_softmax_params_t p{2, 3, 1};
  std::vector<float> y(6);
  tempo::log_softmax(p, x.data(), y.data());
  const float ls = logf(expf(-2.0f) + expf(-1.0f) + 1.0f);
  EXPECT_TRUE(allSame(y, {-2.0f - ls, -1.0f - ls, 0.0f - ls, kNaN, kNaN, kNaN}));
  const std::vector<float> big = {1000, 1000};
  tempo_softmax_params_t q{1, 2, 1};
  tempo::log_softmax(q, big.data(), y.data());
  EXPECT_EQ(y[0], -logf(2.0f));
  tempo_softmax_params_t h{1, 3, 2};
  const std::vector<int32_t> xi = {1, 9, 5, 9, 5, 2};
  std::vector<int32_t> yi(6);
  tempo::hardmax(h, xi.data(), yi.data());
  EXPECT_TRUE(allSame(yi, {0, 1, 1, 0, 0, 0}));
}

//===----------------------------------------------------------------------===//
// Normalisation and pooling
//===----------------------------------------------------------------------===//

TEST(OpsNormTest, LayerNormWithStatistics) {
  const std::vector<float> x = {1, 2, 3, 4, -1, -1, -1, -1};
  const std::vector<float> scale = {1, 2, 1, 2}, bias = {0, 0, 10, 10};
  tempo_layer_norm_params_t p{2, 4, 0.0f, 1};
  std::vector<float> y(8), mean(2), inv(2);
  tempo::layer_norm(p, x.data(), scale.data(), bias.data(), y.data(),
                    mean.data(), inv.data());
  // Row 0: mean 2.5, var 1.25.
  const float i0 = 1.0f / sqrtf(1.25f);
  EXPECT_TRUE(allSame(mean, {2.5f, -1.0f}));
  EXPECT_TRUE(allSame(inv, {i0, kInf}));
  EXPECT_EQ(y[0], (-1.5f * i0) * 1.0f);
  EXPECT_EQ(y[1], (-0.5f * i0) * 2.0f);
  EXPECT_EQ(y[3], (1.5f * i0) * 2.0f + 10.0f);
  // Row 1 is constant: 0 * inf = NaN with epsilon 0 (ONNX's reference agrees).
  EXPECT_TRUE(std::isnan(y[4]));
  p.epsilon = 1.0f;
  p.has_bias = 0;
  tempo::layer_norm(p, x.data(), scale.data(),
                    static_cast<const float *>(nullptr), y.data(),
                    static_cast<float *>(nullptr),
                    static_cast<float *>(nullptr));
  EXPECT_EQ(y[4], 0.0f);
  EXPECT_EQ(y[0], (-1.5f * (1.0f / sqrtf(2.25f))) * 1.0f);
}

TEST(OpsNormTest, InstanceNorm) {
  const std::vector<float> x = {-1, 0, 1, 2, 3, 4, 0, 0, 0, 1, 1, 3};
  const std::vector<float> scale = {1, 2}, bias = {0, 1};
  tempo_batch_norm_params_t p{2, 2, 3, 0.0f, 0.0f};
  std::vector<float> y(12);
  tempo::instance_norm(p, x.data(), scale.data(), bias.data(), y.data());
  const float sd = sqrtf(2.0f / 3.0f);
  EXPECT_EQ(y[0], -1.0f / sd * 1.0f + 0.0f);
  EXPECT_EQ(y[5], 1.0f / sd * 2.0f + 1.0f);
  EXPECT_TRUE(std::isnan(y[6]));  // 0 / 0
  EXPECT_EQ(y[11], (3.0f - 5.0f / 3.0f) / sqrtf(8.0f / 9.0f) * 2.0f + 1.0f);
}

TEST(OpsPoolTest, LpPool) {
  tempo_lp_pool_params_t p{};
  p.pool.batch = 1;
  p.pool.channels = 1;
  p.pool.in_h = 2;
  p.pool.in_w = 3;
  p.pool.out_h = 1;
  p.pool.out_w = 3;
  p.pool.k_h = 2;
  p.pool.k_w = 2;
  p.pool.stride_h = p.pool.stride_w = 1;
  p.pool.dil_h = p.pool.dil_w = 1;
  p.pool.pad_left = 1;  // and pad_right 1 via out_w
  const std::vector<float> x = {3, -4, 1, 0, 2, 2};
  std::vector<float> y(3);
  p.p = 2;
  tempo::lp_pool(p, x.data(), y.data());
  EXPECT_TRUE(allSame(y, {3.0f, sqrtf(9 + 16 + 4.0f), sqrtf(16 + 1 + 4 + 4.0f)}));
  p.p = 1;
  tempo::lp_pool(p, x.data(), y.data());
  EXPECT_TRUE(allSame(y, {3.0f, 9.0f, 9.0f}));
  p.p = 3;
  tempo::lp_pool(p, x.data(), y.data());
  EXPECT_NEAR(y[1], std::cbrt(27.0 + 64 + 8), 1e-4);
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

tempo_strided_copy_params_t copyParams(const std::vector<int32_t> &out,
                                       const std::vector<int32_t> &in,
                                       const std::vector<int32_t> &start,
                                       const std::vector<int32_t> &step,
                                       int32_t border) {
  tempo_strided_copy_params_t p{};
  p.rank = static_cast<int32_t>(out.size());
  p.size = 1;
  p.border = border;
  for (size_t d = 0; d < out.size(); ++d) {
    p.size *= out[d];
    p.out_dims[d] = out[d];
    p.in_dims[d] = in[d];
    p.start[d] = start[d];
    p.step[d] = step[d];
  }
  return p;
}

TEST(OpsCopyTest, PadModes1D) {
  const std::vector<int32_t> x = {1, 2, 3};
  std::vector<int32_t> y(9);
  const int32_t pad = -9;
  auto run = [&](int32_t border) {
    tempo::strided_copy(copyParams({9}, {3}, {-3}, {1}, border), x.data(),
                        &pad, y.data());
    return y;
  };
  EXPECT_TRUE(allSame(run(TEMPO_BORDER_CONSTANT),
                      {-9, -9, -9, 1, 2, 3, -9, -9, -9}));
  EXPECT_TRUE(allSame(run(TEMPO_BORDER_EDGE), {1, 1, 1, 1, 2, 3, 3, 3, 3}));
  EXPECT_TRUE(allSame(run(TEMPO_BORDER_REFLECT), {2, 3, 2, 1, 2, 3, 2, 1, 2}));
  EXPECT_TRUE(allSame(run(TEMPO_BORDER_WRAP), {1, 2, 3, 1, 2, 3, 1, 2, 3}));
  // Null pad value means 0.
  tempo::strided_copy(copyParams({4}, {3}, {-1}, {1}, TEMPO_BORDER_CONSTANT),
                      x.data(), static_cast<const int32_t *>(nullptr),
                      y.data());
  EXPECT_EQ(y[0], 0);
  EXPECT_EQ(y[1], 1);
  // Reflect of a single element, and padding an empty dim.
  tempo::strided_copy(copyParams({3}, {1}, {-1}, {1}, TEMPO_BORDER_REFLECT),
                      x.data(), &pad, y.data());
  EXPECT_TRUE(allSame(std::vector<int32_t>(y.begin(), y.begin() + 3),
                      {1, 1, 1}));
  tempo::strided_copy(copyParams({2}, {0}, {-1}, {1}, TEMPO_BORDER_EDGE),
                      x.data(), &pad, y.data());
  EXPECT_TRUE(allSame(std::vector<int32_t>(y.begin(), y.begin() + 2),
                      {-9, -9}));
}

TEST(OpsCopyTest, SliceExpandTile2D) {
  // x [3, 4] = 0..11
  std::vector<uint16_t> x(12);
  for (int i = 0; i < 12; ++i)
    x[static_cast<size_t>(i)] = static_cast<uint16_t>(i);
  std::vector<uint16_t> y(12);
  // Slice rows 2..0 step -2, cols 3..0 step -2 -> [[11, 9], [3, 1]].
  tempo::strided_copy(copyParams({2, 2}, {3, 4}, {2, 3}, {-2, -2},
                                 TEMPO_BORDER_CONSTANT),
                      x.data(), static_cast<const uint16_t *>(nullptr),
                      y.data());
  EXPECT_TRUE(allSame(std::vector<uint16_t>(y.begin(), y.begin() + 4),
                      {11, 9, 3, 1}));
  // Expand a [1, 4] row to [2, 4] via step 0 (start 0 keeps row 0).
  tempo::strided_copy(copyParams({2, 4}, {1, 4}, {0, 0}, {0, 1},
                                 TEMPO_BORDER_CONSTANT),
                      x.data(), static_cast<const uint16_t *>(nullptr),
                      y.data());
  EXPECT_TRUE(allSame(std::vector<uint16_t>(y.begin(), y.begin() + 8),
                      {0, 1, 2, 3, 0, 1, 2, 3}));
  // Tile a [2, 2] by [2, 3] -> [4, 6].
  const std::vector<uint16_t> t = {1, 2, 3, 4};
  std::vector<uint16_t> yt(24);
  tempo::strided_copy(copyParams({4, 6}, {2, 2}, {0, 0}, {1, 1},
                                 TEMPO_BORDER_WRAP),
                      t.data(), static_cast<const uint16_t *>(nullptr),
                      yt.data());
  EXPECT_TRUE(allSame(yt, {1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4,
                           1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4}));
}

TEST(OpsCopyTest, RandomMatchesIndexArithmetic) {
  Rng rng(21);
  for (int iter = 0; iter < 300; ++iter) {
    const int32_t rank = rng.range(1, TEMPO_MAX_RANK);
    std::vector<int32_t> in(rank), out(rank), start(rank), step(rank);
    int64_t inSize = 1, outSize = 1;
    for (int32_t d = 0; d < rank; ++d) {
      in[d] = rng.range(1, 4);
      out[d] = rng.range(0, 4);
      start[d] = rng.range(-5, 5);
      step[d] = rng.range(-2, 2);
      inSize *= in[d];
      outSize *= out[d];
    }
    const int32_t border = rng.range(0, 3);
    std::vector<int32_t> x(static_cast<size_t>(inSize));
    for (size_t i = 0; i < x.size(); ++i)
      x[i] = static_cast<int32_t>(i) + 1;
    const int32_t pad = -1;
    std::vector<int32_t> y(static_cast<size_t>(outSize)), want(y.size());
    for (int64_t f = 0; f < outSize; ++f) {
      int64_t rem = f, off = 0, stride = 1;
      bool isPad = false;
      std::vector<int32_t> idx(rank);
      for (int32_t d = rank - 1; d >= 0; --d) {
        idx[d] = static_cast<int32_t>(rem % out[d]);
        rem /= out[d];
      }
      for (int32_t d = rank - 1; d >= 0; --d) {
        const int32_t n = in[d];
        int32_t j = start[d] + idx[d] * step[d];
        if (j < 0 || j >= n) {
          if (border == TEMPO_BORDER_CONSTANT) {
            isPad = true;
          } else if (border == TEMPO_BORDER_EDGE) {
            j = std::clamp(j, 0, n - 1);
          } else if (border == TEMPO_BORDER_WRAP) {
            j = ((j % n) + n) % n;
          } else {  // reflect by repeated mirroring
            while (j < 0 || j >= n) {
              if (n == 1)
                j = 0;
              else if (j < 0)
                j = -j;
              else
                j = 2 * (n - 1) - j;
            }
          }
        }
        off += j * stride;
        stride *= n;
      }
      want[static_cast<size_t>(f)] = isPad ? pad : x[static_cast<size_t>(off)];
    }
    tempo::strided_copy(copyParams(out, in, start, step, border), x.data(), &pad,
                        y.data());
    ASSERT_TRUE(allSame(y, want)) << "iteration " << iter;
  }
}

TEST(OpsGatherTest, AxisOneWithRepeats) {
  // x [2, 3, 2], indices {2, 0, 2} along axis 1.
  std::vector<int8_t> x(12);
  for (int i = 0; i < 12; ++i)
    x[static_cast<size_t>(i)] = static_cast<int8_t>(i);
  const int32_t idx[] = {2, 0, 2};
  tempo_gather_params_t p{2, 3, 3, 2};
  std::vector<int8_t> y(12);
  tempo::gather(p, x.data(), idx, y.data());
  EXPECT_TRUE(allSame(y, {4, 5, 0, 1, 4, 5, 10, 11, 6, 7, 10, 11}));
}

template <typename F, typename T>
std::vector<T> runCast(const std::vector<F> &x) {
  // std::vector<bool> has no data(): go through arrays.
  std::unique_ptr<F[]> xs(new F[x.size()]);
  std::unique_ptr<T[]> ys(new T[x.size()]);
  std::copy(x.begin(), x.end(), xs.get());
  tempo_cast_params_t p{static_cast<int32_t>(x.size())};
  tempo::cast(p, xs.get(), ys.get());
  return std::vector<T>(ys.get(), ys.get() + x.size());
}

TEST(OpsCastTest, FloatToInteger) {
  const std::vector<float> x = {2.9f, -2.9f, -0.5f, 300.0f, -300.0f, kNaN,
                                kInf, -kInf, 1e20f};
  EXPECT_TRUE(allSame(runCast<float, int8_t>(x),
                      {2, -2, 0, 127, -128, 0, 127, -128, 127}));
  EXPECT_TRUE(allSame(runCast<float, uint8_t>(x),
                      {2, 0, 0, 255, 0, 0, 255, 0, 255}));
  EXPECT_TRUE(allSame(runCast<float, int64_t>(x),
                      {2, -2, 0, 300, -300, 0, INT64_MAX, INT64_MIN, INT64_MAX}));
  EXPECT_TRUE(allSame(runCast<double, int32_t>({2147483647.9, -2147483648.9}),
                      {INT32_MAX, INT32_MIN}));
}

TEST(OpsCastTest, IntegerWrapBoolAndFloat) {
  EXPECT_TRUE(allSame(runCast<int32_t, int8_t>({300, -129, 127}),
                      {44, 127, 127}));
  EXPECT_TRUE(allSame(runCast<int64_t, uint8_t>({-1, 256}), {255, 0}));
  EXPECT_TRUE(allSame(runCast<uint8_t, int8_t>({200}), {-56}));
  EXPECT_TRUE(allSame(runCast<int8_t, uint64_t>({-1}), {UINT64_MAX}));
  EXPECT_TRUE(allSame(runCast<float, bool>({0.0f, -0.0f, 0.1f, kNaN}),
                      {false, false, true, true}));
  EXPECT_TRUE(allSame(runCast<bool, float>({true, false}), {1.0f, 0.0f}));
  EXPECT_TRUE(allSame(runCast<int16_t, bool>({0, -3}), {false, true}));
  EXPECT_TRUE(allSame(runCast<bool, int64_t>({true, false}), {1, 0}));
  EXPECT_TRUE(allSame(runCast<int64_t, float>({16777217}), {16777216.0f}));
  EXPECT_TRUE(allSame(runCast<double, float>({1e300}), {kInf}));
}

//===----------------------------------------------------------------------===//
// ConvTranspose
//===----------------------------------------------------------------------===//

/// Scatter-form reference: every input tap adds into a full output buffer
/// (in double), which is then cropped by the begin pads.
std::vector<double> convTransposeRef(const tempo_conv_params_t &p,
                                     const std::vector<float> &x,
                                     const std::vector<float> &w,
                                     const std::vector<float> &b) {
  std::vector<double> y(static_cast<size_t>(p.batch * p.out_c * p.out_h *
                                            p.out_w));
  const int32_t icg = p.in_c / p.groups, ocg = p.out_c / p.groups;
  for (int32_t n = 0; n < p.batch; ++n)
    for (int32_t ic = 0; ic < p.in_c; ++ic)
      for (int32_t ih = 0; ih < p.in_h; ++ih)
        for (int32_t iw = 0; iw < p.in_w; ++iw)
          for (int32_t o = 0; o < ocg; ++o)
            for (int32_t kh = 0; kh < p.k_h; ++kh)
              for (int32_t kw = 0; kw < p.k_w; ++kw) {
                const int32_t oh = ih * p.stride_h - p.pad_top + kh * p.dil_h;
                const int32_t ow = iw * p.stride_w - p.pad_left + kw * p.dil_w;
                if (oh < 0 || oh >= p.out_h || ow < 0 || ow >= p.out_w)
                  continue;
                const int32_t oc = (ic / icg) * ocg + o;
                y[static_cast<size_t>(((n * p.out_c + oc) * p.out_h + oh) *
                                          p.out_w +
                                      ow)] +=
                    static_cast<double>(
                        x[static_cast<size_t>(((n * p.in_c + ic) * p.in_h + ih) *
                                                  p.in_w +
                                              iw)]) *
                    w[static_cast<size_t>(((ic * ocg + o) * p.k_h + kh) * p.k_w +
                                          kw)];
              }
  if (p.has_bias)
    for (size_t i = 0; i < y.size(); ++i)
      y[i] += b[(i / static_cast<size_t>(p.out_h * p.out_w)) %
                static_cast<size_t>(p.out_c)];
  return y;
}

TEST(OpsConvTransposeTest, HandComputed1D) {
  // x [1, 1, 3] = {1, 2, 3}, w [1, 1, 1, 2] = {1, 10}, stride 2:
  // full output {1, 10, 2, 20, 3, 30}; pads begin 1 -> crop to 4 (+ bias 0.5).
  tempo_conv_params_t p{};
  p.batch = p.in_c = p.in_h = p.out_c = p.out_h = p.k_h = 1;
  p.in_w = 3;
  p.out_w = 4;
  p.k_w = 2;
  p.stride_h = 1;
  p.stride_w = 2;
  p.dil_h = p.dil_w = 1;
  p.pad_left = 1;
  p.groups = 1;
  p.has_bias = 1;
  const float x[] = {1, 2, 3}, w[] = {1, 10}, b[] = {0.5f};
  std::vector<float> y(4);
  tempo::conv_transpose(p, x, w, b, y.data());
  EXPECT_TRUE(allSame(y, {10.5f, 2.5f, 20.5f, 3.5f}));
}

TEST(OpsConvTransposeTest, RandomMatchesScatterReference) {
  Rng rng(33);
  for (int iter = 0; iter < 200; ++iter) {
    tempo_conv_params_t p{};
    p.groups = rng.range(1, 3);
    p.batch = rng.range(1, 2);
    p.in_c = p.groups * rng.range(1, 2);
    p.out_c = p.groups * rng.range(1, 3);
    p.in_h = rng.range(1, 4);
    p.in_w = rng.range(1, 5);
    p.k_h = rng.range(1, 3);
    p.k_w = rng.range(1, 3);
    p.stride_h = rng.range(1, 3);
    p.stride_w = rng.range(1, 3);
    p.dil_h = rng.range(1, 2);
    p.dil_w = rng.range(1, 2);
    p.pad_top = rng.range(0, p.k_h - 1);
    p.pad_left = rng.range(0, p.k_w - 1);
    const int32_t padEndH = rng.range(0, p.k_h - 1);
    const int32_t padEndW = rng.range(0, p.k_w - 1);
    const int32_t opadH = rng.range(0, p.stride_h - 1);
    const int32_t opadW = rng.range(0, p.stride_w - 1);
    p.out_h = p.stride_h * (p.in_h - 1) + opadH + (p.k_h - 1) * p.dil_h + 1 -
              p.pad_top - padEndH;
    p.out_w = p.stride_w * (p.in_w - 1) + opadW + (p.k_w - 1) * p.dil_w + 1 -
              p.pad_left - padEndW;
    if (p.out_h <= 0 || p.out_w <= 0)
      continue;
    p.has_bias = rng.range(0, 1);
    const std::vector<float> x = rng.floats(
        static_cast<size_t>(p.batch * p.in_c * p.in_h * p.in_w));
    const std::vector<float> w = rng.floats(static_cast<size_t>(
        p.in_c * (p.out_c / p.groups) * p.k_h * p.k_w));
    const std::vector<float> b = rng.floats(static_cast<size_t>(p.out_c));
    std::vector<float> y(static_cast<size_t>(p.batch * p.out_c * p.out_h *
                                             p.out_w));
    tempo::conv_transpose(p, x.data(), w.data(), b.data(), y.data());
    ASSERT_TRUE(allNear(y, convTransposeRef(p, x, w, b), 0, 1e-5))
        << "iteration " << iter;
  }
}

/// 3-D scatter-form reference, as convTransposeRef with a depth axis.
std::vector<double> convTranspose3dRef(const tempo_conv_params_t &p,
                                       const std::vector<float> &x,
                                       const std::vector<float> &w,
                                       const std::vector<float> &b) {
  const size_t outVol = size_t(p.out_d) * p.out_h * p.out_w;
  std::vector<double> y(size_t(p.batch) * p.out_c * outVol);
  const int32_t icg = p.in_c / p.groups, ocg = p.out_c / p.groups;
  for (int32_t n = 0; n < p.batch; ++n)
    for (int32_t ic = 0; ic < p.in_c; ++ic)
      for (int32_t id = 0; id < p.in_d; ++id)
        for (int32_t ih = 0; ih < p.in_h; ++ih)
          for (int32_t iw = 0; iw < p.in_w; ++iw)
            for (int32_t o = 0; o < ocg; ++o)
              for (int32_t kd = 0; kd < p.k_d; ++kd)
                for (int32_t kh = 0; kh < p.k_h; ++kh)
                  for (int32_t kw = 0; kw < p.k_w; ++kw) {
                    const int32_t od = id * p.stride_d - p.pad_front + kd * p.dil_d;
                    const int32_t oh = ih * p.stride_h - p.pad_top + kh * p.dil_h;
                    const int32_t ow = iw * p.stride_w - p.pad_left + kw * p.dil_w;
                    if (od < 0 || od >= p.out_d || oh < 0 || oh >= p.out_h ||
                        ow < 0 || ow >= p.out_w)
                      continue;
                    const int32_t oc = (ic / icg) * ocg + o;
                    const size_t xi =
                        ((size_t(n * p.in_c + ic) * p.in_d + id) * p.in_h + ih) *
                            p.in_w + iw;
                    const size_t wi =
                        ((size_t(ic * ocg + o) * p.k_d + kd) * p.k_h + kh) *
                            p.k_w + kw;
                    y[size_t(n * p.out_c + oc) * outVol +
                      (size_t(od) * p.out_h + oh) * p.out_w + ow] +=
                        static_cast<double>(x[xi]) * w[wi];
                  }
  if (p.has_bias)
    for (size_t i = 0; i < y.size(); ++i)
      y[i] += b[(i / outVol) % size_t(p.out_c)];
  return y;
}

TEST(OpsConvTransposeTest, Random3dMatchesScatterReference) {
  Rng rng(34);
  int checked = 0;
  for (int iter = 0; iter < 200; ++iter) {
    tempo_conv_params_t p{};
    p.groups = rng.range(1, 2);
    p.batch = rng.range(1, 2);
    p.in_c = p.groups * rng.range(1, 2);
    p.out_c = p.groups * rng.range(1, 2);
    int32_t *in[] = {&p.in_d, &p.in_h, &p.in_w}, *out[] = {&p.out_d, &p.out_h, &p.out_w};
    int32_t *k[] = {&p.k_d, &p.k_h, &p.k_w}, *st[] = {&p.stride_d, &p.stride_h, &p.stride_w};
    int32_t *dil[] = {&p.dil_d, &p.dil_h, &p.dil_w},
            *pad[] = {&p.pad_front, &p.pad_top, &p.pad_left};
    bool ok = true;
    for (int a = 0; a < 3; ++a) {
      *in[a] = rng.range(1, 3);
      *k[a] = rng.range(1, 3);
      *st[a] = rng.range(1, 2);
      *dil[a] = rng.range(1, 2);
      *pad[a] = rng.range(0, *k[a] - 1);
      const int32_t padEnd = rng.range(0, *k[a] - 1);
      const int32_t opad = rng.range(0, *st[a] - 1);
      *out[a] = *st[a] * (*in[a] - 1) + opad + (*k[a] - 1) * *dil[a] + 1 -
                *pad[a] - padEnd;
      ok = ok && *out[a] > 0;
    }
    if (!ok)
      continue;
    ++checked;
    p.has_bias = rng.range(0, 1);
    const std::vector<float> x = rng.floats(
        size_t(p.batch) * p.in_c * p.in_d * p.in_h * p.in_w);
    const std::vector<float> w = rng.floats(
        size_t(p.in_c) * (p.out_c / p.groups) * p.k_d * p.k_h * p.k_w);
    const std::vector<float> b = rng.floats(size_t(p.out_c));
    std::vector<float> y(size_t(p.batch) * p.out_c * p.out_d * p.out_h *
                         p.out_w);
    tempo::conv_transpose(p, x.data(), w.data(), b.data(), y.data());
    ASSERT_TRUE(allNear(y, convTranspose3dRef(p, x, w, b), 0, 1e-5))
        << "iteration " << iter;
  }
  EXPECT_GT(checked, 100);
}

//===----------------------------------------------------------------------===//
// Signal processing
//===----------------------------------------------------------------------===//

/// Direct DFT in double of complex input (re, im pairs), zero-padded to L.
std::vector<double> dftRef(const std::vector<float> &x, int32_t nIn, int32_t L,
                           int32_t nOut, bool inverse) {
  std::vector<double> y(2 * static_cast<size_t>(nOut));
  const double sgn = inverse ? 1.0 : -1.0;
  for (int32_t k = 0; k < nOut; ++k) {
    std::complex<double> acc = 0;
    for (int32_t j = 0; j < std::min(nIn, L); ++j)
      acc += std::complex<double>(x[2 * static_cast<size_t>(j)],
                                  x[2 * static_cast<size_t>(j) + 1]) *
             std::polar(1.0, sgn * 2 * M_PI * ((int64_t(j) * k) % L) / L);
    if (inverse)
      acc /= L;
    y[2 * static_cast<size_t>(k)] = acc.real();
    y[2 * static_cast<size_t>(k) + 1] = acc.imag();
  }
  return y;
}

TEST(OpsDftTest, HandComputed) {
  // Real [1, 2, 3, 4] (L = 4, radix-2): X = {10, -2 + 2i, -2, -2 - 2i}.
  tempo_dft_params_t p{1, 1, 4, 4, 4, 0, 0};
  std::vector<uint8_t> scratch(static_cast<size_t>(tempo_dft_scratch_size(&p)));
  const float x[] = {1, 2, 3, 4};
  std::vector<float> y(8);
  tempo::dft(p, x, y.data(), scratch.data());
  EXPECT_TRUE(allNear(y, {10, 0, -2, 2, -2, 0, -2, -2}, 0, 1e-6));
  // Same signal, length 3 (truncated; O(n^2) path), onesided: 2 bins.
  p.length = 3;
  p.n_out = 2;
  tempo::dft(p, x, y.data(), scratch.data());
  EXPECT_TRUE(allNear(std::vector<float>(y.begin(), y.begin() + 4),
                      {6, 0, -1.5, std::sqrt(3.0) / 2}, 0, 1e-6));
  // Inverse of a complex impulse at 1, zero-padded to 4: e^{+i pi k / 2} / 4.
  tempo_dft_params_t q{1, 1, 2, 4, 4, 1, 1};
  const float xc[] = {0, 0, 1, 0};
  tempo::dft(q, xc, y.data(), scratch.data());
  EXPECT_TRUE(allNear(y, {0.25, 0, 0, 0.25, -0.25, 0, 0, -0.25}, 0, 1e-7));
}

TEST(OpsDftTest, RandomLengthsMatchDoubleReference) {
  Rng rng(44);
  for (int32_t L : {1, 2, 3, 5, 8, 12, 16, 31, 64, 100, 128}) {
    for (int inv = 0; inv < 2; ++inv) {
      const int32_t nIn = std::max(1, L + rng.range(-2, 2));
      const int32_t nOut = inv ? L : L / 2 + 1;
      tempo_dft_params_t p{1, 1, nIn, L, nOut, 1, inv};
      std::vector<uint8_t> scratch(
          static_cast<size_t>(tempo_dft_scratch_size(&p)));
      const std::vector<float> x = rng.floats(2 * static_cast<size_t>(nIn));
      std::vector<float> y(2 * static_cast<size_t>(nOut));
      tempo::dft(p, x.data(), y.data(), scratch.data());
      // Error bound ~ log2(L) (FFT) or L (direct) roundings of terms <= sqrt 2.
      const double bound = (inv ? 1.0 / L : 1.0) * 4 * L * FLT_EPSILON * 2;
      ASSERT_TRUE(allNear(y, dftRef(x, nIn, L, nOut, inv), 0, bound))
          << "L " << L << " inverse " << inv;
    }
  }
}

TEST(OpsDftTest, TwiddlesExactAtQuadrants) {
  // The index is reduced in integers, so multiples of pi / 2 are exact and
  // the table is symmetric: cos(2 pi k / L) = cos(2 pi (L - k) / L) bit for
  // bit, sin negated.
  for (int32_t L : {4, 8, 10, 12, 100}) {
    std::vector<float> tw(2 * size_t(L));
    tempo::detail::ops::twiddles(L, tw.data());
    for (int32_t k = 0; k < L; ++k) {
      if (4 * k % L == 0) {
        const int q = 4 * k / L;
        EXPECT_EQ(tw[2 * k], q == 0 ? 1.0f : q == 2 ? -1.0f : 0.0f) << L << " " << k;
        EXPECT_EQ(tw[2 * k + 1], q == 1 ? 1.0f : q == 3 ? -1.0f : 0.0f) << L << " " << k;
      }
      if (k > 0) {
        EXPECT_EQ(tw[2 * k], tw[2 * (L - k)]) << L << " " << k;
        EXPECT_EQ(tw[2 * k + 1], -tw[2 * (L - k) + 1]) << L << " " << k;
      }
    }
  }
}

TEST(OpsDftTest, ExactZeroBinStaysZero) {
  // ONNX's test_dft column: x_j = 10 j + 9, L = 10 (direct path). Bin 5's
  // imaginary part is exactly 0; with sin(pi) rounded to -8.7e-8 it was
  // 2.6e-5, beyond the conformance tolerance.
  tempo_dft_params_t p{1, 1, 10, 10, 10, 0, 0};
  std::vector<uint8_t> scratch(size_t(tempo_dft_scratch_size(&p)));
  std::vector<float> x(10), y(20);
  for (int j = 0; j < 10; ++j)
    x[size_t(j)] = static_cast<float>(10 * j + 9);
  tempo::dft(p, x.data(), y.data(), scratch.data());
  EXPECT_EQ(y[2 * 5 + 1], 0.0f);
  EXPECT_EQ(y[1], 0.0f);
}

TEST(OpsDftTest, AxisWithInnerStride) {
  // x [outer 2, n 4, inner 3, 1]: each (o, i) column transformed alone.
  Rng rng(45);
  const std::vector<float> x = rng.floats(24);
  tempo_dft_params_t p{2, 3, 4, 4, 4, 0, 0};
  std::vector<uint8_t> scratch(static_cast<size_t>(tempo_dft_scratch_size(&p)));
  std::vector<float> y(48);
  tempo::dft(p, x.data(), y.data(), scratch.data());
  for (int o = 0; o < 2; ++o)
    for (int i = 0; i < 3; ++i) {
      std::vector<float> col;
      for (int j = 0; j < 4; ++j) {
        col.push_back(x[static_cast<size_t>((o * 4 + j) * 3 + i)]);
        col.push_back(0);
      }
      const std::vector<double> want = dftRef(col, 4, 4, 4, false);
      for (int k = 0; k < 4; ++k)
        for (int c = 0; c < 2; ++c)
          EXPECT_NEAR(y[static_cast<size_t>(((o * 4 + k) * 3 + i) * 2 + c)],
                      want[static_cast<size_t>(2 * k + c)], 1e-5);
    }
}

TEST(OpsStftTest, ComplexSignalWithWindow) {
  // signal [1, 7, 2], frame_length 4, step 3 -> 2 frames, full spectrum.
  Rng rng(46);
  const std::vector<float> s = rng.floats(14), win = {0.5f, 1, 1, 0.5f};
  tempo_stft_params_t p{1, 7, 1, 3, 4, 2, 4, 1};
  std::vector<uint8_t> scratch(
      static_cast<size_t>(tempo_stft_scratch_size(&p)));
  std::vector<float> y(16);
  tempo::stft(p, s.data(), win.data(), y.data(), scratch.data());
  for (int f = 0; f < 2; ++f) {
    std::vector<float> frame;
    for (int j = 0; j < 4; ++j)
      for (int c = 0; c < 2; ++c)
        frame.push_back(s[static_cast<size_t>((f * 3 + j) * 2 + c)] *
                        win[static_cast<size_t>(j)]);
    EXPECT_TRUE(allNear(std::vector<float>(y.begin() + f * 8,
                                           y.begin() + f * 8 + 8),
                        dftRef(frame, 4, 4, 4, false), 0, 1e-5));
  }
}

TEST(OpsWindowTest, ShapesAndEdgeCases) {
  std::vector<float> y(4);
  tempo_window_params_t p{4, TEMPO_WINDOW_HANN, 1};
  tempo::window(p, y.data());
  EXPECT_TRUE(allNear(y, {0, 0.5, 1, 0.5}, 0, 1e-7));
  p.periodic = 0;  // N = 3
  tempo::window(p, y.data());
  EXPECT_TRUE(allNear(y, {0, 0.75, 0.75, 0}, 0, 1e-7));
  p.kind = TEMPO_WINDOW_HAMMING;
  tempo::window(p, y.data());
  EXPECT_TRUE(allNear(y, {4.0 / 46, 25.0 / 46 + 21.0 / 92, 25.0 / 46 + 21.0 / 92,
                          4.0 / 46},
                      0, 1e-7));
  p.kind = TEMPO_WINDOW_BLACKMAN;
  p.periodic = 1;
  tempo::window(p, y.data());
  EXPECT_TRUE(allNear(y, {0, 0.42 - 0.08, 0.42 + 0.5 + 0.08, 0.42 - 0.08}, 0,
                      1e-7));
  tempo_window_params_t one{1, TEMPO_WINDOW_HANN, 0};
  tempo::window(one, y.data());
  EXPECT_EQ(y[0], 1.0f);
}

TEST(OpsMelTest, TrianglesSumAndSkipOutOfRange) {
  // 4 mel bins over a 32-point DFT at 16 kHz up to 8 kHz: every column has a
  // peak of 1 or a triangle, and no row beyond dft_length / 2 is written.
  tempo_mel_params_t p{4, 32, 16000, 0.0f, 8000.0f};
  std::vector<float> y(17 * 4, -1.0f);
  tempo::mel_weight_matrix(p, y.data());
  for (int i = 0; i < 4; ++i) {
    float mx = 0;
    for (int j = 0; j < 17; ++j) {
      const float v = y[static_cast<size_t>(j * 4 + i)];
      EXPECT_GE(v, 0.0f);
      EXPECT_LE(v, 1.0f);
      mx = std::max(mx, v);
    }
    EXPECT_EQ(mx, 1.0f) << "mel bin " << i;
  }
}

//===----------------------------------------------------------------------===//
// ONNX's node tests (ops_cases.inc)
//===----------------------------------------------------------------------===//

struct OnnxCase {
  const char *name;
  const char *kind;
  const char *dtype;
  std::vector<int64_t> ip;
  std::vector<double> fp;
  std::vector<std::vector<double>> in;
  std::vector<std::vector<double>> out;
};

const OnnxCase kOnnxCases[] = {
#include "ops_cases.inc"
};

int32_t i32(int64_t v) { return static_cast<int32_t>(v); }

/// Runs one case with element type T; fills got (one vector per output).
template <typename T>
::testing::AssertionResult runOnnx(const OnnxCase &c, double rtol,
                                   double atol) {
  const std::string kind = c.kind;
  const std::vector<int64_t> &ip = c.ip;
  std::vector<std::vector<T>> in;
  for (const std::vector<double> &v : c.in)
    in.push_back(cvt<T>(v));
  auto check = [&](const auto &got, size_t k) {
    return allNear(got, c.out[k], rtol, atol);
  };
  const size_t outSize = c.out[0].size();
  std::vector<T> y(outSize);
  if (kind == "math") {
    tempo::math(mathParams(outSize, i32(ip[0]), static_cast<float>(c.fp[0]),
                           static_cast<float>(c.fp[1])),
                in[0].data(), y.data());
    return check(y, 0);
  }
  if (kind == "binary") {
    tempo_binary_math_params_t p{};
    p.op = i32(ip[0]);
    const int32_t rank = i32(ip[1]);
    p.shape.rank = rank;
    p.shape.size = static_cast<int32_t>(outSize);
    for (int32_t d = 0; d < rank; ++d) {
      p.shape.out_dims[d] = i32(ip[2 + d]);
      p.shape.a_strides[d] = i32(ip[2 + rank + d]);
      p.shape.b_strides[d] = i32(ip[2 + 2 * rank + d]);
    }
    tempo::binary_math(p, in[0].data(), in[1].data(), y.data());
    // Variadic Max / Min: chain the remaining inputs into y.
    for (size_t k = 2; k < in.size(); ++k) {
      int32_t dense = 1;
      for (int32_t d = rank - 1; d >= 0; --d) {
        p.shape.a_strides[d] = p.shape.out_dims[d] == 1 ? 0 : dense;
        dense *= p.shape.out_dims[d];
        p.shape.b_strides[d] = i32(ip[2 + (1 + static_cast<int32_t>(k)) * rank + d]);
      }
      tempo::binary_math(p, y.data(), in[k].data(), y.data());
    }
    return check(y, 0);
  }
  if (kind == "reduce") {
    tempo_reduction_params_t p{i32(ip[1]), i32(ip[2]), i32(ip[3]), i32(ip[0])};
    tempo::reduce(p, in[0].data(), y.data());
    return check(y, 0);
  }
  if (kind == "arg") {
    tempo_arg_reduce_params_t p{i32(ip[1]), i32(ip[2]), i32(ip[3]), i32(ip[0]),
                                i32(ip[4])};
    std::vector<int64_t> yi(outSize);
    tempo::arg_reduce(p, in[0].data(), yi.data());
    return check(yi, 0);
  }
  if (kind == "cumsum") {
    tempo_cumsum_params_t p{i32(ip[0]), i32(ip[1]), i32(ip[2]), i32(ip[3]),
                            i32(ip[4])};
    tempo::cumsum(p, in[0].data(), y.data());
    return check(y, 0);
  }
  if (kind == "hardmax") {
    tempo_softmax_params_t p{i32(ip[0]), i32(ip[1]), i32(ip[2])};
    tempo::hardmax(p, in[0].data(), y.data());
    return check(y, 0);
  }
  if (kind == "copy") {
    const int32_t rank = i32(ip[0]);
    tempo_strided_copy_params_t p{};
    p.rank = rank;
    p.size = static_cast<int32_t>(outSize);
    p.border = i32(ip[1]);
    for (int32_t d = 0; d < rank; ++d) {
      p.out_dims[d] = i32(ip[2 + d]);
      p.in_dims[d] = i32(ip[2 + rank + d]);
      p.start[d] = i32(ip[2 + 2 * rank + d]);
      p.step[d] = i32(ip[2 + 3 * rank + d]);
    }
    tempo::strided_copy(p, in[0].data(), in.size() > 1 ? in[1].data() : nullptr,
                        y.data());
    return check(y, 0);
  }
  if (kind == "gather") {
    tempo_gather_params_t p{i32(ip[0]), i32(ip[1]), i32(ip[2]), i32(ip[3])};
    std::vector<int32_t> idx;
    for (size_t k = 4; k < ip.size(); ++k)
      idx.push_back(i32(ip[k]));
    tempo::gather(p, in[0].data(), idx.data(), y.data());
    return check(y, 0);
  }
  if (kind.rfind("cast:", 0) == 0) {
    tempo_cast_params_t p{static_cast<int32_t>(outSize)};
    if (kind == "cast:f32") {
      std::vector<float> yf(outSize);
      tempo::cast(p, in[0].data(), yf.data());
      return check(yf, 0);
    }
    if (kind == "cast:f64") {
      std::vector<double> yd(outSize);
      tempo::cast(p, in[0].data(), yd.data());
      return check(yd, 0);
    }
    return ::testing::AssertionFailure() << "no runner for " << kind;
  }
  if constexpr (std::is_floating_point_v<T>) {
    if (kind == "logsoftmax") {
      tempo_softmax_params_t p{i32(ip[0]), i32(ip[1]), i32(ip[2])};
      tempo::log_softmax(p, in[0].data(), y.data());
      return check(y, 0);
    }
    if (kind == "layer_norm") {
      tempo_layer_norm_params_t p{i32(ip[0]), i32(ip[1]),
                                  static_cast<float>(c.fp[0]), i32(ip[2])};
      std::vector<T> mean(static_cast<size_t>(p.outer)),
          inv(static_cast<size_t>(p.outer));
      tempo::layer_norm(p, in[0].data(), in[1].data(), in[2].data(), y.data(),
                        mean.data(), inv.data());
      ::testing::AssertionResult r = check(y, 0);
      if (r && c.out.size() > 1)
        r = check(mean, 1);
      if (r && c.out.size() > 2)
        r = check(inv, 2);
      return r;
    }
    if (kind == "instance_norm") {
      tempo_batch_norm_params_t p{i32(ip[0]), i32(ip[1]), i32(ip[2]),
                                  static_cast<float>(c.fp[0]), 0.0f};
      tempo::instance_norm(p, in[0].data(), in[1].data(), in[2].data(),
                           y.data());
      return check(y, 0);
    }
    if (kind == "conv_transpose") {
      tempo_conv_params_t p{};
      int32_t *f = &p.batch;
      for (size_t k = 0; k < 17; ++k)
        f[k] = i32(ip[k]);
      tempo::conv_transpose(p, in[0].data(), in[1].data(),
                            p.has_bias ? in[2].data() : nullptr, y.data());
      return check(y, 0);
    }
  }
  if constexpr (std::is_same_v<T, float>) {
    if (kind == "dft" || kind == "stft") {
      std::vector<float> scratch;
      if (kind == "dft") {
        tempo_dft_params_t p{i32(ip[0]), i32(ip[1]), i32(ip[2]), i32(ip[3]),
                             i32(ip[4]), i32(ip[5]), i32(ip[6])};
        scratch.resize(static_cast<size_t>(tempo_dft_scratch_size(&p)) / 4);
        tempo::dft(p, in[0].data(), y.data(), scratch.data());
      } else {
        tempo_stft_params_t p{i32(ip[0]), i32(ip[1]), i32(ip[2]), i32(ip[3]),
                              i32(ip[4]), i32(ip[5]), i32(ip[6]), i32(ip[7])};
        scratch.resize(static_cast<size_t>(tempo_stft_scratch_size(&p)) / 4);
        tempo::stft(p, in[0].data(), p.has_window ? in[1].data() : nullptr,
                    y.data(), scratch.data());
      }
      return check(y, 0);
    }
    if (kind == "window") {
      tempo_window_params_t p{i32(ip[0]), i32(ip[1]), i32(ip[2])};
      tempo::window(p, y.data());
      return check(y, 0);
    }
    if (kind == "mel") {
      tempo_mel_params_t p{i32(ip[0]), i32(ip[1]), i32(ip[2]),
                           static_cast<float>(c.fp[0]),
                           static_cast<float>(c.fp[1])};
      tempo::mel_weight_matrix(p, y.data());
      return check(y, 0);
    }
  }
  return ::testing::AssertionFailure()
         << "no runner for " << kind << " / " << c.dtype;
}

/// The tolerance per case: float kernels are compared with a relative 1e-5
/// (libm and summation-order differences against numpy's float64/pairwise
/// arithmetic); the transforms with an absolute bound scaled by the largest
/// output (float accumulation of up to 128 terms); integers exactly. A cast
/// to float must round correctly (the expected values are printed as the
/// shortest decimal of the float32 result). The window ops get 1e-4
/// absolute: ONNX's expected outputs were generated with pi = 3.1415 (see
/// onnx/backend/test/case/node/hannwindow.py), which moves them by up to
/// 5.4e-5 here; the kernels use the spec's pi, pinned exactly by OpsWindowTest.
void tolerance(const OnnxCase &c, double &rtol, double &atol) {
  const std::string kind = c.kind, dt = c.dtype;
  rtol = 0;
  atol = 0;
  if (dt == "f32" || kind == "window" || kind == "mel") {
    rtol = 1e-5;
    atol = 1e-6;
  } else if (dt == "f64") {
    rtol = 1e-12;
    atol = 1e-14;
  }
  if (kind == "cast:f32") {
    rtol = 1e-7;  // below half a float ulp
    atol = 0;
  }
  if (kind == "window")
    atol = 1e-4;
  if (kind == "dft" || kind == "stft") {
    double mx = 0;
    for (double v : c.out[0])
      mx = std::max(mx, std::fabs(v));
    atol = 1e-6 * mx;
  }
}

TEST(OpsOnnxNodeTest, AllCasesMatchOnnxExpectedOutputs) {
  int ran = 0;
  for (const OnnxCase &c : kOnnxCases) {
    double rtol, atol;
    tolerance(c, rtol, atol);
    const std::string dt = c.dtype;
    ::testing::AssertionResult r = ::testing::AssertionFailure() << "dtype";
    if (dt == "f32")
      r = runOnnx<float>(c, rtol, atol);
    else if (dt == "f64")
      r = runOnnx<double>(c, rtol, atol);
    else if (dt == "i8")
      r = runOnnx<int8_t>(c, rtol, atol);
    else if (dt == "u8")
      r = runOnnx<uint8_t>(c, rtol, atol);
    else if (dt == "i16")
      r = runOnnx<int16_t>(c, rtol, atol);
    else if (dt == "u16")
      r = runOnnx<uint16_t>(c, rtol, atol);
    else if (dt == "i32")
      r = runOnnx<int32_t>(c, rtol, atol);
    else if (dt == "u32")
      r = runOnnx<uint32_t>(c, rtol, atol);
    else if (dt == "i64")
      r = runOnnx<int64_t>(c, rtol, atol);
    else if (dt == "u64")
      r = runOnnx<uint64_t>(c, rtol, atol);
    EXPECT_TRUE(r) << c.name << " (" << c.kind << ", " << c.dtype << ")";
    ++ran;
  }
  EXPECT_GT(ran, 250);
}

} // namespace
