//===- KernelsTest.cpp - Unit tests for tempo/kernels.h -------------------===//
//
// Two kinds of tests per kernel:
//  - small hand-computed cases with exact expected numbers;
//  - for conv, pools, gemm, matmul, broadcast and transpose, randomized
//    shapes checked against a reference written differently (explicit
//    zero-padded tensors, full multi-index arithmetic, materialised
//    transposes, 128-bit integer arithmetic). Float references run twice:
//    in double (checked within a rounding-error bound, independent of the
//    summation order) and in float in the kernel's documented order (checked
//    for exact equality, which pins the order down).
//
// All randomness comes from a fixed-seed generator, so failures reproduce.
//
//===----------------------------------------------------------------------===//

#include "tempo/kernels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

// The float references below must round every product like the kernels do,
// also when this test is built for an FMA target (-mfma): no contraction in
// this file.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

//===----------------------------------------------------------------------===//
// Every supported instantiation must compile warning-free.
//===----------------------------------------------------------------------===//

#define TEMPO_INSTANTIATE_ANY(T)                                               \
  template void tempo::max_pool<T>(const tempo_pool_params_t &, const T *,     \
                                   T *);                                       \
  template void tempo::max_pool_with_indices<T>(                               \
      const tempo_pool_params_t &, const T *, T *, int64_t *);                 \
  template void tempo::average_pool<T>(const tempo_pool_params_t &, const T *, \
                                       T *);                                   \
  template void tempo::global_average_pool<T>(const tempo_reduce_params_t &,   \
                                              const T *, T *);                 \
  template void tempo::add<T>(const tempo_broadcast_params_t &, const T *,     \
                              const T *, T *);                                 \
  template void tempo::sub<T>(const tempo_broadcast_params_t &, const T *,     \
                              const T *, T *);                                 \
  template void tempo::mul<T>(const tempo_broadcast_params_t &, const T *,     \
                              const T *, T *);                                 \
  template void tempo::div<T>(const tempo_broadcast_params_t &, const T *,     \
                              const T *, T *);                                 \
  template void tempo::relu<T>(const tempo_unary_params_t &, const T *, T *);  \
  template void tempo::clip<T>(const tempo_unary_params_t &, const T *, T *);  \
  template void tempo::transpose<T>(const tempo_transpose_params_t &,          \
                                    const T *, T *);                           \
  template void tempo::concat<T>(const tempo_concat_params_t &, const T *, T *);
#define TEMPO_INSTANTIATE_FLOAT(T)                                             \
  TEMPO_INSTANTIATE_ANY(T)                                                     \
  template void tempo::conv<T>(const tempo_conv_params_t &, const T *,         \
                               const T *, const T *, T *);                     \
  template void tempo::gemm<T>(const tempo_gemm_params_t &, const T *,         \
                               const T *, const T *, T *);                     \
  template void tempo::matmul<T>(const tempo_matmul_params_t &, const T *,     \
                                 const T *, T *);                              \
  template void tempo::sigmoid<T>(const tempo_unary_params_t &, const T *,     \
                                  T *);                                        \
  template void tempo::tanh<T>(const tempo_unary_params_t &, const T *, T *);  \
  template void tempo::leaky_relu<T>(const tempo_unary_params_t &, const T *,  \
                                     T *);                                     \
  template void tempo::softmax<T>(const tempo_softmax_params_t &, const T *,   \
                                  T *);                                        \
  template void tempo::batch_norm<T>(const tempo_batch_norm_params_t &,        \
                                     const T *, const T *, const T *,          \
                                     const T *, const T *, T *);               \
  template void tempo::batch_norm_training<T>(                                 \
      const tempo_batch_norm_params_t &, const T *, const T *, const T *,      \
      const T *, const T *, T *, T *, T *);
TEMPO_INSTANTIATE_FLOAT(float)
TEMPO_INSTANTIATE_FLOAT(double)
TEMPO_INSTANTIATE_ANY(uint8_t)
TEMPO_INSTANTIATE_ANY(int8_t)
TEMPO_INSTANTIATE_ANY(uint16_t)
TEMPO_INSTANTIATE_ANY(int16_t)
TEMPO_INSTANTIATE_ANY(uint32_t)
TEMPO_INSTANTIATE_ANY(int32_t)
TEMPO_INSTANTIATE_ANY(int64_t)
#undef TEMPO_INSTANTIATE_FLOAT
#undef TEMPO_INSTANTIATE_ANY

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
  /// Uniform in [lo, hi].
  int32_t range(int32_t lo, int32_t hi) {
    return lo +
           static_cast<int32_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool coin() { return (next() >> 33) & 1; }
  /// Uniform in [-1, 1) with a full 24-bit mantissa.
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
  template <typename T> std::vector<T> ints(size_t n, int64_t lo, int64_t hi) {
    std::vector<T> v(n);
    for (T &e : v)
      e = static_cast<T>(lo + static_cast<int64_t>(
                                  next() % static_cast<uint64_t>(hi - lo + 1)));
    return v;
  }

private:
  uint64_t state;
};

/// Equal, or both NaN.
template <typename T> bool same(T a, T b) {
  if constexpr (std::is_floating_point_v<T>)
    if (std::isnan(a) && std::isnan(b))
      return true;
  return a == b;
}

/// Checks got == want elementwise (NaN == NaN), naming the first mismatch.
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

/// Checks |got - want| <= bound[i] elementwise.
inline ::testing::AssertionResult allNear(const std::vector<float> &got,
                                          const std::vector<double> &want,
                                          const std::vector<double> &bound) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure()
           << "size " << got.size() << " != " << want.size();
  for (size_t i = 0; i < got.size(); ++i)
    if (!(std::fabs(static_cast<double>(got[i]) - want[i]) <= bound[i]))
      return ::testing::AssertionFailure()
             << "element " << i << ": got " << got[i] << ", want " << want[i]
             << " +- " << bound[i];
  return ::testing::AssertionSuccess();
}

/// Rounding-error bound for a float sum of `terms` terms whose magnitudes add
/// up to `absSum` (plus one rounding for a final scale).
inline double sumBound(int64_t terms, double absSum) {
  return static_cast<double>(terms + 2) * FLT_EPSILON * absSum + 1e-30;
}

inline int64_t product(const std::vector<int32_t> &dims) {
  int64_t n = 1;
  for (int32_t d : dims)
    n *= d;
  return n;
}

/// Dense row-major strides of `dims`.
inline std::vector<int32_t> denseStrides(const std::vector<int32_t> &dims) {
  std::vector<int32_t> s(dims.size());
  int32_t st = 1;
  for (size_t d = dims.size(); d-- > 0;) {
    s[d] = st;
    st *= dims[d];
  }
  return s;
}

/// Multi-index of flat index `flat` over `dims` (row-major, by div/mod).
inline std::vector<int32_t> unflatten(int64_t flat,
                                      const std::vector<int32_t> &dims) {
  std::vector<int32_t> idx(dims.size());
  for (size_t d = dims.size(); d-- > 0;) {
    idx[d] = static_cast<int32_t>(flat % dims[d]);
    flat /= dims[d];
  }
  return idx;
}

/// Flat index of the operand element an output multi-index reads under numpy
/// broadcasting: `opDims` right-aligned to `outIdx`, size-1 dims pinned at 0.
inline int64_t broadcastIndex(const std::vector<int32_t> &outIdx,
                              const std::vector<int32_t> &opDims) {
  const size_t lead = outIdx.size() - opDims.size();
  int64_t flat = 0;
  for (size_t d = 0; d < opDims.size(); ++d)
    flat = flat * opDims[d] + (opDims[d] == 1 ? 0 : outIdx[lead + d]);
  return flat;
}

/// The kernel-side strides of an operand with `opDims` broadcast to `outDims`:
/// 0 where the operand is missing or has size 1 (or, for size-1 output dims,
/// randomly the dense stride, which the kernel must ignore).
inline void broadcastStrides(Rng &rng, const std::vector<int32_t> &outDims,
                             const std::vector<int32_t> &opDims,
                             int32_t *strides) {
  const size_t lead = outDims.size() - opDims.size();
  const std::vector<int32_t> dense = denseStrides(opDims);
  for (size_t d = 0; d < outDims.size(); ++d) {
    if (d < lead) {
      strides[d] = 0;
      continue;
    }
    if (opDims[d - lead] != 1)
      strides[d] = dense[d - lead];
    else
      strides[d] = outDims[d] == 1 && rng.coin() ? dense[d - lead] : 0;
  }
}

/// A random operand shape that broadcasts to `outDims`.
inline std::vector<int32_t>
broadcastableShape(Rng &rng, const std::vector<int32_t> &out) {
  const int32_t rank = rng.range(0, static_cast<int32_t>(out.size()));
  const bool full = rng.range(0, 2) == 0;
  std::vector<int32_t> dims;
  for (size_t d = out.size() - rank; d < out.size(); ++d)
    dims.push_back(full || rng.coin() ? out[d] : 1);
  return dims;
}

inline tempo_unary_params_t unaryParams(size_t size, float alpha = 0.0f,
                                        double lo = 0.0, double hi = 0.0) {
  tempo_unary_params_t p{};
  p.size = static_cast<int32_t>(size);
  p.alpha = alpha;
  p.lo = lo;
  p.hi = hi;
  return p;
}

/// Broadcast params from explicit shapes (dense strides, 0 on size-1 dims).
inline tempo_broadcast_params_t broadcastParams(const std::vector<int32_t> &out,
                                                const std::vector<int32_t> &a,
                                                const std::vector<int32_t> &b) {
  Rng rng(0);
  tempo_broadcast_params_t p{};
  p.rank = static_cast<int32_t>(out.size());
  p.size = static_cast<int32_t>(product(out));
  std::copy(out.begin(), out.end(), p.out_dims);
  broadcastStrides(rng, out, a, p.a_strides);
  broadcastStrides(rng, out, b, p.b_strides);
  return p;
}

//===----------------------------------------------------------------------===//
// Conv
//===----------------------------------------------------------------------===//

tempo_conv_params_t convParams(int32_t inC, int32_t inH, int32_t inW,
                               int32_t outC, int32_t outH, int32_t outW,
                               int32_t kH, int32_t kW) {
  tempo_conv_params_t p{};
  p.batch = 1;
  p.in_c = inC;
  p.in_h = inH;
  p.in_w = inW;
  p.out_c = outC;
  p.out_h = outH;
  p.out_w = outW;
  p.k_h = kH;
  p.k_w = kW;
  p.stride_h = p.stride_w = 1;
  p.dil_h = p.dil_w = 1;
  p.groups = 1;
  return p;
}

TEST(ConvTest, ValidWithBias) {
  tempo_conv_params_t p = convParams(1, 3, 3, 1, 2, 2, 2, 2);
  p.has_bias = 1;
  const float x[] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w[] = {1, 2, 3, 4}, b[] = {1};
  float y[4];
  tempo::conv(p, x, w, b, y);
  // 1*1 + 2*2 + 3*4 + 4*5 = 37, ...
  EXPECT_EQ(y[0], 38.0f);
  EXPECT_EQ(y[1], 48.0f);
  EXPECT_EQ(y[2], 68.0f);
  EXPECT_EQ(y[3], 78.0f);
}

TEST(ConvTest, PaddedStridedNoBias) {
  tempo_conv_params_t p = convParams(1, 3, 3, 1, 2, 2, 3, 3);
  p.stride_h = p.stride_w = 2;
  p.pad_top = p.pad_left = 1;
  const float x[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  float w[9];
  std::fill(w, w + 9, 1.0f);
  float y[4];
  tempo::conv(p, x, w, static_cast<const float *>(nullptr), y);
  EXPECT_EQ(y[0], 1 + 2 + 4 + 5.0f);
  EXPECT_EQ(y[1], 2 + 3 + 5 + 6.0f);
  EXPECT_EQ(y[2], 4 + 5 + 7 + 8.0f);
  EXPECT_EQ(y[3], 5 + 6 + 8 + 9.0f);
}

TEST(ConvTest, Dilated1D) {
  tempo_conv_params_t p = convParams(1, 1, 7, 1, 1, 3, 1, 3);
  p.dil_w = 2;
  const float x[] = {0, 1, 2, 3, 4, 5, 6}, w[] = {1, 10, 100};
  float y[3];
  tempo::conv(p, x, w, static_cast<const float *>(nullptr), y);
  EXPECT_EQ(y[0], 420.0f);
  EXPECT_EQ(y[1], 531.0f);
  EXPECT_EQ(y[2], 642.0f);
}

TEST(ConvTest, Groups) {
  // in_c 4 in two groups of 2, out_c 2: oc 0 sees channels 0-1, oc 1 sees 2-3.
  tempo_conv_params_t p = convParams(4, 1, 1, 2, 1, 1, 1, 1);
  p.groups = 2;
  const float x[] = {1, 2, 3, 4}, w[] = {1, 1, 1, -1};
  float y[2];
  tempo::conv(p, x, w, static_cast<const float *>(nullptr), y);
  EXPECT_EQ(y[0], 3.0f);
  EXPECT_EQ(y[1], -1.0f);
}

TEST(ConvTest, Depthwise1D) {
  tempo_conv_params_t p = convParams(2, 1, 3, 2, 1, 2, 1, 2);
  p.groups = 2;
  p.has_bias = 1;
  const float x[] = {1, 2, 3, 4, 5, 6}, w[] = {1, 1, 1, -1}, b[] = {0, 10};
  float y[4];
  tempo::conv(p, x, w, b, y);
  EXPECT_EQ(y[0], 3.0f);
  EXPECT_EQ(y[1], 5.0f);
  EXPECT_EQ(y[2], 9.0f);
  EXPECT_EQ(y[3], 9.0f);
}

TEST(ConvTest, AccumulationOrderIsChannelsThenBias) {
  // In float, 1e8 + 1 == 1e8. Channels ascending then bias last gives
  // ((0 + 1e8) + 1 - 1e8) + 1 = 1; bias first would give 0, channels
  // descending 1 + 1 = 2.
  tempo_conv_params_t p = convParams(3, 1, 1, 1, 1, 1, 1, 1);
  p.has_bias = 1;
  const float x[] = {1e8f, 1.0f, -1e8f}, w[] = {1, 1, 1}, b[] = {1};
  float y[1];
  tempo::conv(p, x, w, b, y);
  EXPECT_EQ(y[0], 1.0f);
}

// a = 1 + 2^-12: a * a = 1 + 2^-11 + 2^-24 rounds (to even) to 1 + 2^-11, so
// -1 + a * a is 2^-11 when the product is rounded first, as the kernels
// document, and 2^-11 + 2^-24 if the compiler fused it into an FMA. Only
// meaningful when the test is built for an FMA target (e.g. -mfma or
// Cortex-M4F) with -ffp-contract=off, the flag the generated code is built
// with wherever it must agree with `tempoc run` bit for bit.
constexpr float kOnePlus = 1.0f + 1.0f / 4096.0f;
constexpr float kRounded = 1.0f / 2048.0f;

TEST(ConvTest, ProductsAreRoundedBeforeAdding) {
  tempo_conv_params_t p = convParams(2, 1, 1, 1, 1, 1, 1, 1);
  const float x[] = {-1.0f, kOnePlus}, w[] = {1.0f, kOnePlus};
  float y[1];
  tempo::conv(p, x, w, static_cast<const float *>(nullptr), y);
  EXPECT_EQ(y[0], kRounded);
}

/// Conv reference over an explicitly zero-padded copy of the input, every
/// tap included, accumulated in Acc in the kernel's documented order.
template <typename Acc>
std::vector<Acc>
refConv(const tempo_conv_params_t &p, int32_t padBottom, int32_t padRight,
        const std::vector<float> &x, const std::vector<float> &w,
        const std::vector<float> &b, std::vector<double> *absSum) {
  const int32_t ph = p.pad_top + p.in_h + padBottom;
  const int32_t pw = p.pad_left + p.in_w + padRight;
  std::vector<float> padded(static_cast<size_t>(p.batch) * p.in_c * ph * pw,
                            0.0f);
  for (int32_t n = 0; n < p.batch; ++n)
    for (int32_t c = 0; c < p.in_c; ++c)
      for (int32_t h = 0; h < p.in_h; ++h)
        for (int32_t v = 0; v < p.in_w; ++v)
          padded[((n * p.in_c + c) * ph + h + p.pad_top) * pw + v +
                 p.pad_left] = x[((n * p.in_c + c) * p.in_h + h) * p.in_w + v];
  const int32_t icpg = p.in_c / p.groups, ocpg = p.out_c / p.groups;
  std::vector<Acc> y;
  for (int32_t n = 0; n < p.batch; ++n)
    for (int32_t oc = 0; oc < p.out_c; ++oc)
      for (int32_t oh = 0; oh < p.out_h; ++oh)
        for (int32_t ow = 0; ow < p.out_w; ++ow) {
          Acc acc = 0;
          double abs = 0;
          for (int32_t icg = 0; icg < icpg; ++icg)
            for (int32_t kh = 0; kh < p.k_h; ++kh)
              for (int32_t kw = 0; kw < p.k_w; ++kw) {
                const int32_t c = (oc / ocpg) * icpg + icg;
                const int32_t h = oh * p.stride_h + kh * p.dil_h;
                const int32_t v = ow * p.stride_w + kw * p.dil_w;
                EXPECT_LT(h, ph);
                EXPECT_LT(v, pw);
                const Acc xv = padded[((n * p.in_c + c) * ph + h) * pw + v];
                const Acc wv = w[((oc * icpg + icg) * p.k_h + kh) * p.k_w + kw];
                acc += xv * wv;
                abs += std::fabs(static_cast<double>(xv) * wv);
              }
          if (p.has_bias) {
            acc += static_cast<Acc>(b[oc]);
            abs += std::fabs(b[oc]);
          }
          y.push_back(acc);
          if (absSum)
            absSum->push_back(abs);
        }
  return y;
}

TEST(ConvTest, RandomShapesMatchReference) {
  Rng rng(1);
  for (int iter = 0; iter < 400; ++iter) {
    tempo_conv_params_t p{};
    p.batch = rng.range(1, 2);
    const int kind = rng.range(0, 3); // 0 dense, 1 grouped, 2 depthwise, 3 1x1
    p.groups = kind == 1 ? rng.range(2, 3) : 1;
    int32_t icpg = rng.range(1, 3), ocpg = rng.range(1, 3);
    if (kind == 2) {
      p.groups = rng.range(1, 4);
      icpg = 1;
    }
    p.in_c = p.groups * icpg;
    p.out_c = p.groups * ocpg;
    const bool oneD = rng.range(0, 2) == 0;
    int32_t padBottom = 0, padRight = 0;
    auto axis = [&](int32_t &in, int32_t &k, int32_t &s, int32_t &d,
                    int32_t &pb, int32_t &pe, int32_t &out, bool unit) {
      do {
        in = unit ? 1 : rng.range(1, 9);
        k = unit || kind == 3 ? 1 : rng.range(1, 4);
        s = unit ? 1 : rng.range(1, 3);
        d = unit ? 1 : rng.range(1, 3);
        pb = unit ? 0 : rng.range(0, 3);
        pe = unit ? 0 : rng.range(0, 3);
      } while (in + pb + pe < d * (k - 1) + 1);
      out = (in + pb + pe - d * (k - 1) - 1) / s + 1;
    };
    axis(p.in_h, p.k_h, p.stride_h, p.dil_h, p.pad_top, padBottom, p.out_h,
         oneD);
    axis(p.in_w, p.k_w, p.stride_w, p.dil_w, p.pad_left, padRight, p.out_w,
         false);
    p.has_bias = rng.coin();
    SCOPED_TRACE("iteration " + std::to_string(iter));

    const std::vector<float> x =
        rng.floats(static_cast<size_t>(p.batch) * p.in_c * p.in_h * p.in_w);
    const std::vector<float> w =
        rng.floats(static_cast<size_t>(p.out_c) * icpg * p.k_h * p.k_w);
    const std::vector<float> b = rng.floats(p.out_c);
    std::vector<float> y(static_cast<size_t>(p.batch) * p.out_c * p.out_h *
                             p.out_w,
                         std::nanf(""));
    tempo::conv(p, x.data(), w.data(), p.has_bias ? b.data() : nullptr,
                y.data());

    std::vector<double> abs, bound;
    const std::vector<double> want =
        refConv<double>(p, padBottom, padRight, x, w, b, &abs);
    for (double a : abs)
      bound.push_back(sumBound(static_cast<int64_t>(icpg) * p.k_h * p.k_w, a));
    ASSERT_TRUE(allNear(y, want, bound));
    ASSERT_TRUE(
        allSame(y, refConv<float>(p, padBottom, padRight, x, w, b, nullptr)));
  }
}

//===----------------------------------------------------------------------===//
// Pools
//===----------------------------------------------------------------------===//

tempo_pool_params_t poolParams(int32_t inH, int32_t inW, int32_t outH,
                               int32_t outW, int32_t kH, int32_t kW) {
  tempo_pool_params_t p{};
  p.batch = p.channels = 1;
  p.in_h = inH;
  p.in_w = inW;
  p.out_h = outH;
  p.out_w = outW;
  p.k_h = kH;
  p.k_w = kW;
  p.stride_h = p.stride_w = 1;
  p.dil_h = p.dil_w = 1;
  return p;
}

TEST(MaxPoolTest, Strided) {
  tempo_pool_params_t p = poolParams(4, 4, 2, 2, 2, 2);
  p.stride_h = p.stride_w = 2;
  float x[16];
  for (int i = 0; i < 16; ++i)
    x[i] = static_cast<float>(i);
  float y[4];
  tempo::max_pool(p, x, y);
  EXPECT_EQ(y[0], 5.0f);
  EXPECT_EQ(y[1], 7.0f);
  EXPECT_EQ(y[2], 13.0f);
  EXPECT_EQ(y[3], 15.0f);
}

TEST(MaxPoolTest, PaddingNeverWins) {
  // All inputs negative: a zero from the padding must never be the max.
  tempo_pool_params_t p = poolParams(3, 3, 4, 4, 2, 2);
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
  float x[9];
  for (int i = 0; i < 9; ++i)
    x[i] = -static_cast<float>(i + 1);
  std::vector<float> y(16);
  tempo::max_pool(p, x, y.data());
  EXPECT_TRUE(allSame(
      y, {-1, -1, -2, -3, -1, -1, -2, -3, -4, -4, -5, -6, -7, -7, -8, -9}));
}

TEST(MaxPoolTest, DilatedInt8) {
  tempo_pool_params_t p = poolParams(1, 6, 1, 3, 1, 2);
  p.dil_w = 3;
  const int8_t x[] = {3, -7, 5, 1, -2, 8};
  std::vector<int8_t> y(3);
  tempo::max_pool(p, x, y.data());
  EXPECT_TRUE(allSame<int8_t>(y, {3, -2, 8}));
}

TEST(MaxPoolTest, NaNPropagates) {
  tempo_pool_params_t p = poolParams(1, 6, 1, 3, 1, 2);
  p.stride_w = 2;
  const float nan = std::nanf("");
  const float x[] = {1, nan, nan, 3, -1, -2};
  std::vector<float> y(3);
  tempo::max_pool(p, x, y.data());
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_TRUE(std::isnan(y[1]));
  EXPECT_EQ(y[2], -1.0f);
}

TEST(MaxPoolTest, WindowInPaddingOnlyYieldsLowest) {
  tempo_pool_params_t p = poolParams(1, 2, 1, 2, 1, 2);
  p.pad_left = 3;
  p.stride_w = 3;
  // Window 0 covers -3..-2 (padding only), window 1 covers 0..1.
  const float xf[] = {-INFINITY, -5.0f};
  float yf[2];
  tempo::max_pool(p, xf, yf);
  EXPECT_EQ(yf[0], -FLT_MAX);
  EXPECT_EQ(yf[1], -5.0f);
  const int8_t xi[] = {4, 9};
  int8_t yi[2];
  tempo::max_pool(p, xi, yi);
  EXPECT_EQ(yi[0], INT8_MIN);
  EXPECT_EQ(yi[1], 9);
}

TEST(MaxPoolTest, AllMinusInfinityIsMinusInfinity) {
  tempo_pool_params_t p = poolParams(1, 2, 1, 1, 1, 2);
  const float x[] = {-INFINITY, -INFINITY};
  float y[1];
  tempo::max_pool(p, x, y);
  EXPECT_EQ(y[0], -INFINITY);
}

TEST(AveragePoolTest, CountIncludePadBothWays) {
  tempo_pool_params_t p = poolParams(3, 3, 3, 3, 3, 3);
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
  const float x[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::vector<float> y(9);
  p.count_include_pad = 0;
  tempo::average_pool(p, x, y.data());
  EXPECT_TRUE(allSame(y, {3, 3.5f, 4, 4.5f, 5, 5.5f, 6, 6.5f, 7}));
  p.count_include_pad = 1;
  tempo::average_pool(p, x, y.data());
  EXPECT_TRUE(allSame(y, {12 / 9.0f, 21 / 9.0f, 16 / 9.0f, 27 / 9.0f, 5,
                          33 / 9.0f, 24 / 9.0f, 39 / 9.0f, 28 / 9.0f}));
}

TEST(AveragePoolTest, CeilModeOverhangCountsInNeitherMode) {
  // in_w 4, pads 1/1, k 3, stride 2, ceil mode: 3 windows over -1..1, 1..3,
  // 3..5; position 4 is padding, 5 lies beyond the padded extent.
  tempo_pool_params_t p = poolParams(1, 4, 1, 3, 1, 3);
  p.stride_w = 2;
  p.pad_left = p.pad_right = 1;
  const float x[] = {1, 2, 3, 4};
  std::vector<float> y(3);
  p.count_include_pad = 0;
  tempo::average_pool(p, x, y.data());
  EXPECT_TRUE(allSame(y, {1.5f, 3.0f, 4.0f}));
  p.count_include_pad = 1;
  tempo::average_pool(p, x, y.data());
  EXPECT_TRUE(allSame(y, {1.0f, 3.0f, 2.0f}));
}

TEST(AveragePoolTest, DilatedCountsOnlyTaps) {
  // k 2, dil 3, stride 2 over in_w 4 with pad_left 2, pad_right 1: the
  // windows tap (-2, 1), (0, 3), (2, 5); 5 lies beyond the padded extent.
  tempo_pool_params_t p = poolParams(1, 4, 1, 3, 1, 2);
  p.dil_w = 3;
  p.stride_w = 2;
  p.pad_left = 2;
  p.pad_right = 1;
  const float x[] = {10, 20, 30, 40};
  std::vector<float> y(3);
  p.count_include_pad = 0;
  tempo::average_pool(p, x, y.data());
  EXPECT_TRUE(allSame(y, {20.0f, 25.0f, 30.0f}));
  p.count_include_pad = 1;
  tempo::average_pool(p, x, y.data());
  EXPECT_TRUE(allSame(y, {10.0f, 25.0f, 30.0f}));
}

TEST(AveragePoolTest, IntegerTruncatesTowardZero) {
  tempo_pool_params_t p = poolParams(1, 6, 1, 2, 1, 3);
  p.stride_w = 3;
  const int16_t x[] = {1, 2, 4, -1, -2, -4};
  int16_t y[2];
  tempo::average_pool(p, x, y);
  EXPECT_EQ(y[0], 2);
  EXPECT_EQ(y[1], -2);
  // 8-bit sums may exceed the type: they are taken in 64 bits.
  const uint8_t xu[] = {250, 251, 255, 0, 0, 1};
  uint8_t yu[2];
  tempo::average_pool(p, xu, yu);
  EXPECT_EQ(yu[0], 252);
  EXPECT_EQ(yu[1], 0);
}

TEST(AveragePoolTest, EmptyWindowIsZero) {
  tempo_pool_params_t p = poolParams(1, 2, 1, 1, 1, 2);
  p.pad_left = 3;
  p.pad_right = 0;
  const float x[] = {7, 8};
  float y[1] = {std::nanf("")};
  tempo::average_pool(p, x, y);
  EXPECT_EQ(y[0], 0.0f);
}

TEST(GlobalAveragePoolTest, FloatAndInt) {
  tempo_reduce_params_t p{2, 4};
  const float xf[] = {1, 2, 3, 4, -1, 0, 5, 7};
  float yf[2];
  tempo::global_average_pool(p, xf, yf);
  EXPECT_EQ(yf[0], 2.5f);
  EXPECT_EQ(yf[1], 2.75f);
  const int32_t xi[] = {1, 2, 3, 4, -1, -2, -3, -4};
  int32_t yi[2];
  tempo::global_average_pool(p, xi, yi);
  EXPECT_EQ(yi[0], 2);
  EXPECT_EQ(yi[1], -2);
}

/// One random pool geometry; `padBottom`/`padRight` live in the params.
tempo_pool_params_t randomPool(Rng &rng) {
  tempo_pool_params_t p{};
  p.batch = rng.range(1, 2);
  p.channels = rng.range(1, 3);
  const bool oneD = rng.range(0, 2) == 0;
  auto axis = [&](int32_t &in, int32_t &k, int32_t &s, int32_t &d, int32_t &pb,
                  int32_t &pe, int32_t &out, bool unit) {
    do {
      in = unit ? 1 : rng.range(1, 9);
      k = unit ? 1 : rng.range(1, 4);
      s = unit ? 1 : rng.range(1, 3);
      d = unit ? 1 : rng.range(1, 2);
      pb = unit ? 0 : rng.range(0, k);
      pe = unit ? 0 : rng.range(0, k);
    } while (in + pb + pe < d * (k - 1) + 1);
    const int32_t span = in + pb + pe - d * (k - 1) - 1;
    const bool ceilMode = rng.coin();
    out = (ceilMode ? (span + s - 1) / s : span / s) + 1;
  };
  axis(p.in_h, p.k_h, p.stride_h, p.dil_h, p.pad_top, p.pad_bottom, p.out_h,
       oneD);
  axis(p.in_w, p.k_w, p.stride_w, p.dil_w, p.pad_left, p.pad_right, p.out_w,
       false);
  p.count_include_pad = rng.coin();
  return p;
}

/// Pool reference: visits every tap of every window, classifies its
/// position (inside the input / inside the padded extent / beyond), and
/// reduces in Acc in the kernel's documented order.
template <typename T, typename Acc>
std::vector<T> refPool(const tempo_pool_params_t &p, const std::vector<T> &x,
                       bool isMax) {
  std::vector<T> y;
  for (int32_t nc = 0; nc < p.batch * p.channels; ++nc)
    for (int32_t oh = 0; oh < p.out_h; ++oh)
      for (int32_t ow = 0; ow < p.out_w; ++ow) {
        Acc sum = 0;
        T best = std::numeric_limits<T>::lowest();
        int64_t inside = 0, padded = 0;
        for (int32_t kh = 0; kh < p.k_h; ++kh)
          for (int32_t kw = 0; kw < p.k_w; ++kw) {
            const int32_t h = oh * p.stride_h - p.pad_top + kh * p.dil_h;
            const int32_t v = ow * p.stride_w - p.pad_left + kw * p.dil_w;
            const bool inH = h >= 0 && h < p.in_h, inW = v >= 0 && v < p.in_w;
            const bool padH = h >= -p.pad_top && h < p.in_h + p.pad_bottom;
            const bool padW = v >= -p.pad_left && v < p.in_w + p.pad_right;
            padded += padH && padW;
            if (!(inH && inW))
              continue;
            const T e = x[(static_cast<size_t>(nc) * p.in_h + h) * p.in_w + v];
            best = inside == 0 ? e : std::max(best, e);
            sum += static_cast<Acc>(e);
            ++inside;
          }
        if (isMax) {
          y.push_back(best);
          continue;
        }
        const int64_t count = p.count_include_pad ? padded : inside;
        y.push_back(count == 0 ? T(0)
                               : static_cast<T>(sum / static_cast<Acc>(count)));
      }
  return y;
}

TEST(PoolTest, RandomShapesMatchReference) {
  Rng rng(2);
  for (int iter = 0; iter < 500; ++iter) {
    const tempo_pool_params_t p = randomPool(rng);
    SCOPED_TRACE("iteration " + std::to_string(iter));
    const size_t inSize =
        static_cast<size_t>(p.batch) * p.channels * p.in_h * p.in_w;
    const size_t outSize =
        static_cast<size_t>(p.batch) * p.channels * p.out_h * p.out_w;

    const std::vector<float> xf = rng.floats(inSize);
    std::vector<float> yf(outSize, std::nanf(""));
    tempo::max_pool(p, xf.data(), yf.data());
    ASSERT_TRUE(allSame(yf, refPool<float, float>(p, xf, true)));
    tempo::average_pool(p, xf.data(), yf.data());
    ASSERT_TRUE(allSame(yf, refPool<float, float>(p, xf, false)));
    const std::vector<double> xd(xf.begin(), xf.end());
    const std::vector<double> want = refPool<double, double>(p, xd, false);
    ASSERT_TRUE(allNear(
        yf, want,
        std::vector<double>(want.size(), sumBound(p.k_h * p.k_w, 1.0))));

    const std::vector<int8_t> xi = rng.ints<int8_t>(inSize, -128, 127);
    std::vector<int8_t> yi(outSize);
    tempo::max_pool(p, xi.data(), yi.data());
    ASSERT_TRUE(allSame(yi, refPool<int8_t, int64_t>(p, xi, true)));
    const std::vector<int16_t> xs = rng.ints<int16_t>(inSize, -32768, 32767);
    std::vector<int16_t> ys(outSize);
    tempo::average_pool(p, xs.data(), ys.data());
    ASSERT_TRUE(allSame(ys, refPool<int16_t, int64_t>(p, xs, false)));
  }
}

/// One random 3-D pool geometry: every axis gets its own kernel, stride,
/// dilation, asymmetric pads and floor or ceil extent.
tempo_pool_params_t randomPool3d(Rng &rng) {
  tempo_pool_params_t p{};
  p.batch = rng.range(1, 2);
  p.channels = rng.range(1, 3);
  auto axis = [&](int32_t &in, int32_t &k, int32_t &s, int32_t &d, int32_t &pb,
                  int32_t &pe, int32_t &out) {
    do {
      in = rng.range(1, 6);
      k = rng.range(1, 3);
      s = rng.range(1, 3);
      d = rng.range(1, 2);
      pb = rng.range(0, k - 1);
      pe = rng.range(0, k - 1);
    } while (in + pb + pe < d * (k - 1) + 1);
    const int32_t span = in + pb + pe - d * (k - 1) - 1;
    out = (rng.coin() ? (span + s - 1) / s : span / s) + 1;
  };
  axis(p.in_d, p.k_d, p.stride_d, p.dil_d, p.pad_front, p.pad_back, p.out_d);
  axis(p.in_h, p.k_h, p.stride_h, p.dil_h, p.pad_top, p.pad_bottom, p.out_h);
  axis(p.in_w, p.k_w, p.stride_w, p.dil_w, p.pad_left, p.pad_right, p.out_w);
  p.count_include_pad = rng.coin();
  p.storage_order = rng.coin();
  return p;
}

/// The 3-D pools straight from ONNX's definition: every tap of every
/// window, in (kd, kh, kw) order, classified as inside the input, inside the
/// padded extent, or beyond both; the maximum with its first flattened
/// index (row- or column-major over the spatial dims), the mean in Acc.
struct Pool3dRef {
  std::vector<float> max, mean;
  std::vector<int64_t> index;
};
Pool3dRef refPool3d(const tempo_pool_params_t &p, const std::vector<float> &x) {
  Pool3dRef r;
  const int64_t volume = int64_t(p.in_d) * p.in_h * p.in_w;
  for (int32_t nc = 0; nc < p.batch * p.channels; ++nc)
    for (int32_t od = 0; od < p.out_d; ++od)
      for (int32_t oh = 0; oh < p.out_h; ++oh)
        for (int32_t ow = 0; ow < p.out_w; ++ow) {
          float sum = 0.0f, best = -FLT_MAX;
          int64_t at = -1, inside = 0, padded = 0;
          for (int32_t kd = 0; kd < p.k_d; ++kd)
            for (int32_t kh = 0; kh < p.k_h; ++kh)
              for (int32_t kw = 0; kw < p.k_w; ++kw) {
                const int32_t d = od * p.stride_d - p.pad_front + kd * p.dil_d;
                const int32_t h = oh * p.stride_h - p.pad_top + kh * p.dil_h;
                const int32_t w = ow * p.stride_w - p.pad_left + kw * p.dil_w;
                padded += d >= -p.pad_front && d < p.in_d + p.pad_back &&
                          h >= -p.pad_top && h < p.in_h + p.pad_bottom &&
                          w >= -p.pad_left && w < p.in_w + p.pad_right;
                if (d < 0 || d >= p.in_d || h < 0 || h >= p.in_h || w < 0 ||
                    w >= p.in_w)
                  continue;
                const float e = x[nc * volume + (int64_t(d) * p.in_h + h) * p.in_w + w];
                if (inside == 0 || e > best) {
                  best = e;
                  at = p.storage_order
                           ? d + int64_t(p.in_d) * (h + int64_t(p.in_h) * w)
                           : (int64_t(d) * p.in_h + h) * p.in_w + w;
                }
                sum += e;
                ++inside;
              }
          const int64_t count = p.count_include_pad ? padded : inside;
          r.max.push_back(best);
          r.index.push_back(at < 0 ? -1 : nc * volume + at);
          r.mean.push_back(count == 0 ? 0.0f : sum / static_cast<float>(count));
        }
  return r;
}

TEST(PoolTest, Random3dShapesMatchReference) {
  Rng rng(3);
  for (int iter = 0; iter < 500; ++iter) {
    const tempo_pool_params_t p = randomPool3d(rng);
    SCOPED_TRACE("iteration " + std::to_string(iter));
    const size_t inSize = size_t(p.batch) * p.channels * p.in_d * p.in_h * p.in_w;
    const size_t outSize =
        size_t(p.batch) * p.channels * p.out_d * p.out_h * p.out_w;
    const std::vector<float> x = rng.floats(inSize);
    const Pool3dRef want = refPool3d(p, x);
    std::vector<float> y(outSize, std::nanf(""));
    std::vector<int64_t> idx(outSize, -7);
    tempo::max_pool(p, x.data(), y.data());
    ASSERT_TRUE(allSame(y, want.max));
    std::fill(y.begin(), y.end(), std::nanf(""));
    tempo::max_pool_with_indices(p, x.data(), y.data(), idx.data());
    ASSERT_TRUE(allSame(y, want.max));
    ASSERT_TRUE(allSame(idx, want.index));
    std::fill(idx.begin(), idx.end(), -7);
    tempo::max_pool_with_indices(p, x.data(), static_cast<float *>(nullptr),
                                 idx.data());
    ASSERT_TRUE(allSame(idx, want.index));
    tempo::average_pool(p, x.data(), y.data());
    ASSERT_TRUE(allSame(y, want.mean));
  }
}

TEST(PoolTest, DepthOneIsThe2dPool) {
  // The depth fields set to 1 (as the compiler sets them for 2-D pools) and
  // left 0 (a struct initialised before they existed) give the same bits.
  Rng rng(4);
  for (int iter = 0; iter < 100; ++iter) {
    tempo_pool_params_t p = randomPool(rng);
    const size_t inSize = size_t(p.batch) * p.channels * p.in_h * p.in_w;
    const size_t outSize = size_t(p.batch) * p.channels * p.out_h * p.out_w;
    const std::vector<float> x = rng.floats(inSize);
    std::vector<float> max0(outSize), avg0(outSize), max1(outSize),
        avg1(outSize);
    tempo::max_pool(p, x.data(), max0.data());
    tempo::average_pool(p, x.data(), avg0.data());
    p.in_d = p.out_d = p.k_d = p.stride_d = p.dil_d = 1;
    tempo::max_pool(p, x.data(), max1.data());
    tempo::average_pool(p, x.data(), avg1.data());
    ASSERT_TRUE(allSame(max0, max1));
    ASSERT_TRUE(allSame(avg0, avg1));
  }
}

TEST(MaxPoolTest, IndicesOnnxExample) {
  // ONNX's maxpool_with_argmax_2d_precomputed_strides: 5x5 input 1..25,
  // 2x2 windows, stride 2; storage_order 0 and 1.
  tempo_pool_params_t p = poolParams(5, 5, 2, 2, 2, 2);
  p.stride_h = p.stride_w = 2;
  std::vector<float> x(25);
  for (int i = 0; i < 25; ++i)
    x[i] = static_cast<float>(i + 1);
  std::vector<float> y(4);
  std::vector<int64_t> idx(4);
  tempo::max_pool_with_indices(p, x.data(), y.data(), idx.data());
  EXPECT_TRUE(allSame(y, std::vector<float>{7, 9, 17, 19}));
  EXPECT_TRUE(allSame(idx, std::vector<int64_t>{6, 8, 16, 18}));
  p.storage_order = 1;
  tempo::max_pool_with_indices(p, x.data(), y.data(), idx.data());
  EXPECT_TRUE(allSame(idx, std::vector<int64_t>{6, 16, 8, 18}));
}

//===----------------------------------------------------------------------===//
// Gemm and MatMul
//===----------------------------------------------------------------------===//

tempo_gemm_params_t gemmParams(int32_t m, int32_t n, int32_t k) {
  tempo_gemm_params_t p{};
  p.m = m;
  p.n = n;
  p.k = k;
  p.alpha = p.beta = 1.0f;
  return p;
}

TEST(GemmTest, Plain) {
  const tempo_gemm_params_t p = gemmParams(2, 2, 3);
  const float a[] = {1, 2, 3, 4, 5, 6}, b[] = {7, 8, 9, 10, 11, 12};
  std::vector<float> y(4);
  tempo::gemm(p, a, b, static_cast<const float *>(nullptr), y.data());
  EXPECT_TRUE(allSame(y, {58, 64, 139, 154}));
}

TEST(GemmTest, TransposedScaledWithRowBias) {
  tempo_gemm_params_t p = gemmParams(2, 2, 3);
  p.trans_a = p.trans_b = 1;
  p.alpha = 2.0f;
  p.beta = 0.5f;
  p.has_c = 1;
  p.c_rows = 1;
  p.c_cols = 2;
  const float at[] = {1, 4, 2, 5, 3, 6}, bt[] = {7, 9, 11, 8, 10, 12};
  const float c[] = {10, 20};
  std::vector<float> y(4);
  tempo::gemm(p, at, bt, c, y.data());
  EXPECT_TRUE(allSame(y, {121, 138, 283, 318}));
}

TEST(GemmTest, BiasShapes) {
  tempo_gemm_params_t p = gemmParams(2, 2, 1);
  p.has_c = 1;
  const float a[] = {1, 2}, b[] = {3, 4}; // outer product [[3,4],[6,8]]
  std::vector<float> y(4);
  const float col[] = {100, 200};
  p.c_rows = 2;
  p.c_cols = 1;
  tempo::gemm(p, a, b, col, y.data());
  EXPECT_TRUE(allSame(y, {103, 104, 206, 208}));
  const float scalar[] = {-1};
  p.c_rows = p.c_cols = 1;
  tempo::gemm(p, a, b, scalar, y.data());
  EXPECT_TRUE(allSame(y, {2, 3, 5, 7}));
  const float full[] = {1, 2, 3, 4};
  p.c_rows = p.c_cols = 2;
  p.beta = -1.0f;
  tempo::gemm(p, a, b, full, y.data());
  EXPECT_TRUE(allSame(y, {2, 2, 3, 4}));
}

TEST(GemmTest, ProductsAreRoundedBeforeAdding) {
  // See ConvTest.ProductsAreRoundedBeforeAdding; also beta * c + alpha * acc.
  tempo_gemm_params_t p = gemmParams(1, 1, 2);
  const float a[] = {-1.0f, kOnePlus}, b[] = {1.0f, kOnePlus};
  float y[1];
  tempo::gemm(p, a, b, static_cast<const float *>(nullptr), y);
  EXPECT_EQ(y[0], kRounded);
  p.k = 1;
  p.alpha = -1.0f;
  p.beta = kOnePlus;
  p.has_c = p.c_rows = p.c_cols = 1;
  const float one[] = {1.0f}, c[] = {kOnePlus};
  tempo::gemm(p, one, one, c, y);
  EXPECT_EQ(y[0], kRounded);
  tempo_matmul_params_t q{};
  q.m = q.n = 1;
  q.k = 2;
  tempo::matmul(q, a, b, y);
  EXPECT_EQ(y[0], kRounded);
}

/// Gemm reference: materialises op(a), op(b) and the broadcast C as full
/// matrices first.
template <typename Acc>
std::vector<Acc>
refGemm(const tempo_gemm_params_t &p, const std::vector<float> &a,
        const std::vector<float> &b, const std::vector<float> &c,
        std::vector<double> *absSum) {
  std::vector<float> opA(static_cast<size_t>(p.m) * p.k),
      opB(static_cast<size_t>(p.k) * p.n),
      fullC(static_cast<size_t>(p.m) * p.n);
  for (int32_t i = 0; i < p.m; ++i)
    for (int32_t l = 0; l < p.k; ++l)
      opA[i * p.k + l] = p.trans_a ? a[l * p.m + i] : a[i * p.k + l];
  for (int32_t l = 0; l < p.k; ++l)
    for (int32_t j = 0; j < p.n; ++j)
      opB[l * p.n + j] = p.trans_b ? b[j * p.k + l] : b[l * p.n + j];
  for (int32_t i = 0; i < p.m; ++i)
    for (int32_t j = 0; j < p.n; ++j)
      fullC[i * p.n + j] =
          p.has_c ? c[(i % p.c_rows) * p.c_cols + j % p.c_cols] : 0.0f;
  std::vector<Acc> y;
  for (int32_t i = 0; i < p.m; ++i)
    for (int32_t j = 0; j < p.n; ++j) {
      Acc acc = 0;
      double abs = 0;
      for (int32_t l = 0; l < p.k; ++l) {
        acc += static_cast<Acc>(opA[i * p.k + l]) * opB[l * p.n + j];
        abs +=
            std::fabs(static_cast<double>(opA[i * p.k + l]) * opB[l * p.n + j]);
      }
      Acc v = static_cast<Acc>(p.alpha) * acc;
      if (p.has_c)
        v += static_cast<Acc>(p.beta) * fullC[i * p.n + j];
      y.push_back(v);
      if (absSum)
        absSum->push_back(std::fabs(p.alpha) * abs +
                          std::fabs(p.beta * fullC[i * p.n + j]));
    }
  return y;
}

TEST(GemmTest, RandomShapesMatchReference) {
  Rng rng(3);
  const float alphas[] = {1.0f, 0.5f, -2.0f, 1.3f};
  const float betas[] = {1.0f, 0.0f, 0.25f, -0.7f};
  for (int iter = 0; iter < 400; ++iter) {
    tempo_gemm_params_t p =
        gemmParams(rng.range(1, 7), rng.range(1, 7), rng.range(0, 7));
    p.trans_a = rng.coin();
    p.trans_b = rng.coin();
    p.alpha = alphas[rng.range(0, 3)];
    p.beta = betas[rng.range(0, 3)];
    const int cKind = rng.range(0, 4); // none, [1,1], [1,n], [m,1], [m,n]
    p.has_c = cKind != 0;
    p.c_rows = cKind >= 3 ? p.m : 1;
    p.c_cols = cKind == 2 || cKind == 4 ? p.n : 1;
    SCOPED_TRACE("iteration " + std::to_string(iter));
    const std::vector<float> a = rng.floats(static_cast<size_t>(p.m) * p.k);
    const std::vector<float> b = rng.floats(static_cast<size_t>(p.k) * p.n);
    const std::vector<float> c =
        rng.floats(static_cast<size_t>(p.c_rows) * p.c_cols);
    std::vector<float> y(static_cast<size_t>(p.m) * p.n, std::nanf(""));
    tempo::gemm(p, a.data(), b.data(), p.has_c ? c.data() : nullptr, y.data());
    std::vector<double> abs, bound;
    const std::vector<double> want = refGemm<double>(p, a, b, c, &abs);
    for (double s : abs)
      bound.push_back(sumBound(p.k + 1, s));
    ASSERT_TRUE(allNear(y, want, bound));
    ASSERT_TRUE(allSame(y, refGemm<float>(p, a, b, c, nullptr)));
  }
}

TEST(MatMulTest, BroadcastBatch) {
  // a: [2, 2, 2], b: [2, 2] broadcast over the batch.
  tempo_matmul_params_t p{};
  p.m = p.n = p.k = 2;
  p.batch_rank = 1;
  p.out_batch_dims[0] = 2;
  p.a_batch_strides[0] = 1;
  p.b_batch_strides[0] = 0;
  const float a[] = {1, 2, 3, 4, 0, 1, 1, 0}, b[] = {5, 6, 7, 8};
  std::vector<float> y(8);
  tempo::matmul(p, a, b, y.data());
  EXPECT_TRUE(allSame(y, {19, 22, 43, 50, 7, 8, 5, 6}));
}

TEST(MatMulTest, RowVectorNoBatch) {
  tempo_matmul_params_t p{};
  p.m = 1;
  p.k = 3;
  p.n = 2;
  const float a[] = {1, 2, 3}, b[] = {1, 0, 0, 1, 1, 1};
  std::vector<float> y(2);
  tempo::matmul(p, a, b, y.data());
  EXPECT_TRUE(allSame(y, {4, 5}));
}

/// MatMul reference: numpy indexing with each operand's own batch shape.
template <typename Acc>
std::vector<Acc>
refMatMul(int32_t m, int32_t n, int32_t k, const std::vector<int32_t> &outBatch,
          const std::vector<int32_t> &aBatch,
          const std::vector<int32_t> &bBatch, const std::vector<float> &a,
          const std::vector<float> &b, std::vector<double> *absSum) {
  std::vector<Acc> y;
  for (int64_t bi = 0; bi < product(outBatch); ++bi) {
    const std::vector<int32_t> idx = unflatten(bi, outBatch);
    const int64_t am = broadcastIndex(idx, aBatch);
    const int64_t bm = broadcastIndex(idx, bBatch);
    for (int32_t r = 0; r < m; ++r)
      for (int32_t s = 0; s < n; ++s) {
        Acc acc = 0;
        double abs = 0;
        for (int32_t l = 0; l < k; ++l) {
          const float av = a[(am * m + r) * k + l],
                      bv = b[(bm * k + l) * n + s];
          acc += static_cast<Acc>(av) * bv;
          abs += std::fabs(static_cast<double>(av) * bv);
        }
        y.push_back(acc);
        if (absSum)
          absSum->push_back(abs);
      }
  }
  return y;
}

TEST(MatMulTest, RandomShapesMatchReference) {
  Rng rng(4);
  for (int iter = 0; iter < 300; ++iter) {
    tempo_matmul_params_t p{};
    p.m = rng.range(1, 5);
    p.n = rng.range(1, 5);
    p.k = rng.range(0, 5);
    p.batch_rank = rng.range(0, 4);
    std::vector<int32_t> outBatch;
    for (int32_t d = 0; d < p.batch_rank; ++d)
      outBatch.push_back(rng.range(1, 3));
    const std::vector<int32_t> aBatch = broadcastableShape(rng, outBatch);
    const std::vector<int32_t> bBatch = broadcastableShape(rng, outBatch);
    std::copy(outBatch.begin(), outBatch.end(), p.out_batch_dims);
    broadcastStrides(rng, outBatch, aBatch, p.a_batch_strides);
    broadcastStrides(rng, outBatch, bBatch, p.b_batch_strides);
    SCOPED_TRACE("iteration " + std::to_string(iter));
    const std::vector<float> a = rng.floats(product(aBatch) * p.m * p.k);
    const std::vector<float> b = rng.floats(product(bBatch) * p.k * p.n);
    std::vector<float> y(product(outBatch) * p.m * p.n, std::nanf(""));
    tempo::matmul(p, a.data(), b.data(), y.data());
    std::vector<double> abs, bound;
    const std::vector<double> want =
        refMatMul<double>(p.m, p.n, p.k, outBatch, aBatch, bBatch, a, b, &abs);
    for (double s : abs)
      bound.push_back(sumBound(p.k, s));
    ASSERT_TRUE(allNear(y, want, bound));
    ASSERT_TRUE(allSame(y, refMatMul<float>(p.m, p.n, p.k, outBatch, aBatch,
                                            bBatch, a, b, nullptr)));
  }
}

//===----------------------------------------------------------------------===//
// Broadcast binary ops
//===----------------------------------------------------------------------===//

TEST(BroadcastTest, SameShapeFloat) {
  const tempo_broadcast_params_t p = broadcastParams({3}, {3}, {3});
  const float a[] = {1, 2, 3}, b[] = {10, 20, 40};
  std::vector<float> y(3);
  tempo::add(p, a, b, y.data());
  EXPECT_TRUE(allSame(y, {11, 22, 43}));
  tempo::sub(p, a, b, y.data());
  EXPECT_TRUE(allSame(y, {-9, -18, -37}));
  tempo::mul(p, a, b, y.data());
  EXPECT_TRUE(allSame(y, {10, 40, 120}));
  tempo::div(p, b, a, y.data());
  EXPECT_TRUE(allSame(y, {10, 10, 40 / 3.0f}));
}

TEST(BroadcastTest, RowColumnAndScalar) {
  const float a[] = {1, 2, 3, 4, 5, 6}, row[] = {10, 20, 30},
              col[] = {100, 200};
  std::vector<float> y(6);
  tempo::add(broadcastParams({2, 3}, {2, 3}, {3}), a, row, y.data());
  EXPECT_TRUE(allSame(y, {11, 22, 33, 14, 25, 36}));
  tempo::sub(broadcastParams({2, 3}, {2, 1}, {1, 3}), col, row, y.data());
  EXPECT_TRUE(allSame(y, {90, 80, 70, 190, 180, 170}));
  const float two[] = {2};
  tempo::mul(broadcastParams({2, 3}, {}, {2, 3}), two, a, y.data());
  EXPECT_TRUE(allSame(y, {2, 4, 6, 8, 10, 12}));
  const float s[] = {3}, t[] = {4};
  float z[1];
  tempo::add(broadcastParams({}, {}, {}), s, t, z);
  EXPECT_EQ(z[0], 7.0f);
}

TEST(BroadcastTest, IntegersWrap) {
  const tempo_broadcast_params_t p = broadcastParams({3}, {3}, {3});
  {
    const int8_t a[] = {100, -128, 16}, b[] = {100, 1, 16};
    std::vector<int8_t> y(3);
    tempo::add(p, a, b, y.data());
    EXPECT_TRUE(allSame<int8_t>(y, {-56, -127, 32}));
    tempo::sub(p, a, b, y.data());
    EXPECT_TRUE(allSame<int8_t>(y, {0, 127, 0}));
    tempo::mul(p, a, b, y.data());
    EXPECT_TRUE(allSame<int8_t>(y, {16, -128, 0}));
  }
  {
    const uint16_t a[] = {65535, 0, 300}, b[] = {65535, 1, 300};
    std::vector<uint16_t> y(3);
    tempo::mul(p, a, b, y.data()); // 65535^2 overflows int: must not be UB
    EXPECT_TRUE(allSame<uint16_t>(y, {1, 0, 24464}));
    tempo::sub(p, a, b, y.data());
    EXPECT_TRUE(allSame<uint16_t>(y, {0, 65535, 0}));
  }
  {
    const int64_t a[] = {INT64_MAX, INT64_MIN, INT64_MAX}, b[] = {1, 1, 2};
    std::vector<int64_t> y(3);
    tempo::add(p, a, b, y.data());
    EXPECT_TRUE(allSame<int64_t>(y, {INT64_MIN, INT64_MIN + 1, INT64_MIN + 1}));
    tempo::sub(p, a, b, y.data());
    EXPECT_TRUE(allSame<int64_t>(y, {INT64_MAX - 1, INT64_MAX, INT64_MAX - 2}));
    tempo::mul(p, a, b, y.data());
    EXPECT_TRUE(allSame<int64_t>(y, {INT64_MAX, INT64_MIN, -2}));
  }
}

TEST(BroadcastTest, IntegerDivision) {
  const tempo_broadcast_params_t p = broadcastParams({6}, {6}, {6});
  const int32_t a[] = {7, -7, 7, -7, 5, INT32_MIN};
  const int32_t b[] = {2, 2, -2, -2, 0, -1};
  std::vector<int32_t> y(6);
  tempo::div(p, a, b, y.data());
  EXPECT_TRUE(allSame<int32_t>(y, {3, -3, -3, 3, 0, INT32_MIN}));
  // For unsigned types 255 is not -1.
  const uint8_t ua[] = {200, 200, 7, 255, 0, 9};
  const uint8_t ub[] = {3, 255, 0, 255, 5, 1};
  std::vector<uint8_t> uy(6);
  tempo::div(p, ua, ub, uy.data());
  EXPECT_TRUE(allSame<uint8_t>(uy, {66, 0, 0, 1, 0, 9}));
  const int8_t ia[] = {-128, -128, 127, -1, 0, 1};
  const int8_t ib[] = {-1, 2, -1, 0, -1, -1};
  std::vector<int8_t> iy(6);
  tempo::div(p, ia, ib, iy.data());
  EXPECT_TRUE(allSame<int8_t>(iy, {-128, -64, -127, 0, 0, -1}));
}

TEST(BroadcastTest, FloatSpecialValues) {
  const tempo_broadcast_params_t p = broadcastParams({3}, {3}, {3});
  const float a[] = {1, 0, -1}, b[] = {0, 0, 0};
  std::vector<float> y(3);
  tempo::div(p, a, b, y.data());
  EXPECT_EQ(y[0], INFINITY);
  EXPECT_TRUE(std::isnan(y[1]));
  EXPECT_EQ(y[2], -INFINITY);
}

TEST(BroadcastTest, InPlace) {
  // y aliases a (full shape) while b broadcasts.
  const tempo_broadcast_params_t p = broadcastParams({2, 3}, {2, 3}, {3});
  std::vector<float> a = {1, 2, 3, 4, 5, 6};
  const float row[] = {1, 2, 4};
  tempo::mul(p, a.data(), row, a.data());
  EXPECT_TRUE(allSame(a, {1, 4, 12, 4, 10, 24}));
  // y aliases b (full shape) while a broadcasts.
  const tempo_broadcast_params_t q = broadcastParams({2, 3}, {2, 1}, {2, 3});
  const float col[] = {10, 20};
  std::vector<float> b = {1, 2, 3, 4, 5, 6};
  tempo::sub(q, col, b.data(), b.data());
  EXPECT_TRUE(allSame(b, {9, 8, 7, 16, 15, 14}));
  // y aliases both.
  const tempo_broadcast_params_t r = broadcastParams({4}, {4}, {4});
  std::vector<int16_t> c = {1, -2, 300, 7};
  tempo::add(r, c.data(), c.data(), c.data());
  EXPECT_TRUE(allSame<int16_t>(c, {2, -4, 600, 14}));
  tempo::div(r, c.data(), c.data(), c.data());
  EXPECT_TRUE(allSame<int16_t>(c, {1, 1, 1, 1}));
}

__extension__ typedef __int128 Int128;

/// Reference binary op in 128-bit arithmetic, wrapped into T's range.
template <typename T> T refBinary(int op, T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
    case 0:
      return a + b;
    case 1:
      return a - b;
    case 2:
      return a * b;
    default:
      return a / b;
    }
  } else {
    const Int128 x = a, z = b;
    Int128 r;
    switch (op) {
    case 0:
      r = x + z;
      break;
    case 1:
      r = x - z;
      break;
    case 2:
      r = x * z;
      break;
    default:
      r = z == 0 ? 0 : x / z;
      break;
    }
    const Int128 lo = std::numeric_limits<T>::lowest();
    const Int128 mod = static_cast<Int128>(1) << (8 * sizeof(T));
    return static_cast<T>(((r - lo) % mod + mod) % mod + lo);
  }
}

template <typename T>
void runBinary(int op, const tempo_broadcast_params_t &p, const T *a,
               const T *b, T *y) {
  switch (op) {
  case 0:
    return tempo::add(p, a, b, y);
  case 1:
    return tempo::sub(p, a, b, y);
  case 2:
    return tempo::mul(p, a, b, y);
  default:
    return tempo::div(p, a, b, y);
  }
}

template <typename T> std::vector<T> randomValues(Rng &rng, size_t n) {
  if constexpr (std::is_floating_point_v<T>) {
    std::vector<T> v = rng.floats(n);
    for (size_t i = 0; i < n; i += 7)
      v[i] = 0; // exercise x / 0
    return v;
  } else {
    // Full range (64-bit types: the int32 range scaled up so products wrap).
    const int64_t lo =
        sizeof(T) >= 4 ? INT32_MIN : std::numeric_limits<T>::lowest();
    const int64_t hi =
        sizeof(T) >= 4 ? INT32_MAX : std::numeric_limits<T>::max();
    std::vector<T> v = rng.ints<T>(n, lo, hi);
    for (size_t i = 0; i < n; i += 5)
      v[i] = static_cast<T>(rng.range(-2, 2));
    if (sizeof(T) == 8)
      for (size_t i = 1; i < n; i += 3)
        v[i] = static_cast<T>(v[i] * static_cast<T>(1 << 30));
    return v;
  }
}

template <typename T> void randomBroadcast(uint64_t seed) {
  Rng rng(seed);
  for (int iter = 0; iter < 300; ++iter) {
    const int32_t rank = rng.range(0, TEMPO_MAX_RANK);
    std::vector<int32_t> out;
    for (int32_t d = 0; d < rank; ++d)
      out.push_back(rng.range(1, rank > 4 ? 3 : 4));
    const std::vector<int32_t> aDims = broadcastableShape(rng, out);
    const std::vector<int32_t> bDims = broadcastableShape(rng, out);
    tempo_broadcast_params_t p{};
    p.rank = rank;
    p.size = static_cast<int32_t>(product(out));
    std::copy(out.begin(), out.end(), p.out_dims);
    broadcastStrides(rng, out, aDims, p.a_strides);
    broadcastStrides(rng, out, bDims, p.b_strides);
    const std::vector<T> a = randomValues<T>(rng, product(aDims));
    const std::vector<T> b = randomValues<T>(rng, product(bDims));
    const int op = rng.range(0, 3);
    SCOPED_TRACE("iteration " + std::to_string(iter) + " op " +
                 std::to_string(op));

    std::vector<T> want;
    for (int64_t i = 0; i < p.size; ++i) {
      const std::vector<int32_t> idx = unflatten(i, out);
      want.push_back(refBinary<T>(op, a[broadcastIndex(idx, aDims)],
                                  b[broadcastIndex(idx, bDims)]));
    }
    std::vector<T> y(p.size, T(42));
    runBinary(op, p, a.data(), b.data(), y.data());
    ASSERT_TRUE(allSame(y, want));
    // In place, wherever an operand has the output's full size.
    if (product(aDims) == p.size) {
      std::vector<T> inPlace = a;
      runBinary(op, p, inPlace.data(), b.data(), inPlace.data());
      ASSERT_TRUE(allSame(inPlace, want));
    }
    if (product(bDims) == p.size) {
      std::vector<T> inPlace = b;
      runBinary(op, p, a.data(), inPlace.data(), inPlace.data());
      ASSERT_TRUE(allSame(inPlace, want));
    }
  }
}

TEST(BroadcastTest, RandomShapesFloat) { randomBroadcast<float>(5); }
TEST(BroadcastTest, RandomShapesUInt8) { randomBroadcast<uint8_t>(6); }
TEST(BroadcastTest, RandomShapesInt8) { randomBroadcast<int8_t>(7); }
TEST(BroadcastTest, RandomShapesInt16) { randomBroadcast<int16_t>(8); }
TEST(BroadcastTest, RandomShapesInt32) { randomBroadcast<int32_t>(9); }
TEST(BroadcastTest, RandomShapesInt64) { randomBroadcast<int64_t>(10); }

//===----------------------------------------------------------------------===//
// Unary ops
//===----------------------------------------------------------------------===//

TEST(UnaryTest, Relu) {
  const float nan = std::nanf("");
  std::vector<float> x = {-1.5f, 0.0f, 2.0f, nan, -INFINITY};
  std::vector<float> y(x.size());
  tempo::relu(unaryParams(x.size()), x.data(), y.data());
  EXPECT_TRUE(allSame(y, {0, 0, 2, nan, 0}));
  tempo::relu(unaryParams(x.size()), x.data(), x.data());
  EXPECT_TRUE(allSame(x, y));
  std::vector<int8_t> xi = {-128, -1, 0, 127};
  tempo::relu(unaryParams(xi.size()), xi.data(), xi.data());
  EXPECT_TRUE(allSame<int8_t>(xi, {0, 0, 0, 127}));
  std::vector<uint8_t> xu = {0, 200, 255};
  tempo::relu(unaryParams(xu.size()), xu.data(), xu.data());
  EXPECT_TRUE(allSame<uint8_t>(xu, {0, 200, 255}));
  std::vector<int64_t> xl = {INT64_MIN, 5};
  tempo::relu(unaryParams(xl.size()), xl.data(), xl.data());
  EXPECT_TRUE(allSame<int64_t>(xl, {0, 5}));
}

TEST(UnaryTest, Sigmoid) {
  std::vector<float> x = {0.0f, 1.0f, -1.0f, 100.0f, -100.0f, -INFINITY};
  std::vector<float> y(x.size());
  tempo::sigmoid(unaryParams(x.size()), x.data(), y.data());
  EXPECT_EQ(y[0], 0.5f);
  EXPECT_EQ(y[1], 1.0f / (1.0f + expf(-1.0f)));
  EXPECT_EQ(y[2], expf(-1.0f) / (1.0f + expf(-1.0f)));
  EXPECT_EQ(y[3], 1.0f);
  EXPECT_GT(y[4], 0.0f); // exp(-100) ~ 3.7e-44, a float denormal
  EXPECT_NEAR(y[4], 3.7200760e-44f, 1e-45f);
  EXPECT_EQ(y[5], 0.0f);
  tempo::sigmoid(unaryParams(x.size()), x.data(), x.data());
  EXPECT_TRUE(allSame(x, y));
}

TEST(UnaryTest, Tanh) {
  std::vector<float> x = {0.0f, 0.5f, -3.0f, 20.0f};
  std::vector<float> y(x.size());
  tempo::tanh(unaryParams(x.size()), x.data(), y.data());
  EXPECT_TRUE(allSame(y, {0.0f, tanhf(0.5f), tanhf(-3.0f), 1.0f}));
  tempo::tanh(unaryParams(x.size()), x.data(), x.data());
  EXPECT_TRUE(allSame(x, y));
}

TEST(UnaryTest, LeakyRelu) {
  std::vector<float> x = {-2.0f, 0.0f, 3.0f, -0.5f};
  tempo::leaky_relu(unaryParams(x.size(), 0.1f), x.data(), x.data());
  EXPECT_TRUE(allSame(x, {0.1f * -2.0f, 0.0f, 3.0f, 0.1f * -0.5f}));
}

TEST(UnaryTest, ClipFloat) {
  const float nan = std::nanf("");
  std::vector<float> x = {-5, -1, 0.25f, 1, 7, nan};
  std::vector<float> y(x.size());
  tempo::clip(unaryParams(x.size(), 0, -1.0, 1.0), x.data(), y.data());
  EXPECT_TRUE(allSame(y, {-1, -1, 0.25f, 1, 1, nan}));
  // Unbounded.
  tempo::clip(unaryParams(x.size(), 0, -INFINITY, INFINITY), x.data(),
              y.data());
  EXPECT_TRUE(allSame(y, x));
  // lo > hi: everything becomes hi (NaN too stays NaN).
  tempo::clip(unaryParams(x.size(), 0, 2.0, 1.0), x.data(), x.data());
  EXPECT_TRUE(allSame(x, {1, 1, 1, 1, 1, nan}));
}

TEST(UnaryTest, ClipIntegersSaturateBounds) {
  std::vector<int8_t> x = {-128, -3, 0, 3, 127};
  std::vector<int8_t> y(x.size());
  tempo::clip(unaryParams(x.size(), 0, -INFINITY, INFINITY), x.data(),
              y.data());
  EXPECT_TRUE(allSame(y, x));
  tempo::clip(unaryParams(x.size(), 0, -1000.0, 2.9), x.data(), y.data());
  EXPECT_TRUE(allSame<int8_t>(y, {-128, -3, 0, 2, 2}));
  tempo::clip(unaryParams(x.size(), 0, -2.5, 1e300), x.data(), x.data());
  EXPECT_TRUE(allSame<int8_t>(x, {-2, -2, 0, 3, 127}));
  std::vector<uint8_t> u = {0, 5, 255};
  tempo::clip(unaryParams(u.size(), 0, -5.0, 254.0), u.data(), u.data());
  EXPECT_TRUE(allSame<uint8_t>(u, {0, 5, 254}));
  std::vector<int64_t> l = {INT64_MIN, -1, INT64_MAX};
  tempo::clip(unaryParams(l.size(), 0, -DBL_MAX, 9.3e18), l.data(), l.data());
  EXPECT_TRUE(allSame<int64_t>(l, {INT64_MIN, -1, INT64_MAX}));
  tempo::clip(unaryParams(l.size(), 0, -4.0, 1e6), l.data(), l.data());
  EXPECT_TRUE(allSame<int64_t>(l, {-4, -1, 1000000}));
}

//===----------------------------------------------------------------------===//
// Softmax and BatchNorm
//===----------------------------------------------------------------------===//

TEST(SoftmaxTest, Row) {
  const tempo_softmax_params_t p{1, 3, 1};
  const float x[] = {1, 2, 3};
  std::vector<float> y(3);
  tempo::softmax(p, x, y.data());
  const float e0 = expf(-2.0f), e1 = expf(-1.0f), e2 = 1.0f;
  const float s = (e0 + e1) + e2;
  EXPECT_TRUE(allSame(y, {e0 / s, e1 / s, e2 / s}));
}

TEST(SoftmaxTest, StableForLargeInputs) {
  const tempo_softmax_params_t p{2, 2, 1};
  const float x[] = {1000, 1000, -1000, 88.0f};
  std::vector<float> y(4);
  tempo::softmax(p, x, y.data());
  EXPECT_TRUE(allSame(y, {0.5f, 0.5f, 0.0f, 1.0f}));
}

TEST(SoftmaxTest, MiddleAxisWithInnerStride) {
  // [outer 1, n 2, inner 2]: column i = 0 holds (0, 0), column 1 holds
  // (0, 1000).
  const tempo_softmax_params_t p{1, 2, 2};
  const float x[] = {0, 0, 0, 1000};
  std::vector<float> y(4);
  tempo::softmax(p, x, y.data());
  EXPECT_TRUE(allSame(y, {0.5f, 0.0f, 0.5f, 1.0f}));
}

TEST(BatchNormTrainingTest, MatchesDoubleReference) {
  // Batch statistics per channel over batch and position (population
  // variance), Y from them, running stats blended with momentum.
  Rng rng(5);
  tempo_batch_norm_params_t p{3, 4, 5, 1e-3f, 0.8f};
  const size_t n = size_t(p.batch) * p.channels * p.spatial;
  const std::vector<float> x = rng.floats(n), scale = rng.floats(4),
                           bias = rng.floats(4), mean = rng.floats(4);
  std::vector<float> var = rng.floats(4);
  for (float &v : var)
    v = std::fabs(v);
  std::vector<float> y(n), rm(4), rv(4);
  tempo::batch_norm_training(p, x.data(), scale.data(), bias.data(),
                             mean.data(), var.data(), y.data(), rm.data(),
                             rv.data());
  std::vector<double> wantY(n), wantM(4), wantV(4);
  for (int32_t c = 0; c < p.channels; ++c) {
    double s = 0, ss = 0;
    const double count = p.batch * p.spatial;
    for (int32_t b = 0; b < p.batch; ++b)
      for (int32_t i = 0; i < p.spatial; ++i)
        s += x[(b * p.channels + c) * p.spatial + i];
    const double m = s / count;
    for (int32_t b = 0; b < p.batch; ++b)
      for (int32_t i = 0; i < p.spatial; ++i) {
        const double d = x[(b * p.channels + c) * p.spatial + i] - m;
        ss += d * d;
      }
    const double v = ss / count;
    for (int32_t b = 0; b < p.batch; ++b)
      for (int32_t i = 0; i < p.spatial; ++i) {
        const size_t at = (b * p.channels + c) * p.spatial + i;
        wantY[at] = (x[at] - m) / std::sqrt(v + 1e-3) * scale[c] + bias[c];
      }
    wantM[c] = mean[c] * 0.8 + m * 0.2;
    wantV[c] = var[c] * 0.8 + v * 0.2;
  }
  EXPECT_TRUE(allNear(y, wantY, std::vector<double>(n, 1e-5)));
  EXPECT_TRUE(allNear(rm, wantM, std::vector<double>(4, 1e-6)));
  EXPECT_TRUE(allNear(rv, wantV, std::vector<double>(4, 1e-6)));
  // Outputs nobody reads are null and not written.
  std::vector<float> rm2(4, -1.0f);
  tempo::batch_norm_training(p, x.data(), scale.data(), bias.data(),
                             mean.data(), var.data(),
                             static_cast<float *>(nullptr), rm2.data(),
                             static_cast<float *>(nullptr));
  EXPECT_TRUE(allSame(rm2, rm));
}

TEST(BatchNormTest, Exact) {
  const tempo_batch_norm_params_t p{2, 2, 2, 0.0f, 0.0f};
  const float x[] = {1, 3, 2, 4, 0, 1, 0, 1};
  const float scale[] = {2, 1}, bias[] = {0.5f, -1}, mean[] = {1, 2},
              var[] = {4, 0.25f};
  std::vector<float> y(8);
  tempo::batch_norm(p, x, scale, bias, mean, var, y.data());
  // s = {2 / 2, 1 / 0.5} = {1, 2}.
  EXPECT_TRUE(allSame(y, {0.5f, 2.5f, -1, 3, -0.5f, 0.5f, -5, -3}));
}

TEST(BatchNormTest, Epsilon) {
  const tempo_batch_norm_params_t p{1, 1, 1, 1e-3f, 0.0f};
  const float x[] = {3}, scale[] = {1.5f}, bias[] = {0.25f}, mean[] = {1},
              var[] = {0.5f};
  float y[1];
  tempo::batch_norm(p, x, scale, bias, mean, var, y);
  const double want = (3.0 - 1.0) / std::sqrt(0.5 + 1e-3) * 1.5 + 0.25;
  EXPECT_NEAR(y[0], want, 4 * FLT_EPSILON * want);
}

TEST(BatchNormTest, ProductsAreRoundedBeforeAdding) {
  // y = (x - mean) * s + bias = kOnePlus * kOnePlus - 1.
  const tempo_batch_norm_params_t p{1, 1, 1, 0.0f, 0.0f};
  const float x[] = {kOnePlus}, scale[] = {kOnePlus}, bias[] = {-1.0f},
              mean[] = {0.0f}, var[] = {1.0f};
  float y[1];
  tempo::batch_norm(p, x, scale, bias, mean, var, y);
  EXPECT_EQ(y[0], kRounded);
}

//===----------------------------------------------------------------------===//
// Transpose, Concat, Copy
//===----------------------------------------------------------------------===//

TEST(TransposeTest, Matrix) {
  tempo_transpose_params_t p{};
  p.rank = 2;
  p.size = 6;
  p.out_dims[0] = 3;
  p.out_dims[1] = 2;
  p.in_strides[0] = 1; // input [2, 3] has strides [3, 1]; perm [1, 0]
  p.in_strides[1] = 3;
  const int16_t x[] = {0, 1, 2, 3, 4, 5};
  std::vector<int16_t> y(6);
  tempo::transpose(p, x, y.data());
  EXPECT_TRUE(allSame<int16_t>(y, {0, 3, 1, 4, 2, 5}));
}

TEST(TransposeTest, Scalar) {
  tempo_transpose_params_t p{};
  p.size = 1;
  const float x[] = {7};
  float y[1] = {0};
  tempo::transpose(p, x, y);
  EXPECT_EQ(y[0], 7.0f);
}

template <typename T> void randomTranspose(uint64_t seed) {
  Rng rng(seed);
  for (int iter = 0; iter < 300; ++iter) {
    const int32_t rank = rng.range(0, TEMPO_MAX_RANK);
    std::vector<int32_t> inDims, perm;
    for (int32_t d = 0; d < rank; ++d) {
      inDims.push_back(rng.range(1, rank > 4 ? 3 : 5));
      perm.push_back(d);
    }
    for (int32_t d = rank - 1; d > 0; --d)
      std::swap(perm[d], perm[rng.range(0, d)]);
    const std::vector<int32_t> inStrides = denseStrides(inDims);
    std::vector<int32_t> outDims;
    tempo_transpose_params_t p{};
    p.rank = rank;
    p.size = static_cast<int32_t>(product(inDims));
    for (int32_t d = 0; d < rank; ++d) {
      outDims.push_back(inDims[perm[d]]);
      p.out_dims[d] = inDims[perm[d]];
      p.in_strides[d] = inStrides[perm[d]];
    }
    SCOPED_TRACE("iteration " + std::to_string(iter));
    std::vector<T> x(p.size);
    for (int32_t i = 0; i < p.size; ++i)
      x[i] = static_cast<T>(i * 7 + 1);
    // Reference: scatter each input element to its output position.
    std::vector<T> want(p.size);
    const std::vector<int32_t> outStrides = denseStrides(outDims);
    for (int32_t i = 0; i < p.size; ++i) {
      const std::vector<int32_t> idx = unflatten(i, inDims);
      int64_t o = 0;
      for (int32_t d = 0; d < rank; ++d)
        o += static_cast<int64_t>(idx[perm[d]]) * outStrides[d];
      want[o] = x[i];
    }
    std::vector<T> y(p.size, T(0));
    tempo::transpose(p, x.data(), y.data());
    ASSERT_TRUE(allSame(y, want));
  }
}

TEST(TransposeTest, RandomShapesFloat) { randomTranspose<float>(11); }
TEST(TransposeTest, RandomShapesInt64) { randomTranspose<int64_t>(12); }
TEST(TransposeTest, RandomShapesUInt8) { randomTranspose<uint8_t>(13); }

TEST(ConcatTest, TwoInputsOnInnerAxis) {
  // [2, 1] and [2, 2] -> [2, 3].
  const int32_t a[] = {1, 2}, b[] = {10, 11, 20, 21};
  std::vector<int32_t> y(6, -1);
  tempo::concat(tempo_concat_params_t{2, 1, 3, 0}, a, y.data());
  EXPECT_TRUE(allSame<int32_t>(y, {1, -1, -1, 2, -1, -1}));
  tempo::concat(tempo_concat_params_t{2, 2, 3, 1}, b, y.data());
  EXPECT_TRUE(allSame<int32_t>(y, {1, 10, 11, 2, 20, 21}));
}

TEST(ConcatTest, OuterAxisAndEmptyInput) {
  const float a[] = {1, 2, 3}, b[] = {4, 5, 6};
  std::vector<float> y(6, 0);
  tempo::concat(tempo_concat_params_t{1, 3, 6, 0}, a, y.data());
  tempo::concat(tempo_concat_params_t{1, 0, 6, 3},
                static_cast<float *>(nullptr), y.data());
  tempo::concat(tempo_concat_params_t{1, 3, 6, 3}, b, y.data());
  EXPECT_TRUE(allSame(y, {1, 2, 3, 4, 5, 6}));
}

TEST(CopyTest, MemmoveSemantics) {
  char buf[] = "abcdef";
  tempo::copy(tempo_copy_params_t{4}, buf, buf + 2);
  EXPECT_STREQ(buf, "ababcd");
  tempo::copy(tempo_copy_params_t{4}, buf + 2, buf);
  EXPECT_STREQ(buf, "abcdcd");
  tempo::copy(tempo_copy_params_t{6}, buf, buf);
  EXPECT_STREQ(buf, "abcdcd");
  char dst[4] = "xyz";
  tempo::copy(tempo_copy_params_t{0}, nullptr, dst);
  EXPECT_STREQ(dst, "xyz");
}

} // namespace
