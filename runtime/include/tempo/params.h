/*===- tempo/params.h - Kernel parameter structs ---------------------------===*
 *
 * Part of the Tempo runtime. The compiler computes one of these structs per
 * op (compiler/eval/KernelParams.cpp) and either prints it as a `constexpr`
 * aggregate into the generated code or hands it directly to the kernel in the
 * reference evaluator. Field order is the aggregate-initialiser order the
 * emitter prints, so fields are only ever appended.
 *
 * All sizes are in elements, never bytes, unless the name says bytes. 1-D
 * convolutions and pools use the 2-D structs with h == 1; 3-D pools and
 * transposed convolutions set the depth fields appended at the end of those
 * structs, where 0 reads as the 1-D / 2-D default (one plane), so a struct
 * initialised without them keeps its meaning.
 *
 *===----------------------------------------------------------------------===*/
#ifndef TEMPO_PARAMS_H
#define TEMPO_PARAMS_H

#include "tempo/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An activation fused into a kernel: applied to each value before it is
 *  stored (and before any fused pooling). Zero-initialised means none. */
typedef enum tempo_activation_kind_t {
  TEMPO_ACT_NONE = 0,
  TEMPO_ACT_RELU = 1,
  TEMPO_ACT_CLIP = 2,         /**< min(max(v, lo), hi) */
  TEMPO_ACT_LEAKY_RELU = 3,   /**< v < 0 ? alpha * v : v */
  TEMPO_ACT_SIGMOID = 4,
  TEMPO_ACT_TANH = 5,
  TEMPO_ACT_HARD_SIGMOID = 6, /**< max(0, min(1, alpha * v + beta)) */
  TEMPO_ACT_HARD_SWISH = 7,   /**< v * max(0, min(1, v / 6 + 1 / 2)) */
} tempo_activation_kind_t;

typedef struct tempo_activation_params_t {
  int32_t kind; /**< a tempo_activation_kind_t */
  float alpha, beta, lo, hi;
} tempo_activation_params_t;

/** Pooling fused into a convolution: non-overlapping pool_h x pool_w
 *  windows (stride = window, no padding) over the activated conv output;
 *  the result is pooled_h x pooled_w. The unpooled tensor is never stored. */
typedef enum tempo_fused_pool_kind_t {
  TEMPO_POOL_NONE = 0,
  TEMPO_POOL_MAX = 1,
  TEMPO_POOL_AVERAGE = 2,
} tempo_fused_pool_kind_t;

/** Convolution, NCHW input, OIHW weights (I = in_c / groups). */
typedef struct tempo_conv_params_t {
  int32_t batch, in_c, in_h, in_w;
  int32_t out_c, out_h, out_w;
  int32_t k_h, k_w;
  int32_t stride_h, stride_w;
  int32_t dil_h, dil_w;
  int32_t pad_top, pad_left;
  int32_t groups;
  int32_t has_bias;
  tempo_activation_params_t act;
  int32_t pool;          /**< a tempo_fused_pool_kind_t */
  int32_t pool_h, pool_w;
  int32_t pooled_h, pooled_w;
  /** Depth of a 3-D (NCDHW) op, read by conv_transpose only (conv is 1-D /
   *  2-D): x is [batch, in_c, in_d, in_h, in_w], and so on. 0 reads as 1
   *  (pad_front as 0): one plane, the 1-D / 2-D op. */
  int32_t in_d, out_d, k_d;
  int32_t stride_d, dil_d;
  int32_t pad_front;
} tempo_conv_params_t;

/** MaxPool / AveragePool over NCHW. Pads may be asymmetric; the output
 *  extent (which already includes ceil_mode) is out_h x out_w. */
typedef struct tempo_pool_params_t {
  int32_t batch, channels, in_h, in_w;
  int32_t out_h, out_w;
  int32_t k_h, k_w;
  int32_t stride_h, stride_w;
  int32_t dil_h, dil_w;
  int32_t pad_top, pad_left, pad_bottom, pad_right;
  /** AveragePool only: divide by the window clipped to the padded extent
   *  (1) or to the unpadded input (0). */
  int32_t count_include_pad;
  /** Depth of a 3-D pool (NCDHW: x is [batch, channels, in_d, in_h, in_w]).
   *  0 reads as 1 (the pads as 0): one plane, the 1-D / 2-D pool. */
  int32_t in_d, out_d, k_d;
  int32_t stride_d, dil_d;
  int32_t pad_front, pad_back;
  /** max_pool_with_indices only: the flattened index of each maximum is
   *  row-major over the spatial dims (0) or column-major (1), as ONNX
   *  MaxPool's storage_order. */
  int32_t storage_order;
} tempo_pool_params_t;

/** A reduction of each contiguous run of `inner` elements to one value
 *  (GlobalAveragePool: outer = N*C, inner = H*W). */
typedef struct tempo_reduce_params_t {
  int32_t outer, inner;
} tempo_reduce_params_t;

/** Y = alpha * op(A) * op(B) + beta * C. A is [m,k] ([k,m] if trans_a),
 *  B is [k,n] ([n,k] if trans_b). C, if present, is [c_rows, c_cols] with
 *  c_rows in {1, m} and c_cols in {1, n} (unidirectional broadcast). */
typedef struct tempo_gemm_params_t {
  int32_t m, n, k;
  int32_t trans_a, trans_b;
  float alpha, beta;
  int32_t has_c, c_rows, c_cols;
  tempo_activation_params_t act;
} tempo_gemm_params_t;

/** Batched matmul with numpy broadcasting of the batch dimensions. Each
 *  operand is a stack of row-major matrices; batch strides are in matrices
 *  (0 where that operand broadcasts). Output batch index i is decomposed over
 *  out_batch_dims (row-major). */
typedef struct tempo_matmul_params_t {
  int32_t m, n, k;
  int32_t batch_rank;
  int32_t out_batch_dims[TEMPO_MAX_RANK];
  int32_t a_batch_strides[TEMPO_MAX_RANK];
  int32_t b_batch_strides[TEMPO_MAX_RANK];
  tempo_activation_params_t act;
} tempo_matmul_params_t;

/** Elementwise binary op with numpy broadcasting. The output is
 *  out_dims[0..rank) row-major; a_strides / b_strides are element strides of
 *  each operand (0 on broadcast dims). */
typedef struct tempo_broadcast_params_t {
  int32_t rank;
  int32_t size;
  int32_t out_dims[TEMPO_MAX_RANK];
  int32_t a_strides[TEMPO_MAX_RANK];
  int32_t b_strides[TEMPO_MAX_RANK];
  tempo_activation_params_t act; /**< float element types only */
} tempo_broadcast_params_t;

/** Elementwise unary op over `size` elements. alpha / lo / hi are used by
 *  the ops that name them (LeakyRelu: alpha; Clip: lo, hi). */
typedef struct tempo_unary_params_t {
  int32_t size;
  float alpha;
  double lo, hi;
} tempo_unary_params_t;

/** Softmax over the middle axis of [outer, n, inner]. */
typedef struct tempo_softmax_params_t {
  int32_t outer, n, inner;
} tempo_softmax_params_t;

/** BatchNormalization over [batch, channels, spatial] (inference, or
 *  training mode: batch_norm_training). */
typedef struct tempo_batch_norm_params_t {
  int32_t batch, channels, spatial;
  float epsilon;
  /** batch_norm_training only: running = running * momentum + batch
   *  statistic * (1 - momentum). */
  float momentum;
} tempo_batch_norm_params_t;

/** y = x * scale[c] + shift[c] over [batch, channels, spatial]: a
 *  BatchNormalization whose statistics were folded at compile time. */
typedef struct tempo_channel_affine_params_t {
  int32_t batch, channels, spatial;
} tempo_channel_affine_params_t;

/** Most inputs and steps of an elementwise chain. */
#define TEMPO_CHAIN_MAX_INPUTS 4
#define TEMPO_CHAIN_MAX_STEPS 8

/** A chain of elementwise binary ops over same-shape float operands, run
 *  in one loop: register r < num_inputs is input r at the element; step s
 *  writes register num_inputs + s = code[3s] (0 add, 1 sub, 2 mul, 3 div)
 *  of registers code[3s+1] and code[3s+2]; the last register, activated,
 *  is the result. */
typedef struct tempo_chain_params_t {
  int32_t size;
  int32_t num_inputs, num_steps;
  int32_t code[3 * TEMPO_CHAIN_MAX_STEPS];
  tempo_activation_params_t act;
} tempo_chain_params_t;

/** Transpose: the output is out_dims row-major; element out[i0..ir] reads
 *  in[sum(i_j * in_strides[j])], where in_strides are the input's strides
 *  permuted into output order. */
typedef struct tempo_transpose_params_t {
  int32_t rank;
  int32_t size;
  int32_t out_dims[TEMPO_MAX_RANK];
  int32_t in_strides[TEMPO_MAX_RANK];
} tempo_transpose_params_t;

/** One input of a Concat: copies `outer` runs of `in_inner` elements into
 *  runs of `out_inner` elements, starting at element `offset` of each run. */
typedef struct tempo_concat_params_t {
  int32_t outer, in_inner, out_inner, offset;
} tempo_concat_params_t;

/** A plain copy (Reshape and friends when they are not aliased). */
typedef struct tempo_copy_params_t {
  int32_t bytes;
} tempo_copy_params_t;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TEMPO_PARAMS_H */
