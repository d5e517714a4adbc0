/*===- tempo/mixed.h - Mixed-precision kernels ------------------*- C++ -*-===*
 *
 * Part of the Tempo runtime. Header-only C++17 kernels for the per-layer
 * precisions beside int8 (docs/quantization.md, "Mixed precision"), shared by
 * the firmware and the compiler's reference evaluator. The rules of
 * tempo/kernels.h and tempo/quant.h apply: embedded subset, const parameter
 * structs computed by the compiler and not validated here, dense row-major
 * NCHW tensors, no scratch.
 *
 * Two families, both reusing the parameter structs the compiler already
 * fills (no new struct):
 *
 *  - int8 weights, float compute (`*_w8`, --quantize=int8-weights or
 *    --int8-weights=NODE): the weights are int8, symmetric, one scale per
 *    output channel (a const float table in flash); activations and bias are
 *    float32. Each output is
 *        acc = sum over taps of x * float(w_q)      (float, the float
 *                                                     kernel's tap order)
 *        y   = act(acc * scale[c] + bias[c])
 *    so the weight bytes are 4x fewer than float and the products stay as
 *    accurate as the float kernel's up to the weights' rounding. The
 *    evaluator and the firmware run these same functions (bit for bit on the
 *    same compiler flags; -ffp-contract=off where the target has an FMA, as
 *    for the float kernels).
 *
 *  - int16 activations, int8 weights (`*_a16`, --int16=NODE: TFLite's 16x8
 *    scheme): activations int16 symmetric (zero point 0), weights int8
 *    symmetric per output channel, bias int32 at scale s_x * s_w[c],
 *    accumulators int64 for conv / fully connected / matmul. The output stage
 *    is TFLite's 64-bit MultiplyByQuantizedMultiplier (below), then the
 *    act_min/act_max clamp in the int16 domain. Everything else is integer
 *    arithmetic exactly as the int8 kernels of tempo/quant.h, on int16.
 *
 * Aliasing: add_a16, sub_a16, mul_a16 (full-shape operands) and clamp_a16
 * allow the output to alias an input exactly; conv_w8 computes in place for
 * the shapes tempo::conv does (pointwise, 1-D depthwise); every other kernel
 * assumes no overlap.
 *
 *===----------------------------------------------------------------------===*/
#ifndef TEMPO_MIXED_H
#define TEMPO_MIXED_H

#include "tempo/quant.h"

namespace tempo {

//===----------------------------------------------------------------------===//
// int8 weights, float compute
//===----------------------------------------------------------------------===//

namespace detail {

/// One conv_w8 output: sum over input channels, kh, kw (ascending) of
/// x * float(w) from +0, taps in the padding skipped (convAt's order), then
/// times scale, plus the bias.
TEMPO_KERNEL float convW8At(const tempo_conv_params_t &p, const float *x,
                            const int8_t *w, const float *b,
                            const float *scale, int32_t n, int32_t oc,
                            int32_t oh, int32_t ow) {
  const int32_t icPerGroup = p.in_c / p.groups;
  const int32_t ocPerGroup = p.out_c / p.groups;
  const int32_t inPlane = p.in_h * p.in_w;
  const int32_t kPlane = p.k_h * p.k_w;
  const float *xg = x + (n * p.in_c + (oc / ocPerGroup) * icPerGroup) * inPlane;
  const int8_t *wo = w + oc * icPerGroup * kPlane;
  const int32_t ih0 = oh * p.stride_h - p.pad_top;
  const int32_t iw0 = ow * p.stride_w - p.pad_left;
  int32_t khLo, khHi, kwLo, kwHi;
  tapRange(ih0, p.dil_h, p.k_h, p.in_h, khLo, khHi);
  tapRange(iw0, p.dil_w, p.k_w, p.in_w, kwLo, kwHi);
  float acc = 0.0f;
  for (int32_t ic = 0; ic < icPerGroup; ++ic) {
    const float *xc = xg + ic * inPlane;
    const int8_t *wc = wo + ic * kPlane;
    for (int32_t kh = khLo; kh < khHi; ++kh) {
      const float *xr = xc + (ih0 + kh * p.dil_h) * p.in_w + iw0;
      const int8_t *wr = wc + kh * p.k_w;
      for (int32_t kw = kwLo; kw < kwHi; ++kw)
        acc += xr[kw * p.dil_w] * static_cast<float>(wr[kw]);
    }
  }
  float v = acc * scale[oc];
  if (p.has_bias)
    v += b[oc];
  return v;
}

/// conv_w8 outputs ow0 .. ow0+count-1 (count <= 4) of row oh, before the
/// activation. Four windows inside the input row are computed together
/// (each weight converted once for four MACs), in convW8At's order, so the
/// results are the same bits.
TEMPO_KERNEL void convW8Outputs(const tempo_conv_params_t &p, const float *x,
                                const int8_t *w, const float *b,
                                const float *scale, int32_t n, int32_t oc,
                                int32_t oh, int32_t ow0, int32_t count,
                                float *out) {
  const int32_t sw = p.stride_w;
  const int32_t iwFirst = ow0 * sw - p.pad_left;
  const int32_t iwLast = (ow0 + 3) * sw - p.pad_left + (p.k_w - 1) * p.dil_w;
  if (count != 4 || iwFirst < 0 || iwLast >= p.in_w) {
    for (int32_t j = 0; j < count; ++j)
      out[j] = convW8At(p, x, w, b, scale, n, oc, oh, ow0 + j);
    return;
  }
  const int32_t icPerGroup = p.in_c / p.groups;
  const int32_t ocPerGroup = p.out_c / p.groups;
  const int32_t inPlane = p.in_h * p.in_w;
  const int32_t kPlane = p.k_h * p.k_w;
  const float *xg = x + (n * p.in_c + (oc / ocPerGroup) * icPerGroup) * inPlane;
  const int8_t *wo = w + oc * icPerGroup * kPlane;
  const int32_t ih0 = oh * p.stride_h - p.pad_top;
  int32_t khLo, khHi;
  tapRange(ih0, p.dil_h, p.k_h, p.in_h, khLo, khHi);
  float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;
  for (int32_t ic = 0; ic < icPerGroup; ++ic) {
    const float *xc = xg + ic * inPlane;
    const int8_t *wc = wo + ic * kPlane;
    for (int32_t kh = khLo; kh < khHi; ++kh) {
      const float *xr = xc + (ih0 + kh * p.dil_h) * p.in_w + iwFirst;
      const int8_t *wr = wc + kh * p.k_w;
      for (int32_t kw = 0; kw < p.k_w; ++kw) {
        const float wv = static_cast<float>(wr[kw]);
        const float *xp = xr + kw * p.dil_w;
        a0 += xp[0] * wv;
        a1 += xp[sw] * wv;
        a2 += xp[2 * sw] * wv;
        a3 += xp[3 * sw] * wv;
      }
    }
  }
  const float s = scale[oc];
  const float bias = p.has_bias ? b[oc] : 0.0f;
  float v[4] = {a0 * s, a1 * s, a2 * s, a3 * s};
  for (int32_t j = 0; j < 4; ++j) {
    if (p.has_bias)
      v[j] += bias;
    out[j] = v[j];
  }
}

/// Pointwise conv_w8 over its own input (the shape of
/// convPointwiseInPlace); same order as convW8At.
inline void convW8PointwiseInPlace(const tempo_conv_params_t &p, float *xy,
                                   const int8_t *w, const float *b,
                                   const float *scale) {
  const int32_t plane = p.in_h * p.in_w;
  float t[kInPlacePointwiseMaxChannels];
  for (int32_t pos = 0; pos < plane; ++pos) {
    for (int32_t ic = 0; ic < p.in_c; ++ic)
      t[ic] = xy[ic * plane + pos];
    for (int32_t oc = 0; oc < p.out_c; ++oc) {
      float acc = 0.0f;
      for (int32_t ic = 0; ic < p.in_c; ++ic)
        acc += t[ic] * static_cast<float>(w[oc * p.in_c + ic]);
      float v = acc * scale[oc];
      if (p.has_bias)
        v += b[oc];
      xy[oc * plane + pos] = activate(p.act, v);
    }
  }
}

/// 1-D depthwise conv_w8 over its own input (the shape of
/// convDepthwiseInPlace); same taps and order as convW8At.
inline void convW8DepthwiseInPlace(const tempo_conv_params_t &p, float *xy,
                                   const int8_t *w, const float *b,
                                   const float *scale) {
  const int32_t n = p.in_w, k = p.k_w, pl = p.pad_left;
  float win[kInPlaceDepthwiseMaxKernel];
  for (int32_t c = 0; c < p.in_c; ++c) {
    float *row = xy + c * n;
    for (int32_t j = 0; j < k; ++j) {
      const int32_t at = j - pl;
      win[j] = at >= 0 && at < n ? row[at] : 0.0f;
    }
    for (int32_t ow = 0; ow < n; ++ow) {
      float acc = 0.0f;
      for (int32_t j = 0; j < k; ++j) {
        const int32_t at = ow - pl + j;
        if (at >= 0 && at < n)
          acc += win[j] * static_cast<float>(w[c * k + j]);
      }
      float v = acc * scale[c];
      if (p.has_bias)
        v += b[c];
      for (int32_t j = 0; j + 1 < k; ++j)
        win[j] = win[j + 1];
      const int32_t next = ow + 1 - pl + k - 1;
      win[k - 1] = next >= 0 && next < n ? row[next] : 0.0f;
      row[ow] = activate(p.act, v);
    }
  }
}

} // namespace detail

/// Conv with int8 weights and float compute: tempo::conv's geometry, groups,
/// fused activation, fused pooling and in-place shapes, with w int8
/// [out_c, in_c / groups, k_h, k_w] and scale [out_c] float (the weight of
/// channel oc is scale[oc] * w). Per output (convW8At):
///   y = act(sum(x * float(w)) * scale[oc] + b[oc])
/// b is float [out_c] (read only if has_bias). Aliasing: as tempo::conv.
TEMPO_KERNEL void conv_w8(const tempo_conv_params_t &p, const float *x,
                          const int8_t *w, const float *b, const float *scale,
                          float *y) {
  if (static_cast<const void *>(x) == static_cast<const void *>(y)) {
    if (p.groups == 1 && p.k_h == 1 && p.k_w == 1)
      detail::convW8PointwiseInPlace(p, y, w, b, scale);
    else
      detail::convW8DepthwiseInPlace(p, y, w, b, scale);
    return;
  }
  float v[4];
  for (int32_t n = 0; n < p.batch; ++n) {
    for (int32_t oc = 0; oc < p.out_c; ++oc) {
      if (p.pool == TEMPO_POOL_NONE) {
        float *yo = y + (n * p.out_c + oc) * p.out_h * p.out_w;
        for (int32_t oh = 0; oh < p.out_h; ++oh)
          for (int32_t ow = 0; ow < p.out_w; ow += 4) {
            const int32_t count = p.out_w - ow < 4 ? p.out_w - ow : 4;
            detail::convW8Outputs(p, x, w, b, scale, n, oc, oh, ow, count, v);
            for (int32_t j = 0; j < count; ++j)
              yo[oh * p.out_w + ow + j] = detail::activate(p.act, v[j]);
          }
        continue;
      }
      // Fused pooling, as tempo::conv: the pooled row holds running values.
      float *yo = y + (n * p.out_c + oc) * p.pooled_h * p.pooled_w;
      const int32_t width = p.pooled_w * p.pool_w;
      for (int32_t ph = 0; ph < p.pooled_h; ++ph) {
        float *row = yo + ph * p.pooled_w;
        for (int32_t dh = 0; dh < p.pool_h; ++dh) {
          const int32_t oh = ph * p.pool_h + dh;
          for (int32_t ow = 0; ow < width; ow += 4) {
            const int32_t count = width - ow < 4 ? width - ow : 4;
            detail::convW8Outputs(p, x, w, b, scale, n, oc, oh, ow, count, v);
            for (int32_t j = 0; j < count; ++j) {
              const float a = detail::activate(p.act, v[j]);
              const int32_t pw = (ow + j) / p.pool_w;
              const bool first = dh == 0 && (ow + j) % p.pool_w == 0;
              if (p.pool == TEMPO_POOL_MAX)
                row[pw] = first || a > row[pw] ? a : row[pw];
              else
                row[pw] = first ? a : row[pw] + a;
            }
          }
        }
        if (p.pool == TEMPO_POOL_AVERAGE) {
          const float count = static_cast<float>(p.pool_h * p.pool_w);
          for (int32_t pw = 0; pw < p.pooled_w; ++pw)
            row[pw] = row[pw] / count;
        }
      }
    }
  }
}

/// Gemm with int8 weights and float compute: tempo::gemm's layout (trans_a,
/// trans_b, alpha, beta, C broadcast, fused activation) with b int8 and one
/// scale per output column j (scale [n] float). Each element:
///   acc = sum_l a(i, l) * float(b(l, j)), l ascending from +0
///   y = act(alpha * (acc * scale[j]) + beta * c(i, j))
/// Four columns are accumulated together (each a(i, l) loaded once).
/// Aliasing: y must not overlap a, b or c.
TEMPO_KERNEL void gemm_w8(const tempo_gemm_params_t &p, const float *a,
                          const int8_t *b, const float *c, const float *scale,
                          float *y) {
  const int32_t aRow = p.trans_a ? 1 : p.k, aCol = p.trans_a ? p.m : 1;
  const int32_t bRow = p.trans_b ? 1 : p.n, bCol = p.trans_b ? p.k : 1;
  auto finish = [&](int32_t i, int32_t j, float acc) {
    float v = p.alpha * (acc * scale[j]);
    if (p.has_c) {
      const int32_t ci = p.c_rows == 1 ? 0 : i, cj = p.c_cols == 1 ? 0 : j;
      v += p.beta * c[ci * p.c_cols + cj];
    }
    y[i * p.n + j] = detail::activate(p.act, v);
  };
  for (int32_t i = 0; i < p.m; ++i) {
    const float *ai = a + i * aRow;
    int32_t j = 0;
    for (; j + 4 <= p.n; j += 4) {
      const int8_t *b0 = b + j * bCol, *b1 = b0 + bCol, *b2 = b1 + bCol,
                   *b3 = b2 + bCol;
      float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
      for (int32_t l = 0; l < p.k; ++l) {
        const float av = ai[l * aCol];
        s0 += av * static_cast<float>(b0[l * bRow]);
        s1 += av * static_cast<float>(b1[l * bRow]);
        s2 += av * static_cast<float>(b2[l * bRow]);
        s3 += av * static_cast<float>(b3[l * bRow]);
      }
      finish(i, j, s0);
      finish(i, j + 1, s1);
      finish(i, j + 2, s2);
      finish(i, j + 3, s3);
    }
    for (; j < p.n; ++j) {
      const int8_t *bj = b + j * bCol;
      float s = 0.0f;
      for (int32_t l = 0; l < p.k; ++l)
        s += ai[l * aCol] * static_cast<float>(bj[l * bRow]);
      finish(i, j, s);
    }
  }
}

/// MatMul with a constant int8 second operand and float compute:
/// tempo::matmul's layout and batch broadcasting, b int8 [.., k, n] with one
/// scale per column s (scale [n] float, shared by b's matrices). Each
/// element: acc = sum_l a(r, l) * float(b(l, s)), l ascending from +0;
/// y = act(acc * scale[s]). Four columns are accumulated together.
/// Aliasing: y must not overlap a or b.
TEMPO_KERNEL void matmul_w8(const tempo_matmul_params_t &p, const float *a,
                            const int8_t *b, const float *scale, float *y) {
  const int32_t rank = p.batch_rank;
  int32_t batches = 1;
  for (int32_t d = 0; d < rank; ++d)
    batches *= p.out_batch_dims[d];
  int32_t idx[TEMPO_MAX_RANK] = {0};
  int32_t aMat = 0, bMat = 0;
  for (int32_t bi = 0; bi < batches; ++bi) {
    const float *am = a + aMat * p.m * p.k;
    const int8_t *bm = b + bMat * p.k * p.n;
    float *ym = y + bi * p.m * p.n;
    for (int32_t r = 0; r < p.m; ++r) {
      const float *ar = am + r * p.k;
      int32_t s = 0;
      for (; s + 4 <= p.n; s += 4) {
        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
        for (int32_t l = 0; l < p.k; ++l) {
          const float av = ar[l];
          const int8_t *bl = bm + l * p.n + s;
          s0 += av * static_cast<float>(bl[0]);
          s1 += av * static_cast<float>(bl[1]);
          s2 += av * static_cast<float>(bl[2]);
          s3 += av * static_cast<float>(bl[3]);
        }
        ym[r * p.n + s] = detail::activate(p.act, s0 * scale[s]);
        ym[r * p.n + s + 1] = detail::activate(p.act, s1 * scale[s + 1]);
        ym[r * p.n + s + 2] = detail::activate(p.act, s2 * scale[s + 2]);
        ym[r * p.n + s + 3] = detail::activate(p.act, s3 * scale[s + 3]);
      }
      for (; s < p.n; ++s) {
        float acc = 0.0f;
        for (int32_t l = 0; l < p.k; ++l)
          acc += ar[l] * static_cast<float>(bm[l * p.n + s]);
        ym[r * p.n + s] = detail::activate(p.act, acc * scale[s]);
      }
    }
    for (int32_t d = rank - 1; d >= 0; --d) {
      aMat += p.a_batch_strides[d];
      bMat += p.b_batch_strides[d];
      if (++idx[d] < p.out_batch_dims[d])
        break;
      aMat -= p.a_batch_strides[d] * p.out_batch_dims[d];
      bMat -= p.b_batch_strides[d] * p.out_batch_dims[d];
      idx[d] = 0;
    }
  }
}

//===----------------------------------------------------------------------===//
// int16 activations, int8 weights (TFLite's 16x8 scheme)
//===----------------------------------------------------------------------===//

/// x * multiplier * 2^(shift - 31) for a 64-bit accumulator, TFLite's
/// MultiplyByQuantizedMultiplier(int64_t, ...) of its 16x8 kernels: with
/// m = (multiplier + 2^15) >> 16 (32767 when multiplier >= 0x7FFF0000) and
/// t = 15 - shift,
///   result = floor((x * m + 2^(t - 1)) / 2^t)     (round half up)
/// Needs 0 <= multiplier < 2^31, -31 <= shift <= 7 and |x| < 2^47 (the
/// compiler checks the shift; the 16x8 kernels' sums stay far below).
constexpr int64_t multiply_by_quantized_multiplier_64(int64_t x,
                                                      int32_t multiplier,
                                                      int32_t shift) {
  const int64_t m =
      multiplier < 0x7FFF0000 ? (int64_t(multiplier) + (1 << 15)) >> 16
                              : int64_t(0x7FFF);
  const int32_t t = 15 - shift;
  const int64_t v = x * m + (int64_t(1) << (t - 1));
  // Arithmetic right shift (floor), spelled without relying on >> of a
  // negative value.
  return v >= 0 ? v >> t : -((-v - 1) >> t) - 1;
}

namespace detail {

/// The 16x8 output stage: clamp(MBQM64(acc, multiplier, shift)) into
/// [lo, hi] (a range inside int16).
inline int16_t requantize64(int64_t acc, int32_t multiplier, int32_t shift,
                            int32_t lo, int32_t hi) {
  const int64_t v = multiply_by_quantized_multiplier_64(acc, multiplier, shift);
  return static_cast<int16_t>(v < lo ? lo : (v > hi ? hi : v));
}

} // namespace detail

/// Conv, int16 activations x int8 weights (16x8). Geometry and groups as
/// conv_s8 (no fused pooling: pool must be TEMPO_POOL_NONE; in_zp and out_zp
/// must be 0). For each output, with c = oc if per_channel, else 0:
///   acc = bias[oc] + sum over taps inside the input of x * w     (int64)
///   y = clamp(MBQM64(acc, mult[c], shift[c]), act_min, act_max)
/// Aliasing: y must not overlap x.
TEMPO_KERNEL void conv_a16(const tempo_qconv_params_t &p, const int16_t *x,
                           const int8_t *w, const int32_t *bias,
                           const int32_t *mult, const int32_t *shift,
                           int16_t *y) {
  const int32_t icPerGroup = p.in_c / p.groups;
  const int32_t ocPerGroup = p.out_c / p.groups;
  const int32_t inPlane = p.in_h * p.in_w;
  const int32_t kPlane = p.k_h * p.k_w;
  for (int32_t n = 0; n < p.batch; ++n) {
    for (int32_t oc = 0; oc < p.out_c; ++oc) {
      const int32_t c = p.per_channel ? oc : 0;
      const int16_t *xg =
          x + (n * p.in_c + (oc / ocPerGroup) * icPerGroup) * inPlane;
      const int8_t *wo = w + oc * icPerGroup * kPlane;
      int16_t *yo = y + (n * p.out_c + oc) * p.out_h * p.out_w;
      for (int32_t oh = 0; oh < p.out_h; ++oh) {
        const int32_t ih0 = oh * p.stride_h - p.pad_top;
        int32_t khLo, khHi;
        detail::tapRange(ih0, p.dil_h, p.k_h, p.in_h, khLo, khHi);
        for (int32_t ow = 0; ow < p.out_w; ++ow) {
          const int32_t iw0 = ow * p.stride_w - p.pad_left;
          int32_t kwLo, kwHi;
          detail::tapRange(iw0, p.dil_w, p.k_w, p.in_w, kwLo, kwHi);
          int64_t acc = p.has_bias ? bias[oc] : 0;
          for (int32_t ic = 0; ic < icPerGroup; ++ic) {
            const int16_t *xc = xg + ic * inPlane;
            const int8_t *wc = wo + ic * kPlane;
            for (int32_t kh = khLo; kh < khHi; ++kh) {
              const int16_t *xr = xc + (ih0 + kh * p.dil_h) * p.in_w + iw0;
              const int8_t *wr = wc + kh * p.k_w;
              // At most k_w products of |x * w| <= 2^22 each: exact in int32.
              int32_t row = 0;
              for (int32_t kw = kwLo; kw < kwHi; ++kw)
                row += static_cast<int32_t>(xr[kw * p.dil_w]) * wr[kw];
              acc += row;
            }
          }
          yo[oh * p.out_w + ow] =
              detail::requantize64(acc, mult[c], shift[c], p.act_min, p.act_max);
        }
      }
    }
  }
}

/// Fully connected, int16 x int8 -> int16 (16x8). x [batch, in_features],
/// w [out_features, in_features], bias [out_features] int32 (read only if
/// has_bias); in_zp and out_zp must be 0:
///   acc = bias[o] + sum_k x[b, k] * w[o, k]                        (int64)
///   y = clamp(MBQM64(acc, mult[c], shift[c]), act_min, act_max)
/// Aliasing: y must not overlap x.
TEMPO_KERNEL void fully_connected_a16(const tempo_qfc_params_t &p,
                                      const int16_t *x, const int8_t *w,
                                      const int32_t *bias, const int32_t *mult,
                                      const int32_t *shift, int16_t *y) {
  for (int32_t b = 0; b < p.batch; ++b) {
    const int16_t *xb = x + b * p.in_features;
    for (int32_t o = 0; o < p.out_features; ++o) {
      const int32_t c = p.per_channel ? o : 0;
      const int8_t *wo = w + o * p.in_features;
      int64_t acc = p.has_bias ? bias[o] : 0;
      for (int32_t k = 0; k < p.in_features; ++k)
        acc += static_cast<int32_t>(xb[k]) * wo[k];
      y[b * p.out_features + o] =
          detail::requantize64(acc, mult[c], shift[c], p.act_min, p.act_max);
    }
  }
}

/// MatMul of two int16 tensors (both symmetric: a_zp, b_zp, out_zp 0), batch
/// broadcasting as tempo::matmul:
///   acc = sum_l a(r, l) * b(l, s)                                   (int64)
///   y = clamp(MBQM64(acc, multiplier, shift), act_min, act_max)
/// Aliasing: y must not overlap a or b.
TEMPO_KERNEL void matmul_a16(const tempo_qmatmul_params_t &p,
                             const int16_t *a, const int16_t *b, int16_t *y) {
  const int32_t rank = p.batch_rank;
  int32_t batches = 1;
  for (int32_t d = 0; d < rank; ++d)
    batches *= p.out_batch_dims[d];
  int32_t idx[TEMPO_MAX_RANK] = {0};
  int32_t aMat = 0, bMat = 0;
  for (int32_t bi = 0; bi < batches; ++bi) {
    const int16_t *am = a + aMat * p.m * p.k;
    const int16_t *bm = b + bMat * p.k * p.n;
    int16_t *ym = y + bi * p.m * p.n;
    for (int32_t r = 0; r < p.m; ++r)
      for (int32_t s = 0; s < p.n; ++s) {
        int64_t acc = 0;
        for (int32_t l = 0; l < p.k; ++l)
          acc += static_cast<int32_t>(am[r * p.k + l]) * bm[l * p.n + s];
        ym[r * p.n + s] = detail::requantize64(acc, p.multiplier, p.shift,
                                               p.act_min, p.act_max);
      }
    for (int32_t d = rank - 1; d >= 0; --d) {
      aMat += p.a_batch_strides[d];
      bMat += p.b_batch_strides[d];
      if (++idx[d] < p.out_batch_dims[d])
        break;
      aMat -= p.a_batch_strides[d] * p.out_batch_dims[d];
      bMat -= p.b_batch_strides[d] * p.out_batch_dims[d];
      idx[d] = 0;
    }
  }
}

/// Add, int16 (TFLite's int16 Add, general form; fields as add_s8 with
/// left_shift 15, see tempo_qbinary_add16_setup):
///   a' = MBQM((a - a_zp) * 2^left_shift, a_multiplier, a_shift), b' alike
///   y = clamp(out_zp + MBQM(a' + b', out_multiplier, out_shift), act)
/// Aliasing: y may alias a full-shape operand exactly.
inline void add_a16(const tempo_qbinary_params_t &p, const int16_t *a,
                    const int16_t *b, int16_t *y) {
  detail::addOrSubQ<int16_t, 1>(p, a, b, y);
}

/// Sub, int16: add_a16 with a' - b'.
inline void sub_a16(const tempo_qbinary_params_t &p, const int16_t *a,
                    const int16_t *b, int16_t *y) {
  detail::addOrSubQ<int16_t, -1>(p, a, b, y);
}

/// Mul, int16 (TFLite's int16 Mul; zero points 0 so the product fits int32):
///   y = clamp(out_zp + MBQM((a - a_zp) * (b - b_zp), out_multiplier,
///             out_shift), act)
/// Aliasing: y may alias a full-shape operand exactly.
inline void mul_a16(const tempo_qbinary_params_t &p, const int16_t *a,
                    const int16_t *b, int16_t *y) {
  detail::mulQ(p, a, b, y);
}

/// MaxPool, int16 (same scale in and out), as max_pool_s8: the max over the
/// taps inside the input, clamped to [act_min, act_max]; a window with no tap
/// inside yields act_min. Aliasing: y must not overlap x.
TEMPO_KERNEL void max_pool_a16(const tempo_qpool_params_t &p, const int16_t *x,
                               int16_t *y) {
  const int32_t inPlane = p.in_h * p.in_w;
  for (int32_t nc = 0; nc < p.batch * p.channels; ++nc) {
    const int16_t *xc = x + nc * inPlane;
    int16_t *yc = y + nc * p.out_h * p.out_w;
    for (int32_t oh = 0; oh < p.out_h; ++oh) {
      const int32_t ih0 = oh * p.stride_h - p.pad_top;
      int32_t khLo, khHi;
      detail::tapRange(ih0, p.dil_h, p.k_h, p.in_h, khLo, khHi);
      for (int32_t ow = 0; ow < p.out_w; ++ow) {
        const int32_t iw0 = ow * p.stride_w - p.pad_left;
        int32_t kwLo, kwHi;
        detail::tapRange(iw0, p.dil_w, p.k_w, p.in_w, kwLo, kwHi);
        int32_t best = -32768;
        for (int32_t kh = khLo; kh < khHi; ++kh) {
          const int32_t row = (ih0 + kh * p.dil_h) * p.in_w + iw0;
          for (int32_t kw = kwLo; kw < kwHi; ++kw) {
            const int32_t v = xc[row + kw * p.dil_w];
            best = v > best ? v : best;
          }
        }
        yc[oh * p.out_w + ow] =
            static_cast<int16_t>(detail::clampTo(best, p.act_min, p.act_max));
      }
    }
  }
}

/// AveragePool, int16 (same scale in and out), as average_pool_s8: the sum
/// of the taps inside the input plus zp per counted padding tap, divided by
/// the count rounding half away from zero, clamped; count 0 yields clamp(zp).
/// Aliasing: y must not overlap x.
TEMPO_KERNEL void average_pool_a16(const tempo_qpool_params_t &p,
                                   const int16_t *x, int16_t *y) {
  const int32_t inPlane = p.in_h * p.in_w;
  const int32_t paddedH = p.pad_top + p.in_h + p.pad_bottom;
  const int32_t paddedW = p.pad_left + p.in_w + p.pad_right;
  for (int32_t nc = 0; nc < p.batch * p.channels; ++nc) {
    const int16_t *xc = x + nc * inPlane;
    int16_t *yc = y + nc * p.out_h * p.out_w;
    for (int32_t oh = 0; oh < p.out_h; ++oh) {
      const int32_t ih0 = oh * p.stride_h - p.pad_top;
      int32_t khLo, khHi, phLo, phHi;
      detail::tapRange(ih0, p.dil_h, p.k_h, p.in_h, khLo, khHi);
      detail::tapRange(oh * p.stride_h, p.dil_h, p.k_h, paddedH, phLo, phHi);
      for (int32_t ow = 0; ow < p.out_w; ++ow) {
        const int32_t iw0 = ow * p.stride_w - p.pad_left;
        int32_t kwLo, kwHi, pwLo, pwHi;
        detail::tapRange(iw0, p.dil_w, p.k_w, p.in_w, kwLo, kwHi);
        detail::tapRange(ow * p.stride_w, p.dil_w, p.k_w, paddedW, pwLo, pwHi);
        int32_t sum = 0;
        for (int32_t kh = khLo; kh < khHi; ++kh) {
          const int32_t row = (ih0 + kh * p.dil_h) * p.in_w + iw0;
          for (int32_t kw = kwLo; kw < kwHi; ++kw)
            sum += xc[row + kw * p.dil_w];
        }
        const int32_t inside = (khHi - khLo) * (kwHi - kwLo);
        int32_t count = inside;
        if (p.count_include_pad) {
          count = (phHi - phLo) * (pwHi - pwLo);
          sum += (count - inside) * p.zp;
        }
        const int32_t v = count > 0 ? detail::roundingDivide(sum, count) : p.zp;
        yc[oh * p.out_w + ow] =
            static_cast<int16_t>(detail::clampTo(v, p.act_min, p.act_max));
      }
    }
  }
}

/// One input of a Concat, int16 (call once per input; geometry as
/// tempo::concat). identity: a copy; otherwise
///   y = clamp(out_zp + MBQM(x - in_zp, multiplier, shift), -32768, 32767).
/// Aliasing: y must not overlap x.
inline void concat_a16(const tempo_qconcat_params_t &p, const int16_t *x,
                       int16_t *y) {
  if (p.in_inner <= 0)
    return;
  for (int32_t o = 0; o < p.outer; ++o) {
    const int16_t *xr = x + o * p.in_inner;
    int16_t *yr = y + o * p.out_inner + p.offset;
    if (p.identity) {
      memcpy(yr, xr, static_cast<size_t>(p.in_inner) * sizeof(int16_t));
      continue;
    }
    for (int32_t i = 0; i < p.in_inner; ++i)
      yr[i] = static_cast<int16_t>(
          detail::requantize(static_cast<int32_t>(xr[i]) - p.in_zp,
                             p.multiplier, p.shift, p.out_zp, -32768, 32767));
  }
}

/// Relu / Relu6 / Clip, int16, same scale: y = clamp(x, act_min, act_max).
/// Aliasing: y may alias x exactly.
inline void clamp_a16(const tempo_qclamp_params_t &p, const int16_t *x,
                      int16_t *y) {
  for (int32_t i = 0; i < p.size; ++i)
    y[i] = static_cast<int16_t>(detail::clampTo(x[i], p.act_min, p.act_max));
}

} // namespace tempo

//===----------------------------------------------------------------------===//
// Compiler-side helpers (double; tempoc and the tests only)
//===----------------------------------------------------------------------===//

/// Fills the requantization fields of an int16 Add/Sub (TFLite's int16
/// recipe): left_shift = 15, twice = 2 * max(a_scale, b_scale),
/// a_* = a_scale / twice, b_* = b_scale / twice, out_* = twice / (2^15 *
/// out_scale). Zero points and act_min/act_max are the caller's. Returns 0
/// or -1.
static inline int tempo_qbinary_add16_setup(double a_scale, double b_scale,
                                            double out_scale,
                                            tempo_qbinary_params_t *p) {
  const double twice = 2.0 * (a_scale > b_scale ? a_scale : b_scale);
  p->left_shift = 15;
  int rc = tempo_quantize_multiplier(a_scale / twice, &p->a_multiplier,
                                     &p->a_shift);
  rc |= tempo_quantize_multiplier(b_scale / twice, &p->b_multiplier,
                                  &p->b_shift);
  rc |= tempo_quantize_multiplier(twice / (32768.0 * out_scale),
                                  &p->out_multiplier, &p->out_shift);
  return rc;
}

#endif /* TEMPO_MIXED_H */
