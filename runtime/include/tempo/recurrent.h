/*===- tempo/recurrent.h - LSTM, GRU and RNN kernels ------------*- C++ -*-===*
 *
 * Part of the Tempo runtime. Header-only C++17 float kernels for ONNX's
 * recurrent ops (opset 14+ semantics), shared by the firmware and the
 * compiler's reference evaluator like tempo/kernels.h, whose rules hold here
 * too (embedded subset, no heap, no static data, <math.h>/<string.h> only;
 * params from a const struct the compiler computed and guarantees consistent;
 * see kernels.h for FMA contraction and libm caveats). Parameters, tensor
 * layouts and the scratch layout are described in tempo/recurrent_params.h.
 *
 * Memory. Every pointer is owned by the caller and only used during the call.
 * Weights (W, R, B, P) are read-only and may live in flash. Optional inputs
 * are read only when their has_ flag is set (otherwise they may be null);
 * outputs are written only when their want_ flag is set (otherwise they may be
 * null, and a non-null one is left untouched). The scratch buffer holds
 * tempo_<op>_scratch_elems(&p) elements of T. Aliasing: no output may overlap
 * an input, another output or the scratch.
 *
 * Equations (ONNX's; f, g, h are the direction's activations, clip(v) clamps v
 * to [-clip, clip] when clip > 0, (.) is the elementwise product):
 *
 *   LSTM  i = f(clip(Xt*Wi^T + Ht-1*Ri^T + Pi (.) Ct-1 + Wbi + Rbi))
 *         f = f(clip(Xt*Wf^T + Ht-1*Rf^T + Pf (.) Ct-1 + Wbf + Rbf))
 *             (or f = 1 - i with input_forget)
 *         c = g(clip(Xt*Wc^T + Ht-1*Rc^T + Wbc + Rbc))
 *         Ct = f (.) Ct-1 + i (.) c
 *         o = f(clip(Xt*Wo^T + Ht-1*Ro^T + Po (.) Ct + Wbo + Rbo))
 *         Ht = o (.) h(Ct)
 *   GRU   z = f(clip(Xt*Wz^T + Ht-1*Rz^T + Wbz + Rbz))
 *         r = f(clip(Xt*Wr^T + Ht-1*Rr^T + Wbr + Rbr))
 *         h = g(clip(Xt*Wh^T + (r (.) Ht-1)*Rh^T + Rbh + Wbh))
 *             (linear_before_reset: g(clip(Xt*Wh^T + r (.) (Ht-1*Rh^T + Rbh)
 *              + Wbh)))
 *         Ht = (1 - z) (.) h + z (.) Ht-1
 *   RNN   Ht = f(clip(Xt*Wi^T + Ht-1*Ri^T + Wbi + Rbi))
 *
 * The initial state is initial_h (initial_c) or zeros. A reverse direction
 * steps t = S-1 down to 0 and writes Y at the original t. Y_h (Y_c) is the
 * state after the last step of each direction, i.e. after t = S-1 forward and
 * after t = 0 in reverse. ONNX says clip "is applied to the input of
 * activations"; here, as in onnxruntime and OpenVINO, it is applied to the
 * gate pre-activations (the inputs of f and g) but not to the input of the
 * LSTM's h(Ct), and the cell state itself is never clipped.
 *
 * Order of evaluation (deterministic; it fixes every rounding):
 *  - Direction slot 0 runs all its steps, then slot 1. Within a step the batch
 *    entries run in ascending b.
 *  - Each matrix-vector term is a dot product accumulated in T from +0 in
 *    ascending column order (tempo::detail::dot): Xt*W_j^T over the I inputs,
 *    Ht-1*R_j^T over the H hidden units.
 *  - A gate's terms are then added left to right in the order the equation
 *    above writes them, each elementwise product rounded first; terms of
 *    absent inputs (no B, no P) are skipped, not added as zero. E.g. LSTM i:
 *    (((x.w + h.r) + Pi*Ct-1) + Wbi) + Rbi. GRU h with linear_before_reset:
 *    ((x.w + r * ((h.r) + Rbh)) + Wbh).
 *  - Ct = (f * Ct-1) + (i * c); Ht = o * h(Ct);
 *    GRU Ht = ((1 - z) * h) + (z * Ht-1).
 *  - The activations are computed as documented on Activation below.
 *  - Y rows are copied out of the state after each step; Y_h / Y_c after the
 *    last step of each direction.
 *
 *===----------------------------------------------------------------------===*/
#ifndef TEMPO_RECURRENT_H
#define TEMPO_RECURRENT_H

#ifndef __cplusplus
#error "tempo/recurrent.h is C++17; C code can use tempo/recurrent_params.h"
#endif

#include "tempo/kernels.h"
#include "tempo/recurrent_params.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

namespace tempo {
namespace detail {
namespace recurrent {

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

inline float log1pOf(float v) { return ::log1pf(v); }
inline double log1pOf(double v) { return ::log1p(v); }
inline float absOf(float v) { return ::fabsf(v); }
inline double absOf(double v) { return ::fabs(v); }

/// One activation function with its alpha and beta converted to T.
template <typename T> struct Activation {
  int32_t kind;
  T alpha, beta;

  /// Slot `slot` of a params struct's activation arrays.
  template <typename P> static Activation of(const P &p, int32_t slot) {
    return {p.activations[slot], static_cast<T>(p.activation_alpha[slot]),
            static_cast<T>(p.activation_beta[slot])};
  }

  /// The function of tempo_rnn_activation_kind_t, evaluated as written here.
  /// Sigmoid is tempo::sigmoid's formula (no overflow on either side) and
  /// softplus is the overflow-free max(x, 0) + log1p(e^-|x|) split; the rest
  /// follow the formulas in recurrent_params.h literally. NaN propagates. An
  /// unknown kind (never emitted by the compiler) is the identity.
  T operator()(T x) const {
    switch (kind) {
    case TEMPO_RNN_ACT_SIGMOID:
      if (x >= T(0))
        return T(1) / (T(1) + expOf(-x));
      else {
        const T e = expOf(x);
        return e / (T(1) + e);
      }
    case TEMPO_RNN_ACT_TANH:
      return tanhOf(x);
    case TEMPO_RNN_ACT_RELU:
      return x < T(0) ? T(0) : x;
    case TEMPO_RNN_ACT_LEAKY_RELU:
      return x < T(0) ? alpha * x : x;
    case TEMPO_RNN_ACT_THRESHOLDED_RELU:
      return (x > alpha || x != x) ? x : T(0);
    case TEMPO_RNN_ACT_SCALED_TANH:
      return alpha * tanhOf(beta * x);
    case TEMPO_RNN_ACT_HARD_SIGMOID: {
      const T v = alpha * x + beta;
      return v < T(0) ? T(0) : (v > T(1) ? T(1) : v);
    }
    case TEMPO_RNN_ACT_ELU:
      return x < T(0) ? alpha * (expOf(x) - T(1)) : x;
    case TEMPO_RNN_ACT_SOFTSIGN:
      return x / (T(1) + absOf(x));
    case TEMPO_RNN_ACT_SOFTPLUS:
      return x > T(0) ? x + log1pOf(expOf(-x)) : log1pOf(expOf(x));
    case TEMPO_RNN_ACT_AFFINE:
      return alpha * x + beta;
    default:
      return x;
    }
  }
};

/// Clamps v to [-c, c] when c > 0 (NaN stays NaN).
template <typename T> T clipped(T v, T c) {
  if (!(c > T(0)))
    return v;
  return v < -c ? -c : (v > c ? c : v);
}

//===----------------------------------------------------------------------===//
// The time loop shared by the three ops
//===----------------------------------------------------------------------===//

/// Shapes and element offsets of the op's tensors (see recurrent_params.h).
struct Geometry {
  int32_t seq, batch, input, hidden, dirs, direction, layout;

  template <typename P> static Geometry of(const P &p) {
    return {p.seq_len,        p.batch,     p.input_size, p.hidden_size,
            p.num_directions, p.direction, p.layout};
  }
  /// Offset of X[t, b, :] (layout 0) / X[b, t, :] (layout 1).
  int32_t x(int32_t t, int32_t b) const {
    return (layout ? b * seq + t : t * batch + b) * input;
  }
  /// Offset of Y[t, d, b, :] (layout 0) / Y[b, t, d, :] (layout 1).
  int32_t y(int32_t t, int32_t d, int32_t b) const {
    return (layout ? (b * seq + t) * dirs + d : (t * dirs + d) * batch + b) *
           hidden;
  }
  /// Offset of a state row: initial_h/c, Y_h, Y_c [d, b, :] or [b, d, :].
  int32_t state(int32_t d, int32_t b) const {
    return (layout ? b * dirs + d : d * batch + b) * hidden;
  }
  /// True if direction slot d steps backwards in time.
  bool reversed(int32_t d) const {
    return direction == TEMPO_RNN_REVERSE ||
           (direction == TEMPO_RNN_BIDIRECTIONAL && d == 1);
  }
};

/// Initialises the running state h (and c, if non-null) of direction d from
/// h0 (c0) or zeros, runs `cell(d, xRow, hRow, cRow)` for every step and batch
/// entry (cRow is null without c), copying each new h row to y, and at the
/// end copies the state to yH and yC. Null outputs are not written.
template <typename T, typename Cell>
void runTimeLoop(const Geometry &g, const T *x, const T *h0, const T *c0, T *y,
                 T *yH, T *yC, T *h, T *c, const Cell &cell) {
  const int32_t H = g.hidden;
  const size_t rowBytes = static_cast<size_t>(H) * sizeof(T);
  for (int32_t d = 0; d < g.dirs; ++d) {
    for (int32_t b = 0; b < g.batch; ++b) {
      for (int32_t k = 0; k < H; ++k)
        h[b * H + k] = h0 ? h0[g.state(d, b) + k] : T(0);
      if (c)
        for (int32_t k = 0; k < H; ++k)
          c[b * H + k] = c0 ? c0[g.state(d, b) + k] : T(0);
    }
    const bool back = g.reversed(d);
    for (int32_t s = 0; s < g.seq; ++s) {
      const int32_t t = back ? g.seq - 1 - s : s;
      for (int32_t b = 0; b < g.batch; ++b) {
        cell(d, x + g.x(t, b), h + b * H, c ? c + b * H : nullptr);
        if (y && rowBytes)
          memcpy(y + g.y(t, d, b), h + b * H, rowBytes);
      }
    }
    if (rowBytes)
      for (int32_t b = 0; b < g.batch; ++b) {
        if (yH)
          memcpy(yH + g.state(d, b), h + b * H, rowBytes);
        if (yC)
          memcpy(yC + g.state(d, b), c + b * H, rowBytes);
      }
  }
}

} // namespace recurrent
} // namespace detail

//===----------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------===//

/// LSTM (float only). x, w, r, b (B), initial_h, initial_c, peephole (P) are
/// ONNX's inputs in ONNX order (sequence_lens aside), y, y_h, y_c its outputs;
/// shapes and the scratch layout (tempo_lstm_scratch_elems(&p) elements) are
/// in recurrent_params.h, equations and evaluation order at the top of this
/// file. b, initial_h, initial_c, peephole are read only if has_bias,
/// has_initial_h, has_initial_c, has_peephole; y, y_h, y_c written only if
/// want_y, want_y_h, want_y_c.
template <typename T>
void lstm(const tempo_lstm_params_t &p, const T *x, const T *w, const T *r,
          const T *b, const T *initial_h, const T *initial_c, const T *peephole,
          T *y, T *y_h, T *y_c, T *scratch) {
  static_assert(detail::Traits<T>::isFloat, "lstm is float-only");
  using detail::dot;
  using Act = detail::recurrent::Activation<T>;
  const detail::recurrent::Geometry g = detail::recurrent::Geometry::of(p);
  const int32_t I = g.input, H = g.hidden;
  const T clip = static_cast<T>(p.clip);
  const bool inputForget = p.input_forget != 0;
  const T *bias = p.has_bias ? b : nullptr;
  const T *peep = p.has_peephole ? peephole : nullptr;
  // Scratch: [gates 4H | h B*H | c B*H]. Gate rows in ONNX order i, o, f, c.
  T *gates = scratch;
  T *hState = scratch + 4 * H;
  T *cState = hState + g.batch * H;

  auto cell = [&](int32_t d, const T *xr, T *hr, T *cr) {
    const T *wd = w + d * 4 * H * I;
    const T *rd = r + d * 4 * H * H;
    const T *wb = bias ? bias + d * 8 * H : nullptr;
    const T *rb = bias ? wb + 4 * H : nullptr;
    const T *pd = peep ? peep + d * 3 * H : nullptr;
    const Act f = Act::of(p, d * TEMPO_RNN_MAX_ACTIVATIONS + 0);
    const Act gAct = Act::of(p, d * TEMPO_RNN_MAX_ACTIVATIONS + 1);
    const Act hAct = Act::of(p, d * TEMPO_RNN_MAX_ACTIVATIONS + 2);
    // Phase 1: x.w + h.r of every gate row (reads the whole old h row).
    for (int32_t j = 0; j < 4 * H; ++j) {
      if (inputForget && j >= 2 * H && j < 3 * H)
        continue;
      gates[j] =
          dot(I, xr, 0, 1, wd, j * I, 1) + dot(H, hr, 0, 1, rd, j * H, 1);
    }
    // Phase 2: elementwise; updates h and c in place.
    for (int32_t k = 0; k < H; ++k) {
      const int32_t ji = k, jo = H + k, jf = 2 * H + k, jc = 3 * H + k;
      const T cPrev = cr[k];
      T vi = gates[ji];
      if (pd)
        vi += pd[k] * cPrev;
      if (wb)
        vi = (vi + wb[ji]) + rb[ji];
      const T gi = f(detail::recurrent::clipped(vi, clip));
      T gf;
      if (inputForget) {
        gf = T(1) - gi;
      } else {
        T vf = gates[jf];
        if (pd)
          vf += pd[2 * H + k] * cPrev;
        if (wb)
          vf = (vf + wb[jf]) + rb[jf];
        gf = f(detail::recurrent::clipped(vf, clip));
      }
      T vc = gates[jc];
      if (wb)
        vc = (vc + wb[jc]) + rb[jc];
      const T gc = gAct(detail::recurrent::clipped(vc, clip));
      const T cNew = gf * cPrev + gi * gc;
      T vo = gates[jo];
      if (pd)
        vo += pd[H + k] * cNew;
      if (wb)
        vo = (vo + wb[jo]) + rb[jo];
      const T go = f(detail::recurrent::clipped(vo, clip));
      cr[k] = cNew;
      hr[k] = go * hAct(cNew);
    }
  };
  detail::recurrent::runTimeLoop<T>(
      g, x, p.has_initial_h ? initial_h : nullptr,
      p.has_initial_c ? initial_c : nullptr, p.want_y ? y : nullptr,
      p.want_y_h ? y_h : nullptr, p.want_y_c ? y_c : nullptr, hState, cState,
      cell);
}

/// GRU (float only). x, w, r, b (B), initial_h are ONNX's inputs, y, y_h its
/// outputs; scratch holds tempo_gru_scratch_elems(&p) elements. b and
/// initial_h are read only if has_bias / has_initial_h; y, y_h written only if
/// want_y / want_y_h. See the top of this file for equations and order.
template <typename T>
void gru(const tempo_gru_params_t &p, const T *x, const T *w, const T *r,
         const T *b, const T *initial_h, T *y, T *y_h, T *scratch) {
  static_assert(detail::Traits<T>::isFloat, "gru is float-only");
  using detail::dot;
  using Act = detail::recurrent::Activation<T>;
  const detail::recurrent::Geometry g = detail::recurrent::Geometry::of(p);
  const int32_t I = g.input, H = g.hidden;
  const T clip = static_cast<T>(p.clip);
  const bool linearBeforeReset = p.linear_before_reset != 0;
  const T *bias = p.has_bias ? b : nullptr;
  // Scratch: [gates 3H | h B*H]. Gate slots: z pre-activation, r (or
  // r (.) Ht-1 without linear_before_reset), h candidate.
  T *gates = scratch;
  T *hState = scratch + 3 * H;

  auto cell = [&](int32_t d, const T *xr, T *hr, T *) {
    const T *wd = w + d * 3 * H * I;
    const T *rd = r + d * 3 * H * H;
    const T *wb = bias ? bias + d * 6 * H : nullptr;
    const T *rb = bias ? wb + 3 * H : nullptr;
    const Act f = Act::of(p, d * TEMPO_RNN_MAX_ACTIVATIONS + 0);
    const Act gAct = Act::of(p, d * TEMPO_RNN_MAX_ACTIVATIONS + 1);
    T *rGate = gates + H;
    T *hGate = gates + 2 * H;
    // Phase 1: pre-activations of z and r.
    for (int32_t j = 0; j < 2 * H; ++j) {
      T v = dot(I, xr, 0, 1, wd, j * I, 1) + dot(H, hr, 0, 1, rd, j * H, 1);
      if (wb)
        v = (v + wb[j]) + rb[j];
      gates[j] = v;
    }
    // Phase 2: r, or r (.) Ht-1 (what Rh multiplies without
    // linear_before_reset).
    for (int32_t k = 0; k < H; ++k) {
      const T rv = f(detail::recurrent::clipped(rGate[k], clip));
      rGate[k] = linearBeforeReset ? rv : rv * hr[k];
    }
    // Phase 3: the hidden candidate.
    for (int32_t j = 0; j < H; ++j) {
      const int32_t row = 2 * H + j;
      const T xw = dot(I, xr, 0, 1, wd, row * I, 1);
      T v;
      if (linearBeforeReset) {
        T hrh = dot(H, hr, 0, 1, rd, row * H, 1);
        if (rb)
          hrh += rb[row];
        v = xw + rGate[j] * hrh;
        if (wb)
          v += wb[row];
      } else {
        v = xw + dot(H, rGate, 0, 1, rd, row * H, 1);
        if (wb)
          v = (v + rb[row]) + wb[row];
      }
      hGate[j] = gAct(detail::recurrent::clipped(v, clip));
    }
    // Phase 4: z and the new state, in place.
    for (int32_t k = 0; k < H; ++k) {
      const T z = f(detail::recurrent::clipped(gates[k], clip));
      hr[k] = (T(1) - z) * hGate[k] + z * hr[k];
    }
  };
  detail::recurrent::runTimeLoop<T>(g, x, p.has_initial_h ? initial_h : nullptr,
                                    nullptr, p.want_y ? y : nullptr,
                                    p.want_y_h ? y_h : nullptr, nullptr, hState,
                                    nullptr, cell);
}

/// Simple RNN (float only). x, w, r, b (B), initial_h are ONNX's inputs, y,
/// y_h its outputs; scratch holds tempo_rnn_scratch_elems(&p) elements. b and
/// initial_h are read only if has_bias / has_initial_h; y, y_h written only if
/// want_y / want_y_h. See the top of this file for equations and order.
template <typename T>
void rnn(const tempo_rnn_params_t &p, const T *x, const T *w, const T *r,
         const T *b, const T *initial_h, T *y, T *y_h, T *scratch) {
  static_assert(detail::Traits<T>::isFloat, "rnn is float-only");
  using detail::dot;
  using Act = detail::recurrent::Activation<T>;
  const detail::recurrent::Geometry g = detail::recurrent::Geometry::of(p);
  const int32_t I = g.input, H = g.hidden;
  const T clip = static_cast<T>(p.clip);
  const T *bias = p.has_bias ? b : nullptr;
  // Scratch: [gates H | h B*H].
  T *gates = scratch;
  T *hState = scratch + H;

  auto cell = [&](int32_t d, const T *xr, T *hr, T *) {
    const T *wd = w + d * H * I;
    const T *rd = r + d * H * H;
    const T *wb = bias ? bias + d * 2 * H : nullptr;
    const T *rb = bias ? wb + H : nullptr;
    const Act f = Act::of(p, d * TEMPO_RNN_MAX_ACTIVATIONS + 0);
    for (int32_t j = 0; j < H; ++j) {
      T v = dot(I, xr, 0, 1, wd, j * I, 1) + dot(H, hr, 0, 1, rd, j * H, 1);
      if (wb)
        v = (v + wb[j]) + rb[j];
      gates[j] = f(detail::recurrent::clipped(v, clip));
    }
    for (int32_t k = 0; k < H; ++k)
      hr[k] = gates[k];
  };
  detail::recurrent::runTimeLoop<T>(g, x, p.has_initial_h ? initial_h : nullptr,
                                    nullptr, p.want_y ? y : nullptr,
                                    p.want_y_h ? y_h : nullptr, nullptr, hState,
                                    nullptr, cell);
}

} // namespace tempo

#endif /* TEMPO_RECURRENT_H */
