//===- QuantTest.cpp - Unit tests for tempo/quant.h -----------------------===//
//
// The fixed-point helpers are checked against 128-bit integer references
// written from the mathematical definitions (floor division, round half away
// from zero), at the edges: saturation, shifts 0 and +-31, multipliers near
// 2^31, rounding ties of both signs.
//
// Every kernel is checked on random shapes and quantization parameters (zero
// points often at -128 and 127) twice:
//  - bit-exact against an independent integer reference written here
//    (explicit padded tensors, multi-index arithmetic, the 128-bit
//    multiply_by_quantized_multiplier);
//  - within 1 LSB of a reference that dequantizes, computes in double and
//    quantizes the result (round half away from zero, clamp).
//
// Built with -DTEMPO_QUANT_DSP=1 the whole suite runs the SMLAD fast path
// through its C emulation; the DotS8 test compares the two paths directly.
// All randomness comes from a fixed-seed generator, so failures reproduce.
//
//===----------------------------------------------------------------------===//

#include "tempo/quant.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <vector>

//===----------------------------------------------------------------------===//
// Every kernel must compile warning-free; the helpers must be constexpr.
//===----------------------------------------------------------------------===//

template void tempo::fully_connected_s8<int8_t>(const tempo_qfc_params_t &,
                                                const int8_t *, const int8_t *,
                                                const int32_t *,
                                                const int32_t *,
                                                const int32_t *, int8_t *);
template void tempo::fully_connected_s8<int16_t>(
    const tempo_qfc_params_t &, const int8_t *, const int8_t *,
    const int32_t *, const int32_t *, const int32_t *, int16_t *);
// The compact table forms the compiler emits.
template void tempo::fully_connected_s8<int8_t>(const tempo_qfc_params_t &,
                                                const int8_t *, const int8_t *,
                                                const int16_t *,
                                                const int32_t *,
                                                const int8_t *, int8_t *);
template void tempo::conv_s8(const tempo_qconv_params_t &, const int8_t *,
                             const int8_t *, const int16_t *, const int32_t *,
                             const int8_t *, int8_t *);
template void tempo::conv_s8(const tempo_qconv_params_t &, const int8_t *,
                             const int8_t *, const int32_t *, const int32_t *,
                             const int32_t *, int8_t *);

static_assert(tempo::saturating_rounding_doubling_high_mul(INT32_MIN,
                                                           INT32_MIN) ==
                  INT32_MAX,
              "saturation");
static_assert(tempo::rounding_divide_by_pot(-5, 1) == -3, "ties away");
static_assert(tempo::multiply_by_quantized_multiplier(100, 1 << 30, 1) == 100,
              "identity multiplier");

namespace {

using i128 = __int128;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

int32_t sat32(i128 v) {
  return v > INT32_MAX ? INT32_MAX
                       : (v < INT32_MIN ? INT32_MIN : static_cast<int32_t>(v));
}

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
  int64_t range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool coin() { return (next() >> 33) & 1; }
  /// Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Log-uniform in [lo, hi).
  double logUniform(double lo, double hi) {
    return lo * std::pow(hi / lo, unit());
  }
  /// A zero point, at the ends of the range a third of the time.
  int32_t zp() {
    switch (range(0, 5)) {
    case 0:
      return -128;
    case 1:
      return 127;
    default:
      return static_cast<int32_t>(range(-128, 127));
    }
  }
  /// An int32 with a bias toward the edges.
  int32_t edgy32() {
    switch (range(0, 7)) {
    case 0:
      return INT32_MIN + static_cast<int32_t>(range(0, 3));
    case 1:
      return INT32_MAX - static_cast<int32_t>(range(0, 3));
    case 2:
      return static_cast<int32_t>(range(-70000, 70000));
    case 3:
      return sat32(i128(range(-2, 2)) * (1 << 30) + range(-2, 2));
    default:
      return static_cast<int32_t>(static_cast<uint32_t>(next()));
    }
  }
  std::vector<int8_t> s8(size_t n, int32_t lo = -128, int32_t hi = 127) {
    std::vector<int8_t> v(n);
    for (int8_t &e : v)
      e = static_cast<int8_t>(range(lo, hi));
    return v;
  }

private:
  uint64_t state;
};

/// floor(a / b) for b > 0.
i128 floorDiv(i128 a, i128 b) {
  i128 q = a / b;
  if ((a % b) != 0 && a < 0)
    --q;
  return q;
}

/// Round-half-away-from-zero of n / 2^e (e >= 0) from its definition.
i128 roundHalfAwayPow2(i128 n, int e) {
  if (e == 0)
    return n;
  const i128 d = i128(1) << e;
  const i128 mag = (n < 0 ? -n : n);
  const i128 q = (2 * mag + d) / (2 * d); // floor(|n| / d + 1/2)
  return n < 0 ? -q : q;
}

/// floor(a * b / 2^31 + 1/2), saturated.
int32_t refSrdhm(int32_t a, int32_t b) {
  return sat32(floorDiv(i128(a) * b + (i128(1) << 30), i128(1) << 31));
}

int32_t refRdbpot(int32_t x, int e) {
  return static_cast<int32_t>(roundHalfAwayPow2(x, e));
}

int32_t refMbqm(int32_t x, int32_t m, int s) {
  if (s > 0)
    return refSrdhm(sat32(i128(x) * (i128(1) << s)), m);
  return refRdbpot(refSrdhm(x, m), -s);
}

int32_t clampI(int64_t v, int32_t lo, int32_t hi) {
  return static_cast<int32_t>(v < lo ? lo : (v > hi ? hi : v));
}

/// The float reference's quantization: round half away, then clamp.
int32_t quantRef(double real, double scale, int32_t zp, int32_t lo,
                 int32_t hi) {
  return clampI(static_cast<int64_t>(std::round(real / scale)) + zp, lo, hi);
}

struct Requant {
  int32_t m = 0, s = 0;
};
Requant quantizeMultiplier(double real) {
  Requant r;
  EXPECT_EQ(tempo_quantize_multiplier(real, &r.m, &r.s), 0) << real;
  return r;
}

/// A fused activation as a clamp in the output domain: none, relu or relu6.
void pickAct(Rng &rng, double scale, int32_t zp, int32_t &lo, int32_t &hi) {
  lo = -128;
  hi = 127;
  const int64_t kind = rng.range(0, 2);
  if (kind >= 1)
    lo = std::max(-128, zp);
  if (kind == 2)
    hi = tempo_quantize_value(6.0, scale, zp, -128, 127);
}

/// Checks got == want exactly and |got - near| <= 1.
template <typename T>
::testing::AssertionResult exactAndNear(const std::vector<T> &got,
                                        const std::vector<int32_t> &exact,
                                        const std::vector<int32_t> &near,
                                        int32_t tol = 1) {
  if (got.size() != exact.size() || got.size() != near.size())
    return ::testing::AssertionFailure() << "size mismatch";
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] != exact[i])
      return ::testing::AssertionFailure()
             << "element " << i << ": got " << +got[i]
             << ", integer reference " << exact[i];
    if (std::abs(got[i] - near[i]) > tol)
      return ::testing::AssertionFailure()
             << "element " << i << ": got " << +got[i] << ", float reference "
             << near[i];
  }
  return ::testing::AssertionSuccess();
}

/// Counts outputs strictly inside their clamp range, so a test whose
/// outputs mostly saturate (and so check little) fails. (Relu / Relu6 clamp
/// about half of the outputs of a trial by design, and zero points at the
/// ends of the range clamp more.)
struct Coverage {
  int64_t inside = 0, total = 0;
  void add(const std::vector<int32_t> &exact, int32_t lo, int32_t hi) {
    for (int32_t v : exact) {
      inside += v > lo && v < hi;
      ++total;
    }
  }
  ~Coverage() { EXPECT_GT(inside * 5, total) << inside << " of " << total; }
};

inline int64_t product(const std::vector<int32_t> &dims) {
  int64_t n = 1;
  for (int32_t d : dims)
    n *= d;
  return n;
}

inline std::vector<int32_t> unflatten(int64_t flat,
                                      const std::vector<int32_t> &dims) {
  std::vector<int32_t> idx(dims.size());
  for (size_t d = dims.size(); d-- > 0;) {
    idx[d] = static_cast<int32_t>(flat % dims[d]);
    flat /= dims[d];
  }
  return idx;
}

//===----------------------------------------------------------------------===//
// Fixed-point helpers
//===----------------------------------------------------------------------===//

TEST(QuantFixedPoint, DoublingHighMulEdges) {
  using tempo::saturating_rounding_doubling_high_mul;
  EXPECT_EQ(saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MIN),
            INT32_MAX);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MAX),
            -INT32_MAX);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(INT32_MAX, INT32_MAX),
            INT32_MAX - 1);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(INT32_MIN, 1), -1);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(0, INT32_MIN), 0);
  // Ties (a * b = k * 2^31 + 2^30) round toward +infinity.
  EXPECT_EQ(saturating_rounding_doubling_high_mul(1 << 15, 1 << 15), 1);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-(1 << 15), 1 << 15), 0);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(3 << 15, 1 << 15), 2);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-(3 << 15), 1 << 15), -1);
  // Just off the ties.
  EXPECT_EQ(saturating_rounding_doubling_high_mul((1 << 30) - 1, 1), 0);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-(1 << 30) - 1, 1), -1);
  Rng rng(1);
  for (int i = 0; i < 200000; ++i) {
    const int32_t a = rng.edgy32(), b = rng.edgy32();
    ASSERT_EQ(saturating_rounding_doubling_high_mul(a, b), refSrdhm(a, b))
        << a << " * " << b;
  }
}

TEST(QuantFixedPoint, RoundingDivideByPotEdges) {
  using tempo::rounding_divide_by_pot;
  EXPECT_EQ(rounding_divide_by_pot(5, 1), 3);
  EXPECT_EQ(rounding_divide_by_pot(-5, 1), -3);
  EXPECT_EQ(rounding_divide_by_pot(3, 1), 2);
  EXPECT_EQ(rounding_divide_by_pot(-3, 1), -2);
  EXPECT_EQ(rounding_divide_by_pot(1, 1), 1);
  EXPECT_EQ(rounding_divide_by_pot(-1, 1), -1);
  EXPECT_EQ(rounding_divide_by_pot(6, 2), 2);  // 1.5
  EXPECT_EQ(rounding_divide_by_pot(-6, 2), -2);
  EXPECT_EQ(rounding_divide_by_pot(5, 2), 1);  // 1.25
  EXPECT_EQ(rounding_divide_by_pot(-5, 2), -1);
  EXPECT_EQ(rounding_divide_by_pot(INT32_MIN, 0), INT32_MIN);
  EXPECT_EQ(rounding_divide_by_pot(INT32_MAX, 0), INT32_MAX);
  EXPECT_EQ(rounding_divide_by_pot(INT32_MIN, 31), -1);
  EXPECT_EQ(rounding_divide_by_pot(INT32_MAX, 31), 1);
  EXPECT_EQ(rounding_divide_by_pot(1 << 30, 31), 1);     // 0.5
  EXPECT_EQ(rounding_divide_by_pot(-(1 << 30), 31), -1); // -0.5
  EXPECT_EQ(rounding_divide_by_pot((1 << 30) - 1, 31), 0);
  EXPECT_EQ(rounding_divide_by_pot(-(1 << 30) + 1, 31), 0);
  Rng rng(2);
  for (int i = 0; i < 200000; ++i) {
    const int32_t x = rng.edgy32();
    const int e = static_cast<int>(rng.range(0, 31));
    ASSERT_EQ(rounding_divide_by_pot(x, e), refRdbpot(x, e)) << x << " " << e;
  }
}

TEST(QuantFixedPoint, MultiplyByQuantizedMultiplier) {
  using tempo::multiply_by_quantized_multiplier;
  // Shift 0: just the doubling high multiply.
  EXPECT_EQ(multiply_by_quantized_multiplier(1000, 1 << 30, 0), 500);
  // Identity multiplier: (2^30, 1).
  EXPECT_EQ(multiply_by_quantized_multiplier(-12345, 1 << 30, 1), -12345);
  // Multiplier near 2^31 (~1.0) with shifts 0 and -31.
  EXPECT_EQ(multiply_by_quantized_multiplier(INT32_MAX, INT32_MAX, 0),
            INT32_MAX - 1);
  EXPECT_EQ(multiply_by_quantized_multiplier(INT32_MIN, INT32_MAX, -31), -1);
  // Double rounding (as TFLite): 2^30 * (1 - 2^-31) / 2^31 = 0.5 - 2^-32,
  // but the high multiply rounds 2^30 - 1/2 up to 2^30, which then rounds
  // up to 1.
  EXPECT_EQ(multiply_by_quantized_multiplier(1 << 30, INT32_MAX, -31), 1);
  // Left shift 31 saturates x * 2^31 before the multiply.
  EXPECT_EQ(multiply_by_quantized_multiplier(2, INT32_MAX, 31), INT32_MAX - 1);
  EXPECT_EQ(multiply_by_quantized_multiplier(-2, INT32_MAX, 31), -INT32_MAX);
  EXPECT_EQ(multiply_by_quantized_multiplier(1, 1 << 30, 31), 1 << 30);
  EXPECT_EQ(multiply_by_quantized_multiplier(1, 1 << 30, 30), 1 << 29);
  // Ties after the right shift: 3 * 0.5 / 2 = 0.75 -> 1; -0.75 -> -1;
  // 2 * 0.5 / 4 = 0.25 -> 0; 6 * 0.5 / 2 = 1.5 -> 2, -1.5 -> -2.
  EXPECT_EQ(multiply_by_quantized_multiplier(3, 1 << 30, -1), 1);
  EXPECT_EQ(multiply_by_quantized_multiplier(-3, 1 << 30, -1), -1);
  EXPECT_EQ(multiply_by_quantized_multiplier(6, 1 << 30, -1), 2);
  EXPECT_EQ(multiply_by_quantized_multiplier(-6, 1 << 30, -1), -2);
  Rng rng(3);
  for (int i = 0; i < 200000; ++i) {
    const int32_t x = rng.coin() ? rng.edgy32()
                                 : static_cast<int32_t>(rng.range(-65536, 65536));
    const int32_t m = rng.coin() ? static_cast<int32_t>(rng.range(
                                       1 << 30, INT32_MAX))
                                 : rng.edgy32();
    const int s = static_cast<int>(rng.range(-31, 31));
    const int32_t got = multiply_by_quantized_multiplier(x, m, s);
    ASSERT_EQ(got, refMbqm(x, m, s)) << x << " " << m << " " << s;
    // Within one of the exactly rounded x * m * 2^(s - 31) when nothing
    // saturates.
    if (m >= 0 && s <= 0) {
      const i128 exact = roundHalfAwayPow2(i128(x) * m, 31 - s);
      ASSERT_LE(std::abs(static_cast<long long>(exact - got)), 1);
    }
  }
}

TEST(QuantFixedPoint, QuantizeMultiplier) {
  int32_t m = 7, s = 7;
  EXPECT_EQ(tempo_quantize_multiplier(1.0, &m, &s), 0);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, 1);
  EXPECT_EQ(tempo_quantize_multiplier(0.5, &m, &s), 0);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, 0);
  EXPECT_EQ(tempo_quantize_multiplier(0.0, &m, &s), 0);
  EXPECT_EQ(m, 0);
  EXPECT_EQ(s, 0);
  // Rounds up to 2^31: renormalised.
  EXPECT_EQ(tempo_quantize_multiplier(1.0 - 0x1.0p-40, &m, &s), 0);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, 1);
  // Below 2^-32: flushed to zero.
  EXPECT_EQ(tempo_quantize_multiplier(0x1.0p-33, &m, &s), 0);
  EXPECT_EQ(m, 0);
  EXPECT_EQ(s, 0);
  EXPECT_EQ(tempo_quantize_multiplier(0x1.0p-32, &m, &s), 0);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, -31);
  EXPECT_EQ(tempo_quantize_multiplier(-0.5, &m, &s), -1);
  EXPECT_EQ(tempo_quantize_multiplier(NAN, &m, &s), -1);
  EXPECT_EQ(tempo_quantize_multiplier(INFINITY, &m, &s), -1);
  EXPECT_EQ(tempo_quantize_multiplier(0x1.0p30, &m, &s), -1);
  EXPECT_EQ(tempo_quantize_multiplier(0x1.0p30 - 1.0, &m, &s), 0);
  EXPECT_EQ(s, 30);
  Rng rng(4);
  for (int i = 0; i < 100000; ++i) {
    const double real = rng.logUniform(0x1.0p-31, 0x1.0p29);
    ASSERT_EQ(tempo_quantize_multiplier(real, &m, &s), 0);
    ASSERT_GE(m, 1 << 30);
    ASSERT_GE(s, -31);
    ASSERT_LE(s, 30);
    // |m * 2^(s-31) - real| <= half a unit of m.
    const double approx = std::ldexp(static_cast<double>(m), s - 31);
    ASSERT_LE(std::fabs(approx - real), std::ldexp(0.5, s - 31) * 1.0000001)
        << real;
  }
}

TEST(QuantFixedPoint, MultiplierAtShift) {
  // By hand: 0.5 / 127 = 0.50394 * 2^-7, so tempo_quantize_multiplier gives
  // (round(2^37 / 127), -7) = (1082196484, -7); at the shift -6 of a layer
  // whose largest shift is -6 the multiplier is round(2^36 / 127) =
  // round(541098242.016) = 541098242, one bit fewer.
  int32_t m = 0, s = 0;
  ASSERT_EQ(tempo_quantize_multiplier(0.5 / 127, &m, &s), 0);
  EXPECT_EQ(m, 1082196484);
  EXPECT_EQ(s, -7);
  ASSERT_EQ(tempo_quantize_multiplier_at_shift(0.5 / 127, -6, &m), 0);
  EXPECT_EQ(m, 541098242);
  // At its own shift the multiplier is tempo_quantize_multiplier's; at a
  // larger shift (up to the spread cap) it is within half an LSB of the
  // real and keeps at least 22 significant bits.
  Rng rng(40);
  for (int i = 0; i < 20000; ++i) {
    const double real = rng.logUniform(1e-6, 100.0);
    const Requant q = quantizeMultiplier(real);
    int32_t own = 0, at = 0;
    ASSERT_EQ(tempo_quantize_multiplier_at_shift(real, q.s, &own), 0);
    ASSERT_EQ(own, q.m) << real;
    const int32_t up =
        static_cast<int32_t>(rng.range(0, TEMPO_MAX_SHIFT_SPREAD));
    ASSERT_EQ(tempo_quantize_multiplier_at_shift(real, q.s + up, &at), 0);
    ASSERT_LE(std::fabs(std::ldexp(at, q.s + up - 31) - real),
              std::ldexp(0.5, q.s + up - 31))
        << real;
    ASSERT_GE(at, int32_t(1) << (30 - TEMPO_MAX_SHIFT_SPREAD)) << real;
  }
  // A multiplier that would reach 2^31, negative and NaN reals: refused.
  EXPECT_EQ(tempo_quantize_multiplier_at_shift(1.0, 0, &m), -1);
  EXPECT_EQ(m, 0);
  EXPECT_EQ(tempo_quantize_multiplier_at_shift(-0.5, 0, &m), -1);
  EXPECT_EQ(tempo_quantize_multiplier_at_shift(NAN, 0, &m), -1);
}

//===----------------------------------------------------------------------===//
// Dot products: the DSP form equals the generic one
//===----------------------------------------------------------------------===//

TEST(QuantKernels, DotS8SimdMatchesGeneric) {
  Rng rng(5);
  for (int t = 0; t < 3000; ++t) {
    const int32_t n = static_cast<int32_t>(rng.range(0, 67));
    const std::vector<int8_t> a = rng.s8(n + 3), b = rng.s8(n + 3);
    const int32_t off = -rng.zp();
    const int32_t acc0 = static_cast<int32_t>(rng.range(-100000, 100000));
    // Unaligned starts too.
    const int32_t sa = static_cast<int32_t>(rng.range(0, 3));
    const int32_t sb = static_cast<int32_t>(rng.range(0, 3));
    const int32_t g = tempo::detail::dotS8Generic(n, a.data() + sa, off,
                                                  b.data() + sb, acc0);
    const int32_t s = tempo::detail::dotS8Simd(n, a.data() + sa, off,
                                               b.data() + sb, acc0);
    int64_t ref = acc0;
    for (int32_t l = 0; l < n; ++l)
      ref += (int64_t(a[sa + l]) + off) * b[sb + l];
    ASSERT_EQ(g, ref);
    ASSERT_EQ(s, ref);
  }
}

//===----------------------------------------------------------------------===//
// Conv
//===----------------------------------------------------------------------===//

TEST(QuantKernels, ConvRandom) {
  Rng rng(10);
  Coverage cov;
  for (int t = 0; t < 400; ++t) {
    tempo_qconv_params_t p{};
    p.batch = static_cast<int32_t>(rng.range(1, 2));
    const int64_t gk = rng.range(0, 3);
    const int32_t icg = static_cast<int32_t>(rng.range(1, 3));
    const int32_t ocg = static_cast<int32_t>(rng.range(1, 3));
    p.groups = gk == 0 ? 1 : static_cast<int32_t>(rng.range(2, 3));
    if (gk == 3) { // depthwise
      p.in_c = p.groups;
      p.out_c = p.groups * ocg;
    } else {
      p.in_c = icg * p.groups;
      p.out_c = ocg * p.groups;
    }
    const bool oneD = rng.coin();
    p.in_h = oneD ? 1 : static_cast<int32_t>(rng.range(1, 6));
    p.in_w = static_cast<int32_t>(rng.range(1, 14));
    p.k_h = oneD ? 1 : static_cast<int32_t>(rng.range(1, 3));
    p.k_w = static_cast<int32_t>(rng.range(1, 7));
    p.stride_h = static_cast<int32_t>(rng.range(1, 2));
    p.stride_w = static_cast<int32_t>(rng.range(1, 3));
    p.dil_h = static_cast<int32_t>(rng.range(1, 2));
    p.dil_w = rng.range(0, 2) == 0 ? 2 : 1;
    p.pad_top = oneD ? 0 : static_cast<int32_t>(rng.range(0, 2));
    p.pad_left = static_cast<int32_t>(rng.range(0, 3));
    const int32_t padB = oneD ? 0 : static_cast<int32_t>(rng.range(0, 2));
    const int32_t padR = static_cast<int32_t>(rng.range(0, 3));
    const int32_t spanH = p.in_h + p.pad_top + padB - p.dil_h * (p.k_h - 1);
    const int32_t spanW = p.in_w + p.pad_left + padR - p.dil_w * (p.k_w - 1);
    if (spanH < 1 || spanW < 1) {
      --t;
      continue;
    }
    p.out_h = (spanH - 1) / p.stride_h + 1;
    p.out_w = (spanW - 1) / p.stride_w + 1;
    p.has_bias = rng.coin();
    p.per_channel = rng.range(0, 3) != 0;
    p.in_zp = rng.zp();
    p.out_zp = rng.zp();
    const double inScale = rng.logUniform(0.005, 0.2);
    const int32_t icPerGroup = p.in_c / p.groups;
    const int32_t taps = icPerGroup * p.k_h * p.k_w;
    std::vector<double> wScale(p.out_c);
    for (double &s : wScale)
      s = rng.logUniform(0.001, 0.05);
    if (!p.per_channel)
      std::fill(wScale.begin(), wScale.end(), wScale[0]);
    const double outScale = inScale * wScale[0] * 64.0 * 64.0 *
                            std::sqrt(static_cast<double>(taps)) /
                            rng.logUniform(20.0, 200.0);
    pickAct(rng, outScale, p.out_zp, p.act_min, p.act_max);

    const int32_t xN = p.batch * p.in_c * p.in_h * p.in_w;
    const int32_t wN = p.out_c * taps;
    const std::vector<int8_t> x = rng.s8(xN), w = rng.s8(wN, -127, 127);
    std::vector<int32_t> bias(p.out_c);
    for (int32_t &b : bias)
      b = static_cast<int32_t>(rng.range(-20000, 20000));
    std::vector<int32_t> mult(p.out_c), shift(p.out_c);
    for (int32_t c = 0; c < p.out_c; ++c) {
      const Requant r = quantizeMultiplier(inScale * wScale[c] / outScale);
      mult[c] = r.m;
      shift[c] = r.s;
    }
    const int32_t yN = p.batch * p.out_c * p.out_h * p.out_w;
    std::vector<int8_t> y(yN, 0x55);
    tempo::conv_s8(p, x.data(), w.data(), p.has_bias ? bias.data() : nullptr,
                   mult.data(), shift.data(), y.data());

    // Reference: an explicitly padded input whose padding is the zero point.
    const int32_t PH = p.in_h + p.pad_top + padB + p.k_h * p.dil_h;
    const int32_t PW = p.in_w + p.pad_left + padR + p.k_w * p.dil_w;
    std::vector<int32_t> xp(static_cast<size_t>(p.batch) * p.in_c * PH * PW,
                            p.in_zp);
    for (int32_t n = 0; n < p.batch; ++n)
      for (int32_t c = 0; c < p.in_c; ++c)
        for (int32_t h = 0; h < p.in_h; ++h)
          for (int32_t v = 0; v < p.in_w; ++v)
            xp[((n * p.in_c + c) * PH + h + p.pad_top) * PW + v + p.pad_left] =
                x[((n * p.in_c + c) * p.in_h + h) * p.in_w + v];
    std::vector<int32_t> exact(yN), near(yN);
    for (int32_t n = 0; n < p.batch; ++n)
      for (int32_t oc = 0; oc < p.out_c; ++oc) {
        const int32_t g = oc / (p.out_c / p.groups);
        const int32_t c = p.per_channel ? oc : 0;
        for (int32_t oh = 0; oh < p.out_h; ++oh)
          for (int32_t ow = 0; ow < p.out_w; ++ow) {
            int64_t acc = p.has_bias ? bias[oc] : 0;
            for (int32_t ic = 0; ic < icPerGroup; ++ic)
              for (int32_t kh = 0; kh < p.k_h; ++kh)
                for (int32_t kw = 0; kw < p.k_w; ++kw) {
                  const int32_t xv =
                      xp[((n * p.in_c + g * icPerGroup + ic) * PH +
                          oh * p.stride_h + kh * p.dil_h) *
                             PW +
                         ow * p.stride_w + kw * p.dil_w];
                  acc += int64_t(xv - p.in_zp) *
                         w[((oc * icPerGroup + ic) * p.k_h + kh) * p.k_w + kw];
                }
            const int32_t o = ((n * p.out_c + oc) * p.out_h + oh) * p.out_w + ow;
            exact[o] = clampI(int64_t(refMbqm(static_cast<int32_t>(acc),
                                              mult[c], shift[c])) +
                                  p.out_zp,
                              p.act_min, p.act_max);
            // Float: the same sum of dequantized values, in double.
            const double real =
                static_cast<double>(acc) * inScale * wScale[oc];
            near[o] =
                quantRef(real, outScale, p.out_zp, p.act_min, p.act_max);
          }
      }
    cov.add(exact, p.act_min, p.act_max);
    ASSERT_TRUE(exactAndNear(y, exact, near)) << "trial " << t;
  }
}

//===----------------------------------------------------------------------===//
// Conv and fully connected against the previous kernels
//
// The blocked kernels must give the bits of the one-output-at-a-time kernels
// they replaced (kept here verbatim, generic dot products), on both the DSP
// and the generic path, with every table form: int16 / int32 bias, an int8
// or int32 shift table, or one shift in the params.
//===----------------------------------------------------------------------===//

/// The conv_s8 of the first int8 release: per output, per-tap bounds.
void previousConvS8(const tempo_qconv_params_t &p, const int8_t *x,
                    const int8_t *w, const int32_t *bias, const int32_t *mult,
                    const int32_t *shift, int8_t *y) {
  using namespace tempo::detail;
  const int32_t icPerGroup = p.in_c / p.groups;
  const int32_t ocPerGroup = p.out_c / p.groups;
  const int32_t inPlane = p.in_h * p.in_w;
  const int32_t kPlane = p.k_h * p.k_w;
  const int32_t xOff = -p.in_zp;
  const bool pooled = p.pool != TEMPO_POOL_NONE;
  const int32_t outPlane =
      pooled ? p.pooled_h * p.pooled_w : p.out_h * p.out_w;
  for (int32_t n = 0; n < p.batch; ++n) {
    for (int32_t oc = 0; oc < p.out_c; ++oc) {
      const int32_t c = p.per_channel ? oc : 0;
      const int32_t m = mult[c], s = shift[c];
      const int32_t b0 = p.has_bias ? bias[oc] : 0;
      const int8_t *xg =
          x + (n * p.in_c + (oc / ocPerGroup) * icPerGroup) * inPlane;
      const int8_t *wo = w + oc * icPerGroup * kPlane;
      int8_t *yo = y + (n * p.out_c + oc) * outPlane;
      auto at = [&](int32_t oh, int32_t ow) -> int32_t {
        const int32_t ih0 = oh * p.stride_h - p.pad_top;
        const int32_t iw0 = ow * p.stride_w - p.pad_left;
        int32_t khLo, khHi, kwLo, kwHi;
        tapRange(ih0, p.dil_h, p.k_h, p.in_h, khLo, khHi);
        tapRange(iw0, p.dil_w, p.k_w, p.in_w, kwLo, kwHi);
        int32_t acc = b0;
        for (int32_t ic = 0; ic < icPerGroup; ++ic) {
          const int8_t *xc = xg + ic * inPlane;
          const int8_t *wc = wo + ic * kPlane;
          for (int32_t kh = khLo; kh < khHi; ++kh) {
            const int8_t *xr =
                xc + (ih0 + kh * p.dil_h) * p.in_w + iw0 + kwLo * p.dil_w;
            const int8_t *wr = wc + kh * p.k_w + kwLo;
            acc = dotS8Strided(kwHi - kwLo, xr, p.dil_w, xOff, wr, acc);
          }
        }
        return requantize(acc, m, s, p.out_zp, p.act_min, p.act_max);
      };
      if (!pooled) {
        for (int32_t oh = 0; oh < p.out_h; ++oh)
          for (int32_t ow = 0; ow < p.out_w; ++ow)
            yo[oh * p.out_w + ow] = static_cast<int8_t>(at(oh, ow));
        continue;
      }
      const int32_t count = p.pool_h * p.pool_w;
      for (int32_t ph = 0; ph < p.pooled_h; ++ph) {
        for (int32_t pw = 0; pw < p.pooled_w; ++pw) {
          int32_t best = -128, sum = 0;
          for (int32_t dh = 0; dh < p.pool_h; ++dh) {
            for (int32_t dw = 0; dw < p.pool_w; ++dw) {
              const int32_t v = at(ph * p.pool_h + dh, pw * p.pool_w + dw);
              best = v > best ? v : best;
              sum += v;
            }
          }
          const int32_t v =
              p.pool == TEMPO_POOL_MAX ? best : roundingDivide(sum, count);
          yo[ph * p.pooled_w + pw] = static_cast<int8_t>(v);
        }
      }
    }
  }
}

/// The fully_connected_s8 of the first int8 release: one output at a time.
template <typename OutT>
void previousFullyConnectedS8(const tempo_qfc_params_t &p, const int8_t *x,
                              const int8_t *w, const int32_t *bias,
                              const int32_t *mult, const int32_t *shift,
                              OutT *y) {
  for (int32_t b = 0; b < p.batch; ++b)
    for (int32_t o = 0; o < p.out_features; ++o) {
      const int32_t c = p.per_channel ? o : 0;
      const int32_t acc = tempo::detail::dotS8Generic(
          p.in_features, x + b * p.in_features, -p.in_zp,
          w + o * p.in_features, p.has_bias ? bias[o] : 0);
      y[b * p.out_features + o] = static_cast<OutT>(tempo::detail::requantize(
          acc, mult[c], shift[c], p.out_zp, p.act_min, p.act_max));
    }
}

/// The table forms the compiler emits, plus the int32 shift table of the
/// first release. Per channel: multipliers at the layer's largest shift
/// when `shared`, else each channel's own; the bias narrowed to int16 when
/// it fits.
struct ConvLikeTables {
  std::vector<int32_t> mult, shift32, layerShiftTable;
  std::vector<int8_t> shift8;
  std::vector<int16_t> bias16;
  int32_t layerShift = 0;
  bool shared = false, bias16ok = true;
};

ConvLikeTables makeTables(Rng &rng, const std::vector<double> &real,
                          const std::vector<int32_t> &bias) {
  ConvLikeTables t;
  int32_t hi = INT32_MIN;
  for (double r : real) {
    const Requant q = quantizeMultiplier(r);
    t.mult.push_back(q.m);
    t.shift32.push_back(q.s);
    t.shift8.push_back(static_cast<int8_t>(q.s));
    hi = std::max(hi, q.s);
  }
  t.shared = rng.coin();
  t.layerShift = hi;
  if (t.shared) {
    for (size_t c = 0; c < real.size(); ++c) {
      EXPECT_EQ(tempo_quantize_multiplier_at_shift(real[c], hi, &t.mult[c]),
                0);
      t.shift32[c] = hi;
      t.shift8[c] = static_cast<int8_t>(hi);
    }
  }
  for (int32_t b : bias) {
    t.bias16ok = t.bias16ok && b >= INT16_MIN && b <= INT16_MAX;
    t.bias16.push_back(static_cast<int16_t>(b));
  }
  return t;
}

/// conv_s8's generic or DSP path with the table form picked by `form`:
/// 0 int32 bias + int8 shifts, 1 int16 bias + one shift, 2 int32 bias +
/// int32 shifts, 3 int32 bias + one shift.
template <bool Dsp>
void runConv(tempo_qconv_params_t p, int form, const ConvLikeTables &t,
             const std::vector<int8_t> &x, const std::vector<int8_t> &w,
             const std::vector<int32_t> &bias, std::vector<int8_t> &y) {
  const int32_t *b32 = p.has_bias ? bias.data() : nullptr;
  const int16_t *b16 = p.has_bias ? t.bias16.data() : nullptr;
  p.shift = t.layerShift;
  switch (form) {
  case 0:
    return tempo::detail::convS8<Dsp>(p, x.data(), w.data(), b32,
                                      t.mult.data(), t.shift8.data(),
                                      y.data());
  case 1:
    return tempo::detail::convS8<Dsp>(p, x.data(), w.data(), b16,
                                      t.mult.data(),
                                      static_cast<const int8_t *>(nullptr),
                                      y.data());
  case 2:
    return tempo::detail::convS8<Dsp>(p, x.data(), w.data(), b32,
                                      t.mult.data(), t.shift32.data(),
                                      y.data());
  default:
    return tempo::detail::convS8<Dsp>(p, x.data(), w.data(), b32,
                                      t.mult.data(),
                                      static_cast<const int8_t *>(nullptr),
                                      y.data());
  }
}

TEST(QuantKernels, ConvMatchesPreviousKernel) {
  Rng rng(31);
  int64_t pooledTrials = 0, fastBlocks = 0, longSpans = 0, trials = 0;
  for (int t = 0; t < 1500; ++t) {
    tempo_qconv_params_t p{};
    p.batch = static_cast<int32_t>(rng.range(1, 2));
    const int64_t gk = rng.range(0, 4);
    const int32_t icg = static_cast<int32_t>(rng.range(1, 6));
    const int32_t ocg = static_cast<int32_t>(rng.range(1, 5));
    p.groups = gk <= 1 ? 1 : static_cast<int32_t>(rng.range(2, 3));
    p.in_c = gk == 4 ? p.groups : icg * p.groups; // 4: depthwise
    p.out_c = ocg * p.groups;
    const bool oneD = rng.range(0, 2) != 0;
    p.in_h = oneD ? 1 : static_cast<int32_t>(rng.range(1, 7));
    p.in_w = static_cast<int32_t>(rng.range(1, 40));
    p.k_h = oneD ? 1 : static_cast<int32_t>(rng.range(1, 3));
    p.k_w = static_cast<int32_t>(rng.range(1, 11));
    p.stride_h = static_cast<int32_t>(rng.range(1, 2));
    p.stride_w = rng.range(0, 2) == 0 ? static_cast<int32_t>(rng.range(2, 3)) : 1;
    p.dil_h = static_cast<int32_t>(rng.range(1, 2));
    // Dilation up to 8 makes some blocks' spans longer than the padded
    // block's buffer (the one-output-at-a-time fallback).
    const int64_t dk = rng.range(0, 9);
    p.dil_w = dk <= 5 ? 1 : static_cast<int32_t>(dk <= 7 ? rng.range(2, 3)
                                                          : rng.range(6, 8));
    if (p.dil_w >= 6)
      p.in_w = static_cast<int32_t>(rng.range(60, 100));
    p.pad_top = oneD ? 0 : static_cast<int32_t>(rng.range(0, 2));
    p.pad_left = static_cast<int32_t>(rng.range(0, 5));
    const int32_t padB = oneD ? 0 : static_cast<int32_t>(rng.range(0, 2));
    const int32_t padR = static_cast<int32_t>(rng.range(0, 5));
    const int32_t spanH = p.in_h + p.pad_top + padB - p.dil_h * (p.k_h - 1);
    const int32_t spanW = p.in_w + p.pad_left + padR - p.dil_w * (p.k_w - 1);
    if (spanH < 1 || spanW < 1) {
      --t;
      continue;
    }
    p.out_h = (spanH - 1) / p.stride_h + 1;
    p.out_w = (spanW - 1) / p.stride_w + 1;
    if (rng.range(0, 2) != 0) {
      p.pool = rng.coin() ? TEMPO_POOL_MAX : TEMPO_POOL_AVERAGE;
      p.pool_h = static_cast<int32_t>(rng.range(1, std::min(p.out_h, 2)));
      p.pool_w = static_cast<int32_t>(rng.range(1, std::min(p.out_w, 4)));
      p.pooled_h = p.out_h / p.pool_h;
      p.pooled_w = p.out_w / p.pool_w;
      ++pooledTrials;
    }
    p.has_bias = rng.range(0, 3) != 0;
    p.per_channel = rng.range(0, 3) != 0;
    p.in_zp = rng.zp();
    p.out_zp = rng.zp();
    const int32_t icPerGroup = p.in_c / p.groups;
    const int32_t taps = icPerGroup * p.k_h * p.k_w;
    const double inScale = rng.logUniform(0.005, 0.2);
    std::vector<double> real(p.per_channel ? p.out_c : 1);
    const double outScale = inScale * 0.01 * 64.0 * 64.0 *
                            std::sqrt(static_cast<double>(taps)) /
                            rng.logUniform(20.0, 200.0);
    for (double &r : real) // per-channel scales up to 16x apart
      r = inScale * 0.01 * rng.logUniform(0.25, 4.0) / outScale;
    pickAct(rng, outScale, p.out_zp, p.act_min, p.act_max);
    const std::vector<int8_t> x =
        rng.s8(static_cast<size_t>(p.batch) * p.in_c * p.in_h * p.in_w);
    const std::vector<int8_t> w = rng.s8(static_cast<size_t>(p.out_c) * taps);
    std::vector<int32_t> bias(p.out_c);
    const int32_t bmax = rng.coin() ? 30000 : 3000000;
    for (int32_t &b : bias)
      b = static_cast<int32_t>(rng.range(-bmax, bmax));
    const ConvLikeTables tab = makeTables(rng, real, bias);
    const size_t yN = static_cast<size_t>(p.batch) * p.out_c *
                      (p.pool ? p.pooled_h * p.pooled_w : p.out_h * p.out_w);
    std::vector<int8_t> want(yN, 0x55);
    previousConvS8(p, x.data(), w.data(), bias.data(), tab.mult.data(),
                   tab.shift32.data(), want.data());
    int form = static_cast<int>(rng.range(0, 3));
    if (form == 1 && !tab.bias16ok)
      form = 0;
    if ((form == 1 || form == 3) && !tab.shared && real.size() > 1)
      form = 2;
    std::vector<int8_t> generic(yN, 0x55), dsp(yN, 0x55);
    runConv<false>(p, form, tab, x, w, bias, generic);
    runConv<true>(p, form, tab, x, w, bias, dsp);
    ASSERT_EQ(generic, want) << "trial " << t << " form " << form;
    ASSERT_EQ(dsp, want) << "trial " << t << " form " << form;
    for (int32_t ow = 0; ow + 4 <= p.out_w; ow += 4)
      fastBlocks += tempo::detail::convBlockInside(p, ow);
    longSpans += tempo::detail::convBlockSpan(p) >
                 tempo::detail::kMaxPaddedSpan;
    ++trials;
  }
  // The trials reach the fused pools, the blocks without bounds and the
  // one-output-at-a-time fallback often.
  EXPECT_GT(pooledTrials * 3, trials);
  EXPECT_GT(fastBlocks, trials);
  EXPECT_GT(longSpans * 50, trials);
}

/// HAR-like shapes (1-D, in_zp -128, k 3 and 5, fused max pool): the shapes
/// the fast path was written for, many blocks per row.
TEST(QuantKernels, ConvHarShapesMatchPreviousKernel) {
  Rng rng(32);
  const int32_t shapes[][4] = {{3, 16, 128, 5}, {16, 32, 64, 5}, {32, 32, 32, 3}};
  for (const auto &s : shapes) {
    tempo_qconv_params_t p{};
    p.batch = 1;
    p.in_c = s[0];
    p.out_c = s[1];
    p.in_h = p.out_h = 1;
    p.in_w = p.out_w = s[2];
    p.k_h = 1;
    p.k_w = s[3];
    p.stride_h = p.stride_w = p.dil_h = p.dil_w = p.groups = 1;
    p.pad_left = s[3] / 2;
    p.has_bias = 1;
    p.per_channel = 1;
    p.in_zp = -128;
    p.out_zp = 0;
    p.act_min = -128;
    p.act_max = 127;
    if (s[3] == 5) {
      p.pool = TEMPO_POOL_MAX;
      p.pool_h = 1;
      p.pool_w = 2;
      p.pooled_h = 1;
      p.pooled_w = s[2] / 2;
    }
    const int32_t taps = p.in_c * p.k_w;
    std::vector<double> real(p.out_c);
    for (double &r : real)
      r = rng.logUniform(0.5, 2.0) / (300.0 * std::sqrt(double(taps)));
    const std::vector<int8_t> x = rng.s8(p.in_c * p.in_w);
    const std::vector<int8_t> w = rng.s8(p.out_c * taps, -127, 127);
    std::vector<int32_t> bias(p.out_c);
    for (int32_t &b : bias)
      b = static_cast<int32_t>(rng.range(-20000, 20000));
    const ConvLikeTables tab = makeTables(rng, real, bias);
    const size_t yN = p.out_c * (p.pool ? p.pooled_w : p.out_w);
    std::vector<int8_t> want(yN), generic(yN), dsp(yN);
    previousConvS8(p, x.data(), w.data(), bias.data(), tab.mult.data(),
                   tab.shift32.data(), want.data());
    runConv<false>(p, 0, tab, x, w, bias, generic);
    runConv<true>(p, 0, tab, x, w, bias, dsp);
    EXPECT_EQ(generic, want) << "in_c " << s[0];
    EXPECT_EQ(dsp, want) << "in_c " << s[0];
    // Not a degenerate case: most outputs are strictly inside the clamp.
    int64_t inside = 0;
    for (int8_t v : want)
      inside += v > -128 && v < 127;
    EXPECT_GT(inside * 2, static_cast<int64_t>(yN));
  }
}

template <bool Dsp, typename OutT>
void runFullyConnected(tempo_qfc_params_t p, int form, const ConvLikeTables &t,
                       const std::vector<int8_t> &x,
                       const std::vector<int8_t> &w,
                       const std::vector<int32_t> &bias, std::vector<OutT> &y) {
  const int32_t *b32 = p.has_bias ? bias.data() : nullptr;
  const int16_t *b16 = p.has_bias ? t.bias16.data() : nullptr;
  p.shift = t.layerShift;
  if (form == 1)
    return tempo::detail::fullyConnectedS8<Dsp>(
        p, x.data(), w.data(), b16, t.mult.data(),
        static_cast<const int8_t *>(nullptr), y.data());
  if (form == 2)
    return tempo::detail::fullyConnectedS8<Dsp>(
        p, x.data(), w.data(), b32, t.mult.data(), t.shift32.data(), y.data());
  return tempo::detail::fullyConnectedS8<Dsp>(p, x.data(), w.data(), b32,
                                              t.mult.data(), t.shift8.data(),
                                              y.data());
}

template <typename OutT> void fullyConnectedVsPrevious(uint64_t seed) {
  Rng rng(seed);
  for (int t = 0; t < 600; ++t) {
    tempo_qfc_params_t p{};
    p.batch = static_cast<int32_t>(rng.range(1, 3));
    p.in_features = static_cast<int32_t>(rng.range(1, 70));
    p.out_features = static_cast<int32_t>(rng.range(1, 13));
    p.has_bias = rng.range(0, 3) != 0;
    p.per_channel = rng.coin();
    p.in_zp = rng.zp();
    p.out_zp = sizeof(OutT) == 1 ? rng.zp() : 0;
    p.act_min = sizeof(OutT) == 1 ? -128 : -32768;
    p.act_max = sizeof(OutT) == 1 ? 127 : 32767;
    const double scale =
        rng.logUniform(20.0, 200.0) /
        (64.0 * 64.0 * std::sqrt(static_cast<double>(p.in_features))) *
        (sizeof(OutT) == 1 ? 1.0 : 256.0);
    std::vector<double> real(p.per_channel ? p.out_features : 1);
    for (double &r : real)
      r = scale * rng.logUniform(0.25, 4.0);
    const std::vector<int8_t> x = rng.s8(p.batch * p.in_features);
    const std::vector<int8_t> w = rng.s8(p.out_features * p.in_features);
    std::vector<int32_t> bias(p.out_features);
    for (int32_t &b : bias)
      b = static_cast<int32_t>(rng.range(-40000, 40000));
    const ConvLikeTables tab = makeTables(rng, real, bias);
    std::vector<OutT> want(p.batch * p.out_features);
    previousFullyConnectedS8<OutT>(p, x.data(), w.data(), bias.data(),
                                   tab.mult.data(), tab.shift32.data(),
                                   want.data());
    int form = static_cast<int>(rng.range(0, 2));
    if (form == 1 && (!tab.bias16ok || (!tab.shared && real.size() > 1)))
      form = 2;
    std::vector<OutT> generic(want.size()), dsp(want.size());
    runFullyConnected<false>(p, form, tab, x, w, bias, generic);
    runFullyConnected<true>(p, form, tab, x, w, bias, dsp);
    ASSERT_EQ(generic, want) << "trial " << t;
    ASSERT_EQ(dsp, want) << "trial " << t;
  }
}

TEST(QuantKernels, FullyConnectedMatchesPreviousKernel) {
  fullyConnectedVsPrevious<int8_t>(33);
  fullyConnectedVsPrevious<int16_t>(34);
}

//===----------------------------------------------------------------------===//
// Fully connected (int8 and int16 outputs)
//===----------------------------------------------------------------------===//

template <typename OutT> void fullyConnectedTrials(uint64_t seed) {
  Rng rng(seed);
  Coverage cov;
  const int32_t lo = sizeof(OutT) == 1 ? -128 : -32768;
  const int32_t hi = sizeof(OutT) == 1 ? 127 : 32767;
  for (int t = 0; t < 300; ++t) {
    tempo_qfc_params_t p{};
    p.batch = static_cast<int32_t>(rng.range(1, 3));
    p.in_features = static_cast<int32_t>(rng.range(1, 70));
    p.out_features = static_cast<int32_t>(rng.range(1, 12));
    p.has_bias = rng.coin();
    p.per_channel = rng.coin();
    p.in_zp = rng.zp();
    p.out_zp = sizeof(OutT) == 1 ? rng.zp() : 0;
    const double inScale = rng.logUniform(0.005, 0.2);
    std::vector<double> wScale(p.out_features);
    for (double &s : wScale)
      s = rng.logUniform(0.001, 0.05);
    if (!p.per_channel)
      std::fill(wScale.begin(), wScale.end(), wScale[0]);
    const double outScale = inScale * wScale[0] * 64.0 * 64.0 *
                            std::sqrt(static_cast<double>(p.in_features)) /
                            rng.logUniform(20.0, 200.0) /
                            (sizeof(OutT) == 1 ? 1.0 : 256.0);
    p.act_min = lo;
    p.act_max = hi;
    if (sizeof(OutT) == 1)
      pickAct(rng, outScale, p.out_zp, p.act_min, p.act_max);
    const std::vector<int8_t> x = rng.s8(p.batch * p.in_features);
    const std::vector<int8_t> w = rng.s8(p.out_features * p.in_features, -127,
                                         127);
    std::vector<int32_t> bias(p.out_features);
    for (int32_t &b : bias)
      b = static_cast<int32_t>(rng.range(-20000, 20000));
    std::vector<int32_t> mult(p.out_features), shift(p.out_features);
    for (int32_t c = 0; c < p.out_features; ++c) {
      const Requant r = quantizeMultiplier(inScale * wScale[c] / outScale);
      mult[c] = r.m;
      shift[c] = r.s;
    }
    std::vector<OutT> y(p.batch * p.out_features);
    tempo::fully_connected_s8<OutT>(p, x.data(), w.data(),
                                    p.has_bias ? bias.data() : nullptr,
                                    mult.data(), shift.data(), y.data());
    std::vector<int32_t> exact(y.size()), near(y.size());
    for (int32_t b = 0; b < p.batch; ++b)
      for (int32_t o = 0; o < p.out_features; ++o) {
        int64_t acc = p.has_bias ? bias[o] : 0;
        for (int32_t k = 0; k < p.in_features; ++k)
          acc += (int64_t(x[b * p.in_features + k]) - p.in_zp) *
                 w[o * p.in_features + k];
        const int32_t c = p.per_channel ? o : 0;
        exact[b * p.out_features + o] = clampI(
            int64_t(refMbqm(static_cast<int32_t>(acc), mult[c], shift[c])) +
                p.out_zp,
            p.act_min, p.act_max);
        near[b * p.out_features + o] =
            quantRef(static_cast<double>(acc) * inScale * wScale[o], outScale,
                     p.out_zp, p.act_min, p.act_max);
      }
    cov.add(exact, p.act_min, p.act_max);
    ASSERT_TRUE(exactAndNear(y, exact, near)) << "trial " << t;
  }
}

TEST(QuantKernels, FullyConnectedRandom) { fullyConnectedTrials<int8_t>(11); }
TEST(QuantKernels, FullyConnectedInt16Random) {
  fullyConnectedTrials<int16_t>(12);
}

//===----------------------------------------------------------------------===//
// MatMul
//===----------------------------------------------------------------------===//

TEST(QuantKernels, MatMulRandom) {
  Rng rng(13);
  Coverage cov;
  for (int t = 0; t < 200; ++t) {
    tempo_qmatmul_params_t p{};
    p.m = static_cast<int32_t>(rng.range(1, 5));
    p.n = static_cast<int32_t>(rng.range(1, 10));
    p.k = static_cast<int32_t>(rng.range(1, 20));
    p.batch_rank = static_cast<int32_t>(rng.range(0, 2));
    std::vector<int32_t> outB(p.batch_rank), aB(p.batch_rank), bB(p.batch_rank);
    for (int32_t d = 0; d < p.batch_rank; ++d) {
      outB[d] = static_cast<int32_t>(rng.range(1, 3));
      aB[d] = rng.coin() ? outB[d] : 1;
      bB[d] = rng.coin() ? outB[d] : 1;
    }
    int32_t as = 1, bs = 1;
    for (int32_t d = p.batch_rank - 1; d >= 0; --d) {
      p.out_batch_dims[d] = outB[d];
      p.a_batch_strides[d] = aB[d] == 1 ? 0 : as;
      p.b_batch_strides[d] = bB[d] == 1 ? 0 : bs;
      as *= aB[d];
      bs *= bB[d];
    }
    p.a_zp = rng.zp();
    p.b_zp = rng.zp();
    p.out_zp = rng.zp();
    const double sa = rng.logUniform(0.005, 0.1), sb = rng.logUniform(0.005, 0.1);
    const double so = sa * sb * 100.0 * 100.0 * std::sqrt(double(p.k)) /
                      rng.logUniform(20.0, 200.0);
    const Requant r = quantizeMultiplier(sa * sb / so);
    p.multiplier = r.m;
    p.shift = r.s;
    pickAct(rng, so, p.out_zp, p.act_min, p.act_max);
    const std::vector<int8_t> a = rng.s8(as * p.m * p.k), b = rng.s8(bs * p.k * p.n);
    const int64_t batches = product(outB);
    std::vector<int8_t> y(batches * p.m * p.n);
    tempo::matmul_s8(p, a.data(), b.data(), y.data());
    std::vector<int32_t> exact(y.size()), near(y.size());
    for (int64_t bi = 0; bi < batches; ++bi) {
      const std::vector<int32_t> idx = unflatten(bi, outB);
      int64_t am = 0, bm = 0;
      for (int32_t d = 0; d < p.batch_rank; ++d) {
        am = am * aB[d] + (aB[d] == 1 ? 0 : idx[d]);
        bm = bm * bB[d] + (bB[d] == 1 ? 0 : idx[d]);
      }
      for (int32_t i = 0; i < p.m; ++i)
        for (int32_t j = 0; j < p.n; ++j) {
          int64_t acc = 0;
          for (int32_t l = 0; l < p.k; ++l)
            acc += (int64_t(a[(am * p.m + i) * p.k + l]) - p.a_zp) *
                   (int64_t(b[(bm * p.k + l) * p.n + j]) - p.b_zp);
          const size_t o = (bi * p.m + i) * p.n + j;
          exact[o] = clampI(int64_t(refMbqm(static_cast<int32_t>(acc), r.m,
                                            r.s)) +
                                p.out_zp,
                            p.act_min, p.act_max);
          near[o] = quantRef(static_cast<double>(acc) * sa * sb, so, p.out_zp,
                             p.act_min, p.act_max);
        }
    }
    cov.add(exact, p.act_min, p.act_max);
    ASSERT_TRUE(exactAndNear(y, exact, near)) << "trial " << t;
  }
}

//===----------------------------------------------------------------------===//
// Add / Sub / Mul with broadcasting
//===----------------------------------------------------------------------===//

enum class BinOp { Add, Sub, Mul };

void binaryTrials(BinOp op, uint64_t seed) {
  Rng rng(seed);
  Coverage cov;
  for (int t = 0; t < 300; ++t) {
    const int32_t rank = static_cast<int32_t>(rng.range(1, 4));
    std::vector<int32_t> outD(rank), aD(rank), bD(rank);
    for (int32_t d = 0; d < rank; ++d) {
      outD[d] = static_cast<int32_t>(rng.range(1, 5));
      aD[d] = rng.range(0, 3) == 0 ? 1 : outD[d];
      bD[d] = rng.range(0, 3) == 0 ? 1 : outD[d];
    }
    tempo_qbinary_params_t p{};
    p.rank = rank;
    p.size = static_cast<int32_t>(product(outD));
    int32_t as = 1, bs = 1;
    for (int32_t d = rank - 1; d >= 0; --d) {
      p.out_dims[d] = outD[d];
      p.a_strides[d] = aD[d] == 1 ? 0 : as;
      p.b_strides[d] = bD[d] == 1 ? 0 : bs;
      as *= aD[d];
      bs *= bD[d];
    }
    p.a_zp = rng.zp();
    p.b_zp = rng.zp();
    p.out_zp = rng.zp();
    const double sa = rng.logUniform(0.002, 0.5), sb = rng.logUniform(0.002, 0.5);
    double so;
    if (op == BinOp::Mul) {
      so = sa * sb * 128.0 * 128.0 / rng.logUniform(30.0, 300.0);
      ASSERT_EQ(tempo_qbinary_mul_setup(sa, sb, so, &p), 0);
    } else {
      so = std::max(sa, sb) * rng.logUniform(0.5, 3.0);
      ASSERT_EQ(tempo_qbinary_add_setup(sa, sb, so, &p), 0);
    }
    pickAct(rng, so, p.out_zp, p.act_min, p.act_max);
    const std::vector<int8_t> a = rng.s8(as), b = rng.s8(bs);
    std::vector<int8_t> y(p.size);
    switch (op) {
    case BinOp::Add:
      tempo::add_s8(p, a.data(), b.data(), y.data());
      break;
    case BinOp::Sub:
      tempo::sub_s8(p, a.data(), b.data(), y.data());
      break;
    case BinOp::Mul:
      tempo::mul_s8(p, a.data(), b.data(), y.data());
      break;
    }
    std::vector<int32_t> exact(p.size), near(p.size);
    for (int32_t i = 0; i < p.size; ++i) {
      const std::vector<int32_t> idx = unflatten(i, outD);
      int64_t ai = 0, bi = 0;
      for (int32_t d = 0; d < rank; ++d) {
        ai = ai * aD[d] + (aD[d] == 1 ? 0 : idx[d]);
        bi = bi * bD[d] + (bD[d] == 1 ? 0 : idx[d]);
      }
      const int32_t va = a[ai] - p.a_zp, vb = b[bi] - p.b_zp;
      int32_t raw;
      double real;
      if (op == BinOp::Mul) {
        raw = refMbqm(va * vb, p.out_multiplier, p.out_shift);
        real = sa * va * sb * vb;
      } else {
        const int32_t ra =
            refMbqm(va * (1 << p.left_shift), p.a_multiplier, p.a_shift);
        const int32_t rb =
            refMbqm(vb * (1 << p.left_shift), p.b_multiplier, p.b_shift);
        raw = refMbqm(op == BinOp::Add ? ra + rb : ra - rb, p.out_multiplier,
                      p.out_shift);
        real = op == BinOp::Add ? sa * va + sb * vb : sa * va - sb * vb;
      }
      exact[i] = clampI(int64_t(raw) + p.out_zp, p.act_min, p.act_max);
      near[i] = quantRef(real, so, p.out_zp, p.act_min, p.act_max);
    }
    cov.add(exact, p.act_min, p.act_max);
    ASSERT_TRUE(exactAndNear(y, exact, near)) << "trial " << t;
    // In place on a full-shape operand gives the same result.
    if (as == p.size) {
      std::vector<int8_t> inPlace = a;
      if (op == BinOp::Add)
        tempo::add_s8(p, inPlace.data(), b.data(), inPlace.data());
      else if (op == BinOp::Sub)
        tempo::sub_s8(p, inPlace.data(), b.data(), inPlace.data());
      else
        tempo::mul_s8(p, inPlace.data(), b.data(), inPlace.data());
      ASSERT_EQ(inPlace, y);
    }
  }
}

TEST(QuantKernels, AddRandom) { binaryTrials(BinOp::Add, 20); }
TEST(QuantKernels, SubRandom) { binaryTrials(BinOp::Sub, 21); }
TEST(QuantKernels, MulRandom) { binaryTrials(BinOp::Mul, 22); }

//===----------------------------------------------------------------------===//
// Pools
//===----------------------------------------------------------------------===//

/// A random pool geometry with out extents that fit (no ceil mode).
tempo_qpool_params_t randomPool(Rng &rng) {
  for (;;) {
    tempo_qpool_params_t p{};
    p.batch = static_cast<int32_t>(rng.range(1, 2));
    p.channels = static_cast<int32_t>(rng.range(1, 3));
    const bool oneD = rng.coin();
    p.in_h = oneD ? 1 : static_cast<int32_t>(rng.range(1, 6));
    p.in_w = static_cast<int32_t>(rng.range(1, 10));
    p.k_h = oneD ? 1 : static_cast<int32_t>(rng.range(1, 3));
    p.k_w = static_cast<int32_t>(rng.range(1, 4));
    p.stride_h = static_cast<int32_t>(rng.range(1, 2));
    p.stride_w = static_cast<int32_t>(rng.range(1, 3));
    p.dil_h = 1;
    p.dil_w = static_cast<int32_t>(rng.range(1, 2));
    p.pad_top = oneD ? 0 : static_cast<int32_t>(rng.range(0, p.k_h - 1));
    p.pad_bottom = oneD ? 0 : static_cast<int32_t>(rng.range(0, p.k_h - 1));
    p.pad_left = static_cast<int32_t>(rng.range(0, p.k_w - 1));
    p.pad_right = static_cast<int32_t>(rng.range(0, p.k_w - 1));
    const int32_t spanH =
        p.in_h + p.pad_top + p.pad_bottom - p.dil_h * (p.k_h - 1);
    const int32_t spanW =
        p.in_w + p.pad_left + p.pad_right - p.dil_w * (p.k_w - 1);
    if (spanH < 1 || spanW < 1)
      continue;
    p.out_h = (spanH - 1) / p.stride_h + 1;
    p.out_w = (spanW - 1) / p.stride_w + 1;
    p.count_include_pad = rng.coin();
    p.zp = rng.zp();
    return p;
  }
}

TEST(QuantKernels, PoolsRandom) {
  Rng rng(30);
  Coverage cov;
  for (int t = 0; t < 400; ++t) {
    tempo_qpool_params_t p = randomPool(rng);
    const double scale = rng.logUniform(0.01, 0.5);
    pickAct(rng, scale, p.zp, p.act_min, p.act_max);
    const std::vector<int8_t> x = rng.s8(p.batch * p.channels * p.in_h * p.in_w);
    const int32_t yN = p.batch * p.channels * p.out_h * p.out_w;
    std::vector<int8_t> ymax(yN), yavg(yN);
    tempo::max_pool_s8(p, x.data(), ymax.data());
    tempo::average_pool_s8(p, x.data(), yavg.data());
    std::vector<int32_t> mExact(yN), aExact(yN), mNear(yN), aNear(yN);
    for (int32_t nc = 0; nc < p.batch * p.channels; ++nc)
      for (int32_t oh = 0; oh < p.out_h; ++oh)
        for (int32_t ow = 0; ow < p.out_w; ++ow) {
          int32_t best = INT32_MIN, sum = 0, inside = 0, padded = 0;
          double realSum = 0.0;
          for (int32_t kh = 0; kh < p.k_h; ++kh)
            for (int32_t kw = 0; kw < p.k_w; ++kw) {
              const int32_t ih = oh * p.stride_h - p.pad_top + kh * p.dil_h;
              const int32_t iw = ow * p.stride_w - p.pad_left + kw * p.dil_w;
              const bool inH = ih >= 0 && ih < p.in_h,
                         inW = iw >= 0 && iw < p.in_w;
              const bool inPadH = ih >= -p.pad_top && ih < p.in_h + p.pad_bottom;
              const bool inPadW =
                  iw >= -p.pad_left && iw < p.in_w + p.pad_right;
              if (inH && inW) {
                const int32_t v = x[(nc * p.in_h + ih) * p.in_w + iw];
                best = std::max(best, v);
                sum += v;
                realSum += scale * (v - p.zp);
                ++inside;
              }
              if (inPadH && inPadW)
                ++padded;
            }
          const int32_t o = (nc * p.out_h + oh) * p.out_w + ow;
          const int32_t mx = inside ? best : -128;
          mExact[o] = clampI(mx, p.act_min, p.act_max);
          mNear[o] = inside ? quantRef(scale * (best - p.zp), scale, p.zp,
                                       p.act_min, p.act_max)
                            : mExact[o];
          const int32_t count = p.count_include_pad ? padded : inside;
          // Integer: the raw sum (padding counted as zp) / count, rounded
          // half away from zero via exact rationals.
          const int64_t raw = int64_t(sum) + int64_t(count - inside) * p.zp;
          int64_t avg = p.zp;
          if (count > 0) {
            const int64_t mag = (2 * std::abs(raw) + count) / (2 * count);
            avg = raw < 0 ? -mag : mag;
          }
          aExact[o] = clampI(avg, p.act_min, p.act_max);
          aNear[o] = count > 0 ? quantRef(realSum / count, scale, p.zp,
                                          p.act_min, p.act_max)
                               : clampI(p.zp, p.act_min, p.act_max);
        }
    cov.add(aExact, p.act_min, p.act_max);
    ASSERT_TRUE(exactAndNear(ymax, mExact, mNear, 0)) << "max trial " << t;
    ASSERT_TRUE(exactAndNear(yavg, aExact, aNear)) << "avg trial " << t;
  }
}

TEST(QuantKernels, GlobalAveragePoolRandom) {
  Rng rng(31);
  Coverage cov;
  for (int t = 0; t < 300; ++t) {
    tempo_qreduce_params_t p{};
    p.outer = static_cast<int32_t>(rng.range(1, 5));
    p.inner = static_cast<int32_t>(rng.range(1, 300));
    p.in_zp = rng.zp();
    p.out_zp = rng.zp();
    const double si = rng.logUniform(0.01, 0.5);
    const double so = rng.coin() ? si : si * rng.logUniform(0.25, 4.0);
    const Requant r = quantizeMultiplier(si / so);
    p.multiplier = r.m;
    p.shift = r.s;
    pickAct(rng, so, p.out_zp, p.act_min, p.act_max);
    const std::vector<int8_t> x = rng.s8(p.outer * p.inner);
    std::vector<int8_t> y(p.outer);
    tempo::global_average_pool_s8(p, x.data(), y.data());
    std::vector<int32_t> exact(p.outer), near(p.outer);
    for (int32_t o = 0; o < p.outer; ++o) {
      int32_t sum = 0;
      for (int32_t i = 0; i < p.inner; ++i)
        sum += x[o * p.inner + i] - p.in_zp;
      const int32_t acc = refMbqm(sum, r.m, r.s);
      const int64_t mag = (2 * int64_t(std::abs(acc)) + p.inner) / (2 * p.inner);
      exact[o] = clampI((acc < 0 ? -mag : mag) + p.out_zp, p.act_min, p.act_max);
      near[o] = quantRef(si * sum / p.inner, so, p.out_zp, p.act_min, p.act_max);
    }
    cov.add(exact, p.act_min, p.act_max);
    ASSERT_TRUE(exactAndNear(y, exact, near)) << "trial " << t;
  }
}

//===----------------------------------------------------------------------===//
// Concat, requantize, clamp, LUT
//===----------------------------------------------------------------------===//

TEST(QuantKernels, ConcatRandom) {
  Rng rng(40);
  for (int t = 0; t < 200; ++t) {
    const int32_t outer = static_cast<int32_t>(rng.range(1, 4));
    const int32_t inputs = static_cast<int32_t>(rng.range(1, 4));
    std::vector<int32_t> inner(inputs);
    int32_t outInner = 0;
    for (int32_t &v : inner) {
      v = static_cast<int32_t>(rng.range(0, 6));
      outInner += v;
    }
    const double so = rng.logUniform(0.01, 0.5);
    const int32_t ozp = rng.zp();
    std::vector<int8_t> y(outer * outInner, 0x55);
    std::vector<int32_t> exact(y.size()), near(y.size());
    int32_t offset = 0;
    for (int32_t k = 0; k < inputs; ++k) {
      tempo_qconcat_params_t p{};
      p.outer = outer;
      p.in_inner = inner[k];
      p.out_inner = outInner;
      p.offset = offset;
      p.identity = rng.coin();
      p.out_zp = ozp;
      p.in_zp = p.identity ? ozp : rng.zp();
      const double si = p.identity ? so : so * rng.logUniform(0.25, 4.0);
      const Requant r = quantizeMultiplier(si / so);
      p.multiplier = r.m;
      p.shift = r.s;
      const std::vector<int8_t> x = rng.s8(outer * inner[k]);
      tempo::concat_s8(p, x.data(), y.data());
      for (int32_t o = 0; o < outer; ++o)
        for (int32_t i = 0; i < inner[k]; ++i) {
          const int32_t v = x[o * inner[k] + i];
          const size_t at = o * outInner + offset + i;
          exact[at] = p.identity
                          ? v
                          : clampI(int64_t(refMbqm(v - p.in_zp, r.m, r.s)) +
                                       ozp,
                                   -128, 127);
          near[at] = quantRef(si * (v - p.in_zp), so, ozp, -128, 127);
        }
      offset += inner[k];
    }
    ASSERT_TRUE(exactAndNear(y, exact, near)) << "trial " << t;
  }
}

TEST(QuantKernels, RequantizeAndClampRandom) {
  Rng rng(41);
  for (int t = 0; t < 200; ++t) {
    tempo_requant_params_t p{};
    p.size = static_cast<int32_t>(rng.range(1, 200));
    p.in_zp = rng.zp();
    p.out_zp = rng.zp();
    const double si = rng.logUniform(0.01, 0.5);
    const double so = si * rng.logUniform(0.1, 10.0);
    const Requant r = quantizeMultiplier(si / so);
    p.multiplier = r.m;
    p.shift = r.s;
    pickAct(rng, so, p.out_zp, p.act_min, p.act_max);
    std::vector<int8_t> x = rng.s8(p.size), y(p.size);
    tempo::requantize_s8(p, x.data(), y.data());
    std::vector<int32_t> exact(p.size), near(p.size);
    for (int32_t i = 0; i < p.size; ++i) {
      exact[i] = clampI(int64_t(refMbqm(x[i] - p.in_zp, r.m, r.s)) + p.out_zp,
                        p.act_min, p.act_max);
      near[i] = quantRef(si * (x[i] - p.in_zp), so, p.out_zp, p.act_min,
                         p.act_max);
    }
    ASSERT_TRUE(exactAndNear(y, exact, near)) << "trial " << t;
    tempo::requantize_s8(p, x.data(), x.data()); // in place
    ASSERT_EQ(x, y);

    tempo_qclamp_params_t c{p.size, p.act_min, p.act_max};
    std::vector<int8_t> z = rng.s8(p.size), zc(p.size);
    tempo::clamp_s8(c, z.data(), zc.data());
    for (int32_t i = 0; i < p.size; ++i)
      ASSERT_EQ(zc[i], clampI(z[i], p.act_min, p.act_max));
  }
}

double sigmoidF(double v, void *) { return 1.0 / (1.0 + std::exp(-v)); }
double tanhF(double v, void *) { return std::tanh(v); }
double hardSwishF(double v, void *) {
  return v * std::min(1.0, std::max(0.0, v / 6.0 + 0.5));
}

TEST(QuantKernels, LutSigmoidTanhHardSwish) {
  Rng rng(42);
  double (*fns[])(double, void *) = {sigmoidF, tanhF, hardSwishF};
  for (auto fn : fns)
    for (int t = 0; t < 20; ++t) {
      const double si = rng.logUniform(0.01, 0.2);
      const int32_t izp = rng.zp();
      double so;
      int32_t ozp;
      if (fn == sigmoidF) {
        so = 1.0 / 256.0;
        ozp = -128;
      } else if (fn == tanhF) {
        so = 1.0 / 128.0;
        ozp = 0;
      } else {
        so = si * rng.logUniform(0.5, 2.0);
        ozp = rng.zp();
      }
      int8_t lut[256];
      tempo_build_lut_s8(si, izp, so, ozp, fn, nullptr, lut);
      std::vector<int8_t> x(256), y(256);
      for (int32_t i = 0; i < 256; ++i)
        x[i] = static_cast<int8_t>(i - 128);
      tempo_lut_params_t p{256};
      tempo::lut_s8(p, x.data(), lut, y.data());
      std::vector<int32_t> ref(256);
      for (int32_t i = 0; i < 256; ++i)
        ref[i] = quantRef(fn(si * (x[i] - izp), nullptr), so, ozp, -128, 127);
      ASSERT_TRUE(exactAndNear(y, ref, ref, 0));
    }
}

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//
//
// The reference below is TFLite's reference int8 Softmax written out again
// from gemmlowp's definitions, in 128-bit integers: every product is
// refSrdhm, every format change refRdbpot or a saturating shift, and every
// plain addition is checked to stay inside int32 (the kernel's additions are
// plain int32 additions, so an overflow there would be undefined behaviour).

/// a + b, which must fit int32.
int32_t add32(i128 a, i128 b) {
  const i128 s = a + b;
  EXPECT_TRUE(s >= INT32_MIN && s <= INT32_MAX)
      << "int32 overflow in " << static_cast<int64_t>(a) << " + "
      << static_cast<int64_t>(b);
  return sat32(s);
}

/// exp(a) for a <= 0, Q5.26 -> Q0.31.
int32_t refExp(int32_t a) {
  if (a == 0)
    return INT32_MAX;
  const int32_t quarter = 1 << 24;
  const int32_t r = add32(a & (quarter - 1), -quarter);
  const int32_t x = add32(sat32(i128(r) * 32), 1 << 28);
  const int32_t x2 = refSrdhm(x, x), x3 = refSrdhm(x2, x),
                x4 = refSrdhm(x2, x2);
  const int32_t t =
      refRdbpot(add32(refSrdhm(add32(refRdbpot(x4, 2), x3), 715827883), x2), 1);
  int32_t result = add32(1895147668, refSrdhm(1895147668, add32(x, t)));
  const i128 k = i128(r) - a;
  const int32_t mult[7] = {1672461947, 1302514674, 790015084, 290630308,
                           39332535,   720401,     242};
  for (int e = 0; e < 7; ++e)
    if ((k >> (24 + e)) & 1)
      result = refSrdhm(result, mult[e]);
  return result;
}

/// 1 / (1 + a) for a in [0, 1), Q0.31.
int32_t refOneOverOnePlusX(int32_t a) {
  const i128 s = i128(a) + INT32_MAX;
  const int32_t d = static_cast<int32_t>((s + 1) / 2); // s >= 0
  int32_t x = add32(1515870810, refSrdhm(d, -1010580540));
  for (int i = 0; i < 3; ++i) {
    const int32_t e = add32(1 << 29, -i128(refSrdhm(d, x)));
    x = add32(x, sat32(i128(refSrdhm(x, e)) * 4));
  }
  return sat32(i128(x) * 2);
}

/// TFLite's reference_ops::Softmax<int8_t, int8_t> over [outer, n, inner].
std::vector<int32_t> refSoftmax(const tempo_qsoftmax_params_t &p,
                                const std::vector<int8_t> &x) {
  std::vector<int32_t> y(x.size());
  for (int32_t o = 0; o < p.outer; ++o)
    for (int32_t i = 0; i < p.inner; ++i) {
      auto at = [&](int32_t j) { return (o * p.n + j) * p.inner + i; };
      int32_t mx = -128;
      for (int32_t j = 0; j < p.n; ++j)
        mx = std::max<int32_t>(mx, x[at(j)]);
      auto expOf = [&](int32_t d) {
        return refExp(refSrdhm(sat32(i128(d) * (i128(1) << p.input_left_shift)),
                               p.input_multiplier));
      };
      int32_t sum = 0;
      for (int32_t j = 0; j < p.n; ++j)
        if (x[at(j)] - mx >= p.diff_min)
          sum = add32(sum, refRdbpot(expOf(x[at(j)] - mx), 12));
      int headroom = 0;
      while (!((static_cast<uint32_t>(sum) << headroom) & 0x80000000u))
        ++headroom;
      const int bitsOverUnit = 12 - headroom;
      const int32_t recip = refOneOverOnePlusX(
          static_cast<int32_t>((i128(sum) << headroom) - (i128(1) << 31)));
      for (int32_t j = 0; j < p.n; ++j) {
        const int32_t d = x[at(j)] - mx;
        if (d < p.diff_min) {
          y[at(j)] = -128;
          continue;
        }
        // The exact rounding of prod / 2^shift, also past 31 bits.
        const i128 prod = refSrdhm(recip, expOf(d));
        const i128 q = roundHalfAwayPow2(prod, 23 + bitsOverUnit);
        y[at(j)] = clampI(static_cast<int64_t>(q) - 128, -128, 127);
      }
    }
  return y;
}

tempo_qsoftmax_params_t softmaxParams(int32_t outer, int32_t n, int32_t inner,
                                      double scale, double beta) {
  tempo_qsoftmax_params_t p{outer, n, inner, 0, 0, 0};
  EXPECT_EQ(tempo_softmax_s8_scaling(scale, beta, &p.input_multiplier,
                                     &p.input_left_shift, &p.diff_min),
            0)
      << scale;
  return p;
}

/// Float softmax of beta * scale * x over [outer, n, inner], quantized to
/// scale 1/256, zero point -128 (round half away, clamp).
std::vector<int32_t> floatSoftmax(const tempo_qsoftmax_params_t &p,
                                  const std::vector<int8_t> &x, double scale,
                                  double beta) {
  std::vector<int32_t> y(x.size());
  for (int32_t o = 0; o < p.outer; ++o)
    for (int32_t i = 0; i < p.inner; ++i) {
      auto at = [&](int32_t j) { return (o * p.n + j) * p.inner + i; };
      int32_t mx = -128;
      for (int32_t j = 0; j < p.n; ++j)
        mx = std::max<int32_t>(mx, x[at(j)]);
      double s = 0.0;
      for (int32_t j = 0; j < p.n; ++j)
        s += std::exp(beta * scale * (x[at(j)] - mx));
      for (int32_t j = 0; j < p.n; ++j)
        y[at(j)] = quantRef(std::exp(beta * scale * (x[at(j)] - mx)) / s,
                            1.0 / 256.0, -128, -128, 127);
    }
  return y;
}

static_assert(tempo::exp_on_negative_values_q5_26(0) == INT32_MAX, "exp(0)");
static_assert(tempo::count_leading_zeros(1) == 31 &&
                  tempo::count_leading_zeros(0x80000000u) == 0 &&
                  tempo::count_leading_zeros(0) == 32,
              "clz");
static_assert(tempo::rounding_half_sum(-3, 0) == -2 &&
                  tempo::rounding_half_sum(INT32_MAX, INT32_MAX) == INT32_MAX,
              "half sum ties away");

TEST(QuantSoftmax, CountLeadingZeros) {
  for (int32_t b = 0; b < 32; ++b) {
    const uint32_t v = uint32_t(1) << b;
    EXPECT_EQ(tempo::count_leading_zeros(v), 31 - b);
    EXPECT_EQ(tempo::count_leading_zeros(v | (v - 1)), 31 - b);
  }
}

// exp on all of [-1/4, 0) (every Q5.26 value: the polynomial's whole
// domain), and on every multiple of 1/4 down to -32 and its neighbours (the
// barrel shifter): bit-exact with the 128-bit gemmlowp reference (which
// also checks that no int32 addition overflows) and within 2^-22 of exp (the
// 4th-order Taylor series' x^5/120 at x = 1/8 is 2.5e-7 = 2^-22).
TEST(QuantSoftmax, ExpOnNegativeValues) {
  double worst = 0.0;
  auto check = [&](int32_t a) {
    const int32_t got = tempo::exp_on_negative_values_q5_26(a);
    const double want = std::exp(a / 67108864.0) * 2147483648.0;
    worst = std::max(worst, std::fabs(got - want));
    return got;
  };
  for (int32_t a = -(1 << 24); a < 0; ++a) {
    const int32_t got = check(a);
    if (a % 4099 == 0 || a > -5000 || a < -(1 << 24) + 5000) {
      ASSERT_EQ(got, refExp(a)) << a;
    }
  }
  for (int64_t k = 0; k <= 128; ++k)
    for (int32_t off : {-1, 0, 1}) {
      const int64_t a64 = -k * (1 << 24) + off;
      if (a64 > 0 || a64 < INT32_MIN)
        continue;
      const int32_t a = static_cast<int32_t>(a64);
      ASSERT_EQ(check(a), refExp(a)) << a;
    }
  EXPECT_LT(worst, 512.0) << "max |error| in units of 2^-31";
  EXPECT_EQ(tempo::exp_on_negative_values_q5_26(0), INT32_MAX);
  // exp(-1/4), exp(-1), exp(-16) are single constants of the shifter times
  // exp(0) on the polynomial's side: close to round(2^31 exp(-2^e)).
  EXPECT_NEAR(tempo::exp_on_negative_values_q5_26(-(1 << 24)), 1672461947, 512);
  EXPECT_NEAR(tempo::exp_on_negative_values_q5_26(-(1 << 26)), 790015084, 512);
  EXPECT_NEAR(tempo::exp_on_negative_values_q5_26(-(16 << 26)), 242, 2);
  // Very negative: exp(-32) * 2^31 = 0.027, so 0; never negative.
  EXPECT_EQ(tempo::exp_on_negative_values_q5_26(INT32_MIN), 0);
  EXPECT_EQ(tempo::exp_on_negative_values_q5_26(-(31 << 26)), 0);
  // Monotone (non-increasing as a decreases) across the whole range.
  int32_t prev = INT32_MAX;
  for (int64_t a = 0; a >= INT32_MIN; a -= 4093) {
    const int32_t e =
        tempo::exp_on_negative_values_q5_26(static_cast<int32_t>(a));
    ASSERT_LE(e, prev) << a;
    ASSERT_GE(e, 0) << a;
    prev = e;
  }
}

// 1 / (1 + a) over [0, 1) (a stride of 509 plus the ends): bit-exact with
// the reference and within 2^-28 of 1 / (1 + a).
TEST(QuantSoftmax, OneOverOnePlusX) {
  double worst = 0.0;
  auto check = [&](int32_t a) {
    const int32_t got = tempo::one_over_one_plus_x_for_x_in_0_1(a);
    const double want = 2147483648.0 / (1.0 + a / 2147483648.0);
    worst = std::max(worst, std::fabs(got - want));
    ASSERT_EQ(got, refOneOverOnePlusX(a)) << a;
  };
  for (int64_t a = 0; a <= INT32_MAX; a += 509)
    check(static_cast<int32_t>(a));
  for (int32_t a : {0, 1, 2, (1 << 30) - 1, 1 << 30, INT32_MAX - 1, INT32_MAX})
    check(a);
  EXPECT_LT(worst, 8.0) << "max |error| in units of 2^-31";
  // 1 / (1 + 0) saturates to the largest Q0.31 value; 1 / 1.5 = 2/3.
  EXPECT_EQ(tempo::one_over_one_plus_x_for_x_in_0_1(0), INT32_MAX);
  EXPECT_NEAR(tempo::one_over_one_plus_x_for_x_in_0_1(1 << 30), 1431655765, 8);
}

// GetReciprocal: 1 / sum = s * 2^-bits for sums from 1 (2^19 in Q12.19) to
// just below 4096.
TEST(QuantSoftmax, Reciprocal) {
  int32_t bits = -1;
  EXPECT_EQ(tempo::softmax_reciprocal(1 << 19, bits), INT32_MAX);
  EXPECT_EQ(bits, 0);
  // 3.0: 1/3 = (2/3) * 2^-1.
  EXPECT_NEAR(tempo::softmax_reciprocal(3 << 19, bits), 1431655765, 8);
  EXPECT_EQ(bits, 1);
  EXPECT_NEAR(tempo::softmax_reciprocal(INT32_MAX, bits), 1073741824, 8);
  EXPECT_EQ(bits, 11);
  Rng rng(61);
  for (int t = 0; t < 100000; ++t) {
    const int32_t sum = static_cast<int32_t>(rng.range(1 << 19, INT32_MAX));
    const int32_t s = tempo::softmax_reciprocal(sum, bits);
    const double got = s / 2147483648.0 / std::ldexp(1.0, bits);
    const double want = 524288.0 / sum;
    ASSERT_NEAR(got / want, 1.0, 1e-8) << sum;
    ASSERT_GE(bits, 0);
    ASSERT_LE(bits, 11);
  }
}

// PreprocessSoftmaxScaling + CalculateInputRadius, worked by hand:
//  - 1/16: 2^26 / 16 = 2^22 = 0.5 * 2^23: multiplier 2^30, shift 23,
//    radius floor(31 * 2^26 / 2^23) = 248;
//  - 0.1: 0.1 * 2^26 = 6710886.4 = 0.8 * 2^23, round(0.8 * 2^31) =
//    1717986918, shift 23, radius 248;
//  - 2: 2^27, multiplier 2^30, shift 28, radius floor(7.75) = 7;
//  - 64: capped at 2^31 - 1 = (1 - 2^-31) * 2^31: multiplier 2^31 - 1,
//    shift 31, radius 0 (only the row's maxima count);
//  - beta 0.5 on 0.25 is 1/8: 2^23 = 0.5 * 2^24, shift 24, radius 124.
TEST(QuantSoftmax, Scaling) {
  struct Case {
    double scale, beta;
    int32_t m, s, diffMin;
  } cases[] = {{1.0 / 16, 1.0, 1 << 30, 23, -248},
               {0.1, 1.0, 1717986918, 23, -248},
               {2.0, 1.0, 1 << 30, 28, -7},
               {64.0, 1.0, INT32_MAX, 31, 0},
               {0.25, 0.5, 1 << 30, 24, -124}};
  for (const Case &c : cases) {
    int32_t m = -1, s = -1, d = -1;
    ASSERT_EQ(tempo_softmax_s8_scaling(c.scale, c.beta, &m, &s, &d), 0)
        << c.scale;
    EXPECT_EQ(m, c.m) << c.scale;
    EXPECT_EQ(s, c.s) << c.scale;
    EXPECT_EQ(d, c.diffMin) << c.scale;
  }
  // beta * scale * 2^26 must exceed 1.
  int32_t m = -1, s = -1, d = -1;
  EXPECT_EQ(tempo_softmax_s8_scaling(1.0 / 67108864.0, 1.0, &m, &s, &d), -1);
  EXPECT_EQ(m, 0);
  EXPECT_EQ(tempo_softmax_s8_scaling(NAN, 1.0, &m, &s, &d), -1);
  EXPECT_EQ(tempo_softmax_s8_scaling(INFINITY, 1.0, &m, &s, &d), -1);
  EXPECT_EQ(tempo_softmax_s8_scaling(0.1, -1.0, &m, &s, &d), -1);
  // diff_min is the most negative difference d with d * 2^shift >= -31 in
  // Q5.26: the kernel's shift stays inside int32.
  for (double scale : {1e-7, 1e-3, 0.0123, 0.1, 0.5, 1.0, 3.7, 20.0, 40.0}) {
    ASSERT_EQ(tempo_softmax_s8_scaling(scale, 1.0, &m, &s, &d), 0);
    ASSERT_LE(d, 0);
    const i128 pow2 = i128(1) << s, bound = -(i128(31) << 26);
    ASSERT_GE(d * pow2, bound) << scale;
    ASSERT_LT((d - 1) * pow2, bound) << scale;
  }
}

// Every input difference 0..-255 for several input scales: the scaled
// difference's exp is bit-exact with the reference and within 3e-7 of
// exp(scale * d) (2^-22 from exp, the rest from rounding the scale);
// differences below diff_min are only ones whose exp is below 2^-21 (they are
// left out).
TEST(QuantSoftmax, ExpOfAllDifferences) {
  for (double scale : {0.004, 0.0234, 1.0 / 16, 0.1, 0.37, 1.0, 2.0, 9.5}) {
    const tempo_qsoftmax_params_t p = softmaxParams(1, 1, 1, scale, 1.0);
    for (int32_t d = 0; d >= -255; --d) {
      if (d < p.diff_min) {
        EXPECT_LT(std::exp(scale * d), std::ldexp(1.0, -21)) << scale;
        continue;
      }
      const int32_t z = tempo::saturating_rounding_doubling_high_mul(
          tempo::saturating_left_shift(d, p.input_left_shift),
          p.input_multiplier);
      const int32_t e = tempo::exp_on_negative_values_q5_26(z);
      ASSERT_EQ(e, refExp(z)) << scale << " " << d;
      EXPECT_NEAR(e / 2147483648.0, std::exp(scale * d), 3e-7)
          << scale << " " << d;
    }
  }
}

// Worked by hand (scale 1/16, so an input step is exp(-1/16)):
//  - one element: 1 -> 128 -> clamped to 127;
//  - two equal: 1/2 -> 128 - 128 = 0;
//  - three equal: 1/3 -> round(85.33) - 128 = -43;
//  - four equal: -64;
//  - {0, -16}: 1 / (1 + e^-1) = 0.7311 -> 187.2 -> 59; e^-1 / (1 + e^-1)
//    = 0.2689 -> 68.8 -> -59;
//  - scale 2 (diff_min -7): {0, -7, -8}: the -8 is cut off (-128) and adds
//    nothing; e^-14 -> 0.0002 -> -128; the maximum 127.
TEST(QuantSoftmax, HandWorked) {
  struct Case {
    double scale;
    std::vector<int8_t> x;
    std::vector<int32_t> y;
  } cases[] = {{1.0 / 16, {5}, {127}},
               {1.0 / 16, {-7, -7}, {0, 0}},
               {1.0 / 16, {3, 3, 3}, {-43, -43, -43}},
               {1.0 / 16, {-128, -128, -128, -128}, {-64, -64, -64, -64}},
               {1.0 / 16, {100, 84}, {59, -59}},
               {2.0, {0, -7, -8}, {127, -128, -128}}};
  for (const Case &c : cases) {
    const int32_t n = static_cast<int32_t>(c.x.size());
    const tempo_qsoftmax_params_t p = softmaxParams(1, n, 1, c.scale, 1.0);
    std::vector<int8_t> y(c.x.size());
    tempo::softmax_s8(p, c.x.data(), y.data());
    EXPECT_EQ(std::vector<int32_t>(y.begin(), y.end()), c.y) << c.scale;
    EXPECT_EQ(refSoftmax(p, c.x), c.y) << c.scale;
  }
}

// TensorFlow Lite Micro's softmax_test golden (input 1..5 at scale 0.1, so
// the int8 inputs 10..50; float softmax 0.01166 0.03168 0.08613 0.23412
// 0.63641), which TFLM checks within 1 LSB.
TEST(QuantSoftmax, TfliteMicroGolden) {
  const std::vector<int8_t> x = {10, 20, 30, 40, 50};
  const double golden[] = {0.011656231, 0.031684921, 0.086128544, 0.234121657,
                           0.636408647};
  const tempo_qsoftmax_params_t p = softmaxParams(1, 5, 1, 0.1, 1.0);
  std::vector<int8_t> y(5);
  tempo::softmax_s8(p, x.data(), y.data());
  for (int j = 0; j < 5; ++j)
    EXPECT_NEAR(y[j], quantRef(golden[j], 1.0 / 256, -128, -128, 127), 1) << j;
  EXPECT_EQ(std::vector<int32_t>(y.begin(), y.end()), refSoftmax(p, x));
}

// Random shapes, scales (including the capped multiplier above 32) and
// betas: bit-exact with the reference, within 1 LSB of the float softmax,
// in place too.
TEST(QuantSoftmax, Random) {
  Rng rng(50);
  Coverage coverage; // enough outputs strictly between -128 and 127
  int64_t offByOne = 0, total = 0;
  for (int t = 0; t < 400; ++t) {
    const double scale = rng.logUniform(0.002, 50.0);
    const double beta = rng.coin() ? 1.0 : rng.logUniform(0.5, 2.0);
    const int32_t n = static_cast<int32_t>(
        rng.range(0, 9) == 0 ? rng.range(200, 700) : rng.range(1, 40));
    const tempo_qsoftmax_params_t p =
        softmaxParams(static_cast<int32_t>(rng.range(1, 3)), n,
                      static_cast<int32_t>(rng.range(1, 3)), scale, beta);
    const int32_t size = p.outer * p.n * p.inner;
    // Narrow ranges too, so that many elements are near the maximum.
    const int32_t lo = static_cast<int32_t>(rng.range(-128, 120));
    std::vector<int8_t> x = rng.s8(size, lo, 127), y(size);
    tempo::softmax_s8(p, x.data(), y.data());
    const std::vector<int32_t> exact = refSoftmax(p, x);
    const std::vector<int32_t> near = floatSoftmax(p, x, scale, beta);
    coverage.add(exact, -128, 127);
    ASSERT_TRUE(exactAndNear(y, exact, near))
        << "trial " << t << " scale " << scale << " beta " << beta;
    for (int32_t i = 0; i < size; ++i) {
      offByOne += y[i] != near[i];
      ++total;
    }
    tempo::softmax_s8(p, x.data(), x.data()); // in place
    ASSERT_EQ(x, y);
  }
  // The fixed-point error (about 1e-4 LSB) moves an output only where the
  // float value is within that of a rounding tie: under 0.1% of them (none
  // in these 84,345).
  EXPECT_LT(offByOne * 1000, total) << offByOne << " of " << total;
}

// Long rows: 4095 equal elements (the longest allowed, the sum is 4095 *
// 2^19 < 2^31) and 600 equal elements (S >= 512: the final shift passes 31
// bits, every output rounds to 0, i.e. -128); 300 equal elements give
// 256 / 300 = 0.85 -> -127.
TEST(QuantSoftmax, LongRows) {
  for (int32_t n : {300, 511, 512, 600, 4095}) {
    const tempo_qsoftmax_params_t p = softmaxParams(1, n, 1, 0.05, 1.0);
    std::vector<int8_t> x(n, 17), y(n);
    tempo::softmax_s8(p, x.data(), y.data());
    const std::vector<int32_t> want = refSoftmax(p, x);
    EXPECT_EQ(std::vector<int32_t>(y.begin(), y.end()), want) << n;
    EXPECT_EQ(want[0], n < 512 ? -127 : -128) << n;
  }
}

//===----------------------------------------------------------------------===//
// Quantize / dequantize (float edges)
//===----------------------------------------------------------------------===//

TEST(QuantKernels, QuantizeDequantize) {
  const float in[] = {2.5f,  -2.5f,  3.5f,     -3.5f,    0.5f,  -0.5f, 1.5f,
                      126.5f, 127.5f, -128.5f, -129.5f, 1e30f, -1e30f, NAN,
                      INFINITY, -INFINITY, 0.49999997f, -0.0f};
  const int32_t want[] = {2,   -2,   4,    -4,   0,    0,    2,    126, 127,
                          -128, -128, 127, -128, 0,   127, -128, 0,   0};
  const int32_t n = sizeof(in) / sizeof(in[0]);
  tempo_quantize_params_t p{n, 1.0f, 0, 0, 0};
  int8_t y[n];
  tempo::quantize_s8(p, in, y);
  for (int32_t i = 0; i < n; ++i)
    EXPECT_EQ(y[i], want[i]) << "input " << in[i];
  // Scale and zero point: x / 0.5 + 10, ties to even.
  tempo_quantize_params_t q{3, 0.5f, 10, 0, 0};
  const float in2[] = {0.25f, 0.75f, -0.25f};
  int8_t y2[3];
  tempo::quantize_s8(q, in2, y2);
  EXPECT_EQ(y2[0], 10); // 0.5 -> 0
  EXPECT_EQ(y2[1], 12); // 1.5 -> 2
  EXPECT_EQ(y2[2], 10); // -0.5 -> 0

  Rng rng(60);
  for (int t = 0; t < 100; ++t) {
    tempo_quantize_params_t r{64, static_cast<float>(rng.logUniform(0.001, 1)),
                              rng.zp(), 0, 0};
    std::vector<float> x(64);
    for (float &v : x)
      v = static_cast<float>((rng.unit() * 2 - 1) * 300 * r.scale);
    std::vector<int8_t> q8(64);
    tempo::quantize_s8(r, x.data(), q8.data());
    std::vector<float> back(64);
    tempo::dequantize_s8(r, q8.data(), back.data());
    for (int32_t i = 0; i < 64; ++i) {
      const float d = x[i] / r.scale;
      const int32_t ref =
          clampI(static_cast<int64_t>(std::nearbyint(d)) + r.zp, -128, 127);
      ASSERT_EQ(q8[i], ref);
      ASSERT_EQ(back[i], static_cast<float>(ref - r.zp) * r.scale);
    }
  }
}

//===----------------------------------------------------------------------===//
// Integer LSTM primitives
//===----------------------------------------------------------------------===//

/// The Q3.12 value sigmoid_q15 / tanh_q15 see for input x.
int64_t refToQ312(int32_t x, int32_t leftShift) {
  if (leftShift > 0)
    return std::min<int64_t>(32767,
                             std::max<int64_t>(-32768, int64_t(x) * (int64_t(1) << leftShift)));
  if (leftShift < 0)
    return refRdbpot(x, -leftShift);
  return x;
}

/// Integer references of sigmoid_q15 / tanh_q15 (interpolation written with
/// / and % instead of shifts and masks).
int32_t refSigmoidQ15(int64_t v, const uint16_t *sig) {
  const int64_t a = std::min<int64_t>(std::abs(v), 32767);
  const int64_t si = a / 64, sf = a % 64;
  const int64_t s = sig[si] * 64 + (int64_t(sig[si + 1]) - sig[si]) * sf;
  return static_cast<int32_t>(v >= 0 ? std::min<int64_t>(32767, (s + 64) / 128)
                                     : ((int64_t(1) << 22) - s + 64) / 128);
}
int32_t refTanhQ15(int64_t v, const uint16_t *th) {
  const int64_t a = std::min<int64_t>(std::abs(v), 32767);
  const int64_t ti = a / 32, tf = a % 32;
  const int64_t tt = th[ti] * 32 + (int64_t(th[ti + 1]) - th[ti]) * tf;
  const int64_t tr = std::min<int64_t>(32767, (tt + 32) / 64);
  return static_cast<int32_t>(v >= 0 ? tr : -tr);
}

TEST(QuantLstm, SigmoidTanhQ15Exhaustive) {
  uint16_t sig[TEMPO_SIGMOID_Q15_TABLE_SIZE], th[TEMPO_TANH_Q15_TABLE_SIZE];
  tempo_build_sigmoid_q15_table(sig);
  tempo_build_tanh_q15_table(th);
  for (int32_t shiftSel = -1; shiftSel <= 1; ++shiftSel) {
    std::vector<int16_t> x(65536), ys(65536), yt(65536);
    for (int32_t i = 0; i < 65536; ++i)
      x[i] = static_cast<int16_t>(i - 32768);
    tempo_q15_act_params_t p{65536, shiftSel};
    tempo::sigmoid_q15(p, x.data(), sig, ys.data());
    tempo::tanh_q15(p, x.data(), th, yt.data());
    int32_t worstS = 0, worstT = 0;
    for (int32_t i = 0; i < 65536; ++i) {
      // Q3.12 input as the kernel sees it.
      const int64_t v = refToQ312(x[i], shiftSel);
      ASSERT_EQ(ys[i], refSigmoidQ15(v, sig)) << "sigmoid x=" << x[i];
      ASSERT_EQ(yt[i], refTanhQ15(v, th)) << "tanh x=" << x[i];
      // Float reference (of the Q3.12 value the kernel sees).
      const double real = static_cast<double>(v) / 4096.0;
      const int32_t fs = clampI(
          static_cast<int64_t>(std::round(32768.0 / (1.0 + std::exp(-real)))),
          0, 32767);
      const int32_t ft = clampI(
          static_cast<int64_t>(std::round(32768.0 * std::tanh(real))), -32767,
          32767);
      worstS = std::max(worstS, std::abs(ys[i] - fs));
      worstT = std::max(worstT, std::abs(yt[i] - ft));
    }
    EXPECT_LE(worstS, 1) << "shift " << shiftSel;
    EXPECT_LE(worstT, 1) << "shift " << shiftSel;
  }
}

TEST(QuantLstm, Int16Elementwise) {
  Rng rng(70);
  for (int t = 0; t < 200; ++t) {
    const int32_t n = static_cast<int32_t>(rng.range(1, 64));
    std::vector<int16_t> a(n), b(n);
    for (int32_t i = 0; i < n; ++i) {
      a[i] = static_cast<int16_t>(rng.coin() ? rng.range(-32768, 32767)
                                             : (rng.coin() ? -32768 : 32767));
      b[i] = static_cast<int16_t>(rng.range(-32768, 32767));
    }
    tempo_mul_s16_params_t mp{n, static_cast<int32_t>(rng.range(0, 31))};
    std::vector<int16_t> ym(n), ya(n);
    tempo::mul_s16(mp, a.data(), b.data(), ym.data());
    tempo_add_s16_params_t ap{n};
    tempo::add_s16(ap, a.data(), b.data(), ya.data());
    tempo_mul_s16_s8_params_t hp{};
    hp.size = n;
    hp.out_zp = rng.zp();
    const double hs = rng.logUniform(0.004, 0.05);
    const Requant r = quantizeMultiplier(std::ldexp(1.0, -30) / hs);
    hp.multiplier = r.m;
    hp.shift = r.s;
    hp.act_min = -128;
    hp.act_max = 127;
    std::vector<int8_t> yh(n);
    tempo::mul_s16_s8(hp, a.data(), b.data(), yh.data());
    std::vector<int32_t> exact(n), near(n);
    for (int32_t i = 0; i < n; ++i) {
      const int32_t prod = int32_t(a[i]) * b[i];
      ASSERT_EQ(ym[i], clampI(refRdbpot(prod, mp.shift), -32768, 32767));
      ASSERT_EQ(ya[i], clampI(int64_t(a[i]) + b[i], -32768, 32767));
      exact[i] = clampI(int64_t(refMbqm(prod, r.m, r.s)) + hp.out_zp, -128, 127);
      near[i] = quantRef(std::ldexp(double(prod), -30), hs, hp.out_zp, -128, 127);
    }
    ASSERT_TRUE(exactAndNear(yh, exact, near)) << "trial " << t;
  }
}

TEST(QuantLstm, LstmRandom) {
  Rng rng(80);
  uint16_t sig[TEMPO_SIGMOID_Q15_TABLE_SIZE], th[TEMPO_TANH_Q15_TABLE_SIZE];
  tempo_build_sigmoid_q15_table(sig);
  tempo_build_tanh_q15_table(th);
  int32_t worst = 0;
  for (int t = 0; t < 60; ++t) {
    tempo_qlstm_params_t p{};
    p.seq_len = static_cast<int32_t>(rng.range(1, 6));
    p.batch = static_cast<int32_t>(rng.range(1, 2));
    p.input_size = static_cast<int32_t>(rng.range(1, 9));
    p.hidden_size = static_cast<int32_t>(rng.range(1, 8));
    p.x_zp = rng.zp();
    p.h_zp = static_cast<int32_t>(rng.range(-5, 5));
    p.cell_frac_bits = 11;
    p.has_initial_h = rng.coin();
    p.has_initial_c = rng.coin();
    p.want_y = p.want_y_h = p.want_y_c = 1;
    const int32_t S = p.seq_len, B = p.batch, I = p.input_size,
                  H = p.hidden_size, F = p.cell_frac_bits;
    const double xs = rng.logUniform(0.01, 0.05), hs = 1.0 / 128.0;
    const Requant hq = quantizeMultiplier(std::ldexp(1.0, -30) / hs);
    p.hidden_multiplier = hq.m;
    p.hidden_shift = hq.s;
    std::vector<double> ws(4 * H), rs(4 * H);
    std::vector<int32_t> wm(4 * H), wsh(4 * H), rm(4 * H), rsh(4 * H),
        bias(4 * H);
    for (int32_t r = 0; r < 4 * H; ++r) {
      ws[r] = rng.logUniform(0.2, 1.0) / 127.0;
      rs[r] = rng.logUniform(0.2, 1.0) / 127.0;
      Requant q = quantizeMultiplier(xs * ws[r] * 4096.0);
      wm[r] = q.m;
      wsh[r] = q.s;
      q = quantizeMultiplier(hs * rs[r] * 4096.0);
      rm[r] = q.m;
      rsh[r] = q.s;
      bias[r] = static_cast<int32_t>(
          std::round((rng.unit() - 0.5) / (xs * ws[r])));
    }
    const std::vector<int8_t> w = rng.s8(4 * H * I, -127, 127);
    const std::vector<int8_t> r = rng.s8(4 * H * H, -127, 127);
    const std::vector<int8_t> x = rng.s8(S * B * I);
    const std::vector<int8_t> h0 = rng.s8(B * H, -100, 100);
    std::vector<int16_t> c0(B * H);
    for (int16_t &v : c0)
      v = static_cast<int16_t>(rng.range(-(3 << F), 3 << F));
    const tempo_qlstm_weights_t wt{w.data(),  r.data(),  bias.data(),
                                   wm.data(), wsh.data(), rm.data(),
                                   rsh.data(), sig,       th,
                                   nullptr};
    std::vector<int16_t> scratch((tempo_qlstm_scratch_size(&p) + 1) / 2);
    std::vector<int8_t> y(S * B * H), yh(B * H);
    std::vector<int16_t> yc(B * H);
    tempo::lstm_s8(p, wt, x.data(), h0.data(), c0.data(), scratch.data(),
                   y.data(), yh.data(), yc.data());

    // Integer reference and float reference (h quantized each step, as the
    // int8 hidden state is).
    std::vector<int32_t> exact(S * B * H), near(S * B * H);
    for (int32_t b = 0; b < B; ++b) {
      std::vector<int32_t> h(H), c(H);
      std::vector<double> fh(H), fc(H);
      for (int32_t j = 0; j < H; ++j) {
        h[j] = p.has_initial_h ? h0[b * H + j] : p.h_zp;
        c[j] = p.has_initial_c ? c0[b * H + j] : 0;
        fh[j] = hs * (h[j] - p.h_zp);
        fc[j] = std::ldexp(double(c[j]), -F);
      }
      for (int32_t step = 0; step < S; ++step) {
        std::vector<int32_t> pre(4 * H);
        std::vector<double> fpre(4 * H);
        for (int32_t row = 0; row < 4 * H; ++row) {
          int64_t ax = bias[row], ah = 0;
          double fx = bias[row] * xs * ws[row], fhh = 0.0;
          for (int32_t k = 0; k < I; ++k) {
            const int32_t xv = x[(step * B + b) * I + k] - p.x_zp;
            ax += int64_t(xv) * w[row * I + k];
            fx += xs * xv * ws[row] * w[row * I + k];
          }
          for (int32_t k = 0; k < H; ++k) {
            ah += int64_t(h[k] - p.h_zp) * r[row * H + k];
            fhh += fh[k] * rs[row] * r[row * H + k];
          }
          const int64_t gx = clampI(refMbqm(int32_t(ax), wm[row], wsh[row]),
                                    -32768, 32767);
          const int64_t gh = clampI(refMbqm(int32_t(ah), rm[row], rsh[row]),
                                    -32768, 32767);
          pre[row] = clampI(gx + gh, -32768, 32767);
          fpre[row] = fx + fhh;
        }
        auto fsig = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
        for (int32_t j = 0; j < H; ++j) {
          const int32_t ig = refSigmoidQ15(pre[j], sig);
          const int32_t og = refSigmoidQ15(pre[H + j], sig);
          const int32_t fg = refSigmoidQ15(pre[2 * H + j], sig);
          const int32_t gg = refTanhQ15(pre[3 * H + j], th);
          c[j] = clampI(int64_t(refRdbpot(fg * c[j], 15)) +
                            refRdbpot(ig * gg, 30 - F),
                        -32768, 32767);
          const int32_t tc = refTanhQ15(refToQ312(c[j], 12 - F), th);
          h[j] = clampI(int64_t(refMbqm(og * tc, hq.m, hq.s)) + p.h_zp, -128,
                        127);
          exact[(step * B + b) * H + j] = h[j];
          // Float: gate inputs clamp to Q3.12's range as the int16 ones do.
          auto c8 = [](double v) { return std::min(8.0, std::max(-8.0, v)); };
          fc[j] = fsig(c8(fpre[2 * H + j])) * fc[j] +
                  fsig(c8(fpre[j])) * std::tanh(c8(fpre[3 * H + j]));
          const int32_t fq = quantRef(fsig(c8(fpre[H + j])) * std::tanh(fc[j]),
                                      hs, p.h_zp, -128, 127);
          near[(step * B + b) * H + j] = fq;
        }
        for (int32_t j = 0; j < H; ++j)
          fh[j] = hs * (near[(step * B + b) * H + j] - p.h_zp);
      }
      for (int32_t j = 0; j < H; ++j) {
        ASSERT_EQ(yh[b * H + j], h[j]);
        ASSERT_EQ(yc[b * H + j], c[j]);
      }
    }
    for (size_t i = 0; i < y.size(); ++i)
      worst = std::max(worst, std::abs(y[i] - near[i]));
    ASSERT_TRUE(exactAndNear(y, exact, exact, 0)) << "trial " << t;
  }
  // Against the float LSTM (fed its own quantized h) over up to 6 steps:
  // measured 1 LSB; 2 leaves room for a flip propagating through h.
  EXPECT_LE(worst, 2);
  std::printf("lstm_s8: worst |int - float| = %d LSB\n", worst);
}

} // namespace
