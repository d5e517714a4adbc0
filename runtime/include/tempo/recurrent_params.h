/*===- tempo/recurrent_params.h - LSTM / GRU / RNN parameter structs -------===*
 *
 * Part of the Tempo runtime. C-callable (C99 or later, or C++): the compiler
 * fills one of these structs per recurrent op and prints it as a `constexpr`
 * aggregate into the generated code (or hands it to the kernels of
 * tempo/recurrent.h in the reference evaluator). Conventions are those of
 * tempo/params.h: int32/float fields only, sizes in elements, fields only
 * ever appended (their order is the aggregate-initialiser order).
 *
 * Semantics are ONNX's LSTM / GRU / RNN (opset 14 and later, which added
 * `layout`). Dimensions below use S = seq_len, B = batch, I = input_size,
 * H = hidden_size, D = num_directions.
 *
 *   layout 0: X [S, B, I]   Y [S, D, B, H]   initial_h/c, Y_h, Y_c [D, B, H]
 *   layout 1: X [B, S, I]   Y [B, S, D, H]   initial_h/c, Y_h, Y_c [B, D, H]
 *
 * Weights always have ONNX's own layout, whatever `layout` says:
 *   W [D, G*H, I], R [D, G*H, H], B [D, 2*G*H] = (Wb, Rb), P [D, 3*H]
 * with G = 4 gates in the order i, o, f, c (LSTM), G = 3 in the order
 * z, r, h (GRU), G = 1 (RNN); LSTM peepholes P in the order i, o, f.
 *
 * Activations. ONNX lists them per direction (LSTM f, g, h; GRU f, g; RNN
 * f), forward direction first. Here slot [d * TEMPO_RNN_MAX_ACTIVATIONS + k]
 * holds activation k of direction slot d (d = 1 is the reverse half of a
 * bidirectional op; a single-direction op uses d = 0 only), in three parallel
 * arrays: the kind, alpha and beta. The compiler resolves ONNX's
 * activation_alpha / activation_beta lists and their defaults into these
 * arrays; the kernels read alpha/beta only for the kinds that use them.
 * Unused slots should be zero.
 *
 * sequence_lens is not supported: the kernels run every batch entry for the
 * full seq_len. The compiler accepts the input only when it is a constant
 * whose every entry equals seq_len (then dropping it is exact).
 *
 *===----------------------------------------------------------------------===*/
#ifndef TEMPO_RECURRENT_PARAMS_H
#define TEMPO_RECURRENT_PARAMS_H

#include "tempo/status.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Directions of a recurrent op (ONNX `direction`). Values are stable. */
typedef enum tempo_rnn_direction_t {
  /** t = 0, 1, ..., S-1. num_directions == 1. */
  TEMPO_RNN_FORWARD = 0,
  /** t = S-1, ..., 0; Y is still indexed by the original t. D == 1. */
  TEMPO_RNN_REVERSE = 1,
  /** Direction slot 0 forward, slot 1 reverse. D == 2. */
  TEMPO_RNN_BIDIRECTIONAL = 2,
} tempo_rnn_direction_t;

/** Activation functions of the recurrent ops. Values are stable (they are
 *  printed into generated code). With a = alpha, b = beta:
 *    SIGMOID           1 / (1 + e^-x)
 *    TANH              tanh(x)
 *    RELU              max(0, x)
 *    LEAKY_RELU        x < 0 ? a * x : x
 *    THRESHOLDED_RELU  x > a ? x : 0
 *    SCALED_TANH       a * tanh(b * x)
 *    HARD_SIGMOID      min(max(a * x + b, 0), 1)
 *    ELU               x < 0 ? a * (e^x - 1) : x
 *    SOFTSIGN          x / (1 + |x|)
 *    SOFTPLUS          log(1 + e^x)
 *    AFFINE            a * x + b
 *  The kernels use alpha/beta exactly as given. The compiler resolves ONNX's
 *  defaults (those of the like-named ONNX operators): LEAKY_RELU a = 0.01,
 *  THRESHOLDED_RELU a = 1, HARD_SIGMOID a = 0.2 b = 0.5, ELU a = 1,
 *  AFFINE a = 1 b = 0; SCALED_TANH has no ONNX default. (onnxruntime instead
 *  takes 0 for every alpha/beta without a default of its own, i.e. for
 *  THRESHOLDED_RELU, SCALED_TANH and AFFINE.) */
typedef enum tempo_rnn_activation_kind_t {
  TEMPO_RNN_ACT_SIGMOID = 0,
  TEMPO_RNN_ACT_TANH = 1,
  TEMPO_RNN_ACT_RELU = 2,
  TEMPO_RNN_ACT_LEAKY_RELU = 3,
  TEMPO_RNN_ACT_THRESHOLDED_RELU = 4,
  TEMPO_RNN_ACT_SCALED_TANH = 5,
  TEMPO_RNN_ACT_HARD_SIGMOID = 6,
  TEMPO_RNN_ACT_ELU = 7,
  TEMPO_RNN_ACT_SOFTSIGN = 8,
  TEMPO_RNN_ACT_SOFTPLUS = 9,
  TEMPO_RNN_ACT_AFFINE = 10,
} tempo_rnn_activation_kind_t;

/** Directions per op, and activation slots per direction. */
#define TEMPO_RNN_MAX_DIRECTIONS 2
#define TEMPO_RNN_MAX_ACTIVATIONS 3
/** Length of the activation arrays below. */
#define TEMPO_RNN_ACTIVATION_SLOTS                                             \
  (TEMPO_RNN_MAX_DIRECTIONS * TEMPO_RNN_MAX_ACTIVATIONS)

/** LSTM. Activation k of direction d: k = 0 is f (gates i, o, f), k = 1 is
 *  g (cell candidate), k = 2 is h (applied to the cell state). */
typedef struct tempo_lstm_params_t {
  int32_t seq_len, batch, input_size, hidden_size;
  /** 2 if direction is TEMPO_RNN_BIDIRECTIONAL, else 1. */
  int32_t num_directions;
  /** A tempo_rnn_direction_t. */
  int32_t direction;
  /** 0: [S, B, ...] tensors; 1: [B, S, ...] (see the top of this file). */
  int32_t layout;
  /** tempo_rnn_activation_kind_t per slot d * 3 + k, and their alpha/beta. */
  int32_t activations[TEMPO_RNN_ACTIVATION_SLOTS];
  float activation_alpha[TEMPO_RNN_ACTIVATION_SLOTS];
  float activation_beta[TEMPO_RNN_ACTIVATION_SLOTS];
  /** Gate inputs are clamped to [-clip, clip] before f and g; <= 0: none. */
  float clip;
  /** ONNX input_forget: couple the forget gate to the input gate,
   *  f = 1 - i (the f rows of W, R, B and P are not read). */
  int32_t input_forget;
  /** Which optional inputs are given (B, initial_h, initial_c, P). */
  int32_t has_bias, has_initial_h, has_initial_c, has_peephole;
  /** Which outputs are written (Y, Y_h, Y_c). */
  int32_t want_y, want_y_h, want_y_c;
} tempo_lstm_params_t;

/** GRU. Activation k of direction d: k = 0 is f (gates z, r), k = 1 is g
 *  (hidden candidate); slot 2 is unused. */
typedef struct tempo_gru_params_t {
  int32_t seq_len, batch, input_size, hidden_size;
  int32_t num_directions;
  int32_t direction;
  int32_t layout;
  int32_t activations[TEMPO_RNN_ACTIVATION_SLOTS];
  float activation_alpha[TEMPO_RNN_ACTIVATION_SLOTS];
  float activation_beta[TEMPO_RNN_ACTIVATION_SLOTS];
  /** Inputs of f and g are clamped to [-clip, clip]; <= 0: none. */
  float clip;
  /** ONNX linear_before_reset: apply Rh (and Rbh) before the reset gate. */
  int32_t linear_before_reset;
  /** Which optional inputs are given (B, initial_h). */
  int32_t has_bias, has_initial_h;
  /** Which outputs are written (Y, Y_h). */
  int32_t want_y, want_y_h;
} tempo_gru_params_t;

/** Simple RNN. Activation k of direction d: k = 0 is f; slots 1 and 2 are
 *  unused. */
typedef struct tempo_rnn_params_t {
  int32_t seq_len, batch, input_size, hidden_size;
  int32_t num_directions;
  int32_t direction;
  int32_t layout;
  int32_t activations[TEMPO_RNN_ACTIVATION_SLOTS];
  float activation_alpha[TEMPO_RNN_ACTIVATION_SLOTS];
  float activation_beta[TEMPO_RNN_ACTIVATION_SLOTS];
  /** The input of f is clamped to [-clip, clip]; <= 0: none. */
  float clip;
  /** Which optional inputs are given (B, initial_h). */
  int32_t has_bias, has_initial_h;
  /** Which outputs are written (Y, Y_h). */
  int32_t want_y, want_y_h;
} tempo_rnn_params_t;

/*===----------------------------------------------------------------------===*
 * Scratch. Each kernel needs one caller-provided scratch buffer, aligned for
 * its element type T, living only for the duration of the call (the compiler
 * plans it in the arena like any temporary; its contents on entry do not
 * matter and on return are unspecified). The buffer holds, in elements of T:
 *
 *   LSTM  [ gates: 4*H | h: B*H | c: B*H ]        4*H + 2*B*H
 *   GRU   [ gates: 3*H | h: B*H ]                 3*H + B*H
 *   RNN   [ gates: H   | h: B*H ]                 H + B*H
 *
 * `gates` holds the gate pre-activations (then activations) of the one batch
 * entry being stepped; `h` (and `c`) hold the running hidden (and cell) state
 * of every batch entry, row b at b*H. The directions of a bidirectional op run
 * one after the other and reuse the same state rows, so the size does not
 * depend on num_directions.
 *
 * _scratch_elems() is the count in elements (valid for any T);
 * _scratch_size() is the size in bytes of the float kernels (CMSIS-NN's
 * _get_buffer_size convention).
 *===----------------------------------------------------------------------===*/

static inline size_t tempo_lstm_scratch_elems(const tempo_lstm_params_t *p) {
  const size_t h = (size_t)p->hidden_size, b = (size_t)p->batch;
  return 4 * h + 2 * b * h;
}
static inline size_t tempo_lstm_scratch_size(const tempo_lstm_params_t *p) {
  return tempo_lstm_scratch_elems(p) * sizeof(float);
}

static inline size_t tempo_gru_scratch_elems(const tempo_gru_params_t *p) {
  const size_t h = (size_t)p->hidden_size, b = (size_t)p->batch;
  return 3 * h + b * h;
}
static inline size_t tempo_gru_scratch_size(const tempo_gru_params_t *p) {
  return tempo_gru_scratch_elems(p) * sizeof(float);
}

static inline size_t tempo_rnn_scratch_elems(const tempo_rnn_params_t *p) {
  const size_t h = (size_t)p->hidden_size, b = (size_t)p->batch;
  return h + b * h;
}
static inline size_t tempo_rnn_scratch_size(const tempo_rnn_params_t *p) {
  return tempo_rnn_scratch_elems(p) * sizeof(float);
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TEMPO_RECURRENT_PARAMS_H */
