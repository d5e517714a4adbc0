/*===- tempo/ops_params.h - Parameter structs of tempo/ops.h ---------------===*
 *
 * Part of the Tempo runtime. The same conventions as tempo/params.h: the
 * compiler computes one struct per op and prints it as a `constexpr`
 * aggregate initialiser (or hands it to the kernel in the reference
 * evaluator), so the struct is the whole description of the call: ONNX axes,
 * keepdims, negative indices, broadcasting and default attributes are all
 * resolved at compile time. Field order is the initialiser order the emitter
 * prints, so fields are only ever appended. Sizes are in elements. Enum-valued
 * fields are int32_t holding one of the enum constants named in the comment.
 *
 * Kernels that need scratch memory have a `tempo_<kernel>_scratch_size()`
 * companion here returning the bytes the caller must pass (CMSIS-NN style).
 *
 *===----------------------------------------------------------------------===*/
#ifndef TEMPO_OPS_PARAMS_H
#define TEMPO_OPS_PARAMS_H

#include "tempo/params.h"
#include "tempo/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/*===----------------------------------------------------------------------===*
 * Elementwise math
 *===----------------------------------------------------------------------===*/

/** Unary ops of tempo::math. Values are stable. */
typedef enum tempo_math_op_t {
  TEMPO_MATH_ABS = 0,
  TEMPO_MATH_NEG = 1,
  TEMPO_MATH_EXP = 2,
  TEMPO_MATH_LOG = 3,
  TEMPO_MATH_SQRT = 4,
  TEMPO_MATH_RECIPROCAL = 5,
  TEMPO_MATH_ERF = 6,
  TEMPO_MATH_FLOOR = 7,
  TEMPO_MATH_CEIL = 8,
  TEMPO_MATH_SIGN = 9,
  TEMPO_MATH_SIN = 10,
  TEMPO_MATH_COS = 11,
  /** alpha */
  TEMPO_MATH_ELU = 12,
  /** alpha, beta = gamma */
  TEMPO_MATH_SELU = 13,
  /** alpha */
  TEMPO_MATH_CELU = 14,
  /** alpha */
  TEMPO_MATH_THRESHOLDED_RELU = 15,
  /** alpha, beta */
  TEMPO_MATH_HARD_SIGMOID = 16,
  TEMPO_MATH_HARD_SWISH = 17,
  TEMPO_MATH_SOFTPLUS = 18,
  TEMPO_MATH_SOFTSIGN = 19,
} tempo_math_op_t;

/** Elementwise unary math over `size` elements. alpha / beta are the ONNX
 *  attributes of the ops that have them (defaults filled in by the compiler;
 *  Selu's gamma goes in beta). */
typedef struct tempo_math_params_t {
  int32_t size;
  int32_t op; /* tempo_math_op_t */
  float alpha, beta;
} tempo_math_params_t;

/** Binary ops of tempo::binary_math. Values are stable. */
typedef enum tempo_binary_op_t {
  /** y = a ^ b */
  TEMPO_BINARY_POW = 0,
  TEMPO_BINARY_MAX = 1,
  TEMPO_BINARY_MIN = 2,
  /** PRelu: a = X, b = slope */
  TEMPO_BINARY_PRELU = 3,
} tempo_binary_op_t;

/** Elementwise binary math with numpy broadcasting (shape as for add). */
typedef struct tempo_binary_math_params_t {
  int32_t op; /* tempo_binary_op_t */
  tempo_broadcast_params_t shape;
} tempo_binary_math_params_t;

/*===----------------------------------------------------------------------===*
 * Reductions over the middle axis of [outer, n, inner]
 *
 * The compiler folds the reduced axes into n: a set of adjacent axes is one
 * call (outer = product of the dims before them, inner = after). Non-adjacent
 * axes take one call per run of adjacent axes for the ops that compose
 * (Sum, Max, Min, Prod, and SumSquare/L1 followed by Sum); for the others
 * (Mean, L2, LogSum, LogSumExp) the compiler first transposes the reduced
 * axes together. keepdims only changes the output's shape, never its data.
 *===----------------------------------------------------------------------===*/

/** Ops of tempo::reduce. Values are stable. */
typedef enum tempo_reduce_op_t {
  TEMPO_REDUCE_SUM = 0,
  TEMPO_REDUCE_MEAN = 1,
  TEMPO_REDUCE_MAX = 2,
  TEMPO_REDUCE_MIN = 3,
  TEMPO_REDUCE_PROD = 4,
  TEMPO_REDUCE_L1 = 5,
  TEMPO_REDUCE_L2 = 6,
  TEMPO_REDUCE_SUM_SQUARE = 7,
  TEMPO_REDUCE_LOG_SUM = 8,
  TEMPO_REDUCE_LOG_SUM_EXP = 9,
} tempo_reduce_op_t;

/** x is [outer, n, inner], y is [outer, inner]. */
typedef struct tempo_reduction_params_t {
  int32_t outer, n, inner;
  int32_t op; /* tempo_reduce_op_t */
} tempo_reduction_params_t;

/** Ops of tempo::arg_reduce. */
typedef enum tempo_arg_op_t {
  TEMPO_ARG_MAX = 0,
  TEMPO_ARG_MIN = 1,
} tempo_arg_op_t;

/** ArgMax / ArgMin: x is [outer, n, inner], y (int64) is [outer, inner]. */
typedef struct tempo_arg_reduce_params_t {
  int32_t outer, n, inner;
  int32_t op; /* tempo_arg_op_t */
  int32_t select_last_index;
} tempo_arg_reduce_params_t;

/** CumSum along the middle axis of [outer, n, inner]. */
typedef struct tempo_cumsum_params_t {
  int32_t outer, n, inner;
  int32_t exclusive, reverse;
} tempo_cumsum_params_t;

/* LogSoftmax and Hardmax use tempo_softmax_params_t of tempo/params.h. */

/*===----------------------------------------------------------------------===*
 * Normalisation and pooling
 *===----------------------------------------------------------------------===*/

/** LayerNormalization: x is [outer, n] with n = product of X's dims from
 *  `axis` on; scale and bias are [n] (the compiler materialises a scale or
 *  bias that only broadcasts to X[axis:]). */
typedef struct tempo_layer_norm_params_t {
  int32_t outer, n;
  float epsilon;
  int32_t has_bias;
} tempo_layer_norm_params_t;

/* InstanceNormalization uses tempo_batch_norm_params_t of tempo/params.h
 * (batch, channels, spatial = product of the spatial dims, epsilon). */

/** LpPool (opset 11-17: no dilations, no ceil_mode; the pool struct's dil_h,
 *  dil_w must be 1 for ONNX semantics but are honoured if not).
 *  GlobalLpPool is lp_pool with the kernel covering the whole input (or
 *  reduce L1 / L2 for p = 1, 2); GlobalMaxPool is reduce MAX with
 *  outer = N*C, n = H*W, inner = 1. */
typedef struct tempo_lp_pool_params_t {
  tempo_pool_params_t pool;
  int32_t p;
} tempo_lp_pool_params_t;

/*===----------------------------------------------------------------------===*
 * Data movement
 *===----------------------------------------------------------------------===*/

/** How tempo::strided_copy treats an input index outside [0, in_dims[d]). */
typedef enum tempo_border_t {
  /** The output element is the pad value (Pad mode "constant"). */
  TEMPO_BORDER_CONSTANT = 0,
  /** Clamp to the nearest edge (Pad mode "edge"). */
  TEMPO_BORDER_EDGE = 1,
  /** Mirror without repeating the edge (Pad mode "reflect"). */
  TEMPO_BORDER_REFLECT = 2,
  /** Modulo the input extent (Tile). */
  TEMPO_BORDER_WRAP = 3,
} tempo_border_t;

/** N-d strided copy: output element (i_0 ..) of out_dims reads input index
 *  j_d = start[d] + i_d * step[d] in every dim d, mapped into range by
 *  `border` where it falls outside [0, in_dims[d]). The input is dense
 *  row-major in_dims.
 *   Slice:  start = resolved start, step = step (may be negative).
 *   Expand: rank-extended input dims, step 0 on broadcast dims (start 0).
 *   Tile:   start 0, step 1, out_dims = in_dims * repeats, border WRAP.
 *   Pad:    start = -pad_begin, step 1, border by mode (negative pads, i.e.
 *           cropping, are just a positive start). */
typedef struct tempo_strided_copy_params_t {
  int32_t rank;
  int32_t size; /* product of out_dims */
  int32_t border; /* tempo_border_t */
  int32_t out_dims[TEMPO_MAX_RANK];
  int32_t in_dims[TEMPO_MAX_RANK];
  int32_t start[TEMPO_MAX_RANK];
  int32_t step[TEMPO_MAX_RANK];
} tempo_strided_copy_params_t;

/** Gather along one axis with a constant index table: x is [outer, n, inner],
 *  indices are m int32 values in [0, n) (negative ONNX indices resolved by
 *  the compiler; m = number of index elements, any index shape), y is
 *  [outer, m, inner]. */
typedef struct tempo_gather_params_t {
  int32_t outer, n, m, inner;
} tempo_gather_params_t;

/** Cast over `size` elements (the types are the kernel's template
 *  arguments). */
typedef struct tempo_cast_params_t {
  int32_t size;
} tempo_cast_params_t;

/* ConvTranspose uses tempo_conv_params_t of tempo/params.h, see
 * tempo::conv_transpose. */

/*===----------------------------------------------------------------------===*
 * Signal processing (opset 17)
 *===----------------------------------------------------------------------===*/

/** DFT along one axis. The input is [outer, n_in, inner, in_complex ? 2 : 1]
 *  (outer = product of the dims before `axis`, inner = product of those
 *  between `axis` and the last), the output [outer, n_out, inner, 2]. The
 *  transform length is `length` (dft_length, or n_in): the signal is
 *  truncated or zero-padded to it. n_out = onesided ? length / 2 + 1 :
 *  length. */
typedef struct tempo_dft_params_t {
  int32_t outer, inner;
  int32_t n_in, length, n_out;
  int32_t in_complex;
  int32_t inverse;
} tempo_dft_params_t;

/** Bytes of scratch tempo::dft needs (float): a twiddle table and a work
 *  buffer of `length` complex values each. */
static inline int32_t tempo_dft_scratch_size(const tempo_dft_params_t *p) {
  return p->length > 0 ? 4 * p->length * (int32_t)sizeof(float) : 0;
}

/** STFT: signal is [batch, signal_length, in_complex ? 2 : 1], the output
 *  [batch, frames, n_out, 2] with frames = (signal_length - frame_length) /
 *  frame_step + 1 and n_out = onesided ? frame_length / 2 + 1 :
 *  frame_length. The window, if has_window, is [frame_length]. */
typedef struct tempo_stft_params_t {
  int32_t batch, signal_length, in_complex;
  int32_t frame_step, frame_length, frames, n_out;
  int32_t has_window;
} tempo_stft_params_t;

/** Bytes of scratch tempo::stft needs (that of a frame_length DFT). */
static inline int32_t tempo_stft_scratch_size(const tempo_stft_params_t *p) {
  return p->frame_length > 0 ? 4 * p->frame_length * (int32_t)sizeof(float)
                             : 0;
}

/** Window functions of tempo::window. */
typedef enum tempo_window_kind_t {
  TEMPO_WINDOW_HANN = 0,
  TEMPO_WINDOW_HAMMING = 1,
  TEMPO_WINDOW_BLACKMAN = 2,
} tempo_window_kind_t;

/** HannWindow / HammingWindow / BlackmanWindow of `size` points. */
typedef struct tempo_window_params_t {
  int32_t size;
  int32_t kind; /* tempo_window_kind_t */
  int32_t periodic;
} tempo_window_params_t;

/** MelWeightMatrix: the output is [dft_length / 2 + 1, num_mel_bins]. */
typedef struct tempo_mel_params_t {
  int32_t num_mel_bins, dft_length, sample_rate;
  float lower_edge_hertz, upper_edge_hertz;
} tempo_mel_params_t;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TEMPO_OPS_PARAMS_H */
