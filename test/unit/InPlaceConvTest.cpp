//===- InPlaceConvTest.cpp - In-place pointwise / depthwise conv ----------===//
//
// tempo::conv runs pointwise and 1-D depthwise convolutions over their own
// input when the memory planner gives the output the input's buffer. The
// results must be the same bits as the out-of-place computation.
//
//===----------------------------------------------------------------------===//

#include "tempo/kernels.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

namespace {

tempo_conv_params_t params(int32_t inC, int32_t outC, int32_t w, int32_t k,
                           int32_t pad, int32_t groups, bool bias) {
  tempo_conv_params_t p{};
  p.batch = 1;
  p.in_c = inC;
  p.in_h = 1;
  p.in_w = w;
  p.out_c = outC;
  p.out_h = 1;
  p.out_w = w + 2 * pad - (k - 1);
  p.k_h = 1;
  p.k_w = k;
  p.stride_h = p.stride_w = p.dil_h = p.dil_w = 1;
  p.pad_left = pad;
  p.groups = groups;
  p.has_bias = bias;
  return p;
}

std::vector<float> random(std::mt19937 &rng, size_t n) {
  std::uniform_real_distribution<float> d(-2.0f, 2.0f);
  std::vector<float> v(n);
  for (float &x : v)
    x = d(rng);
  return v;
}

void expectInPlaceMatches(const tempo_conv_params_t &p, std::mt19937 &rng) {
  const size_t in = size_t(p.in_c) * p.in_w;
  const size_t out = size_t(p.out_c) * p.out_w;
  std::vector<float> x = random(rng, in);
  std::vector<float> w = random(rng, size_t(p.out_c) * (p.in_c / p.groups) * p.k_w);
  std::vector<float> b = random(rng, p.out_c);
  std::vector<float> expect(out);
  tempo::conv(p, x.data(), w.data(), b.data(), expect.data());
  std::vector<float> xy = x; // the output overwrites the input's buffer
  tempo::conv(p, xy.data(), w.data(), b.data(), xy.data());
  ASSERT_EQ(std::memcmp(xy.data(), expect.data(), out * sizeof(float)), 0);
}

TEST(InPlaceConv, PointwiseMatchesOutOfPlace) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    int32_t inC = 1 + rng() % 64, outC = 1 + rng() % inC, w = 1 + rng() % 40;
    tempo_conv_params_t p = params(inC, outC, w, 1, 0, 1, trial % 2);
    p.act.kind = trial % 3 == 0 ? TEMPO_ACT_RELU : TEMPO_ACT_NONE;
    expectInPlaceMatches(p, rng);
  }
}

TEST(InPlaceConv, DepthwiseMatchesOutOfPlace) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 200; ++trial) {
    int32_t c = 1 + rng() % 16, k = 1 + 2 * (rng() % 8), w = k + rng() % 40;
    // "Same" padding: output as wide as the input.
    tempo_conv_params_t p = params(c, c, w, k, (k - 1) / 2, c, trial % 2);
    p.act.kind = trial % 3 == 0 ? TEMPO_ACT_CLIP : TEMPO_ACT_NONE;
    p.act.lo = -1.0f;
    p.act.hi = 1.0f;
    expectInPlaceMatches(p, rng);
  }
}

TEST(InPlaceConv, DepthwiseEvenKernelAsymmetricPadding) {
  // k = 4 with pads 1 (left) and 2 (right): still as wide as the input.
  std::mt19937 rng(3);
  tempo_conv_params_t p = params(3, 3, 10, 4, 1, 3, true);
  p.out_w = 10;
  expectInPlaceMatches(p, rng);
}

} // namespace
