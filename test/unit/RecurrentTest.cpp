//===- RecurrentTest.cpp - Unit tests for tempo/recurrent.h ---------------===//
//
// The LSTM, GRU and RNN kernels are checked three ways:
//  - hand-computed cases with exact expected numbers (time order of reverse
//    and bidirectional runs, accumulation order, scratch sizes);
//  - sweeps over shapes, both layouts, all three directions and every
//    optional input against a reference written here from the ONNX
//    equations: materialised [S][B][I] input, explicit state vectors, each
//    gate summed term by term. It runs in double (the float kernels must match
//    within 1e-4 relative + 1e-5 absolute, the double kernels within 1e-12)
//    and in float (the float kernels must then match exactly, which pins the
//    documented evaluation order down);
//  - ONNX's own cases (test/unit/recurrent_cases.inc, made by
//    make_recurrent_cases.py from ONNX's backend node tests and the numpy
//    helpers that produced them), within rtol 1e-4, atol 1e-5.
//
// All randomness comes from a fixed-seed generator, so failures reproduce.
//
//===----------------------------------------------------------------------===//

// The float reference and the kernels must round every product alike, also
// when this test is built for an FMA target: no contraction in this file,
// including the kernels' lambdas and member functions, which GCC's pragma
// only covers when it precedes their definitions (hence before the include).
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "tempo/recurrent.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

//===----------------------------------------------------------------------===//
// Every supported instantiation must compile warning-free.
//===----------------------------------------------------------------------===//

#define TEMPO_INSTANTIATE_RECURRENT(T)                                         \
  template void tempo::lstm<T>(const tempo_lstm_params_t &, const T *,         \
                               const T *, const T *, const T *, const T *,     \
                               const T *, const T *, T *, T *, T *, T *);      \
  template void tempo::gru<T>(const tempo_gru_params_t &, const T *,           \
                              const T *, const T *, const T *, const T *, T *, \
                              T *, T *);                                       \
  template void tempo::rnn<T>(const tempo_rnn_params_t &, const T *,           \
                              const T *, const T *, const T *, const T *, T *, \
                              T *, T *);
TEMPO_INSTANTIATE_RECURRENT(float)
TEMPO_INSTANTIATE_RECURRENT(double)
#undef TEMPO_INSTANTIATE_RECURRENT

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
  /// Uniform in [-1, 1) with a full 24-bit mantissa.
  float unit() {
    return static_cast<float>(static_cast<int64_t>(next() >> 40) - (1 << 23)) /
           static_cast<float>(1 << 23);
  }
  std::vector<float> floats(size_t n, float scale = 1.0f) {
    std::vector<float> v(n);
    for (float &f : v)
      f = scale * unit();
    return v;
  }

private:
  uint64_t state;
};

enum class Op { Lstm, Gru, Rnn };

const char *opName(Op op) {
  return op == Op::Lstm ? "LSTM" : op == Op::Gru ? "GRU" : "RNN";
}

/// One recurrent op with all its inputs; empty vectors are absent inputs.
struct Problem {
  Op op = Op::Lstm;
  int32_t S = 1, B = 1, I = 1, H = 1;
  int32_t direction = TEMPO_RNN_FORWARD, layout = 0;
  int32_t linearBeforeReset = 0, inputForget = 0;
  float clip = 0.0f;
  int32_t acts[TEMPO_RNN_ACTIVATION_SLOTS] = {};
  float alpha[TEMPO_RNN_ACTIVATION_SLOTS] = {};
  float beta[TEMPO_RNN_ACTIVATION_SLOTS] = {};
  std::vector<float> x, w, r, b, h0, c0, p;
  bool wantY = true, wantYh = true, wantYc = true;

  int32_t dirs() const { return direction == TEMPO_RNN_BIDIRECTIONAL ? 2 : 1; }
  int32_t gates() const { return op == Op::Lstm ? 4 : op == Op::Gru ? 3 : 1; }
  size_t ySize() const { return static_cast<size_t>(S) * dirs() * B * H; }
  size_t stateSize() const { return static_cast<size_t>(dirs()) * B * H; }

  /// ONNX's default activations in every direction.
  void defaultActivations() {
    for (int32_t d = 0; d < TEMPO_RNN_MAX_DIRECTIONS; ++d) {
      int32_t *a = acts + d * TEMPO_RNN_MAX_ACTIVATIONS;
      if (op == Op::Lstm) {
        a[0] = TEMPO_RNN_ACT_SIGMOID;
        a[1] = a[2] = TEMPO_RNN_ACT_TANH;
      } else if (op == Op::Gru) {
        a[0] = TEMPO_RNN_ACT_SIGMOID;
        a[1] = TEMPO_RNN_ACT_TANH;
      } else {
        a[0] = TEMPO_RNN_ACT_TANH;
      }
    }
  }
  void setActivation(int32_t d, int32_t k, int32_t kind, float a = 0.0f,
                     float bt = 0.0f) {
    const int32_t slot = d * TEMPO_RNN_MAX_ACTIVATIONS + k;
    acts[slot] = kind;
    alpha[slot] = a;
    beta[slot] = bt;
  }

  std::string describe() const {
    std::string s = std::string(opName(op)) + " S=" + std::to_string(S) +
                    " B=" + std::to_string(B) + " I=" + std::to_string(I) +
                    " H=" + std::to_string(H) +
                    " dir=" + std::to_string(direction) +
                    " layout=" + std::to_string(layout);
    s += b.empty() ? "" : " bias";
    s += h0.empty() ? "" : " h0";
    s += c0.empty() ? "" : " c0";
    s += p.empty() ? "" : " peephole";
    s += clip > 0 ? " clip=" + std::to_string(clip) : "";
    s += linearBeforeReset ? " lbr" : "";
    s += inputForget ? " input_forget" : "";
    return s;
  }
};

/// Optional-input switches for makeProblem.
enum : unsigned {
  kBias = 1,
  kInitialH = 2,
  kInitialC = 4,
  kPeephole = 8,
  kAllInputs = 15,
};

/// A problem with random weights and inputs; X is scaled by 2 so that gates
/// leave the linear range.
Problem makeProblem(Op op, int32_t S, int32_t B, int32_t I, int32_t H,
                    int32_t direction, int32_t layout, unsigned inputs,
                    Rng &rng) {
  Problem pr;
  pr.op = op;
  pr.S = S;
  pr.B = B;
  pr.I = I;
  pr.H = H;
  pr.direction = direction;
  pr.layout = layout;
  pr.defaultActivations();
  const size_t D = pr.dirs(), G = pr.gates();
  pr.x = rng.floats(static_cast<size_t>(S) * B * I, 2.0f);
  pr.w = rng.floats(D * G * H * I);
  pr.r = rng.floats(D * G * H * H);
  if (inputs & kBias)
    pr.b = rng.floats(D * 2 * G * H, 0.5f);
  if (inputs & kInitialH)
    pr.h0 = rng.floats(pr.stateSize());
  if (op == Op::Lstm && (inputs & kInitialC))
    pr.c0 = rng.floats(pr.stateSize(), 2.0f);
  if (op == Op::Lstm && (inputs & kPeephole))
    pr.p = rng.floats(D * 3 * H);
  return pr;
}

//===----------------------------------------------------------------------===//
// Reference: the ONNX equations, term by term
//===----------------------------------------------------------------------===//

/// The activation formulas of the ONNX operator docs, in A. Sigmoid is split
/// at 0 (as 1/(1+e^-x) and e^x/(1+e^x), mathematically the same) so that the
/// float reference can match the kernel bit for bit; softplus is the literal
/// log(1 + e^x), which only the double comparisons use.
template <typename A>
A refActivation(int32_t kind, float alphaF, float betaF, A x) {
  const A a = static_cast<A>(alphaF), bt = static_cast<A>(betaF);
  switch (kind) {
  case TEMPO_RNN_ACT_SIGMOID:
    return x >= 0 ? A(1) / (A(1) + std::exp(-x))
                  : std::exp(x) / (A(1) + std::exp(x));
  case TEMPO_RNN_ACT_TANH:
    return std::tanh(x);
  case TEMPO_RNN_ACT_RELU:
    return std::max(A(0), x);
  case TEMPO_RNN_ACT_LEAKY_RELU:
    return x >= 0 ? x : a * x;
  case TEMPO_RNN_ACT_THRESHOLDED_RELU:
    return x > a ? x : A(0);
  case TEMPO_RNN_ACT_SCALED_TANH:
    return a * std::tanh(bt * x);
  case TEMPO_RNN_ACT_HARD_SIGMOID:
    return std::min(std::max(a * x + bt, A(0)), A(1));
  case TEMPO_RNN_ACT_ELU:
    return x >= 0 ? x : a * (std::exp(x) - A(1));
  case TEMPO_RNN_ACT_SOFTSIGN:
    return x / (A(1) + std::fabs(x));
  case TEMPO_RNN_ACT_SOFTPLUS:
    return std::log(A(1) + std::exp(x));
  case TEMPO_RNN_ACT_AFFINE:
    return a * x + bt;
  }
  ADD_FAILURE() << "unknown activation " << kind;
  return x;
}

template <typename A> struct Outputs { std::vector<A> y, yH, yC; };

/// Runs the op from the ONNX equations. Outputs are in the problem's layout.
template <typename A> Outputs<A> reference(const Problem &pr) {
  const int32_t S = pr.S, B = pr.B, I = pr.I, H = pr.H, D = pr.dirs(),
                G = pr.gates();
  // Materialise X as [S][B][I] and the initial states as [D][B][H].
  std::vector<std::vector<std::vector<A>>> X(
      S, std::vector<std::vector<A>>(B, std::vector<A>(I)));
  for (int32_t t = 0; t < S; ++t)
    for (int32_t b = 0; b < B; ++b)
      for (int32_t i = 0; i < I; ++i)
        X[t][b][i] = static_cast<A>(
            pr.x[pr.layout ? (b * S + t) * I + i : (t * B + b) * I + i]);
  auto stateIndex = [&](int32_t d, int32_t b, int32_t k) {
    return pr.layout ? (b * D + d) * H + k : (d * B + b) * H + k;
  };
  auto W = [&](int32_t d, int32_t row, int32_t i) {
    return static_cast<A>(pr.w[(d * G * H + row) * I + i]);
  };
  auto R = [&](int32_t d, int32_t row, int32_t k) {
    return static_cast<A>(pr.r[(d * G * H + row) * H + k]);
  };
  auto Wb = [&](int32_t d, int32_t row) {
    return static_cast<A>(pr.b[d * 2 * G * H + row]);
  };
  auto Rb = [&](int32_t d, int32_t row) {
    return static_cast<A>(pr.b[d * 2 * G * H + G * H + row]);
  };
  auto P = [&](int32_t d, int32_t which, int32_t k) {
    return static_cast<A>(pr.p[d * 3 * H + which * H + k]);
  };
  const bool hasB = !pr.b.empty(), hasP = !pr.p.empty();
  const A clip = static_cast<A>(pr.clip);
  auto clipped = [&](A v) {
    return clip > 0 ? std::min(std::max(v, -clip), clip) : v;
  };

  // Canonical outputs: Y [S][D][B][H], Y_h and Y_c [D][B][H].
  std::vector<A> Y(static_cast<size_t>(S) * D * B * H);
  std::vector<A> Yh(static_cast<size_t>(D) * B * H), Yc(Yh.size());
  for (int32_t d = 0; d < D; ++d) {
    auto act = [&](int32_t k, A v) {
      const int32_t slot = d * TEMPO_RNN_MAX_ACTIVATIONS + k;
      return refActivation<A>(pr.acts[slot], pr.alpha[slot], pr.beta[slot], v);
    };
    std::vector<std::vector<A>> h(B, std::vector<A>(H, A(0))), c = h;
    for (int32_t b = 0; b < B; ++b)
      for (int32_t k = 0; k < H; ++k) {
        if (!pr.h0.empty())
          h[b][k] = static_cast<A>(pr.h0[stateIndex(d, b, k)]);
        if (!pr.c0.empty())
          c[b][k] = static_cast<A>(pr.c0[stateIndex(d, b, k)]);
      }
    const bool reverse = pr.direction == TEMPO_RNN_REVERSE ||
                         (pr.direction == TEMPO_RNN_BIDIRECTIONAL && d == 1);
    std::vector<int32_t> times;
    for (int32_t t = 0; t < S; ++t)
      times.push_back(t);
    if (reverse)
      std::reverse(times.begin(), times.end());
    for (int32_t t : times) {
      for (int32_t b = 0; b < B; ++b) {
        // Xt*(W_row^T) and v*(R_row^T), each summed from 0 in column order.
        auto xw = [&](int32_t row) {
          A acc = 0;
          for (int32_t i = 0; i < I; ++i)
            acc += X[t][b][i] * W(d, row, i);
          return acc;
        };
        auto vr = [&](const std::vector<A> &v, int32_t row) {
          A acc = 0;
          for (int32_t k = 0; k < H; ++k)
            acc += v[k] * R(d, row, k);
          return acc;
        };
        const std::vector<A> &hp = h[b];
        std::vector<A> hn(H), cn(H);
        if (pr.op == Op::Lstm) {
          // Gate rows: i = 0, o = H, f = 2H, c = 3H; peepholes i, o, f.
          for (int32_t k = 0; k < H; ++k) {
            const A cp = c[b][k];
            A vi = xw(k) + vr(hp, k);
            if (hasP)
              vi = vi + P(d, 0, k) * cp;
            if (hasB)
              vi = vi + Wb(d, k) + Rb(d, k);
            const A it = act(0, clipped(vi));
            A ft;
            if (pr.inputForget) {
              ft = A(1) - it;
            } else {
              A vf = xw(2 * H + k) + vr(hp, 2 * H + k);
              if (hasP)
                vf = vf + P(d, 2, k) * cp;
              if (hasB)
                vf = vf + Wb(d, 2 * H + k) + Rb(d, 2 * H + k);
              ft = act(0, clipped(vf));
            }
            A vc = xw(3 * H + k) + vr(hp, 3 * H + k);
            if (hasB)
              vc = vc + Wb(d, 3 * H + k) + Rb(d, 3 * H + k);
            const A ct = act(1, clipped(vc));
            cn[k] = ft * cp + it * ct;
            A vo = xw(H + k) + vr(hp, H + k);
            if (hasP)
              vo = vo + P(d, 1, k) * cn[k];
            if (hasB)
              vo = vo + Wb(d, H + k) + Rb(d, H + k);
            const A ot = act(0, clipped(vo));
            hn[k] = ot * act(2, cn[k]);
          }
        } else if (pr.op == Op::Gru) {
          // Gate rows: z = 0, r = H, h = 2H.
          std::vector<A> z(H), r(H), rh(H), hc(H);
          for (int32_t k = 0; k < H; ++k) {
            A vz = xw(k) + vr(hp, k);
            A vrr = xw(H + k) + vr(hp, H + k);
            if (hasB) {
              vz = vz + Wb(d, k) + Rb(d, k);
              vrr = vrr + Wb(d, H + k) + Rb(d, H + k);
            }
            z[k] = act(0, clipped(vz));
            r[k] = act(0, clipped(vrr));
            rh[k] = r[k] * hp[k];
          }
          for (int32_t k = 0; k < H; ++k) {
            const int32_t row = 2 * H + k;
            A v;
            if (pr.linearBeforeReset) {
              // Xt*(Wh^T) + (rt (.) (Ht-1*(Rh^T) + Rbh)) + Wbh
              A lin = vr(hp, row);
              if (hasB)
                lin = lin + Rb(d, row);
              v = xw(row) + r[k] * lin;
              if (hasB)
                v = v + Wb(d, row);
            } else {
              // Xt*(Wh^T) + (rt (.) Ht-1)*(Rh^T) + Rbh + Wbh
              v = xw(row) + vr(rh, row);
              if (hasB)
                v = v + Rb(d, row) + Wb(d, row);
            }
            hc[k] = act(1, clipped(v));
          }
          for (int32_t k = 0; k < H; ++k)
            hn[k] = (A(1) - z[k]) * hc[k] + z[k] * hp[k];
        } else {
          for (int32_t k = 0; k < H; ++k) {
            A v = xw(k) + vr(hp, k);
            if (hasB)
              v = v + Wb(d, k) + Rb(d, k);
            hn[k] = act(0, clipped(v));
          }
        }
        for (int32_t k = 0; k < H; ++k)
          Y[((t * D + d) * B + b) * H + k] = hn[k];
        h[b] = hn;
        if (pr.op == Op::Lstm)
          c[b] = cn;
      }
    }
    for (int32_t b = 0; b < B; ++b)
      for (int32_t k = 0; k < H; ++k) {
        Yh[(d * B + b) * H + k] = h[b][k];
        Yc[(d * B + b) * H + k] = c[b][k];
      }
  }

  // Into the problem's layout.
  Outputs<A> out;
  out.y.resize(Y.size());
  out.yH.resize(Yh.size());
  out.yC.resize(Yc.size());
  for (int32_t t = 0; t < S; ++t)
    for (int32_t d = 0; d < D; ++d)
      for (int32_t b = 0; b < B; ++b)
        for (int32_t k = 0; k < H; ++k)
          out.y[pr.layout ? ((b * S + t) * D + d) * H + k
                          : ((t * D + d) * B + b) * H + k] =
              Y[((t * D + d) * B + b) * H + k];
  for (int32_t d = 0; d < D; ++d)
    for (int32_t b = 0; b < B; ++b)
      for (int32_t k = 0; k < H; ++k) {
        out.yH[stateIndex(d, b, k)] = Yh[(d * B + b) * H + k];
        out.yC[stateIndex(d, b, k)] = Yc[(d * B + b) * H + k];
      }
  if (pr.op != Op::Lstm)
    out.yC.clear();
  return out;
}

//===----------------------------------------------------------------------===//
// Running the kernels
//===----------------------------------------------------------------------===//

template <typename P> void fillCommon(P &p, const Problem &pr) {
  p.seq_len = pr.S;
  p.batch = pr.B;
  p.input_size = pr.I;
  p.hidden_size = pr.H;
  p.num_directions = pr.dirs();
  p.direction = pr.direction;
  p.layout = pr.layout;
  for (int32_t s = 0; s < TEMPO_RNN_ACTIVATION_SLOTS; ++s) {
    p.activations[s] = pr.acts[s];
    p.activation_alpha[s] = pr.alpha[s];
    p.activation_beta[s] = pr.beta[s];
  }
  p.clip = pr.clip;
  p.has_bias = !pr.b.empty();
  p.has_initial_h = !pr.h0.empty();
  p.want_y = pr.wantY;
  p.want_y_h = pr.wantYh;
}

tempo_lstm_params_t lstmParams(const Problem &pr) {
  tempo_lstm_params_t p{};
  fillCommon(p, pr);
  p.input_forget = pr.inputForget;
  p.has_initial_c = !pr.c0.empty();
  p.has_peephole = !pr.p.empty();
  p.want_y_c = pr.wantYc;
  return p;
}
tempo_gru_params_t gruParams(const Problem &pr) {
  tempo_gru_params_t p{};
  fillCommon(p, pr);
  p.linear_before_reset = pr.linearBeforeReset;
  return p;
}
tempo_rnn_params_t rnnParams(const Problem &pr) {
  tempo_rnn_params_t p{};
  fillCommon(p, pr);
  return p;
}

size_t scratchElems(const Problem &pr) {
  if (pr.op == Op::Lstm) {
    const tempo_lstm_params_t p = lstmParams(pr);
    return tempo_lstm_scratch_elems(&p);
  }
  if (pr.op == Op::Gru) {
    const tempo_gru_params_t p = gruParams(pr);
    return tempo_gru_scratch_elems(&p);
  }
  const tempo_rnn_params_t p = rnnParams(pr);
  return tempo_rnn_scratch_elems(&p);
}

template <typename T> std::vector<T> as(const std::vector<float> &v) {
  return std::vector<T>(v.begin(), v.end());
}
/// The data of an optional input: null when absent.
template <typename T> const T *opt(const std::vector<T> &v) {
  return v.empty() ? nullptr : v.data();
}

/// How runKernel passes the buffers of unwanted outputs.
enum class Unwanted { Null, Sentinel };
constexpr float kSentinel = -12345.0f;

/// Runs the T kernel of the problem. Wanted outputs come back filled;
/// unwanted ones are null, or sentinel-filled buffers the kernel must leave
/// alone (checked here). The scratch is pre-filled with `scratchFill` and
/// followed by a guard band that must stay untouched (checked here too).
template <typename T>
Outputs<T> runKernel(const Problem &pr, Unwanted unwanted = Unwanted::Null,
                     T scratchFill = T(0)) {
  const std::vector<T> x = as<T>(pr.x), w = as<T>(pr.w), r = as<T>(pr.r),
                       b = as<T>(pr.b), h0 = as<T>(pr.h0), c0 = as<T>(pr.c0),
                       p = as<T>(pr.p);
  Outputs<T> out;
  auto buffer = [&](std::vector<T> &v, size_t n, bool wanted) -> T * {
    if (!wanted && unwanted == Unwanted::Null)
      return nullptr;
    v.assign(n, wanted ? T(0) : T(kSentinel));
    return v.data();
  };
  T *y = buffer(out.y, pr.ySize(), pr.wantY);
  T *yH = buffer(out.yH, pr.stateSize(), pr.wantYh);
  T *yC =
      pr.op == Op::Lstm ? buffer(out.yC, pr.stateSize(), pr.wantYc) : nullptr;
  constexpr size_t kGuard = 16;
  const size_t elems = scratchElems(pr);
  std::vector<T> scratch(elems + kGuard, scratchFill);
  for (size_t i = elems; i < scratch.size(); ++i)
    scratch[i] = T(kSentinel);

  if (pr.op == Op::Lstm)
    tempo::lstm<T>(lstmParams(pr), x.data(), w.data(), r.data(), opt(b),
                   opt(h0), opt(c0), opt(p), y, yH, yC, scratch.data());
  else if (pr.op == Op::Gru)
    tempo::gru<T>(gruParams(pr), x.data(), w.data(), r.data(), opt(b), opt(h0),
                  y, yH, scratch.data());
  else
    tempo::rnn<T>(rnnParams(pr), x.data(), w.data(), r.data(), opt(b), opt(h0),
                  y, yH, scratch.data());

  for (size_t i = elems; i < scratch.size(); ++i)
    EXPECT_EQ(scratch[i], T(kSentinel)) << "scratch overrun at " << i;
  auto untouched = [](std::vector<T> &v, bool wanted, const char *what) {
    if (wanted)
      return;
    for (const T &e : v)
      if (e != T(kSentinel)) {
        ADD_FAILURE() << "unwanted " << what << " was written";
        break;
      }
    v.clear();
  };
  untouched(out.y, pr.wantY, "Y");
  untouched(out.yH, pr.wantYh, "Y_h");
  if (pr.op == Op::Lstm)
    untouched(out.yC, pr.wantYc, "Y_c");
  return out;
}

/// |got - want| <= atol + rtol * |want| elementwise.
template <typename G, typename W>
::testing::AssertionResult near(const char *what, const std::vector<G> &got,
                                const std::vector<W> &want, double rtol,
                                double atol) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure()
           << what << ": size " << got.size() << " != " << want.size();
  for (size_t i = 0; i < got.size(); ++i) {
    const double g = static_cast<double>(got[i]);
    const double w = static_cast<double>(want[i]);
    if (!(std::fabs(g - w) <= atol + rtol * std::fabs(w)))
      return ::testing::AssertionFailure()
             << what << " element " << i << ": got " << g << ", want " << w;
  }
  return ::testing::AssertionSuccess();
}

/// got == want elementwise (so +0 == -0).
::testing::AssertionResult equal(const char *what,
                                 const std::vector<float> &got,
                                 const std::vector<float> &want) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure()
           << what << ": size " << got.size() << " != " << want.size();
  for (size_t i = 0; i < got.size(); ++i)
    if (!(got[i] == want[i]))
      return ::testing::AssertionFailure()
             << what << " element " << i << ": got " << got[i] << ", want "
             << want[i] << " (diff " << got[i] - want[i] << ")";
  return ::testing::AssertionSuccess();
}

constexpr double kRtol = 1e-4, kAtol = 1e-5;

/// The float kernel against the double reference, the double kernel against
/// it tightly, and, if `exact`, the float kernel against the float reference
/// bit for bit. Only wanted outputs are compared.
void checkAgainstReference(const Problem &pr, bool exact = true) {
  SCOPED_TRACE(pr.describe());
  const Outputs<double> want = reference<double>(pr);
  const Outputs<float> got = runKernel<float>(pr);
  const Outputs<double> got64 = runKernel<double>(pr);
  auto wanted = [](const std::vector<double> &v, bool on) {
    return on ? v : std::vector<double>();
  };
  const std::vector<double> wy = wanted(want.y, pr.wantY),
                            wh = wanted(want.yH, pr.wantYh),
                            wc = wanted(want.yC, pr.wantYc);
  EXPECT_TRUE(near("Y", got.y, wy, kRtol, kAtol));
  EXPECT_TRUE(near("Y_h", got.yH, wh, kRtol, kAtol));
  EXPECT_TRUE(near("Y_c", got.yC, wc, kRtol, kAtol));
  EXPECT_TRUE(near("Y (double)", got64.y, wy, 1e-12, 1e-12));
  EXPECT_TRUE(near("Y_h (double)", got64.yH, wh, 1e-12, 1e-12));
  EXPECT_TRUE(near("Y_c (double)", got64.yC, wc, 1e-12, 1e-12));
  if (!exact)
    return;
  const Outputs<float> want32 = reference<float>(pr);
  if (pr.wantY) {
    EXPECT_TRUE(equal("Y (float order)", got.y, want32.y));
  }
  if (pr.wantYh) {
    EXPECT_TRUE(equal("Y_h (float order)", got.yH, want32.yH));
  }
  if (pr.wantYc && pr.op == Op::Lstm) {
    EXPECT_TRUE(equal("Y_c (float order)", got.yC, want32.yC));
  }
}

struct Shape {
  int32_t S, B, I, H;
};
const Shape kShapes[] = {
    {1, 1, 1, 1}, {3, 2, 3, 4}, {5, 3, 2, 5}, {4, 1, 6, 3}};
const int32_t kDirections[] = {TEMPO_RNN_FORWARD, TEMPO_RNN_REVERSE,
                               TEMPO_RNN_BIDIRECTIONAL};

//===----------------------------------------------------------------------===//
// Scratch sizes
//===----------------------------------------------------------------------===//

TEST(RecurrentScratchTest, SizesFollowTheDocumentedLayout) {
  tempo_lstm_params_t l{};
  l.batch = 3;
  l.hidden_size = 4;
  l.num_directions = 2;
  EXPECT_EQ(tempo_lstm_scratch_elems(&l), 4u * 4 + 2u * 3 * 4);
  EXPECT_EQ(tempo_lstm_scratch_size(&l), (4u * 4 + 2u * 3 * 4) * sizeof(float));
  tempo_gru_params_t g{};
  g.batch = 3;
  g.hidden_size = 4;
  EXPECT_EQ(tempo_gru_scratch_elems(&g), 3u * 4 + 3u * 4);
  EXPECT_EQ(tempo_gru_scratch_size(&g), (3u * 4 + 3u * 4) * sizeof(float));
  tempo_rnn_params_t r{};
  r.batch = 3;
  r.hidden_size = 4;
  EXPECT_EQ(tempo_rnn_scratch_elems(&r), 4u + 3u * 4);
  EXPECT_EQ(tempo_rnn_scratch_size(&r), (4u + 3u * 4) * sizeof(float));
}

TEST(RecurrentScratchTest, ContentsOnEntryDoNotMatter) {
  Rng rng(1);
  for (Op op : {Op::Lstm, Op::Gru, Op::Rnn}) {
    const Problem pr = makeProblem(op, 4, 2, 3, 3, TEMPO_RNN_BIDIRECTIONAL, 1,
                                   kAllInputs, rng);
    SCOPED_TRACE(pr.describe());
    const Outputs<float> clean = runKernel<float>(pr);
    const Outputs<float> dirty =
        runKernel<float>(pr, Unwanted::Null, std::nanf(""));
    EXPECT_TRUE(equal("Y", dirty.y, clean.y));
    EXPECT_TRUE(equal("Y_h", dirty.yH, clean.yH));
    EXPECT_TRUE(equal("Y_c", dirty.yC, clean.yC));
  }
}

//===----------------------------------------------------------------------===//
// Hand-computed cases
//===----------------------------------------------------------------------===//

/// RNN with f = Affine(1, 0), W = R = 1: H_t = x_t + H_t-1, a running sum.
Problem runningSum(int32_t direction, int32_t layout, int32_t batch) {
  Problem pr;
  pr.op = Op::Rnn;
  pr.S = 4;
  pr.B = batch;
  pr.direction = direction;
  pr.layout = layout;
  for (int32_t d = 0; d < 2; ++d)
    pr.setActivation(d, 0, TEMPO_RNN_ACT_AFFINE, 1.0f, 0.0f);
  pr.w.assign(pr.dirs(), 1.0f);
  pr.r.assign(pr.dirs(), 1.0f);
  // Batch entry b sees x = (1, 2, 3, 4) * 10^b.
  pr.x.resize(4 * batch);
  for (int32_t t = 0; t < 4; ++t)
    for (int32_t b = 0; b < batch; ++b)
      pr.x[layout ? b * 4 + t : t * batch + b] =
          static_cast<float>((t + 1) * (b ? 10 : 1));
  return pr;
}

TEST(RnnKernelTest, ForwardIsARunningSum) {
  const Outputs<float> out =
      runKernel<float>(runningSum(TEMPO_RNN_FORWARD, 0, 1));
  EXPECT_EQ(out.y, (std::vector<float>{1, 3, 6, 10}));
  EXPECT_EQ(out.yH, (std::vector<float>{10}));
}

TEST(RnnKernelTest, ReverseWritesYAtTheOriginalTime) {
  // Steps t = 3, 2, 1, 0: Y[t] = x[t] + ... + x[3]; Y_h is the state after
  // t = 0.
  const Outputs<float> out =
      runKernel<float>(runningSum(TEMPO_RNN_REVERSE, 0, 1));
  EXPECT_EQ(out.y, (std::vector<float>{10, 9, 7, 4}));
  EXPECT_EQ(out.yH, (std::vector<float>{10}));
}

TEST(RnnKernelTest, BidirectionalLayoutsPlaceBothDirections) {
  // Layout 0: Y [S, D, B, H] = [4, 2, 2, 1], Y_h [D, B, H].
  Outputs<float> out =
      runKernel<float>(runningSum(TEMPO_RNN_BIDIRECTIONAL, 0, 2));
  EXPECT_EQ(out.y, (std::vector<float>{1, 10, 10, 100, 3, 30, 9, 90, 6, 60, 7,
                                       70, 10, 100, 4, 40}));
  EXPECT_EQ(out.yH, (std::vector<float>{10, 100, 10, 100}));
  // Layout 1: Y [B, S, D, H] = [2, 4, 2, 1], Y_h [B, D, H].
  out = runKernel<float>(runningSum(TEMPO_RNN_BIDIRECTIONAL, 1, 2));
  EXPECT_EQ(out.y, (std::vector<float>{1, 10, 3, 9, 6, 7, 10, 4, 10, 100, 30,
                                       90, 60, 70, 100, 40}));
  EXPECT_EQ(out.yH, (std::vector<float>{10, 10, 100, 100}));
}

TEST(RnnKernelTest, InitialStateIsPerDirectionInLayout) {
  // Layout 1: initial_h is [B, D, H]; batch 0 starts at (100, 200), batch 1
  // at (300, 400) for (forward, reverse).
  Problem pr = runningSum(TEMPO_RNN_BIDIRECTIONAL, 1, 2);
  pr.h0 = {100, 200, 300, 400};
  const Outputs<float> out = runKernel<float>(pr);
  EXPECT_EQ(out.yH, (std::vector<float>{110, 210, 400, 500}));
}

TEST(RnnKernelTest, AccumulationOrderIsXThenHThenWbThenRb) {
  // In float 1e8 + 1 == 1e8. ((x.w + h.r) + Wb) + Rb with x = 1e8, h0 = 1,
  // Wb = -1e8, Rb = 1 gives ((1e8 + 1) - 1e8) + 1 = 1; adding the biases
  // first, or h.r last, would give 0 or 2.
  Problem pr;
  pr.op = Op::Rnn;
  pr.setActivation(0, 0, TEMPO_RNN_ACT_AFFINE, 1.0f, 0.0f);
  pr.x = {1e8f};
  pr.w = {1.0f};
  pr.r = {1.0f};
  pr.h0 = {1.0f};
  pr.b = {-1e8f, 1.0f};
  EXPECT_EQ(runKernel<float>(pr).yH, (std::vector<float>{1.0f}));
}

TEST(LstmKernelTest, SingleStepByHand) {
  // I = H = 1, x = W = R = 0, so the gates see only the biases: Wb = 0 for
  // i, o, f gives i = o = f = sigmoid(0) = 0.5, and Wbc = atanh(0.5) gives
  // c = 0.5. With C0 = 2: Ct = 0.5 * 2 + 0.5 * 0.5 = 1.25 and
  // Ht = 0.5 * tanh(1.25).
  Problem pr;
  pr.op = Op::Lstm;
  pr.defaultActivations();
  pr.x = {0.0f};
  pr.w.assign(4, 0.0f);
  pr.r.assign(4, 0.0f);
  pr.b = {0, 0, 0, std::atanh(0.5f), 0, 0, 0, 0};
  pr.c0 = {2.0f};
  const Outputs<float> out = runKernel<float>(pr);
  ASSERT_EQ(out.yC.size(), 1u);
  EXPECT_FLOAT_EQ(out.yC[0], 1.25f);
  EXPECT_FLOAT_EQ(out.yH[0], 0.5f * std::tanh(1.25f));
  EXPECT_EQ(out.y, out.yH);
}

//===----------------------------------------------------------------------===//
// Sweeps against the reference
//===----------------------------------------------------------------------===//

TEST(LstmKernelTest, MatchesReferenceOverShapesLayoutsDirectionsAndInputs) {
  Rng rng(11);
  for (const Shape &s : kShapes)
    for (int32_t layout : {0, 1})
      for (int32_t direction : kDirections)
        for (unsigned inputs = 0; inputs <= kAllInputs; ++inputs)
          checkAgainstReference(makeProblem(Op::Lstm, s.S, s.B, s.I, s.H,
                                            direction, layout, inputs, rng));
}

TEST(GruKernelTest, MatchesReferenceOverShapesLayoutsDirectionsAndInputs) {
  Rng rng(12);
  for (const Shape &s : kShapes)
    for (int32_t layout : {0, 1})
      for (int32_t direction : kDirections)
        for (int32_t lbr : {0, 1})
          for (unsigned inputs : {0u, unsigned(kBias), unsigned(kInitialH),
                                  unsigned(kBias | kInitialH)}) {
            Problem pr = makeProblem(Op::Gru, s.S, s.B, s.I, s.H, direction,
                                     layout, inputs, rng);
            pr.linearBeforeReset = lbr;
            checkAgainstReference(pr);
          }
}

TEST(RnnKernelTest, MatchesReferenceOverShapesLayoutsDirectionsAndInputs) {
  Rng rng(13);
  for (const Shape &s : kShapes)
    for (int32_t layout : {0, 1})
      for (int32_t direction : kDirections)
        for (unsigned inputs : {0u, unsigned(kBias), unsigned(kInitialH),
                                unsigned(kBias | kInitialH)})
          checkAgainstReference(makeProblem(Op::Rnn, s.S, s.B, s.I, s.H,
                                            direction, layout, inputs, rng));
}

TEST(LstmKernelTest, PeepholesAndClip) {
  Rng rng(21);
  for (int32_t direction : kDirections) {
    Problem pr =
        makeProblem(Op::Lstm, 6, 2, 3, 4, direction, 0, kAllInputs, rng);
    pr.clip = 0.5f;
    checkAgainstReference(pr);
    // The clip must bite (else this test could not fail), and so must P.
    Problem unclipped = pr;
    unclipped.clip = 0.0f;
    Problem noPeephole = pr;
    noPeephole.p.clear();
    const Outputs<float> base = runKernel<float>(pr);
    EXPECT_FALSE(near("Y", runKernel<float>(unclipped).y, base.y, 0, 1e-3));
    EXPECT_FALSE(near("Y", runKernel<float>(noPeephole).y, base.y, 0, 1e-3));
  }
}

TEST(LstmKernelTest, InputForgetCouplesTheForgetGate) {
  Rng rng(22);
  for (int32_t direction : kDirections) {
    Problem pr =
        makeProblem(Op::Lstm, 4, 2, 3, 3, direction, 1, kAllInputs, rng);
    pr.inputForget = 1;
    checkAgainstReference(pr);
    // The f rows of W, R, B and P are not read.
    Problem changed = pr;
    const int32_t H = pr.H, I = pr.I;
    for (int32_t d = 0; d < pr.dirs(); ++d)
      for (int32_t k = 0; k < H; ++k) {
        const int32_t row = d * 4 * H + 2 * H + k;
        for (int32_t i = 0; i < I; ++i)
          changed.w[row * I + i] = 100.0f;
        for (int32_t j = 0; j < H; ++j)
          changed.r[row * H + j] = 100.0f;
        changed.b[d * 8 * H + 2 * H + k] = 100.0f;
        changed.b[d * 8 * H + 6 * H + k] = 100.0f;
        changed.p[d * 3 * H + 2 * H + k] = 100.0f;
      }
    EXPECT_TRUE(
        equal("Y", runKernel<float>(changed).y, runKernel<float>(pr).y));
  }
}

TEST(LstmKernelTest, NonDefaultActivationsPerDirection) {
  Rng rng(23);
  Problem pr = makeProblem(Op::Lstm, 5, 2, 3, 4, TEMPO_RNN_BIDIRECTIONAL, 0,
                           kAllInputs, rng);
  pr.setActivation(0, 0, TEMPO_RNN_ACT_HARD_SIGMOID, 0.2f, 0.5f);
  pr.setActivation(0, 1, TEMPO_RNN_ACT_ELU, 1.5f);
  pr.setActivation(0, 2, TEMPO_RNN_ACT_SOFTSIGN);
  pr.setActivation(1, 0, TEMPO_RNN_ACT_SIGMOID);
  pr.setActivation(1, 1, TEMPO_RNN_ACT_SCALED_TANH, 0.8f, 1.3f);
  pr.setActivation(1, 2, TEMPO_RNN_ACT_AFFINE, 0.5f, 0.25f);
  pr.clip = 2.0f;
  checkAgainstReference(pr);
}

TEST(GruKernelTest, BidirectionalLinearBeforeReset) {
  Rng rng(31);
  for (int32_t layout : {0, 1}) {
    Problem pr = makeProblem(Op::Gru, 5, 3, 4, 6, TEMPO_RNN_BIDIRECTIONAL,
                             layout, kBias | kInitialH, rng);
    pr.linearBeforeReset = 1;
    checkAgainstReference(pr);
    Problem other = pr;
    other.linearBeforeReset = 0;
    EXPECT_FALSE(
        near("Y", runKernel<float>(other).y, runKernel<float>(pr).y, 0, 1e-3));
  }
}

TEST(GruKernelTest, ClipAndNonDefaultActivations) {
  Rng rng(32);
  for (int32_t lbr : {0, 1}) {
    Problem pr = makeProblem(Op::Gru, 4, 2, 3, 4, TEMPO_RNN_BIDIRECTIONAL, 1,
                             kBias | kInitialH, rng);
    pr.linearBeforeReset = lbr;
    pr.clip = 0.6f;
    pr.setActivation(0, 0, TEMPO_RNN_ACT_HARD_SIGMOID, 0.3f, 0.4f);
    pr.setActivation(0, 1, TEMPO_RNN_ACT_SOFTSIGN);
    pr.setActivation(1, 0, TEMPO_RNN_ACT_SIGMOID);
    pr.setActivation(1, 1, TEMPO_RNN_ACT_SOFTPLUS);
    checkAgainstReference(pr, /*exact=*/false);
  }
}

TEST(RnnKernelTest, ReluForwardLeakyReluReverse) {
  Rng rng(41);
  for (int32_t layout : {0, 1}) {
    Problem pr = makeProblem(Op::Rnn, 6, 2, 3, 5, TEMPO_RNN_BIDIRECTIONAL,
                             layout, kBias | kInitialH, rng);
    pr.setActivation(0, 0, TEMPO_RNN_ACT_RELU);
    pr.setActivation(1, 0, TEMPO_RNN_ACT_LEAKY_RELU, 0.1f);
    checkAgainstReference(pr);
  }
}

TEST(RnnKernelTest, EveryActivationKind) {
  struct Kind {
    int32_t kind;
    float alpha, beta;
  };
  const Kind kinds[] = {
      {TEMPO_RNN_ACT_SIGMOID, 0, 0},
      {TEMPO_RNN_ACT_TANH, 0, 0},
      {TEMPO_RNN_ACT_RELU, 0, 0},
      {TEMPO_RNN_ACT_LEAKY_RELU, 0.05f, 0},
      {TEMPO_RNN_ACT_THRESHOLDED_RELU, 0.3f, 0},
      {TEMPO_RNN_ACT_SCALED_TANH, 0.7f, 1.4f},
      {TEMPO_RNN_ACT_HARD_SIGMOID, 0.25f, 0.45f},
      {TEMPO_RNN_ACT_ELU, 0.8f, 0},
      {TEMPO_RNN_ACT_SOFTSIGN, 0, 0},
      {TEMPO_RNN_ACT_SOFTPLUS, 0, 0},
      {TEMPO_RNN_ACT_AFFINE, 0.6f, -0.1f},
  };
  const size_t n = sizeof kinds / sizeof *kinds;
  Rng rng(42);
  for (size_t i = 0; i < n; ++i) {
    // The reverse direction uses the next kind, so pairs differ.
    const Kind &fwd = kinds[i], &rev = kinds[(i + 1) % n];
    Problem pr = makeProblem(Op::Rnn, 4, 2, 3, 4, TEMPO_RNN_BIDIRECTIONAL, 0,
                             kBias | kInitialH, rng);
    pr.setActivation(0, 0, fwd.kind, fwd.alpha, fwd.beta);
    pr.setActivation(1, 0, rev.kind, rev.alpha, rev.beta);
    SCOPED_TRACE("activations " + std::to_string(fwd.kind) + ", " +
                 std::to_string(rev.kind));
    checkAgainstReference(pr, fwd.kind != TEMPO_RNN_ACT_SOFTPLUS &&
                                  rev.kind != TEMPO_RNN_ACT_SOFTPLUS);
  }
}

TEST(RecurrentActivationTest, EdgeValues) {
  using Act = tempo::detail::recurrent::Activation<float>;
  const float nan = std::nanf("");
  // Sigmoid and softplus must not overflow far from 0.
  EXPECT_EQ((Act{TEMPO_RNN_ACT_SIGMOID, 0, 0}(-200.0f)), 0.0f);
  EXPECT_EQ((Act{TEMPO_RNN_ACT_SIGMOID, 0, 0}(200.0f)), 1.0f);
  EXPECT_EQ((Act{TEMPO_RNN_ACT_SOFTPLUS, 0, 0}(200.0f)), 200.0f);
  EXPECT_EQ((Act{TEMPO_RNN_ACT_SOFTPLUS, 0, 0}(-200.0f)), 0.0f);
  EXPECT_FLOAT_EQ((Act{TEMPO_RNN_ACT_SOFTPLUS, 0, 0}(0.0f)), std::log(2.0f));
  // ThresholdedRelu is strict (x > alpha), as the ThresholdedRelu operator.
  EXPECT_EQ((Act{TEMPO_RNN_ACT_THRESHOLDED_RELU, 0.5f, 0}(0.5f)), 0.0f);
  EXPECT_EQ((Act{TEMPO_RNN_ACT_THRESHOLDED_RELU, 0.5f, 0}(0.75f)), 0.75f);
  // HardSigmoid saturates at both ends.
  EXPECT_EQ((Act{TEMPO_RNN_ACT_HARD_SIGMOID, 0.2f, 0.5f}(10.0f)), 1.0f);
  EXPECT_EQ((Act{TEMPO_RNN_ACT_HARD_SIGMOID, 0.2f, 0.5f}(-10.0f)), 0.0f);
  // NaN propagates through every kind.
  for (int32_t kind = TEMPO_RNN_ACT_SIGMOID; kind <= TEMPO_RNN_ACT_AFFINE;
       ++kind)
    EXPECT_TRUE(std::isnan(Act{kind, 0.5f, 0.5f}(nan))) << "kind " << kind;
  // The clip clamps symmetrically, keeps NaN, and is off for c <= 0.
  using tempo::detail::recurrent::clipped;
  EXPECT_EQ(clipped(3.0f, 2.0f), 2.0f);
  EXPECT_EQ(clipped(-3.0f, 2.0f), -2.0f);
  EXPECT_EQ(clipped(1.5f, 2.0f), 1.5f);
  EXPECT_EQ(clipped(30.0f, 0.0f), 30.0f);
  EXPECT_TRUE(std::isnan(clipped(nan, 2.0f)));
}

//===----------------------------------------------------------------------===//
// Partially wanted outputs
//===----------------------------------------------------------------------===//

TEST(RecurrentOutputsTest, UnwantedOutputsAreNotWritten) {
  Rng rng(51);
  struct Want {
    bool y, yH, yC;
  };
  const Want wants[] = {{false, true, false},
                        {false, false, true},
                        {true, false, false},
                        {false, true, true},
                        {true, true, false}};
  for (Op op : {Op::Lstm, Op::Gru, Op::Rnn})
    for (const Want &want : wants)
      for (Unwanted unwanted : {Unwanted::Null, Unwanted::Sentinel}) {
        Problem pr = makeProblem(op, 4, 2, 3, 3, TEMPO_RNN_BIDIRECTIONAL, 1,
                                 kAllInputs, rng);
        pr.wantY = want.y;
        pr.wantYh = want.yH;
        pr.wantYc = want.yC;
        SCOPED_TRACE(pr.describe() + " want " + std::to_string(want.y) +
                     std::to_string(want.yH) + std::to_string(want.yC) +
                     (unwanted == Unwanted::Null ? " null" : " sentinel"));
        const Outputs<double> ref = reference<double>(pr);
        // runKernel checks that the unwanted buffers stay untouched.
        const Outputs<float> got = runKernel<float>(pr, unwanted);
        if (want.y) {
          EXPECT_TRUE(near("Y", got.y, ref.y, kRtol, kAtol));
        }
        if (want.yH) {
          EXPECT_TRUE(near("Y_h", got.yH, ref.yH, kRtol, kAtol));
        }
        if (want.yC && op == Op::Lstm) {
          EXPECT_TRUE(near("Y_c", got.yC, ref.yC, kRtol, kAtol));
        }
      }
}

//===----------------------------------------------------------------------===//
// ONNX's own cases
//===----------------------------------------------------------------------===//

/// One case of recurrent_cases.inc. op: 0 LSTM, 1 GRU, 2 RNN. Null arrays
/// are absent inputs / outputs ONNX does not give.
struct RecurrentCase {
  const char *name;
  int32_t op;
  int32_t seqLen, batch, inputSize, hiddenSize, direction, layout,
      linearBeforeReset;
  const float *x, *w, *r, *b, *initialH, *initialC, *p;
  const float *y, *yH, *yC;
};

#include "recurrent_cases.inc"

std::vector<float> copyOf(const float *data, size_t n) {
  return data ? std::vector<float>(data, data + n) : std::vector<float>();
}

constexpr size_t kCaseCount = sizeof kRecurrentCases / sizeof *kRecurrentCases;

TEST(RecurrentOnnxTest, CasesCoverEveryOp) {
  EXPECT_GE(kCaseCount, 20u);
  int32_t perOp[3] = {0, 0, 0};
  for (const RecurrentCase &c : kRecurrentCases)
    ++perOp[c.op];
  EXPECT_GT(perOp[0], 0);
  EXPECT_GT(perOp[1], 0);
  EXPECT_GT(perOp[2], 0);
}

/// Runs case GetParam() of recurrent_cases.inc (one test per case, named
/// after it).
class RecurrentOnnxCaseTest : public ::testing::TestWithParam<size_t> {};

TEST_P(RecurrentOnnxCaseTest, MatchesOnnxExpectedOutputs) {
  const RecurrentCase &c = kRecurrentCases[GetParam()];
  Problem pr;
  pr.op = c.op == 0 ? Op::Lstm : c.op == 1 ? Op::Gru : Op::Rnn;
  pr.S = c.seqLen;
  pr.B = c.batch;
  pr.I = c.inputSize;
  pr.H = c.hiddenSize;
  pr.direction = c.direction;
  pr.layout = c.layout;
  pr.linearBeforeReset = c.linearBeforeReset;
  pr.defaultActivations();
  const size_t D = pr.dirs(), G = pr.gates(), H = pr.H;
  pr.x = copyOf(c.x, static_cast<size_t>(pr.S) * pr.B * pr.I);
  pr.w = copyOf(c.w, D * G * H * pr.I);
  pr.r = copyOf(c.r, D * G * H * H);
  pr.b = copyOf(c.b, D * 2 * G * H);
  pr.h0 = copyOf(c.initialH, pr.stateSize());
  pr.c0 = copyOf(c.initialC, pr.stateSize());
  pr.p = copyOf(c.p, D * 3 * H);
  pr.wantY = c.y != nullptr;
  pr.wantYh = c.yH != nullptr;
  pr.wantYc = c.yC != nullptr;
  ASSERT_TRUE(pr.wantY || pr.wantYh || pr.wantYc);
  SCOPED_TRACE(pr.describe());
  const std::vector<float> wantY = copyOf(c.y, pr.ySize()),
                           wantYh = copyOf(c.yH, pr.stateSize()),
                           wantYc = copyOf(c.yC, pr.stateSize());
  // Unwanted outputs come back empty, like the copies of absent ones.
  const Outputs<float> got = runKernel<float>(pr);
  EXPECT_TRUE(near("Y", got.y, wantY, kRtol, kAtol));
  EXPECT_TRUE(near("Y_h", got.yH, wantYh, kRtol, kAtol));
  if (pr.op == Op::Lstm) {
    EXPECT_TRUE(near("Y_c", got.yC, wantYc, kRtol, kAtol));
  }
  // The test's reference must agree with ONNX too.
  const Outputs<double> ref = reference<double>(pr);
  if (c.y) {
    EXPECT_TRUE(near("reference Y", ref.y, wantY, kRtol, kAtol));
  }
  if (c.yH) {
    EXPECT_TRUE(near("reference Y_h", ref.yH, wantYh, kRtol, kAtol));
  }
}

INSTANTIATE_TEST_SUITE_P(Onnx, RecurrentOnnxCaseTest,
                         ::testing::Range<size_t>(0, kCaseCount),
                         [](const ::testing::TestParamInfo<size_t> &info) {
                           return std::string(kRecurrentCases[info.param].name);
                         });

} // namespace
