//===- MixedTest.cpp - Unit tests for tempo/mixed.h -----------------------===//
//
// The mixed-precision kernels against references written here from their
// documented definitions:
//  - the int8-weight (*_w8) kernels bit-exact against plain float loops in
//    the documented order (so the blocked four-output paths and the in-place
//    shapes give the same bits), and within a relative 1e-5 of a double
//    reference on the dequantized weights;
//  - the 16x8 (*_a16) kernels bit-exact against integer references (the
//    64-bit multiply_by_quantized_multiplier against a 128-bit one, explicit
//    multi-index loops), and conv / fully connected within 1 LSB of a double
//    reference on the dequantized tensors.
// Random shapes and parameters from a fixed-seed generator.
//
//===----------------------------------------------------------------------===//

#include "tempo/mixed.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

static_assert(tempo::multiply_by_quantized_multiplier_64(1000, 1 << 30, 1) ==
                  1000,
              "identity multiplier");
static_assert(tempo::multiply_by_quantized_multiplier_64(-3, 1 << 30, 0) == -1,
              "-1.5 rounds half up to -1");
static_assert(tempo::multiply_by_quantized_multiplier_64(3, 1 << 30, 0) == 2,
              "1.5 rounds half up to 2");

namespace {

using i128 = __int128;

struct Rng {
  uint64_t s = 0x9E3779B97F4A7C15ull;
  uint32_t next() {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(s >> 33);
  }
  int32_t range(int32_t lo, int32_t hi) { // inclusive
    return lo + static_cast<int32_t>(next() % uint32_t(hi - lo + 1));
  }
  float uniform(float lo, float hi) {
    return lo + (hi - lo) * float(next() & 0xFFFFFF) / float(0x1000000);
  }
};

/// floor((x * m' + 2^(t-1)) / 2^t) in 128 bits, m' and t as documented.
int64_t mbqm64Reference(int64_t x, int32_t multiplier, int32_t shift) {
  i128 m = multiplier < 0x7FFF0000 ? (i128(multiplier) + (1 << 15)) >> 16
                                   : i128(0x7FFF);
  int t = 15 - shift;
  i128 v = i128(x) * m + (i128(1) << (t - 1));
  i128 d = i128(1) << t;
  i128 q = v / d;
  if (v % d != 0 && v < 0)
    q -= 1; // floor
  return static_cast<int64_t>(q);
}

TEST(Mixed, MultiplyByQuantizedMultiplier64MatchesWideReference) {
  Rng r;
  const int64_t edges[] = {0, 1, -1, 2, -2, (int64_t(1) << 47) - 1,
                           -(int64_t(1) << 47) + 1, 123456789, -123456789};
  const int32_t mults[] = {1 << 30, (1 << 30) + 1, 0x7FFEFFFF, 0x7FFF0000,
                           INT32_MAX, 1518500250};
  for (int32_t shift = -31; shift <= 7; ++shift)
    for (int64_t x : edges)
      for (int32_t m : mults)
        EXPECT_EQ(tempo::multiply_by_quantized_multiplier_64(x, m, shift),
                  mbqm64Reference(x, m, shift))
            << x << " " << m << " " << shift;
  for (int i = 0; i < 20000; ++i) {
    int64_t x = (int64_t(r.next()) << 15 ^ r.next()) % (int64_t(1) << 47);
    if (r.next() & 1)
      x = -x;
    int32_t m = (1 << 30) + int32_t(r.next() % (1u << 30));
    int32_t shift = r.range(-31, 7);
    ASSERT_EQ(tempo::multiply_by_quantized_multiplier_64(x, m, shift),
              mbqm64Reference(x, m, shift))
        << x << " " << m << " " << shift;
  }
}

//===----------------------------------------------------------------------===//
// int8 weights, float compute
//===----------------------------------------------------------------------===//

float activateRef(const tempo_activation_params_t &a, float v) {
  if (a.kind == TEMPO_ACT_RELU)
    return v < 0 ? 0.0f : v;
  if (a.kind == TEMPO_ACT_CLIP)
    return v < a.lo ? a.lo : (v > a.hi ? a.hi : v);
  return v;
}

struct ConvCase {
  tempo_conv_params_t p{};
  std::vector<float> x, b, scale;
  std::vector<int8_t> w;
};

ConvCase randomConv(Rng &r, bool twoD) {
  ConvCase c;
  tempo_conv_params_t &p = c.p;
  p.batch = r.range(1, 2);
  p.groups = r.range(1, 3);
  int32_t icg = r.range(1, 3), ocg = r.range(1, 3);
  if (r.next() % 4 == 0) { // depthwise
    icg = 1;
    ocg = 1;
    p.groups = r.range(2, 5);
  }
  p.in_c = icg * p.groups;
  p.out_c = ocg * p.groups;
  p.in_h = twoD ? r.range(1, 7) : 1;
  p.in_w = r.range(1, 19);
  p.k_h = twoD ? r.range(1, 3) : 1;
  p.k_w = r.range(1, 5);
  p.stride_h = twoD ? r.range(1, 2) : 1;
  p.stride_w = r.range(1, 3);
  p.dil_h = twoD ? r.range(1, 2) : 1;
  p.dil_w = r.range(1, 2);
  p.pad_top = twoD ? r.range(0, 2) : 0;
  p.pad_left = r.range(0, 2);
  int32_t padBottom = twoD ? r.range(0, 2) : 0, padRight = r.range(0, 2);
  auto out = [](int32_t in, int32_t k, int32_t s, int32_t d, int32_t pb,
                int32_t pe) { return (in + pb + pe - d * (k - 1) - 1) / s + 1; };
  p.out_h = out(p.in_h, p.k_h, p.stride_h, p.dil_h, p.pad_top, padBottom);
  p.out_w = out(p.in_w, p.k_w, p.stride_w, p.dil_w, p.pad_left, padRight);
  if (p.out_h < 1 || p.out_w < 1)
    return randomConv(r, twoD);
  p.has_bias = r.next() & 1;
  p.act.kind = r.next() % 3 == 0 ? TEMPO_ACT_RELU : TEMPO_ACT_NONE;
  c.x.resize(size_t(p.batch) * p.in_c * p.in_h * p.in_w);
  for (float &v : c.x)
    v = r.uniform(-2, 2);
  c.w.resize(size_t(p.out_c) * icg * p.k_h * p.k_w);
  for (int8_t &v : c.w)
    v = static_cast<int8_t>(r.range(-127, 127));
  for (int32_t o = 0; o < p.out_c; ++o) {
    c.b.push_back(r.uniform(-1, 1));
    c.scale.push_back(r.uniform(0.001f, 0.02f));
  }
  return c;
}

/// conv_w8's documented result in plain loops: taps in (ic, kh, kw) order,
/// the float sum from +0, then times scale, plus bias, then act.
std::vector<float> convW8Reference(const ConvCase &c, std::vector<double> *exact) {
  const tempo_conv_params_t &p = c.p;
  int32_t icg = p.in_c / p.groups, ocg = p.out_c / p.groups;
  std::vector<float> y;
  for (int32_t n = 0; n < p.batch; ++n)
    for (int32_t oc = 0; oc < p.out_c; ++oc)
      for (int32_t oh = 0; oh < p.out_h; ++oh)
        for (int32_t ow = 0; ow < p.out_w; ++ow) {
          float acc = 0.0f;
          double d = 0.0;
          for (int32_t ic = 0; ic < icg; ++ic)
            for (int32_t kh = 0; kh < p.k_h; ++kh)
              for (int32_t kw = 0; kw < p.k_w; ++kw) {
                int32_t ih = oh * p.stride_h - p.pad_top + kh * p.dil_h;
                int32_t iw = ow * p.stride_w - p.pad_left + kw * p.dil_w;
                if (ih < 0 || ih >= p.in_h || iw < 0 || iw >= p.in_w)
                  continue;
                int32_t cin = (oc / ocg) * icg + ic;
                float xv = c.x[((size_t(n) * p.in_c + cin) * p.in_h + ih) * p.in_w + iw];
                int8_t wv = c.w[((size_t(oc) * icg + ic) * p.k_h + kh) * p.k_w + kw];
                acc += xv * float(wv);
                d += double(xv) * (double(wv) * c.scale[oc]);
              }
          float v = acc * c.scale[oc];
          if (p.has_bias) {
            v += c.b[oc];
            d += c.b[oc];
          }
          y.push_back(activateRef(p.act, v));
          if (exact)
            exact->push_back(p.act.kind == TEMPO_ACT_RELU ? std::max(d, 0.0) : d);
        }
  return y;
}

TEST(Mixed, ConvW8MatchesDocumentedOrderAndDouble) {
  Rng r;
  for (int i = 0; i < 400; ++i) {
    ConvCase c = randomConv(r, i % 2 == 1);
    std::vector<double> exact;
    std::vector<float> want = convW8Reference(c, &exact);
    std::vector<float> got(want.size(), -7.0f);
    tempo::conv_w8(c.p, c.x.data(), c.w.data(), c.b.data(), c.scale.data(),
                   got.data());
    ASSERT_EQ(got, want) << "case " << i;
    for (size_t k = 0; k < got.size(); ++k)
      ASSERT_NEAR(got[k], exact[k], 1e-5 * (1 + std::fabs(exact[k])));
  }
}

TEST(Mixed, ConvW8FusedPoolReducesTheConvOutputs) {
  Rng r;
  for (int i = 0; i < 100; ++i) {
    ConvCase c = randomConv(r, i % 2 == 1);
    tempo_conv_params_t &p = c.p;
    p.pool_h = p.out_h >= 2 && (i % 2) ? 2 : 1;
    p.pool_w = p.out_w >= 2 ? 2 : 1;
    p.pooled_h = p.out_h / p.pool_h;
    p.pooled_w = p.out_w / p.pool_w;
    p.pool = i % 3 ? TEMPO_POOL_MAX : TEMPO_POOL_AVERAGE;
    std::vector<float> full = convW8Reference(c, nullptr);
    std::vector<float> got(size_t(p.batch) * p.out_c * p.pooled_h * p.pooled_w);
    tempo::conv_w8(p, c.x.data(), c.w.data(), c.b.data(), c.scale.data(),
                   got.data());
    size_t k = 0;
    for (int32_t nc = 0; nc < p.batch * p.out_c; ++nc)
      for (int32_t ph = 0; ph < p.pooled_h; ++ph)
        for (int32_t pw = 0; pw < p.pooled_w; ++pw) {
          // Window order of tempo::conv: row by row.
          float v = 0.0f;
          for (int32_t dh = 0; dh < p.pool_h; ++dh)
            for (int32_t dw = 0; dw < p.pool_w; ++dw) {
              float a = full[(size_t(nc) * p.out_h + ph * p.pool_h + dh) * p.out_w +
                             pw * p.pool_w + dw];
              bool first = dh == 0 && dw == 0;
              v = p.pool == TEMPO_POOL_MAX ? (first || a > v ? a : v)
                                           : (first ? a : v + a);
            }
          if (p.pool == TEMPO_POOL_AVERAGE)
            v = v / float(p.pool_h * p.pool_w);
          ASSERT_EQ(got[k++], v) << "case " << i;
        }
  }
}

TEST(Mixed, ConvW8InPlaceShapesMatchOutOfPlace) {
  Rng r;
  for (int i = 0; i < 60; ++i) {
    ConvCase c;
    tempo_conv_params_t &p = c.p;
    p.batch = 1;
    p.in_h = p.out_h = 1;
    p.in_w = p.out_w = r.range(1, 20);
    p.stride_h = p.stride_w = p.dil_h = p.dil_w = 1;
    p.k_h = 1;
    p.has_bias = r.next() & 1;
    p.act.kind = TEMPO_ACT_RELU;
    if (i % 2) { // pointwise, out_c <= in_c
      p.in_c = r.range(1, 8);
      p.out_c = r.range(1, p.in_c);
      p.groups = 1;
      p.k_w = 1;
    } else { // 1-D depthwise, same width
      p.in_c = p.out_c = p.groups = r.range(1, 6);
      p.k_w = 2 * r.range(0, 3) + 1;
      p.pad_left = p.k_w / 2;
    }
    c.x.resize(size_t(p.in_c) * p.in_w);
    for (float &v : c.x)
      v = r.uniform(-2, 2);
    c.w.resize(size_t(p.out_c) * (p.in_c / p.groups) * p.k_w);
    for (int8_t &v : c.w)
      v = static_cast<int8_t>(r.range(-127, 127));
    for (int32_t o = 0; o < p.out_c; ++o) {
      c.b.push_back(r.uniform(-1, 1));
      c.scale.push_back(r.uniform(0.001f, 0.02f));
    }
    std::vector<float> want(size_t(p.out_c) * p.out_w);
    tempo::conv_w8(p, c.x.data(), c.w.data(), c.b.data(), c.scale.data(),
                   want.data());
    std::vector<float> xy = c.x;
    tempo::conv_w8(p, xy.data(), c.w.data(), c.b.data(), c.scale.data(),
                   xy.data());
    xy.resize(want.size());
    ASSERT_EQ(xy, want) << "case " << i;
  }
}

TEST(Mixed, GemmW8MatchesDocumentedOrder) {
  Rng r;
  for (int i = 0; i < 300; ++i) {
    tempo_gemm_params_t p{};
    p.m = r.range(1, 4);
    p.n = r.range(1, 11);
    p.k = r.range(1, 17);
    p.trans_a = r.next() & 1;
    p.trans_b = r.next() & 1;
    p.alpha = i % 3 ? 1.0f : r.uniform(0.5f, 2.0f);
    p.beta = i % 4 ? 1.0f : r.uniform(0.5f, 2.0f);
    p.has_c = r.next() & 1;
    p.c_rows = r.next() & 1 ? p.m : 1;
    p.c_cols = r.next() & 1 ? p.n : 1;
    p.act.kind = i % 2 ? TEMPO_ACT_RELU : TEMPO_ACT_NONE;
    std::vector<float> a(size_t(p.m) * p.k), c(size_t(p.c_rows) * p.c_cols),
        scale(p.n);
    std::vector<int8_t> b(size_t(p.k) * p.n);
    for (float &v : a)
      v = r.uniform(-2, 2);
    for (float &v : c)
      v = r.uniform(-1, 1);
    for (float &v : scale)
      v = r.uniform(0.001f, 0.02f);
    for (int8_t &v : b)
      v = static_cast<int8_t>(r.range(-127, 127));
    std::vector<float> got(size_t(p.m) * p.n);
    tempo::gemm_w8(p, a.data(), b.data(), c.data(), scale.data(), got.data());
    for (int32_t ii = 0; ii < p.m; ++ii)
      for (int32_t j = 0; j < p.n; ++j) {
        float acc = 0.0f;
        double d = 0.0;
        for (int32_t l = 0; l < p.k; ++l) {
          float av = p.trans_a ? a[size_t(l) * p.m + ii] : a[size_t(ii) * p.k + l];
          int8_t bv = p.trans_b ? b[size_t(j) * p.k + l] : b[size_t(l) * p.n + j];
          acc += av * float(bv);
          d += double(av) * bv * scale[j];
        }
        float v = p.alpha * (acc * scale[j]);
        d *= p.alpha;
        if (p.has_c) {
          float cv = c[size_t(p.c_rows == 1 ? 0 : ii) * p.c_cols +
                       (p.c_cols == 1 ? 0 : j)];
          v += p.beta * cv;
          d += double(p.beta) * cv;
        }
        float want = activateRef(p.act, v);
        ASSERT_EQ(got[size_t(ii) * p.n + j], want) << "case " << i;
        if (p.act.kind == TEMPO_ACT_RELU)
          d = std::max(d, 0.0);
        ASSERT_NEAR(want, d, 1e-5 * (1 + std::fabs(d)));
      }
  }
}

TEST(Mixed, MatmulW8MatchesDocumentedOrderWithBroadcast) {
  Rng r;
  for (int i = 0; i < 200; ++i) {
    tempo_matmul_params_t p{};
    p.m = r.range(1, 5);
    p.n = r.range(1, 10);
    p.k = r.range(1, 9);
    // Batch [2, 3]: a has both dims, b broadcasts one (or is one matrix).
    p.batch_rank = 2;
    p.out_batch_dims[0] = 2;
    p.out_batch_dims[1] = 3;
    p.a_batch_strides[0] = 3;
    p.a_batch_strides[1] = 1;
    int bMats = i % 3 == 0 ? 1 : 3;
    p.b_batch_strides[0] = 0;
    p.b_batch_strides[1] = bMats == 1 ? 0 : 1;
    std::vector<float> a(size_t(6) * p.m * p.k), scale(p.n);
    std::vector<int8_t> b(size_t(bMats) * p.k * p.n);
    for (float &v : a)
      v = r.uniform(-2, 2);
    for (float &v : scale)
      v = r.uniform(0.001f, 0.02f);
    for (int8_t &v : b)
      v = static_cast<int8_t>(r.range(-127, 127));
    std::vector<float> got(size_t(6) * p.m * p.n);
    tempo::matmul_w8(p, a.data(), b.data(), scale.data(), got.data());
    for (int32_t bi = 0; bi < 6; ++bi) {
      const int8_t *bm = b.data() + size_t(bMats == 1 ? 0 : bi % 3) * p.k * p.n;
      for (int32_t rr = 0; rr < p.m; ++rr)
        for (int32_t s = 0; s < p.n; ++s) {
          float acc = 0.0f;
          for (int32_t l = 0; l < p.k; ++l)
            acc += a[(size_t(bi) * p.m + rr) * p.k + l] * float(bm[l * p.n + s]);
          ASSERT_EQ(got[(size_t(bi) * p.m + rr) * p.n + s], acc * scale[s])
              << "case " << i;
        }
    }
  }
}

//===----------------------------------------------------------------------===//
// int16 activations x int8 weights (16x8)
//===----------------------------------------------------------------------===//

void multiplier(double real, int32_t &m, int32_t &s) {
  ASSERT_EQ(tempo_quantize_multiplier(real, &m, &s), 0);
}

int16_t requant64Ref(int64_t acc, int32_t m, int32_t s, int32_t lo, int32_t hi) {
  int64_t v = mbqm64Reference(acc, m, s);
  return static_cast<int16_t>(std::min<int64_t>(hi, std::max<int64_t>(lo, v)));
}

TEST(Mixed, ConvA16MatchesIntegerAndDoubleReferences) {
  Rng r;
  for (int i = 0; i < 300; ++i) {
    ConvCase f = randomConv(r, i % 2 == 1);
    tempo_qconv_params_t p{};
    const tempo_conv_params_t &g = f.p;
    p.batch = g.batch, p.in_c = g.in_c, p.in_h = g.in_h, p.in_w = g.in_w;
    p.out_c = g.out_c, p.out_h = g.out_h, p.out_w = g.out_w;
    p.k_h = g.k_h, p.k_w = g.k_w, p.stride_h = g.stride_h,
    p.stride_w = g.stride_w;
    p.dil_h = g.dil_h, p.dil_w = g.dil_w, p.pad_top = g.pad_top,
    p.pad_left = g.pad_left;
    p.groups = g.groups;
    p.has_bias = g.has_bias;
    p.per_channel = 1;
    p.act_min = i % 3 == 0 ? 0 : -32768;
    p.act_max = 32767;
    double sx = 4.0 / 32767, sy = r.uniform(0.5f, 4.0f) * 2.0 / 32767;
    std::vector<int16_t> x(f.x.size());
    for (int16_t &v : x)
      v = static_cast<int16_t>(r.range(-32768, 32767));
    std::vector<int32_t> bias, mult(p.out_c), shift(p.out_c);
    std::vector<double> ws;
    for (int32_t o = 0; o < p.out_c; ++o) {
      ws.push_back(r.uniform(0.0005f, 0.01f));
      bias.push_back(r.range(-2000000, 2000000));
      multiplier(sx * ws[o] / sy, mult[o], shift[o]);
    }
    std::vector<int16_t> got(size_t(p.batch) * p.out_c * p.out_h * p.out_w);
    tempo::conv_a16(p, x.data(), f.w.data(), bias.data(), mult.data(),
                    shift.data(), got.data());
    int32_t icg = p.in_c / p.groups, ocg = p.out_c / p.groups;
    size_t k = 0;
    for (int32_t n = 0; n < p.batch; ++n)
      for (int32_t oc = 0; oc < p.out_c; ++oc)
        for (int32_t oh = 0; oh < p.out_h; ++oh)
          for (int32_t ow = 0; ow < p.out_w; ++ow, ++k) {
            int64_t acc = p.has_bias ? bias[oc] : 0;
            for (int32_t ic = 0; ic < icg; ++ic)
              for (int32_t kh = 0; kh < p.k_h; ++kh)
                for (int32_t kw = 0; kw < p.k_w; ++kw) {
                  int32_t ih = oh * p.stride_h - p.pad_top + kh * p.dil_h;
                  int32_t iw = ow * p.stride_w - p.pad_left + kw * p.dil_w;
                  if (ih < 0 || ih >= p.in_h || iw < 0 || iw >= p.in_w)
                    continue;
                  int32_t cin = (oc / ocg) * icg + ic;
                  acc += int64_t(x[((size_t(n) * p.in_c + cin) * p.in_h + ih) * p.in_w + iw]) *
                         f.w[((size_t(oc) * icg + ic) * p.k_h + kh) * p.k_w + kw];
                }
            ASSERT_EQ(got[k], requant64Ref(acc, mult[oc], shift[oc], p.act_min,
                                           p.act_max))
                << "case " << i;
            // Real arithmetic: within 1 LSB (the 16-bit multiplier's
            // relative error is below 2^-15).
            double real = double(acc) * sx * ws[oc] / sy;
            double q = std::min(32767.0, std::max(double(p.act_min), std::round(real)));
            ASSERT_LE(std::fabs(got[k] - q), 1.0) << "case " << i;
          }
  }
}

TEST(Mixed, FullyConnectedAndMatmulA16MatchIntegerReference) {
  Rng r;
  for (int i = 0; i < 200; ++i) {
    tempo_qfc_params_t p{};
    p.batch = r.range(1, 3);
    p.in_features = r.range(1, 40);
    p.out_features = r.range(1, 9);
    p.has_bias = r.next() & 1;
    p.per_channel = r.next() & 1;
    p.act_min = -32768;
    p.act_max = i % 2 ? 32767 : 1000;
    std::vector<int16_t> x(size_t(p.batch) * p.in_features);
    std::vector<int8_t> w(size_t(p.out_features) * p.in_features);
    std::vector<int32_t> bias(p.out_features), mult(p.out_features),
        shift(p.out_features);
    for (int16_t &v : x)
      v = static_cast<int16_t>(r.range(-32768, 32767));
    for (int8_t &v : w)
      v = static_cast<int8_t>(r.range(-127, 127));
    for (int32_t o = 0; o < p.out_features; ++o) {
      bias[o] = r.range(-100000, 100000);
      multiplier(r.uniform(0.0001f, 0.01f), mult[o], shift[o]);
    }
    std::vector<int16_t> y(size_t(p.batch) * p.out_features);
    tempo::fully_connected_a16(p, x.data(), w.data(), bias.data(), mult.data(),
                               shift.data(), y.data());
    for (int32_t b = 0; b < p.batch; ++b)
      for (int32_t o = 0; o < p.out_features; ++o) {
        int32_t c = p.per_channel ? o : 0;
        int64_t acc = p.has_bias ? bias[o] : 0;
        for (int32_t k = 0; k < p.in_features; ++k)
          acc += int64_t(x[size_t(b) * p.in_features + k]) * w[size_t(o) * p.in_features + k];
        ASSERT_EQ(y[size_t(b) * p.out_features + o],
                  requant64Ref(acc, mult[c], shift[c], p.act_min, p.act_max));
      }

    tempo_qmatmul_params_t q{};
    q.m = r.range(1, 4);
    q.n = r.range(1, 6);
    q.k = r.range(1, 20);
    q.batch_rank = 1;
    q.out_batch_dims[0] = 2;
    q.a_batch_strides[0] = 1;
    q.b_batch_strides[0] = i % 2;
    q.act_min = -32768;
    q.act_max = 32767;
    multiplier(r.uniform(0.00001f, 0.001f), q.multiplier, q.shift);
    std::vector<int16_t> a(size_t(2) * q.m * q.k), bm(size_t(2) * q.k * q.n),
        ym(size_t(2) * q.m * q.n);
    for (int16_t &v : a)
      v = static_cast<int16_t>(r.range(-32768, 32767));
    for (int16_t &v : bm)
      v = static_cast<int16_t>(r.range(-32768, 32767));
    tempo::matmul_a16(q, a.data(), bm.data(), ym.data());
    for (int32_t bi = 0; bi < 2; ++bi)
      for (int32_t rr = 0; rr < q.m; ++rr)
        for (int32_t s = 0; s < q.n; ++s) {
          int64_t acc = 0;
          for (int32_t l = 0; l < q.k; ++l)
            acc += int64_t(a[(size_t(bi) * q.m + rr) * q.k + l]) *
                   bm[(size_t(bi * (i % 2)) * q.k + l) * q.n + s];
          ASSERT_EQ(ym[(size_t(bi) * q.m + rr) * q.n + s],
                    requant64Ref(acc, q.multiplier, q.shift, -32768, 32767));
        }
  }
}

TEST(Mixed, AddSubMulA16WithinOneLsbOfReal) {
  Rng r;
  for (int i = 0; i < 200; ++i) {
    double sa = r.uniform(0.5f, 4.0f) / 32767, sb = r.uniform(0.5f, 4.0f) / 32767,
           sy = r.uniform(1.0f, 8.0f) / 32767;
    tempo_qbinary_params_t p{};
    p.rank = 2;
    p.size = 12;
    p.out_dims[0] = 3;
    p.out_dims[1] = 4;
    p.a_strides[0] = 4;
    p.a_strides[1] = 1;
    p.b_strides[0] = 0; // b broadcasts along the rows
    p.b_strides[1] = 1;
    p.act_min = -32768;
    p.act_max = 32767;
    int kind = i % 3;
    ASSERT_EQ(kind == 2 ? tempo_qbinary_mul_setup(sa, sb, sy * 64, &p)
                        : tempo_qbinary_add16_setup(sa, sb, sy, &p),
              0);
    std::vector<int16_t> a(12), b(4), y(12);
    for (int16_t &v : a)
      v = static_cast<int16_t>(r.range(-32768, 32767));
    for (int16_t &v : b)
      v = static_cast<int16_t>(r.range(-32768, 32767));
    if (kind == 0)
      tempo::add_a16(p, a.data(), b.data(), y.data());
    else if (kind == 1)
      tempo::sub_a16(p, a.data(), b.data(), y.data());
    else
      tempo::mul_a16(p, a.data(), b.data(), y.data());
    for (int j = 0; j < 12; ++j) {
      double ra = a[j] * sa, rb = b[j % 4] * sb;
      double real = kind == 0 ? ra + rb : kind == 1 ? ra - rb : ra * rb;
      double q = std::round(real / (kind == 2 ? sy * 64 : sy));
      q = std::min(32767.0, std::max(-32768.0, q));
      ASSERT_LE(std::fabs(y[j] - q), 1.0) << "case " << i << " kind " << kind;
    }
    // In place on the full-shape operand: the same values.
    std::vector<int16_t> xy = a;
    if (kind == 0)
      tempo::add_a16(p, xy.data(), b.data(), xy.data());
    else if (kind == 1)
      tempo::sub_a16(p, xy.data(), b.data(), xy.data());
    else
      tempo::mul_a16(p, xy.data(), b.data(), xy.data());
    ASSERT_EQ(xy, y);
  }
}

TEST(Mixed, PoolsConcatClampA16) {
  Rng r;
  for (int i = 0; i < 100; ++i) {
    tempo_qpool_params_t p{};
    p.batch = 1;
    p.channels = r.range(1, 3);
    p.in_h = r.range(1, 5);
    p.in_w = r.range(2, 9);
    p.k_h = r.range(1, std::min(2, p.in_h));
    p.k_w = r.range(1, std::min(3, p.in_w));
    p.stride_h = p.stride_w = r.range(1, 2);
    p.dil_h = p.dil_w = 1;
    p.pad_left = p.pad_right = r.range(0, 1);
    p.count_include_pad = r.next() & 1;
    p.out_h = (p.in_h - p.k_h) / p.stride_h + 1;
    p.out_w = (p.in_w + 2 * p.pad_left - p.k_w) / p.stride_w + 1;
    p.act_min = -32768;
    p.act_max = 32767;
    std::vector<int16_t> x(size_t(p.channels) * p.in_h * p.in_w);
    for (int16_t &v : x)
      v = static_cast<int16_t>(r.range(-32768, 32767));
    std::vector<int16_t> mx(size_t(p.channels) * p.out_h * p.out_w), av(mx.size());
    tempo::max_pool_a16(p, x.data(), mx.data());
    tempo::average_pool_a16(p, x.data(), av.data());
    size_t k = 0;
    for (int32_t c = 0; c < p.channels; ++c)
      for (int32_t oh = 0; oh < p.out_h; ++oh)
        for (int32_t ow = 0; ow < p.out_w; ++ow, ++k) {
          int32_t best = -32768, sum = 0, inside = 0, counted = 0;
          for (int32_t kh = 0; kh < p.k_h; ++kh)
            for (int32_t kw = 0; kw < p.k_w; ++kw) {
              int32_t ih = oh * p.stride_h + kh, iw = ow * p.stride_w - p.pad_left + kw;
              ++counted;
              if (iw < 0 || iw >= p.in_w)
                continue;
              int32_t v = x[(size_t(c) * p.in_h + ih) * p.in_w + iw];
              best = std::max(best, v);
              sum += v;
              ++inside;
            }
          ASSERT_EQ(mx[k], best);
          int32_t count = p.count_include_pad ? counted : inside;
          // A window with nothing to count yields the zero point (0).
          double mean = count ? double(sum) / count : 0.0;
          int32_t want = int32_t(mean >= 0 ? std::floor(mean + 0.5) : std::ceil(mean - 0.5));
          ASSERT_EQ(av[k], want)
              << "case " << i << " in " << p.in_h << "x" << p.in_w << " k "
              << p.k_h << "x" << p.k_w << " s " << p.stride_w << " pad "
              << p.pad_left << " incl " << p.count_include_pad << " at "
              << oh << "," << ow;
        }
  }
  // Concat: identity copies, a rescale requantizes (0.5x here).
  tempo_qconcat_params_t c{2, 3, 5, 2, 0, 0, 0, 0, 0};
  multiplier(0.5, c.multiplier, c.shift);
  const int16_t x[6] = {1000, -1001, 3, 32767, -32768, 0};
  int16_t y[10] = {0};
  tempo::concat_a16(c, x, y);
  // -1001 * 0.5 = -500.5: the doubling high multiply rounds the tie up.
  const int16_t want[10] = {0, 0, 500, -500, 2, 0, 0, 16384, -16384, 0};
  for (int j = 0; j < 10; ++j)
    EXPECT_EQ(y[j], want[j]) << j;
  c.identity = 1;
  tempo::concat_a16(c, x, y);
  EXPECT_EQ(y[2], 1000);
  EXPECT_EQ(y[9], 0);
  // Clamp (relu at zero point 0), in place.
  tempo_qclamp_params_t q{6, 0, 30000};
  int16_t z[6] = {1000, -1001, 3, 32767, -32768, 0};
  tempo::clamp_a16(q, z, z);
  const int16_t zc[6] = {1000, 0, 3, 30000, 0, 0};
  for (int j = 0; j < 6; ++j)
    EXPECT_EQ(z[j], zc[j]);
}

} // namespace
