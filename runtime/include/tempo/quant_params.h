/*===- tempo/quant_params.h - Integer-only int8 kernel parameter structs ---===*
 *
 * Part of the Tempo runtime. C-callable (C99 or later, or C++): the compiler
 * fills one of these structs per quantized op and prints it as a `constexpr`
 * aggregate into the generated code (or hands it to the kernels of
 * tempo/quant.h in the reference evaluator). Conventions are those of
 * tempo/params.h: int32 fields (float only in the two edge ops), sizes in
 * elements, fields only ever appended (their order is the aggregate-
 * initialiser order).
 *
 * The quantization scheme (TFLite / CMSIS-NN compatible):
 *  - activations: int8, asymmetric per tensor, real = scale * (q - zp),
 *    zp in [-128, 127];
 *  - weights: int8, symmetric (zp 0) per output channel (or per tensor);
 *  - bias: int32, scale = input_scale * weight_scale[c], zp 0;
 *  - requantization: an int32 multiplier M (Q31, in [2^30, 2^31) or 0) and a
 *    shift S (left if > 0) with real_multiplier ~= M * 2^(S - 31), computed by
 *    tempo_quantize_multiplier (tempo/quant.h); per output channel they are
 *    const tables in flash, passed to the kernel as arguments, per tensor
 *    they are fields of the struct. Conv and fully connected store them
 *    compactly: one shift per layer (the struct's shift field) with each
 *    channel's multiplier at that shift (M in [2^22, 2^31),
 *    tempo_quantize_multiplier_at_shift) when the channels' shifts differ
 *    by at most TEMPO_MAX_SHIFT_SPREAD, else an int8 shift table; the bias
 *    table is int16 when every value of the layer fits.
 *
 * Fused activations are clamps in the output's integer domain: every kernel
 * with act_min/act_max clamps its result to [act_min, act_max] after adding
 * the output zero point. No activation: [-128, 127]; Relu:
 * [max(-128, zp), 127]; Relu6 / Clip(lo, hi): [max(-128, zp + round(lo / s)),
 * min(127, zp + round(hi / s))].
 *
 *===----------------------------------------------------------------------===*/
#ifndef TEMPO_QUANT_PARAMS_H
#define TEMPO_QUANT_PARAMS_H

#include "tempo/status.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Most bits a channel's multiplier may give up so that a conv or fully
 *  connected layer keeps one shift for all channels: every nonzero
 *  multiplier stays >= 2^(30 - TEMPO_MAX_SHIFT_SPREAD), 22 significant
 *  bits or more. */
#define TEMPO_MAX_SHIFT_SPREAD 8

/** Convolution, int8 NCHW input, int8 OIHW weights (I = in_c / groups),
 *  optional int16 or int32 bias [out_c], int8 NCHW output. Geometry fields
 *  mean what they mean in tempo_conv_params_t (1-D: h == 1). Multiplier and
 *  (optional) shift tables have out_c entries if per_channel, else one. */
typedef struct tempo_qconv_params_t {
  int32_t batch, in_c, in_h, in_w;
  int32_t out_c, out_h, out_w;
  int32_t k_h, k_w;
  int32_t stride_h, stride_w;
  int32_t dil_h, dil_w;
  int32_t pad_top, pad_left;
  int32_t groups;
  int32_t has_bias;
  int32_t in_zp, out_zp;
  int32_t act_min, act_max;
  int32_t per_channel;
  /** Fused pooling, as in tempo_conv_params_t (a tempo_fused_pool_kind_t of
   *  tempo/params.h; 0 none): out_h x out_w is then the unpooled extent and
   *  the output pooled_h x pooled_w. The pool reduces the clamped int8 conv
   *  outputs exactly as max_pool_s8 / average_pool_s8 would (same scale). */
  int32_t pool;
  int32_t pool_h, pool_w;
  int32_t pooled_h, pooled_w;
  /** The shift of every output channel when the kernel's shift table is
   *  null (the compiler's compact tables: one shift per layer, per-channel
   *  multipliers at that shift); not read when a shift table is given. */
  int32_t shift;
} tempo_qconv_params_t;

/** Fully connected: x [batch, in_features] int8, w [out_features,
 *  in_features] int8 (ONNX Gemm with trans_b = 1; the compiler transposes a
 *  constant [in, out] weight once), optional int16 or int32 bias
 *  [out_features],
 *  y [batch, out_features] int8 (or int16 for the LSTM gate variant, whose
 *  act_min/act_max are then in the int16 domain). Tables as in conv. */
typedef struct tempo_qfc_params_t {
  int32_t batch, in_features, out_features;
  int32_t has_bias;
  int32_t in_zp, out_zp;
  int32_t act_min, act_max;
  int32_t per_channel;
  /** As tempo_qconv_params_t's shift. */
  int32_t shift;
} tempo_qfc_params_t;

/** MatMul of two int8 activation tensors (both asymmetric), per-tensor
 *  requantization. Batch broadcasting exactly as tempo_matmul_params_t. */
typedef struct tempo_qmatmul_params_t {
  int32_t m, n, k;
  int32_t batch_rank;
  int32_t out_batch_dims[TEMPO_MAX_RANK];
  int32_t a_batch_strides[TEMPO_MAX_RANK];
  int32_t b_batch_strides[TEMPO_MAX_RANK];
  int32_t a_zp, b_zp, out_zp;
  int32_t multiplier, shift;
  int32_t act_min, act_max;
} tempo_qmatmul_params_t;

/** Add / Sub / Mul of int8 tensors with numpy broadcasting (geometry as
 *  tempo_broadcast_params_t). Add and Sub rescale both inputs into a common
 *  domain 2^left_shift finer than twice the larger input scale (a_*, b_*
 *  multipliers), add or subtract, and requantize with out_*. Mul multiplies
 *  the zero-point-corrected inputs and requantizes once with out_*
 *  (left_shift and the a_ / b_ multipliers are not read). */
typedef struct tempo_qbinary_params_t {
  int32_t rank;
  int32_t size;
  int32_t out_dims[TEMPO_MAX_RANK];
  int32_t a_strides[TEMPO_MAX_RANK];
  int32_t b_strides[TEMPO_MAX_RANK];
  int32_t a_zp, b_zp, out_zp;
  int32_t left_shift;
  int32_t a_multiplier, a_shift;
  int32_t b_multiplier, b_shift;
  int32_t out_multiplier, out_shift;
  int32_t act_min, act_max;
} tempo_qbinary_params_t;

/** MaxPool / AveragePool over int8 NCHW; geometry as tempo_pool_params_t.
 *  Input and output share scale and zero point (zp). */
typedef struct tempo_qpool_params_t {
  int32_t batch, channels, in_h, in_w;
  int32_t out_h, out_w;
  int32_t k_h, k_w;
  int32_t stride_h, stride_w;
  int32_t dil_h, dil_w;
  int32_t pad_top, pad_left, pad_bottom, pad_right;
  int32_t count_include_pad;
  int32_t zp;
  int32_t act_min, act_max;
} tempo_qpool_params_t;

/** GlobalAveragePool over int8 [outer, inner]; the multiplier encodes
 *  in_scale / out_scale (the division by inner is a separate rounding step,
 *  as TFLite's int8 Mean). */
typedef struct tempo_qreduce_params_t {
  int32_t outer, inner;
  int32_t in_zp, out_zp;
  int32_t multiplier, shift;
  int32_t act_min, act_max;
} tempo_qreduce_params_t;

/** One input of a Concat (geometry as tempo_concat_params_t). If identity,
 *  the input has the output's scale and zero point and is copied; otherwise
 *  each element is requantized with multiplier/shift (in_scale / out_scale). */
typedef struct tempo_qconcat_params_t {
  int32_t outer, in_inner, out_inner, offset;
  int32_t identity;
  int32_t in_zp, out_zp;
  int32_t multiplier, shift;
} tempo_qconcat_params_t;

/** Elementwise int8 -> int8 rescale (a QDQ pair whose scales differ, or a
 *  Relu / Clip whose output scale differs from its input's), multiplier =
 *  in_scale / out_scale, then the act_min/act_max clamp. With equal scales
 *  and zero points use tempo_qclamp_params_t instead. */
typedef struct tempo_requant_params_t {
  int32_t size;
  int32_t in_zp, out_zp;
  int32_t multiplier, shift;
  int32_t act_min, act_max;
} tempo_requant_params_t;

/** Relu / Relu6 / Clip on int8 with unchanged scale: a clamp. */
typedef struct tempo_qclamp_params_t {
  int32_t size;
  int32_t act_min, act_max;
} tempo_qclamp_params_t;

/** Any int8 -> int8 elementwise function through a 256-entry table
 *  (sigmoid, tanh, hard-swish, ...): y = lut[x + 128]. */
typedef struct tempo_lut_params_t {
  int32_t size;
} tempo_lut_params_t;

/** Softmax on int8 over the middle axis of [outer, n, inner]; output scale
 *  1/256, zero point -128; TFLite's reference int8 Softmax bit for bit (see
 *  tempo::softmax_s8). Needs 1 <= n <= 4095. */
typedef struct tempo_qsoftmax_params_t {
  int32_t outer, n, inner;
  /** The input difference d = x - max(row) (d <= 0) enters exp as
   *  srdhm(d * 2^input_left_shift, input_multiplier) in Q5.26, i.e.
   *  beta * in_scale * d; differences below diff_min (< 0) are left out
   *  (exp rounds to 0 there) and give -128. TFLite's SoftmaxParams
   *  input_multiplier, input_left_shift (0..31) and diff_min, from
   *  tempo_softmax_s8_scaling. */
  int32_t input_multiplier, input_left_shift, diff_min;
} tempo_qsoftmax_params_t;

/** QuantizeLinear (float -> int8) / DequantizeLinear (int8 -> float): the
 *  model's edges, the only float code of the int8 path. */
typedef struct tempo_quantize_params_t {
  int32_t size;
  float scale;
  int32_t zp;
  /** Per-axis (tempo::quantize_linear / dequantize_linear only): the tensor
   *  is [size / (channels * inner), channels, inner] with one scale and zero
   *  point per channel, passed as tables; channels == 0: per tensor (scale,
   *  zp above). */
  int32_t channels, inner;
} tempo_quantize_params_t;

/*===----------------------------------------------------------------------===*
 * Integer LSTM / GRU primitives (int16 state, TFLite's 8x8_16 scheme).
 *===----------------------------------------------------------------------===*/

/** Number of uint16 entries of the tables of tempo::sigmoid_q15 and
 *  tempo::tanh_q15 (tempo_build_sigmoid_q15_table / _tanh_ in quant.h). */
#define TEMPO_SIGMOID_Q15_TABLE_SIZE 513
#define TEMPO_TANH_Q15_TABLE_SIZE 1025

/** Sigmoid / tanh on int16: the input is brought to Q3.12 by
 *  input_left_shift (> 0: saturating left shift; < 0: rounding right shift,
 *  half away from zero), the output is Q0.15. */
typedef struct tempo_q15_act_params_t {
  int32_t size;
  int32_t input_left_shift;
} tempo_q15_act_params_t;

/** Elementwise int16 x int16: y = sat16(round(a * b / 2^shift)) (rounding
 *  half away from zero, 0 <= shift <= 31). */
typedef struct tempo_mul_s16_params_t {
  int32_t size;
  int32_t shift;
} tempo_mul_s16_params_t;

/** Elementwise int16 x int16 -> int8: y = clamp(out_zp + MBQM(a * b,
 *  multiplier, shift)), e.g. the LSTM hidden state o (Q0.15) * tanh(c)
 *  (Q0.15), multiplier = 2^-30 / hidden_scale. */
typedef struct tempo_mul_s16_s8_params_t {
  int32_t size;
  int32_t multiplier, shift;
  int32_t out_zp;
  int32_t act_min, act_max;
} tempo_mul_s16_s8_params_t;

/** Elementwise saturating int16 add (same scale): y = sat16(a + b). */
typedef struct tempo_add_s16_params_t {
  int32_t size;
} tempo_add_s16_params_t;

/** Integer LSTM (tempo::lstm_s8): one forward direction, ONNX layout 0
 *  (X [S, B, I], Y [S, B, H], Y_h [B, H], Y_c [B, H]), no peepholes, clip or
 *  input_forget; activations sigmoid / tanh / tanh. x and h are int8
 *  (x_zp, h_zp; Y and Y_h share h's quantization), the cell state is int16
 *  with cell_frac_bits fractional bits (Q(15-F).F, F in [8, 15]). */
typedef struct tempo_qlstm_params_t {
  int32_t seq_len, batch, input_size, hidden_size;
  int32_t x_zp, h_zp;
  int32_t cell_frac_bits;
  /** h = h_zp + MBQM(o * tanh(c), hidden_multiplier, hidden_shift), the
   *  product in Q0.30: the multiplier encodes 2^-30 / h_scale. */
  int32_t hidden_multiplier, hidden_shift;
  int32_t has_initial_h, has_initial_c;
  int32_t want_y, want_y_h, want_y_c;
  /** Appended for the compiler's entry point (the flat tempo::lstm_s8
   *  overload): a tempo_rnn_direction_t, the number of directions (0 reads
   *  as 1) and ONNX's layout (0: X [S, B, I], Y [S, D, B, H], states
   *  [D, B, H]; 1: X [B, S, I], Y [B, S, D, H], states [B, D, H]). The
   *  weights-struct form of lstm_s8 runs forward, one direction, layout 0. */
  int32_t direction, num_directions, layout;
} tempo_qlstm_params_t;

/** The constant operands of tempo::lstm_s8 (all in flash). Rows are ONNX's:
 *  row r = g * H + j for gate g in i, o, f, c. w [4H, I] and r [4H, H] int8
 *  symmetric; bias [4H] int32 in the scale x_scale * w_scale[r] (the
 *  compiler folds ONNX's Wb + Rb into it); w_multiplier/w_shift [4H] map
 *  that scale to Q3.12 (x_scale * w_scale[r] * 2^12), r_multiplier/r_shift
 *  [4H] map h_scale * r_scale[r] to Q3.12; the two tables are those of
 *  tempo::sigmoid_q15 and tempo::tanh_q15. */
typedef struct tempo_qlstm_weights_t {
  const int8_t *w;
  const int8_t *r;
  const int32_t *bias;
  const int32_t *w_multiplier, *w_shift;
  const int32_t *r_multiplier, *r_shift;
  const uint16_t *sigmoid_table;
  const uint16_t *tanh_table;
  /** Appended: ONNX's Rb [4H] int32 in the scale h_scale * r_scale[r],
   *  added to the recurrent sum before its requantization; null: none (the
   *  compiler used to fold Rb into bias; it now keeps the two apart, as
   *  ONNX's B [Wb, Rb] does). A null bias is zero too. */
  const int32_t *r_bias;
} tempo_qlstm_weights_t;

/** Bytes of scratch tempo::lstm_s8 needs (2-byte aligned):
 *  [ gates int16 4H | c int16 B*H | h int8 B*H ]. */
static inline size_t tempo_qlstm_scratch_size(const tempo_qlstm_params_t *p) {
  const size_t h = (size_t)p->hidden_size, b = (size_t)p->batch;
  return 4 * h * 2 + b * h * 2 + b * h;
}

/** Integer GRU and simple RNN (tempo::gru_s8, tempo::rnn_s8), ONNX's
 *  semantics, every direction and layout (see tempo/recurrent_params.h for
 *  the shapes). x and the Y / Y_h outputs are int8 (x_zp; h_zp, Y and Y_h
 *  share one quantization); the running hidden state is int16 Q0.15 (ONNX's
 *  default activations bound it to [-1, 1]); gate pre-activations Q3.12,
 *  gate activations Q0.15 as for the LSTM.
 *
 *  Constant operands: W [D, G*H, I] and R [D, G*H, H] int8 symmetric (G = 3
 *  gates z, r, h for the GRU, 1 for the RNN); B [D, 2*G*H] int32 (per
 *  direction ONNX's Wb then Rb), Wb in the scale x_scale * w_scale[r], Rb in
 *  2^-15 * r_scale[r]; w_multiplier/w_shift [G*H] map x_scale * w_scale[r] to
 *  Q3.12, r_multiplier/r_shift [G*H] map 2^-15 * r_scale[r] to Q3.12 (the
 *  scales are per gate row, shared by the two directions). */
typedef struct tempo_qrecurrent_params_t {
  int32_t seq_len, batch, input_size, hidden_size;
  /** A tempo_rnn_direction_t, the number of directions (1 or 2), ONNX's
   *  layout (0 or 1). */
  int32_t direction, num_directions, layout;
  int32_t x_zp, h_zp;
  /** rnn_s8: the activation f, TEMPO_RNN_ACT_TANH or TEMPO_RNN_ACT_SIGMOID
   *  (tempo/recurrent_params.h); gru_s8: unused (sigmoid, tanh). */
  int32_t activation;
  /** gru_s8: ONNX linear_before_reset (r scales R h + Rb, not h). */
  int32_t linear_before_reset;
  int32_t has_bias, has_initial_h;
  int32_t want_y, want_y_h;
  /** initial_h int8 -> Q0.15: sat16(MBQM(q - h_zp, state_multiplier,
   *  state_shift)), the multiplier encoding h_scale * 2^15. */
  int32_t state_multiplier, state_shift;
  /** Q0.15 -> int8 h: clamp(h_zp + MBQM(v, hidden_multiplier,
   *  hidden_shift)), the multiplier encoding 2^-15 / h_scale. */
  int32_t hidden_multiplier, hidden_shift;
} tempo_qrecurrent_params_t;

/** Bytes of scratch tempo::gru_s8 needs (2-byte aligned), int16:
 *  [ gates 3H | R_h h or r * h: H | h B*H ]. */
static inline size_t
tempo_qgru_scratch_size(const tempo_qrecurrent_params_t *p) {
  const size_t h = (size_t)p->hidden_size, b = (size_t)p->batch;
  return (4 * h + b * h) * 2;
}

/** Bytes of scratch tempo::rnn_s8 needs (2-byte aligned), int16:
 *  [ gates H | h B*H ]. */
static inline size_t
tempo_qrnn_scratch_size(const tempo_qrecurrent_params_t *p) {
  const size_t h = (size_t)p->hidden_size, b = (size_t)p->batch;
  return (h + b * h) * 2;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TEMPO_QUANT_PARAMS_H */
