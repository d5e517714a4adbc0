//===- QuantRecurrentTest.cpp - int8 GRU / RNN / LSTM (flat) kernels ------===//
//
// gru_s8, rnn_s8 and the compiler's lstm_s8 overload of tempo/quant.h against
//  - an integer reference written from the documented equations with 128-bit
//    arithmetic and ONNX's own indexing of every layout and direction: equal
//    bit for bit;
//  - a double reference of ONNX's float equations on the real values the
//    int8 operands stand for (no intermediate rounding): within a stated
//    number of LSBs of the int8 output;
//  - (lstm_s8) the one-direction, layout-0 weights-struct form, run per
//    direction on re-laid-out data: equal bit for bit.
//
//===----------------------------------------------------------------------===//

#include "tempo/quant.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace {

using i128 = __int128;

class Rng {
public:
  explicit Rng(uint64_t seed) : state(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t next() {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1Dull;
  }
  int64_t range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool coin() { return (next() >> 33) & 1; }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double logUniform(double lo, double hi) {
    return lo * std::pow(hi / lo, unit());
  }
  std::vector<int8_t> s8(size_t n, int32_t lo, int32_t hi) {
    std::vector<int8_t> v(n);
    for (int8_t &e : v)
      e = static_cast<int8_t>(range(lo, hi));
    return v;
  }

private:
  uint64_t state;
};

int64_t clampI(i128 v, int64_t lo, int64_t hi) {
  return static_cast<int64_t>(v < lo ? lo : (v > hi ? hi : v));
}
int64_t sat16(i128 v) { return clampI(v, -32768, 32767); }
int64_t sat32(i128 v) { return clampI(v, INT32_MIN, INT32_MAX); }

/// round(n / 2^e), ties away from zero.
int64_t rdbpot(i128 n, int e) {
  if (e == 0)
    return static_cast<int64_t>(n);
  const i128 d = i128(1) << e, mag = n < 0 ? -n : n;
  const i128 q = (2 * mag + d) / (2 * d);
  return static_cast<int64_t>(n < 0 ? -q : q);
}

/// floor(a * b / 2^31 + 1/2), saturated.
int64_t srdhm(int64_t a, int64_t b) {
  const i128 p = i128(a) * b + (i128(1) << 30);
  i128 q = p / (i128(1) << 31);
  if (p % (i128(1) << 31) != 0 && p < 0)
    --q;
  return sat32(q);
}

/// TFLite's MultiplyByQuantizedMultiplier, from its definition.
int64_t mbqm(i128 x, int32_t m, int32_t s) {
  if (s > 0)
    return srdhm(sat32(x * (i128(1) << s)), m);
  return rdbpot(srdhm(sat32(x), m), -s);
}

/// The documented Q3.12 -> Q0.15 sigmoid / tanh (tables of quant.h).
int64_t sigmoidQ15(int64_t v, const uint16_t *t) {
  const int64_t a = std::min<int64_t>(v < 0 ? -v : v, 32767);
  const int64_t s = t[a >> 6] * 64 + (int64_t(t[(a >> 6) + 1]) - t[a >> 6]) * (a & 63);
  const int64_t r = v >= 0 ? (s + 64) >> 7 : ((int64_t(1) << 22) - s + 64) >> 7;
  return std::min<int64_t>(r, 32767);
}
int64_t tanhQ15(int64_t v, const uint16_t *t) {
  const int64_t a = std::min<int64_t>(v < 0 ? -v : v, 32767);
  const int64_t r = std::min<int64_t>(
      32767,
      (t[a >> 5] * 32 + (int64_t(t[(a >> 5) + 1]) - t[a >> 5]) * (a & 31) + 32) >> 6);
  return v >= 0 ? r : -r;
}

struct Requant {
  int32_t m = 0, s = 0;
};
Requant quantizeMultiplier(double real) {
  Requant r;
  EXPECT_EQ(tempo_quantize_multiplier(real, &r.m, &r.s), 0) << real;
  return r;
}

double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }
/// Q3.12's range, where the integer pre-activations saturate.
double c8(double v) { return std::min(8.0, std::max(-8.0, v)); }

/// One random int8 GRU / RNN problem with everything the kernels take.
struct Problem {
  bool gru = true;
  tempo_qrecurrent_params_t p{};
  int32_t S = 0, B = 0, I = 0, H = 0, D = 0, G = 0;
  double xs = 0, hs = 0;
  std::vector<double> ws, rs; // per gate row [G * H]
  std::vector<int8_t> x, w, r, h0;
  std::vector<int32_t> bias; // [D, 2 * G * H]
  std::vector<int32_t> wm, wsh, rm, rsh;

  Problem(Rng &rng, bool isGru) : gru(isGru) {
    G = gru ? 3 : 1;
    S = static_cast<int32_t>(rng.range(1, 7));
    B = static_cast<int32_t>(rng.range(1, 3));
    I = static_cast<int32_t>(rng.range(1, 7));
    H = static_cast<int32_t>(rng.range(1, 9));
    p.direction = static_cast<int32_t>(rng.range(0, 2));
    D = p.direction == TEMPO_RNN_BIDIRECTIONAL ? 2 : 1;
    p.seq_len = S;
    p.batch = B;
    p.input_size = I;
    p.hidden_size = H;
    p.num_directions = D;
    p.layout = static_cast<int32_t>(rng.range(0, 1));
    p.x_zp = static_cast<int32_t>(rng.range(-128, 127));
    p.h_zp = static_cast<int32_t>(rng.range(-5, 5));
    p.activation = gru || rng.coin() ? TEMPO_RNN_ACT_TANH : TEMPO_RNN_ACT_SIGMOID;
    p.linear_before_reset = gru ? rng.coin() : 0;
    p.has_bias = rng.coin();
    p.has_initial_h = rng.coin();
    p.want_y = p.want_y_h = 1;
    xs = rng.logUniform(0.004, 0.02);
    hs = rng.logUniform(1.0 / 128, 1.0 / 100);
    Requant q = quantizeMultiplier(hs * 32768.0);
    p.state_multiplier = q.m;
    p.state_shift = q.s;
    q = quantizeMultiplier(std::ldexp(1.0, -15) / hs);
    p.hidden_multiplier = q.m;
    p.hidden_shift = q.s;
    for (int32_t row = 0; row < G * H; ++row) {
      ws.push_back(rng.logUniform(0.1, 0.6) / 127.0);
      rs.push_back(rng.logUniform(0.1, 0.9) / 127.0);
      q = quantizeMultiplier(xs * ws.back() * 4096.0);
      wm.push_back(q.m);
      wsh.push_back(q.s);
      q = quantizeMultiplier(std::ldexp(rs.back(), -15) * 4096.0);
      rm.push_back(q.m);
      rsh.push_back(q.s);
    }
    x = rng.s8(S * B * I, -128, 127);
    w = rng.s8(D * G * H * I, -127, 127);
    r = rng.s8(D * G * H * H, -127, 127);
    h0 = rng.s8(D * B * H, -100, 100);
    for (int32_t d = 0; d < D; ++d)
      for (int32_t e = 0; e < 2 * G * H; ++e) {
        const int32_t row = e % (G * H);
        const double scale = e < G * H ? xs * ws[row] : std::ldexp(rs[row], -15);
        bias.push_back(static_cast<int32_t>(std::round((rng.unit() - 0.5) / scale)));
      }
  }
  // ONNX's offsets (tempo/recurrent_params.h).
  int32_t xAt(int32_t t, int32_t b) const {
    return (p.layout ? b * S + t : t * B + b) * I;
  }
  int32_t yAt(int32_t t, int32_t d, int32_t b) const {
    return (p.layout ? (b * S + t) * D + d : (t * D + d) * B + b) * H;
  }
  int32_t stateAt(int32_t d, int32_t b) const {
    return (p.layout ? b * D + d : d * B + b) * H;
  }
  bool backwards(int32_t d) const {
    return p.direction == TEMPO_RNN_REVERSE || d == 1;
  }
};

/// The integer reference: exact outputs (Y then Y_h, int8).
void integerReference(const Problem &pb, const uint16_t *sig,
                      const uint16_t *th, std::vector<int32_t> &y,
                      std::vector<int32_t> &yh) {
  const auto &p = pb.p;
  const int32_t H = pb.H, I = pb.I, G = pb.G;
  y.assign(pb.S * pb.D * pb.B * H, 0);
  yh.assign(pb.D * pb.B * H, 0);
  auto toInt8 = [&](int64_t v) {
    return static_cast<int32_t>(
        clampI(i128(mbqm(v, p.hidden_multiplier, p.hidden_shift)) + p.h_zp, -128, 127));
  };
  for (int32_t d = 0; d < pb.D; ++d)
    for (int32_t b = 0; b < pb.B; ++b) {
      std::vector<int64_t> h(H, 0);
      if (p.has_initial_h)
        for (int32_t j = 0; j < H; ++j)
          h[j] = sat16(mbqm(pb.h0[pb.stateAt(d, b) + j] - p.h_zp,
                            p.state_multiplier, p.state_shift));
      auto wAt = [&](int32_t row, int32_t k) { return pb.w[(d * G * H + row) * I + k]; };
      auto rAt = [&](int32_t row, int32_t k) { return pb.r[(d * G * H + row) * H + k]; };
      auto wb = [&](int32_t row) { return p.has_bias ? pb.bias[d * 2 * G * H + row] : 0; };
      auto rb = [&](int32_t row) {
        return p.has_bias ? pb.bias[d * 2 * G * H + G * H + row] : 0;
      };
      for (int32_t step = 0; step < pb.S; ++step) {
        const int32_t t = pb.backwards(d) ? pb.S - 1 - step : step;
        auto gx = [&](int32_t row) {
          i128 acc = wb(row);
          for (int32_t k = 0; k < I; ++k)
            acc += i128(pb.x[pb.xAt(t, b) + k] - p.x_zp) * wAt(row, k);
          return sat16(mbqm(acc, pb.wm[row], pb.wsh[row]));
        };
        auto ghOf = [&](const std::vector<int64_t> &v, int32_t row) {
          i128 acc = rb(row);
          for (int32_t k = 0; k < H; ++k)
            acc += i128(v[k]) * rAt(row, k);
          return sat16(mbqm(acc, pb.rm[row], pb.rsh[row]));
        };
        std::vector<int64_t> next(H);
        if (!pb.gru) {
          for (int32_t j = 0; j < H; ++j) {
            const int64_t pre = sat16(i128(gx(j)) + ghOf(h, j));
            next[j] = p.activation == TEMPO_RNN_ACT_SIGMOID ? sigmoidQ15(pre, sig)
                                                            : tanhQ15(pre, th);
          }
        } else {
          std::vector<int64_t> z(H), rg(H), rh(H);
          for (int32_t j = 0; j < H; ++j) {
            z[j] = sigmoidQ15(sat16(i128(gx(j)) + ghOf(h, j)), sig);
            rg[j] = sigmoidQ15(sat16(i128(gx(H + j)) + ghOf(h, H + j)), sig);
            rh[j] = rdbpot(i128(rg[j]) * h[j], 15);
          }
          for (int32_t j = 0; j < H; ++j) {
            const int32_t row = 2 * H + j;
            const int64_t pre =
                p.linear_before_reset
                    ? sat16(i128(gx(row)) + rdbpot(i128(rg[j]) * ghOf(h, row), 15))
                    : sat16(i128(gx(row)) + ghOf(rh, row));
            const int64_t n = tanhQ15(pre, th);
            next[j] = sat16(rdbpot(i128(32768 - z[j]) * n + i128(z[j]) * h[j], 15));
          }
        }
        h = next;
        for (int32_t j = 0; j < H; ++j)
          y[pb.yAt(t, d, b) + j] = toInt8(h[j]);
      }
      for (int32_t j = 0; j < H; ++j)
        yh[pb.stateAt(d, b) + j] = toInt8(h[j]);
    }
}

/// ONNX's float equations in double on the real values of the operands;
/// returns Y quantized at the output's scale.
std::vector<int32_t> doubleReference(const Problem &pb) {
  const auto &p = pb.p;
  const int32_t H = pb.H, I = pb.I, G = pb.G;
  std::vector<int32_t> y(pb.S * pb.D * pb.B * H, 0);
  for (int32_t d = 0; d < pb.D; ++d)
    for (int32_t b = 0; b < pb.B; ++b) {
      std::vector<double> h(H, 0.0);
      if (p.has_initial_h)
        for (int32_t j = 0; j < H; ++j)
          h[j] = std::max(-1.0, std::min(1.0, pb.hs * (pb.h0[pb.stateAt(d, b) + j] - p.h_zp)));
      auto wb = [&](int32_t row) {
        return p.has_bias ? pb.bias[d * 2 * G * H + row] * pb.xs * pb.ws[row] : 0.0;
      };
      auto rb = [&](int32_t row) {
        return p.has_bias ? pb.bias[d * 2 * G * H + G * H + row] * std::ldexp(pb.rs[row], -15)
                          : 0.0;
      };
      for (int32_t step = 0; step < pb.S; ++step) {
        const int32_t t = pb.backwards(d) ? pb.S - 1 - step : step;
        auto wx = [&](int32_t row) {
          double acc = wb(row);
          for (int32_t k = 0; k < I; ++k)
            acc += pb.xs * (pb.x[pb.xAt(t, b) + k] - p.x_zp) * pb.ws[row] *
                   pb.w[(d * G * H + row) * I + k];
          return acc;
        };
        auto rv = [&](const std::vector<double> &v, int32_t row) {
          double acc = rb(row);
          for (int32_t k = 0; k < H; ++k)
            acc += v[k] * pb.rs[row] * pb.r[(d * G * H + row) * H + k];
          return acc;
        };
        std::vector<double> next(H);
        if (!pb.gru) {
          for (int32_t j = 0; j < H; ++j) {
            const double pre = c8(wx(j) + rv(h, j));
            next[j] = p.activation == TEMPO_RNN_ACT_SIGMOID ? sigmoid(pre) : std::tanh(pre);
          }
        } else {
          std::vector<double> z(H), rg(H), rh(H);
          for (int32_t j = 0; j < H; ++j) {
            z[j] = sigmoid(c8(wx(j) + rv(h, j)));
            rg[j] = sigmoid(c8(wx(H + j) + rv(h, H + j)));
            rh[j] = rg[j] * h[j];
          }
          for (int32_t j = 0; j < H; ++j) {
            const int32_t row = 2 * H + j;
            const double pre = p.linear_before_reset ? wx(row) + rg[j] * rv(h, row)
                                                     : wx(row) + rv(rh, row);
            next[j] = (1 - z[j]) * std::tanh(c8(pre)) + z[j] * h[j];
          }
        }
        h = next;
        for (int32_t j = 0; j < H; ++j)
          y[pb.yAt(t, d, b) + j] = static_cast<int32_t>(
              clampI(static_cast<int64_t>(std::round(h[j] / pb.hs)) + p.h_zp, -128, 127));
      }
    }
  return y;
}

void runRandom(bool gru, uint64_t seed, int32_t tolerance) {
  Rng rng(seed);
  uint16_t sig[TEMPO_SIGMOID_Q15_TABLE_SIZE], th[TEMPO_TANH_Q15_TABLE_SIZE];
  tempo_build_sigmoid_q15_table(sig);
  tempo_build_tanh_q15_table(th);
  int32_t worst = 0, inside = 0, total = 0;
  bool sawLayout[2] = {}, sawDir[3] = {}, sawLbr[2] = {};
  for (int trial = 0; trial < 300; ++trial) {
    Problem pb(rng, gru);
    const auto &p = pb.p;
    sawLayout[p.layout] = sawDir[p.direction] = sawLbr[p.linear_before_reset] = true;
    const size_t bytes = gru ? tempo_qgru_scratch_size(&p) : tempo_qrnn_scratch_size(&p);
    // Scratch filled with garbage: the kernel must not read it before writing.
    std::vector<int16_t> scratch(bytes / 2, int16_t(0x5A5A));
    std::vector<int8_t> y(pb.S * pb.D * pb.B * pb.H, 99), yh(pb.D * pb.B * pb.H, 99);
    auto kernel = gru ? tempo::gru_s8 : tempo::rnn_s8;
    kernel(p, pb.x.data(), pb.w.data(), pb.r.data(),
           p.has_bias ? pb.bias.data() : nullptr,
           p.has_initial_h ? pb.h0.data() : nullptr, pb.wm.data(), pb.wsh.data(),
           pb.rm.data(), pb.rsh.data(), sig, th, y.data(), yh.data(), scratch.data());
    std::vector<int32_t> ey, eyh;
    integerReference(pb, sig, th, ey, eyh);
    for (size_t i = 0; i < y.size(); ++i)
      ASSERT_EQ(y[i], ey[i]) << "trial " << trial << " Y element " << i;
    for (size_t i = 0; i < yh.size(); ++i)
      ASSERT_EQ(yh[i], eyh[i]) << "trial " << trial << " Y_h element " << i;
    const std::vector<int32_t> fy = doubleReference(pb);
    for (size_t i = 0; i < y.size(); ++i) {
      worst = std::max(worst, std::abs(y[i] - fy[i]));
      inside += y[i] > -128 && y[i] < 127;
      ++total;
    }
  }
  EXPECT_TRUE(sawLayout[0] && sawLayout[1] && sawDir[0] && sawDir[1] && sawDir[2]);
  if (gru) {
    EXPECT_TRUE(sawLbr[0] && sawLbr[1]);
  }
  // The outputs must mostly be inside the int8 range, or the test checks
  // little.
  EXPECT_GT(inside, total * 9 / 10);
  EXPECT_LE(worst, tolerance);
  std::printf("%s: worst |int8 - double reference| = %d LSB over %d outputs\n",
              gru ? "gru_s8" : "rnn_s8", worst, total);
}

// Up to 7 steps, state and gates in int16: measured 1 LSB (the final
// rounding plus the Q3.12 / Q0.15 steps); 2 leaves room for a carried flip.
TEST(QuantRecurrent, GruRandomAgainstReferences) { runRandom(true, 90, 2); }
TEST(QuantRecurrent, RnnRandomAgainstReferences) { runRandom(false, 91, 2); }

/// lstm_s8 as the compiler calls it (every direction and layout, ONNX's
/// B [D, 8H] with Wb and Rb apart) equals the weights-struct form run per
/// direction on the same data re-laid out to layout 0, forward in time.
TEST(QuantRecurrent, LstmFlatMatchesStructForm) {
  Rng rng(92);
  uint16_t sig[TEMPO_SIGMOID_Q15_TABLE_SIZE], th[TEMPO_TANH_Q15_TABLE_SIZE];
  tempo_build_sigmoid_q15_table(sig);
  tempo_build_tanh_q15_table(th);
  for (int trial = 0; trial < 200; ++trial) {
    tempo_qlstm_params_t p{};
    const int32_t S = static_cast<int32_t>(rng.range(1, 6)),
                  B = static_cast<int32_t>(rng.range(1, 3)),
                  I = static_cast<int32_t>(rng.range(1, 7)),
                  H = static_cast<int32_t>(rng.range(1, 8));
    p.seq_len = S;
    p.batch = B;
    p.input_size = I;
    p.hidden_size = H;
    p.x_zp = static_cast<int32_t>(rng.range(-128, 127));
    p.h_zp = static_cast<int32_t>(rng.range(-5, 5));
    p.cell_frac_bits = 11;
    p.direction = static_cast<int32_t>(rng.range(0, 2));
    const int32_t D = p.direction == TEMPO_RNN_BIDIRECTIONAL ? 2 : 1;
    p.num_directions = D;
    p.layout = static_cast<int32_t>(rng.range(0, 1));
    p.has_initial_h = rng.coin();
    p.has_initial_c = rng.coin();
    const bool hasBias = rng.coin();
    p.want_y = p.want_y_h = 1;
    const double xs = rng.logUniform(0.004, 0.02), hs = 1.0 / 128;
    Requant q = quantizeMultiplier(std::ldexp(1.0, -30) / hs);
    p.hidden_multiplier = q.m;
    p.hidden_shift = q.s;
    std::vector<int32_t> wm, wsh, rm, rsh;
    for (int32_t row = 0; row < 4 * H; ++row) {
      q = quantizeMultiplier(xs * rng.logUniform(0.1, 0.6) / 127 * 4096.0);
      wm.push_back(q.m);
      wsh.push_back(q.s);
      q = quantizeMultiplier(hs * rng.logUniform(0.1, 0.9) / 127 * 4096.0);
      rm.push_back(q.m);
      rsh.push_back(q.s);
    }
    const std::vector<int8_t> x = rng.s8(S * B * I, -128, 127);
    const std::vector<int8_t> w = rng.s8(D * 4 * H * I, -127, 127);
    const std::vector<int8_t> r = rng.s8(D * 4 * H * H, -127, 127);
    const std::vector<int8_t> h0 = rng.s8(D * B * H, -100, 100);
    std::vector<int16_t> c0(D * B * H);
    for (int16_t &v : c0)
      v = static_cast<int16_t>(rng.range(-(3 << 11), 3 << 11));
    std::vector<int32_t> bias(D * 8 * H);
    for (int32_t &v : bias)
      v = static_cast<int32_t>(rng.range(-3000, 3000));
    auto xAt = [&](int32_t t, int32_t b) { return (p.layout ? b * S + t : t * B + b) * I; };
    auto yAt = [&](int32_t t, int32_t d, int32_t b) {
      return (p.layout ? (b * S + t) * D + d : (t * D + d) * B + b) * H;
    };
    auto stateAt = [&](int32_t d, int32_t b) {
      return (p.layout ? b * D + d : d * B + b) * H;
    };

    std::vector<int8_t> y(S * D * B * H, 0), yh(D * B * H, 0);
    std::vector<uint8_t> scratch(tempo_qlstm_scratch_size(&p) + 2);
    tempo::lstm_s8(p, x.data(), w.data(), r.data(), hasBias ? bias.data() : nullptr,
                   p.has_initial_h ? h0.data() : nullptr,
                   p.has_initial_c ? c0.data() : nullptr, wm.data(), wsh.data(),
                   rm.data(), rsh.data(), sig, th, y.data(), yh.data(), scratch.data());

    for (int32_t d = 0; d < D; ++d) {
      const bool back = p.direction == TEMPO_RNN_REVERSE || d == 1;
      tempo_qlstm_params_t one = p;
      one.direction = 0;
      one.num_directions = 1;
      one.layout = 0;
      // [S, B, I], in the order this direction reads it.
      std::vector<int8_t> xs0(S * B * I);
      std::vector<int8_t> h00(B * H);
      std::vector<int16_t> c00(B * H);
      for (int32_t s = 0; s < S; ++s)
        for (int32_t b = 0; b < B; ++b)
          for (int32_t k = 0; k < I; ++k)
            xs0[(s * B + b) * I + k] = x[xAt(back ? S - 1 - s : s, b) + k];
      for (int32_t b = 0; b < B; ++b)
        for (int32_t j = 0; j < H; ++j) {
          h00[b * H + j] = h0[stateAt(d, b) + j];
          c00[b * H + j] = c0[stateAt(d, b) + j];
        }
      const tempo_qlstm_weights_t wt{w.data() + d * 4 * H * I,
                                     r.data() + d * 4 * H * H,
                                     hasBias ? bias.data() + d * 8 * H : nullptr,
                                     wm.data(),
                                     wsh.data(),
                                     rm.data(),
                                     rsh.data(),
                                     sig,
                                     th,
                                     hasBias ? bias.data() + d * 8 * H + 4 * H : nullptr};
      std::vector<int8_t> y1(S * B * H), yh1(B * H);
      std::vector<int16_t> yc1(B * H);
      std::vector<uint8_t> scratch1(tempo_qlstm_scratch_size(&one) + 2);
      tempo::lstm_s8(one, wt, xs0.data(), h00.data(), c00.data(), scratch1.data(), y1.data(),
                     yh1.data(), yc1.data());
      for (int32_t s = 0; s < S; ++s)
        for (int32_t b = 0; b < B; ++b)
          for (int32_t j = 0; j < H; ++j)
            ASSERT_EQ(y[yAt(back ? S - 1 - s : s, d, b) + j], y1[(s * B + b) * H + j])
                << "trial " << trial << " direction " << d << " step " << s;
      for (int32_t b = 0; b < B; ++b)
        for (int32_t j = 0; j < H; ++j)
          ASSERT_EQ(yh[stateAt(d, b) + j], yh1[b * H + j]) << "trial " << trial;
    }
  }
}

} // namespace
