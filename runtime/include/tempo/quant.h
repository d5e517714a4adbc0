/*===- tempo/quant.h - Integer-only int8 kernels ----------------*- C++ -*-===*
 *
 * Part of the Tempo runtime. Header-only C++17 kernels for integer-only int8
 * inference (the scheme is described at the top of tempo/quant_params.h),
 * shared by the firmware and the compiler's reference evaluator. The rules of
 * tempo/kernels.h apply: embedded subset (no heap, exceptions, RTTI, static
 * data or C++ library headers), const parameter structs computed by the
 * compiler and not validated here, dense row-major NCHW tensors, no scratch.
 *
 * Integer only: apart from quantize_s8 / dequantize_s8 (the model's float
 * edges) and the compiler-side helpers at the end of this file, no kernel
 * here touches a float. Multipliers, shifts and tables come from the
 * compiler; the helpers that compute them (tempo_quantize_multiplier,
 * tempo_softmax_s8_scaling, tempo_build_*) use double and run only in the
 * compiler.
 *
 * Rounding (bit-exact with gemmlowp / TFLite's reference kernels):
 *  - saturating_rounding_doubling_high_mul(a, b) = floor(a * b / 2^31 + 1/2)
 *    (ties toward +infinity), except a == b == INT32_MIN gives INT32_MAX;
 *  - rounding_divide_by_pot(x, e) = x / 2^e rounded to nearest, ties away
 *    from zero (0 <= e <= 31);
 *  - multiply_by_quantized_multiplier(x, m, s) = rounding_divide_by_pot(
 *    srdhm(x * 2^max(s, 0), m), max(-s, 0)), where x * 2^s saturates to
 *    int32 (TFLite leaves that overflow undefined; the compiler never
 *    produces it for |s| <= 30 and 16-bit x);
 *  - other divisions (average pools) round to nearest, ties away from
 *    zero; softmax is TFLite's fixed-point exp and reciprocal (see there).
 *
 * Accumulators are int32 and must not overflow: with |x - zp| <= 255 and
 * |w| <= 128, conv / fully connected / matmul / lstm need K * 32640 + |bias|
 * < 2^31 (K = products per output), true for any K <= 32768 with
 * |bias| < 2^30; matmul_s8 (both operands zero-point corrected) needs
 * K * 65025 < 2^31, K <= 33025. The compiler refuses larger K
 * (QuantKernelParams.cpp).
 *
 * Aliasing: the elementwise kernels (requantize_s8, clamp_s8, lut_s8, add_s8,
 * sub_s8, mul_s8 on full-shape operands, softmax_s8, and the int16 -> int16
 * primitives) allow the output to alias an input exactly; every other kernel
 * assumes no overlap.
 *
 * DSP fast path: where the target has the Armv7E-M DSP extension
 * (__ARM_FEATURE_DSP, e.g. Cortex-M4/M7/M33), the int8 dot products of conv
 * and fully_connected run two MACs per SMLAD on sign-extended int16 pairs.
 * Integer sums are exact, so the results are identical bits. Set
 * TEMPO_QUANT_DSP to 0 or 1 to override; 1 on a host uses a portable C
 * emulation of the instructions. The kernels are templates on the path
 * (detail::convS8<Dsp>, ...), so the unit tests run both in one build.
 *
 *===----------------------------------------------------------------------===*/
#ifndef TEMPO_QUANT_H
#define TEMPO_QUANT_H

#ifndef __cplusplus
#error "tempo/quant.h is C++17; include it from the generated NAME.cpp"
#endif

#include "tempo/kernels.h"
#include "tempo/quant_params.h"
#include "tempo/recurrent_params.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#define TEMPO_QUANT_HAS_ACLE_DSP 1
#else
#define TEMPO_QUANT_HAS_ACLE_DSP 0
#endif

#ifndef TEMPO_QUANT_DSP
#define TEMPO_QUANT_DSP TEMPO_QUANT_HAS_ACLE_DSP
#endif

namespace tempo {

//===----------------------------------------------------------------------===//
// Fixed-point helpers (gemmlowp / TFLite semantics, see the top of the file)
//===----------------------------------------------------------------------===//

/// floor(a * b / 2^31 + 1/2), i.e. the high half of 2 * a * b rounded to
/// nearest with ties toward +infinity; saturates the one overflowing case
/// a == b == INT32_MIN to INT32_MAX. gemmlowp's
/// SaturatingRoundingDoublingHighMul.
constexpr int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN)
    return INT32_MAX;
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int64_t nudge = ab >= 0 ? (int64_t(1) << 30) : 1 - (int64_t(1) << 30);
  return static_cast<int32_t>((ab + nudge) / (int64_t(1) << 31));
}

/// x / 2^exponent rounded to nearest, ties away from zero, for
/// 0 <= exponent <= 31. gemmlowp's RoundingDivideByPOT.
constexpr int32_t rounding_divide_by_pot(int32_t x, int32_t exponent) {
  const int32_t mask =
      static_cast<int32_t>((int64_t(1) << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/// x * 2^shift saturated to int32 (0 <= shift <= 31).
constexpr int32_t saturating_left_shift(int32_t x, int32_t shift) {
  const int64_t v = static_cast<int64_t>(x) * (int64_t(1) << shift);
  return v > INT32_MAX ? INT32_MAX
                       : (v < INT32_MIN ? INT32_MIN : static_cast<int32_t>(v));
}

/// x * multiplier * 2^(shift - 31), TFLite's MultiplyByQuantizedMultiplier:
/// a (saturating) left shift by shift if shift > 0, the doubling high
/// multiply, then a rounding right shift by -shift if shift < 0. Needs
/// -31 <= shift <= 31.
constexpr int32_t multiply_by_quantized_multiplier(int32_t x,
                                                   int32_t multiplier,
                                                   int32_t shift) {
  return shift > 0
             ? saturating_rounding_doubling_high_mul(
                   saturating_left_shift(x, shift), multiplier)
             : rounding_divide_by_pot(
                   saturating_rounding_doubling_high_mul(x, multiplier),
                   -shift);
}

namespace detail {

inline int32_t clampTo(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

/// The output stage of every requantizing kernel.
inline int32_t requantize(int32_t acc, int32_t multiplier, int32_t shift,
                          int32_t zp, int32_t lo, int32_t hi) {
  return clampTo(multiply_by_quantized_multiplier(acc, multiplier, shift) + zp,
                 lo, hi);
}

/// a / b rounded to nearest, ties away from zero (b > 0): TFLite's average
/// pool division.
inline int32_t roundingDivide(int32_t a, int32_t b) {
  return a >= 0 ? (a + b / 2) / b : (a - b / 2) / b;
}

//===----------------------------------------------------------------------===//
// int8 dot products: generic and DSP (SMLAD) forms, identical results
//===----------------------------------------------------------------------===//

/// acc + sum_{l < n} (a[l * as] + aOff) * b[l], in ascending l.
inline int32_t dotS8Strided(int32_t n, const int8_t *a, int32_t as,
                            int32_t aOff, const int8_t *b, int32_t acc) {
  for (int32_t l = 0; l < n; ++l)
    acc += (static_cast<int32_t>(a[l * as]) + aOff) * b[l];
  return acc;
}

/// acc + sum_{l < n} (a[l] + aOff) * b[l]: the plain C form.
inline int32_t dotS8Generic(int32_t n, const int8_t *a, int32_t aOff,
                            const int8_t *b, int32_t acc) {
  for (int32_t l = 0; l < n; ++l)
    acc += (static_cast<int32_t>(a[l]) + aOff) * b[l];
  return acc;
}

namespace simd {
// The Armv7E-M DSP operations the fast paths need, on 32-bit words holding
// two int16 lanes (low lane = bits 0..15). On a DSP target they are the ACLE
// intrinsics (and, for the forms that rotate their byte operand, one
// instruction of inline assembly: GCC does not fold a rotate into SXTB16);
// elsewhere a C emulation with the same results, which the unit tests run.
#if TEMPO_QUANT_HAS_ACLE_DSP
/// Bytes 0 and 2 sign-extended to the two int16 lanes (SXTB16).
inline uint32_t sxtb16(uint32_t v) {
  return static_cast<uint32_t>(__sxtb16(static_cast<int8x4_t>(v)));
}
/// Bytes 1 and 3 sign-extended to the two int16 lanes (SXTB16 ROR #8).
inline uint32_t sxtb16Ror8(uint32_t v) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
  return r;
}
/// a + bytes 0 and 2 of v sign-extended, lane-wise modulo 2^16 (SXTAB16).
inline uint32_t sxtab16(uint32_t a, uint32_t v) {
  return static_cast<uint32_t>(
      __sxtab16(static_cast<int16x2_t>(a), static_cast<int8x4_t>(v)));
}
/// a + bytes 1 and 3 of v sign-extended (SXTAB16 ROR #8).
inline uint32_t sxtab16Ror8(uint32_t a, uint32_t v) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(v));
  return r;
}
/// acc + lo(a) * lo(b) + hi(a) * hi(b), modulo 2^32 (SMLAD).
inline int32_t smlad(uint32_t a, uint32_t b, int32_t acc) {
  return __smlad(static_cast<int16x2_t>(a), static_cast<int16x2_t>(b), acc);
}
/// acc + lo(a) * lo(b), modulo 2^32 (SMLABB).
inline int32_t smlabb(uint32_t a, int32_t b, int32_t acc) {
  return __smlabb(static_cast<int32_t>(a), b, acc);
}
/// acc + hi(a) * lo(b), modulo 2^32 (SMLATB).
inline int32_t smlatb(uint32_t a, int32_t b, int32_t acc) {
  return __smlatb(static_cast<int32_t>(a), b, acc);
}
#else
inline int32_t lane(uint32_t v, int32_t i) {
  return static_cast<int16_t>(static_cast<uint16_t>(v >> (16 * i)));
}
inline int32_t byteAt(uint32_t v, int32_t i) {
  return static_cast<int8_t>(static_cast<uint8_t>((v >> (8 * i)) & 0xFFu));
}
inline uint32_t pack(int32_t lo, int32_t hi) {
  return static_cast<uint32_t>(static_cast<uint16_t>(lo)) |
         (static_cast<uint32_t>(static_cast<uint16_t>(hi)) << 16);
}
inline uint32_t sxtb16(uint32_t v) { return pack(byteAt(v, 0), byteAt(v, 2)); }
inline uint32_t sxtb16Ror8(uint32_t v) {
  return pack(byteAt(v, 1), byteAt(v, 3));
}
inline uint32_t sxtab16(uint32_t a, uint32_t v) {
  return pack(lane(a, 0) + byteAt(v, 0), lane(a, 1) + byteAt(v, 2));
}
inline uint32_t sxtab16Ror8(uint32_t a, uint32_t v) {
  return pack(lane(a, 0) + byteAt(v, 1), lane(a, 1) + byteAt(v, 3));
}
inline int32_t smlad(uint32_t a, uint32_t b, int32_t acc) {
  const uint32_t sum = static_cast<uint32_t>(acc) +
                       static_cast<uint32_t>(lane(a, 0) * lane(b, 0)) +
                       static_cast<uint32_t>(lane(a, 1) * lane(b, 1));
  return static_cast<int32_t>(sum);
}
inline int32_t smlabb(uint32_t a, int32_t b, int32_t acc) {
  return static_cast<int32_t>(static_cast<uint32_t>(acc) +
                              static_cast<uint32_t>(lane(a, 0) *
                                                    lane(uint32_t(b), 0)));
}
inline int32_t smlatb(uint32_t a, int32_t b, int32_t acc) {
  return static_cast<int32_t>(static_cast<uint32_t>(acc) +
                              static_cast<uint32_t>(lane(a, 1) *
                                                    lane(uint32_t(b), 0)));
}
#endif
inline uint32_t load4(const int8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4); // an unaligned LDR on Cortex-M4
  return v;
}
/// Both lanes set to the int16 value v.
inline uint32_t splat16(int32_t v) {
  const uint32_t h = static_cast<uint16_t>(static_cast<int16_t>(v));
  return h | (h << 16);
}
/// The lanes (lo, hi), each an int16 value (PKHBT on a DSP target).
inline uint32_t pair16(int32_t lo, int32_t hi) {
#if TEMPO_QUANT_HAS_ACLE_DSP
  uint32_t r;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(lo), "r"(hi));
  return r;
#else
  return static_cast<uint32_t>(static_cast<uint16_t>(static_cast<int16_t>(lo))) |
         (static_cast<uint32_t>(static_cast<uint16_t>(static_cast<int16_t>(hi)))
          << 16);
#endif
}
} // namespace simd

/// acc + sum_{l < n} (a[l] + aOff) * b[l] with four MACs per two SMLADs.
/// aOff is minus a zero point, in [-127, 128], so a[l] + aOff fits an int16
/// lane (SXTAB16 adds it while sign-extending). Bytes 0, 2 and 1, 3 of both
/// operands are paired the same way, so the sum is the generic one (the
/// order of an exact integer sum does not matter).
inline int32_t dotS8Simd(int32_t n, const int8_t *a, int32_t aOff,
                         const int8_t *b, int32_t acc) {
  const uint32_t off2 = simd::splat16(aOff);
  int32_t l = 0;
  for (; l + 4 <= n; l += 4) {
    const uint32_t av = simd::load4(a + l), bv = simd::load4(b + l);
    acc = simd::smlad(simd::sxtab16(off2, av), simd::sxtb16(bv), acc);
    acc = simd::smlad(simd::sxtab16Ror8(off2, av), simd::sxtb16Ror8(bv), acc);
  }
  for (; l < n; ++l)
    acc += (static_cast<int32_t>(a[l]) + aOff) * b[l];
  return acc;
}

/// The dot product of the DSP (Dsp) or the generic path.
template <bool Dsp>
inline int32_t dotS8For(int32_t n, const int8_t *a, int32_t aOff,
                        const int8_t *b, int32_t acc) {
  return Dsp ? dotS8Simd(n, a, aOff, b, acc)
             : dotS8Generic(n, a, aOff, b, acc);
}

/// The dot product the kernels use.
inline int32_t dotS8(int32_t n, const int8_t *a, int32_t aOff, const int8_t *b,
                     int32_t acc) {
  return dotS8For<TEMPO_QUANT_DSP != 0>(n, a, aOff, b, acc);
}

/// Numpy-broadcast walk shared by the int8 and int16 add/sub/mul:
/// y[i] = f(a[..], b[..]).
template <typename T, typename F>
void broadcastQ(const tempo_qbinary_params_t &p, const T *a, const T *b, T *y,
                const F &f) {
  const int32_t rank = p.rank;
  if (rank == 0 || (isDense(rank, p.out_dims, p.a_strides) &&
                    isDense(rank, p.out_dims, p.b_strides))) {
    for (int32_t i = 0; i < p.size; ++i)
      y[i] = f(a[i], b[i]);
    return;
  }
  const int32_t inner = p.out_dims[rank - 1];
  const int32_t as = p.a_strides[rank - 1], bs = p.b_strides[rank - 1];
  int32_t idx[TEMPO_MAX_RANK] = {0};
  int32_t aOff = 0, bOff = 0;
  for (int32_t base = 0; base < p.size; base += inner) {
    for (int32_t j = 0; j < inner; ++j)
      y[base + j] = f(a[aOff + j * as], b[bOff + j * bs]);
    for (int32_t d = rank - 2; d >= 0; --d) {
      aOff += p.a_strides[d];
      bOff += p.b_strides[d];
      if (++idx[d] < p.out_dims[d])
        break;
      aOff -= p.a_strides[d] * p.out_dims[d];
      bOff -= p.b_strides[d] * p.out_dims[d];
      idx[d] = 0;
    }
  }
}

/// TFLite's Add (Sub with kSign = -1) on int8 or int16 storage:
///   a' = MBQM((a - a_zp) * 2^left_shift, a_multiplier, a_shift), b' alike
///   y = clamp(out_zp + MBQM(a' + kSign * b', out_multiplier, out_shift), act)
template <typename T, int32_t kSign>
void addOrSubQ(const tempo_qbinary_params_t &p, const T *a, const T *b, T *y) {
  broadcastQ(p, a, b, y, [&p](T va, T vb) {
    const int32_t sa = multiply_by_quantized_multiplier(
        (static_cast<int32_t>(va) - p.a_zp) * (int32_t(1) << p.left_shift),
        p.a_multiplier, p.a_shift);
    const int32_t sb = multiply_by_quantized_multiplier(
        (static_cast<int32_t>(vb) - p.b_zp) * (int32_t(1) << p.left_shift),
        p.b_multiplier, p.b_shift);
    return static_cast<T>(requantize(sa + kSign * sb, p.out_multiplier,
                                     p.out_shift, p.out_zp, p.act_min,
                                     p.act_max));
  });
}

/// TFLite's Mul on int8 or int16 storage (the product of two zero-point
/// corrected values fits int32):
///   y = clamp(out_zp + MBQM((a - a_zp) * (b - b_zp), out_multiplier,
///             out_shift), act)
template <typename T>
void mulQ(const tempo_qbinary_params_t &p, const T *a, const T *b, T *y) {
  broadcastQ(p, a, b, y, [&p](T va, T vb) {
    const int32_t prod = (static_cast<int32_t>(va) - p.a_zp) *
                         (static_cast<int32_t>(vb) - p.b_zp);
    return static_cast<T>(requantize(prod, p.out_multiplier, p.out_shift,
                                     p.out_zp, p.act_min, p.act_max));
  });
}

inline int16_t saturate16(int32_t v) {
  return static_cast<int16_t>(clampTo(v, -32768, 32767));
}

} // namespace detail

//===----------------------------------------------------------------------===//
// Convolution and fully connected (per-channel requantization)
//
// Requantization tables (tempo_qconv_params_t / tempo_qfc_params_t): mult[c]
// is the int32 multiplier of output channel c (c = 0 when per_channel is 0);
// the shift is shift[c], or p.shift for every channel when shift is null
// (the compiler's compact form, one shift per layer). The bias may be stored
// as int16 or int32 (the accumulator is int32 either way); the shift table
// as int8 or int32.
//
// Speed: outputs are computed four at a time along the width (each weight
// loaded once for four MACs; on DSP targets two taps per SMLAD, dilation 1).
// A block whose taps all lie inside the input row runs without per-tap
// bounds; a block at the left or right border runs the same code on a
// zero-point-padded copy of its row spans (convBlock4S8); only spans longer
// than kMaxPaddedSpan go one output at a time. The zero point costs nothing
// in the blocks: the DSP path adds it while sign-extending (SXTAB16), the
// generic path sums x * w and adds -in_zp * sum(w) once per block. All sums
// are exact integer sums of the same products, so every path gives the same
// bits as the one-output-at-a-time definition (convAccS8).
//===----------------------------------------------------------------------===//

namespace detail {

/// requantize() for a multiplier m >= 0, forced inline: with the layer's
/// shift a compile-time constant (the generated code's constexpr params)
/// the shift steps fold away. The same arithmetic as
/// multiply_by_quantized_multiplier: floor(a * b / 2^31 + 1/2) is
/// (a * b + 2^30) >> 31 for every int64 a * b, and with m >= 0 the one
/// saturating case (a == b == INT32_MIN) cannot occur.
TEMPO_KERNEL int32_t requantizeInline(int32_t acc, int32_t m, int32_t s,
                                      int32_t zp, int32_t lo, int32_t hi) {
  int32_t x = acc;
  if (s > 0) {
    const int64_t v = static_cast<int64_t>(acc) * (int64_t(1) << s);
    x = v > INT32_MAX ? INT32_MAX
                      : (v < INT32_MIN ? INT32_MIN : static_cast<int32_t>(v));
  }
  int32_t r = static_cast<int32_t>(
      (static_cast<int64_t>(x) * m + (int64_t(1) << 30)) >> 31);
  if (s < 0) {
    const int32_t e = -s;
    const int32_t mask = static_cast<int32_t>((int64_t(1) << e) - 1);
    const int32_t threshold = (mask >> 1) + (r < 0 ? 1 : 0);
    r = (r >> e) + ((r & mask) > threshold ? 1 : 0);
  }
  return clampTo(r + zp, lo, hi);
}

/// The shift of output channel c: the table's, or the layer's when the
/// compiler stored one shift for all channels (shift == nullptr).
template <typename ShiftT>
inline int32_t channelShift(const ShiftT *shift, int32_t c, int32_t layer) {
  return shift ? static_cast<int32_t>(shift[c]) : layer;
}

/// One conv output's accumulator, the definition: bias + sum over the taps
/// inside the input of (x - in_zp) * w (padding is real 0 and adds nothing).
/// xg is the group's first input channel (batch n), wo the output channel's
/// weights.
template <bool Dsp>
TEMPO_KERNEL int32_t convAccS8(const tempo_qconv_params_t &p,
                               const int8_t *xg, const int8_t *wo, int32_t b0,
                               int32_t oh, int32_t ow) {
  const int32_t icPerGroup = p.in_c / p.groups;
  const int32_t inPlane = p.in_h * p.in_w;
  const int32_t kPlane = p.k_h * p.k_w;
  const int32_t xOff = -p.in_zp;
  const int32_t ih0 = oh * p.stride_h - p.pad_top;
  const int32_t iw0 = ow * p.stride_w - p.pad_left;
  int32_t khLo, khHi, kwLo, kwHi;
  tapRange(ih0, p.dil_h, p.k_h, p.in_h, khLo, khHi);
  tapRange(iw0, p.dil_w, p.k_w, p.in_w, kwLo, kwHi);
  int32_t acc = b0;
  for (int32_t ic = 0; ic < icPerGroup; ++ic) {
    const int8_t *xc = xg + ic * inPlane;
    const int8_t *wc = wo + ic * kPlane;
    for (int32_t kh = khLo; kh < khHi; ++kh) {
      const int8_t *xr =
          xc + (ih0 + kh * p.dil_h) * p.in_w + iw0 + kwLo * p.dil_w;
      const int8_t *wr = wc + kh * p.k_w + kwLo;
      if (p.dil_w == 1)
        acc = dotS8For<Dsp>(kwHi - kwLo, xr, xOff, wr, acc);
      else
        acc = dotS8Strided(kwHi - kwLo, xr, p.dil_w, xOff, wr, acc);
    }
  }
  return acc;
}

/// True if conv outputs ow0 .. ow0+3 of a row read only columns inside the
/// input row through every tap (convBlock4S8's precondition).
TEMPO_KERNEL bool convBlockInside(const tempo_qconv_params_t &p,
                                  int32_t ow0) {
  const int32_t first = ow0 * p.stride_w - p.pad_left;
  const int32_t last = first + 3 * p.stride_w + (p.k_w - 1) * p.dil_w;
  return first >= 0 && last < p.in_w;
}

/// tapRange (tempo/kernels.h), forced inline so that a constant window
/// (a 1-D conv's single row) folds away.
TEMPO_KERNEL void tapRangeInline(int32_t start, int32_t dil, int32_t k,
                                 int32_t n, int32_t &lo, int32_t &hi) {
  lo = start >= 0 ? 0 : (-start + dil - 1) / dil;
  hi = start >= n ? 0 : (n - 1 - start) / dil + 1;
  if (hi > k)
    hi = k;
  if (lo > hi)
    lo = hi;
}

/// Input columns a block of four outputs reads in one row.
TEMPO_KERNEL int32_t convBlockSpan(const tempo_qconv_params_t &p) {
  return 3 * p.stride_w + (p.k_w - 1) * p.dil_w + 1;
}

/// Longest row span convBlock4S8 copies for a block at the border.
constexpr int32_t kMaxPaddedSpan = 64;

/// acc_j += (x_j, x_{j+2}) . (w[l], w[l+2]) + (x_{j+1}, x_{j+3}) . (w[l+1],
/// w[l+3]) for outputs j = 0..3 at stride 1: xi = (x[l+i] - zp, x[l+i+2] -
/// zp), wv = w[l .. l+3].
TEMPO_KERNEL void mac4Taps(uint32_t x0, uint32_t x1, uint32_t x2, uint32_t x3,
                           uint32_t x4, uint32_t wv, int32_t &a0, int32_t &a1,
                           int32_t &a2, int32_t &a3) {
  const uint32_t w02 = simd::sxtb16(wv);
  a0 = simd::smlad(x0, w02, a0);
  a1 = simd::smlad(x1, w02, a1);
  a2 = simd::smlad(x2, w02, a2);
  a3 = simd::smlad(x3, w02, a3);
  const uint32_t w13 = simd::sxtb16Ror8(wv);
  a0 = simd::smlad(x1, w13, a0);
  a1 = simd::smlad(x2, w13, a1);
  a2 = simd::smlad(x3, w13, a2);
  a3 = simd::smlad(x4, w13, a3);
}

/// Three taps at stride 1: (l, l+2) as a pair wp, l+1 alone (w1), from the
/// pairs x0..x3 as in mac4Taps.
TEMPO_KERNEL void mac3Taps(uint32_t x0, uint32_t x1, uint32_t x2, uint32_t x3,
                           uint32_t wp, int32_t w1, int32_t &a0, int32_t &a1,
                           int32_t &a2, int32_t &a3) {
  a0 = simd::smlad(x0, wp, a0);
  a1 = simd::smlad(x1, wp, a1);
  a2 = simd::smlad(x2, wp, a2);
  a3 = simd::smlad(x3, wp, a3);
  a0 = simd::smlabb(x1, w1, a0);
  a1 = simd::smlabb(x2, w1, a1);
  a2 = simd::smlatb(x1, w1, a2);
  a3 = simd::smlatb(x2, w1, a3);
}

/// One tap at stride 1: e = (x_0, x_2), o = (x_1, x_3) of the tap's column.
TEMPO_KERNEL void mac1Tap(uint32_t e, uint32_t o, int32_t wl, int32_t &a0,
                          int32_t &a1, int32_t &a2, int32_t &a3) {
  a0 = simd::smlabb(e, wl, a0);
  a1 = simd::smlabb(o, wl, a1);
  a2 = simd::smlatb(e, wl, a2);
  a3 = simd::smlatb(o, wl, a3);
}

/// Four taps of one output at any stride: v = x[l .. l+3] of its window.
TEMPO_KERNEL void mac4TapsOne(uint32_t off2, uint32_t v, uint32_t w02,
                              uint32_t w13, int32_t &a) {
  a = simd::smlad(simd::sxtab16(off2, v), w02, a);
  a = simd::smlad(simd::sxtab16Ror8(off2, v), w13, a);
}

/// The accumulators of conv outputs (oh, ow0 .. ow0+3) of NC (1 or 2)
/// consecutive output channels of one group, whose weights are wo and
/// wo + icPerGroup * k_h * k_w and biases b[c]; acc[c * 4 + j]. The
/// channels share every input load and pair. Rows in the vertical padding
/// are skipped as in convAccS8. Unless Padded, all four windows must lie
/// inside the input row (convBlockInside); if Padded (convBlockSpan(p) <=
/// kMaxPaddedSpan), each row's span is first copied to a stack buffer whose
/// columns outside the input hold in_zp (real 0, adding nothing), so blocks
/// at the borders, and past the last output, run the same code. Equal to
/// convAccS8 of each output: the DSP path pairs taps (t, t+2) of a row,
/// whose inputs are bytes 0, 2 or 1, 3 of one word, and adds the zero point
/// with SXTAB16; taps it does not pair (and every tap on the generic path)
/// add x * w, and -in_zp times their weights is added once at the end.
/// Reads only input columns of the four windows.
template <bool Dsp, bool Padded, int NC>
TEMPO_KERNEL void convBlock4S8(const tempo_qconv_params_t &p,
                               const int8_t *xg, const int8_t *wo,
                               const int32_t *b, int32_t oh, int32_t ow0,
                               int32_t *acc) {
  static_assert(NC == 1 || NC == 2, "one or two output channels");
  const int32_t icPerGroup = p.in_c / p.groups;
  const int32_t inPlane = p.in_h * p.in_w;
  const int32_t kPlane = p.k_h * p.k_w;
  const int32_t wNext = icPerGroup * kPlane; // the second channel's weights
  const int32_t k = p.k_w, s = p.stride_w, d = p.dil_w;
  const int32_t ih0 = oh * p.stride_h - p.pad_top;
  const int32_t iw0 = ow0 * s - p.pad_left;
  int32_t khLo, khHi;
  tapRangeInline(ih0, p.dil_h, p.k_h, p.in_h, khLo, khHi);
  const uint32_t off2 = simd::splat16(-p.in_zp);
  // Padded: buf[j] is input column iw0 + j, in_zp outside [0, in_w).
  int8_t buf[Padded ? kMaxPaddedSpan : 1];
  int32_t jLo = 0, jHi = 0;
  if (Padded) {
    const int32_t span = convBlockSpan(p);
    jLo = iw0 < 0 ? -iw0 : 0;
    jHi = p.in_w - iw0 < span ? p.in_w - iw0 : span;
    for (int32_t j = 0; j < span; ++j)
      buf[j] = static_cast<int8_t>(p.in_zp);
  }
  int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0; // channel 0
  int32_t c0 = 0, c1 = 0, c2 = 0, c3 = 0; // channel 1 (NC == 2)
  int32_t sw = 0, sw1 = 0; // weights of the taps summed as x * w
  for (int32_t ic = 0; ic < icPerGroup; ++ic) {
    for (int32_t kh = khLo; kh < khHi; ++kh) {
      const int8_t *xr =
          xg + ic * inPlane + (ih0 + kh * p.dil_h) * p.in_w + iw0;
      if (Padded) {
        int32_t j = jLo;
        for (; j + 4 <= jHi; j += 4) {
          const uint32_t v = simd::load4(xr + j);
          memcpy(buf + j, &v, 4);
        }
        for (; j < jHi; ++j)
          buf[j] = xr[j];
        xr = buf;
      }
      const int8_t *wr = wo + ic * kPlane + kh * k;
      int32_t l = 0;
      if (Dsp && d == 1 && s == 1) {
        // Input pairs xi = (x[l+i] - zp, x[l+i+2] - zp): output j takes
        // taps (l, l+2) from x_j and taps (l+1, l+3) from x_{j+1}.
        for (; NC == 1 && l + 4 <= k; l += 4) {
          // mac4Taps, interleaved with the loads (fewer live registers).
          const uint32_t wv = simd::load4(wr + l);
          const uint32_t v0 = simd::load4(xr + l);
          const uint32_t w02 = simd::sxtb16(wv);
          a0 = simd::smlad(simd::sxtab16(off2, v0), w02, a0);
          const uint32_t x1 = simd::sxtab16Ror8(off2, v0);
          a1 = simd::smlad(x1, w02, a1);
          const uint32_t x2 = simd::sxtab16Ror8(off2, simd::load4(xr + l + 1));
          a2 = simd::smlad(x2, w02, a2);
          const uint32_t v3 = simd::load4(xr + l + 3);
          const uint32_t x3 = simd::sxtab16(off2, v3);
          a3 = simd::smlad(x3, w02, a3);
          const uint32_t w13 = simd::sxtb16Ror8(wv);
          a0 = simd::smlad(x1, w13, a0);
          a1 = simd::smlad(x2, w13, a1);
          a2 = simd::smlad(x3, w13, a2);
          a3 = simd::smlad(simd::sxtab16Ror8(off2, v3), w13, a3);
        }
        for (; l + 4 <= k; l += 4) {
          const uint32_t v0 = simd::load4(xr + l);
          const uint32_t v3 = simd::load4(xr + l + 3);
          const uint32_t x0 = simd::sxtab16(off2, v0);
          const uint32_t x1 = simd::sxtab16Ror8(off2, v0);
          const uint32_t x2 =
              simd::sxtab16Ror8(off2, simd::load4(xr + l + 1));
          const uint32_t x3 = simd::sxtab16(off2, v3);
          const uint32_t x4 = simd::sxtab16Ror8(off2, v3);
          mac4Taps(x0, x1, x2, x3, x4, simd::load4(wr + l), a0, a1, a2, a3);
          if (NC == 2)
            mac4Taps(x0, x1, x2, x3, x4, simd::load4(wr + wNext + l), c0, c1,
                     c2, c3);
        }
        if (k - l == 3) {
          // Taps (l, l+2) as a pair, tap l+1 alone from the same words.
          const uint32_t v0 = simd::load4(xr + l);
          const uint32_t v2 = simd::load4(xr + l + 2);
          const uint32_t x0 = simd::sxtab16(off2, v0);
          const uint32_t x1 = simd::sxtab16Ror8(off2, v0);
          const uint32_t x2 = simd::sxtab16(off2, v2);
          const uint32_t x3 = simd::sxtab16Ror8(off2, v2);
          mac3Taps(x0, x1, x2, x3, simd::pair16(wr[l], wr[l + 2]), wr[l + 1],
                   a0, a1, a2, a3);
          if (NC == 2)
            mac3Taps(x0, x1, x2, x3,
                     simd::pair16(wr[wNext + l], wr[wNext + l + 2]),
                     wr[wNext + l + 1], c0, c1, c2, c3);
          l = k;
        }
        for (; l < k; ++l) {
          // One tap: x[l .. l+3] are bytes 0, 2 and 1, 3 of one word.
          const uint32_t v = simd::load4(xr + l);
          const uint32_t e = simd::sxtab16(off2, v);
          const uint32_t o = simd::sxtab16Ror8(off2, v);
          mac1Tap(e, o, wr[l], a0, a1, a2, a3);
          if (NC == 2)
            mac1Tap(e, o, wr[wNext + l], c0, c1, c2, c3);
        }
      } else if (Dsp && d == 1) {
        // Any stride: each output's window is one word per four taps.
        for (; l + 4 <= k; l += 4) {
          const uint32_t v0 = simd::load4(xr + l);
          const uint32_t v1 = simd::load4(xr + s + l);
          const uint32_t v2 = simd::load4(xr + 2 * s + l);
          const uint32_t v3 = simd::load4(xr + 3 * s + l);
          for (int32_t c = 0; c < NC; ++c) {
            const uint32_t wv = simd::load4(wr + c * wNext + l);
            const uint32_t w02 = simd::sxtb16(wv), w13 = simd::sxtb16Ror8(wv);
            mac4TapsOne(off2, v0, w02, w13, c ? c0 : a0);
            mac4TapsOne(off2, v1, w02, w13, c ? c1 : a1);
            mac4TapsOne(off2, v2, w02, w13, c ? c2 : a2);
            mac4TapsOne(off2, v3, w02, w13, c ? c3 : a3);
          }
        }
      }
      for (; l < k; ++l) {
        const int8_t *xp = xr + l * d;
        const int32_t x0 = xp[0], x1 = xp[s], x2 = xp[2 * s], x3 = xp[3 * s];
        const int32_t wv = wr[l];
        sw += wv;
        a0 += x0 * wv;
        a1 += x1 * wv;
        a2 += x2 * wv;
        a3 += x3 * wv;
        if (NC == 2) {
          const int32_t wv1 = wr[wNext + l];
          sw1 += wv1;
          c0 += x0 * wv1;
          c1 += x1 * wv1;
          c2 += x2 * wv1;
          c3 += x3 * wv1;
        }
      }
    }
  }
  const int32_t base = b[0] - p.in_zp * sw;
  acc[0] = base + a0;
  acc[1] = base + a1;
  acc[2] = base + a2;
  acc[3] = base + a3;
  if (NC == 2) {
    const int32_t base1 = b[NC - 1] - p.in_zp * sw1;
    acc[NC * 4 - 4] = base1 + c0;
    acc[NC * 4 - 3] = base1 + c1;
    acc[NC * 4 - 2] = base1 + c2;
    acc[NC * 4 - 1] = base1 + c3;
  }
}

/// The accumulators of `count` (<= 4) consecutive conv outputs of row oh
/// for NC channels (acc[c * 4 + j], room for four per channel): the block
/// without bounds where all four windows are inside the row, the padded
/// block at the borders, one output at a time only for spans longer than
/// kMaxPaddedSpan.
template <bool Dsp, int NC>
TEMPO_KERNEL void convAccsS8(const tempo_qconv_params_t &p, const int8_t *xg,
                             const int8_t *wo, const int32_t *b, int32_t oh,
                             int32_t ow0, int32_t count, int32_t *acc) {
  if (count == 4 && convBlockInside(p, ow0)) {
    convBlock4S8<Dsp, false, NC>(p, xg, wo, b, oh, ow0, acc);
  } else if (convBlockSpan(p) <= kMaxPaddedSpan) {
    convBlock4S8<Dsp, true, NC>(p, xg, wo, b, oh, ow0, acc);
  } else {
    const int32_t wNext = p.in_c / p.groups * p.k_h * p.k_w;
    for (int32_t c = 0; c < NC; ++c)
      for (int32_t j = 0; j < count; ++j)
        acc[c * 4 + j] =
            convAccS8<Dsp>(p, xg, wo + c * wNext, b[c], oh, ow0 + j);
  }
}

/// Output channels oc .. oc+NC-1 (one group) of batch entry n: the conv
/// outputs in blocks of four, requantized, or reduced by the fused pool.
template <bool Dsp, int NC, typename BiasT, typename ShiftT>
TEMPO_KERNEL void convChannelsS8(const tempo_qconv_params_t &p,
                                 const int8_t *x, const int8_t *w,
                                 const BiasT *bias, const int32_t *mult,
                                 const ShiftT *shift, int8_t *y, int32_t n,
                                 int32_t oc) {
  const int32_t icPerGroup = p.in_c / p.groups;
  const int32_t ocPerGroup = p.out_c / p.groups;
  const int32_t inPlane = p.in_h * p.in_w;
  const int32_t kPlane = p.k_h * p.k_w;
  const bool pooled = p.pool != TEMPO_POOL_NONE;
  const int32_t outPlane =
      pooled ? p.pooled_h * p.pooled_w : p.out_h * p.out_w;
  int32_t m[NC], sh[NC], b[NC];
  for (int32_t c = 0; c < NC; ++c) {
    const int32_t q = p.per_channel ? oc + c : 0;
    m[c] = mult[q];
    sh[c] = channelShift(shift, q, p.shift);
    b[c] = p.has_bias ? static_cast<int32_t>(bias[oc + c]) : 0;
  }
  const int8_t *xg =
      x + (n * p.in_c + (oc / ocPerGroup) * icPerGroup) * inPlane;
  const int8_t *wo = w + oc * icPerGroup * kPlane;
  int8_t *yo = y + (n * p.out_c + oc) * outPlane;
  int32_t a[NC * 4];
  if (!pooled) {
    for (int32_t oh = 0; oh < p.out_h; ++oh)
      for (int32_t ow = 0; ow < p.out_w; ow += 4) {
        const int32_t count = p.out_w - ow < 4 ? p.out_w - ow : 4;
        convAccsS8<Dsp, NC>(p, xg, wo, b, oh, ow, count, a);
        for (int32_t c = 0; c < NC; ++c)
          for (int32_t j = 0; j < count; ++j)
            yo[c * outPlane + oh * p.out_w + ow + j] =
                static_cast<int8_t>(requantizeInline(
                    a[c * 4 + j], m[c], sh[c], p.out_zp, p.act_min,
                    p.act_max));
      }
    return;
  }
  // Fused pooling over the clamped int8 conv outputs. A max pool keeps the
  // largest accumulator and requantizes it once: requantization with a
  // multiplier >= 0 is monotone, so that is the max of the requantized
  // outputs. An average pool sums the requantized outputs.
  const bool isMax = p.pool == TEMPO_POOL_MAX;
  const int32_t pw = p.pool_w, window = p.pool_h * p.pool_w;
  // Windows 1, 2 or 4 wide: one block of four conv columns feeds
  // 4 / pool_w pooled outputs, reduced in registers.
  const int32_t perBlock = pw == 1 || pw == 2 || pw == 4 ? 4 / pw : 0;
  // Other widths, and the last pooled outputs of a row: kChunk pooled
  // outputs at a time, their columns in blocks of four.
  constexpr int32_t kChunk = 8;
  int32_t run[NC][kChunk] = {};
  for (int32_t ph = 0; ph < p.pooled_h; ++ph) {
    int32_t pw0 = 0;
    for (; perBlock > 0 && pw0 + perBlock <= p.pooled_w; pw0 += perBlock) {
      int32_t r[NC * 4]; // set at dh == 0
      for (int32_t dh = 0; dh < p.pool_h; ++dh) {
        convAccsS8<Dsp, NC>(p, xg, wo, b, ph * p.pool_h + dh, pw0 * pw, 4, a);
        for (int32_t c = 0; c < NC; ++c)
          for (int32_t g = 0; g < perBlock; ++g) {
            const int32_t *e = a + c * 4 + g * pw;
            int32_t v = isMax ? e[0]
                              : requantizeInline(e[0], m[c], sh[c], p.out_zp,
                                                 p.act_min, p.act_max);
            for (int32_t j = 1; j < pw; ++j) {
              if (isMax)
                v = e[j] > v ? e[j] : v;
              else
                v += requantizeInline(e[j], m[c], sh[c], p.out_zp,
                                      p.act_min, p.act_max);
            }
            int32_t &rg = r[c * 4 + g];
            if (dh == 0)
              rg = v;
            else if (isMax)
              rg = v > rg ? v : rg;
            else
              rg += v;
          }
      }
      for (int32_t c = 0; c < NC; ++c)
        for (int32_t g = 0; g < perBlock; ++g)
          yo[c * outPlane + ph * p.pooled_w + pw0 + g] = static_cast<int8_t>(
              isMax ? requantizeInline(r[c * 4 + g], m[c], sh[c], p.out_zp,
                                       p.act_min, p.act_max)
                    : roundingDivide(r[c * 4 + g], window));
    }
    for (; pw0 < p.pooled_w; pw0 += kChunk) {
      const int32_t q = p.pooled_w - pw0 < kChunk ? p.pooled_w - pw0 : kChunk;
      const int32_t cols = q * pw, col0 = pw0 * pw;
      for (int32_t dh = 0; dh < p.pool_h; ++dh) {
        const int32_t oh = ph * p.pool_h + dh;
        for (int32_t cc = 0; cc < cols; cc += 4) {
          const int32_t count = cols - cc < 4 ? cols - cc : 4;
          convAccsS8<Dsp, NC>(p, xg, wo, b, oh, col0 + cc, count, a);
          for (int32_t c = 0; c < NC; ++c)
            for (int32_t j = 0; j < count; ++j) {
              const int32_t k = (cc + j) / pw;
              const bool first = dh == 0 && cc + j == k * pw;
              const int32_t e = a[c * 4 + j];
              if (isMax) {
                run[c][k] = first || e > run[c][k] ? e : run[c][k];
              } else {
                const int32_t v = requantizeInline(e, m[c], sh[c], p.out_zp,
                                                   p.act_min, p.act_max);
                run[c][k] = first ? v : run[c][k] + v;
              }
            }
        }
      }
      for (int32_t c = 0; c < NC; ++c)
        for (int32_t k = 0; k < q; ++k)
          yo[c * outPlane + ph * p.pooled_w + pw0 + k] = static_cast<int8_t>(
              isMax ? requantizeInline(run[c][k], m[c], sh[c], p.out_zp,
                                       p.act_min, p.act_max)
                    : roundingDivide(run[c][k], window));
    }
  }
}

/// conv_s8 on the DSP (Dsp) or the generic path; the unit tests run both.
/// Rows of at most three taps (k_w <= 3) take output channels two at a
/// time within a group (sharing the input loads and pairs: measured on
/// HAR's k = 3 layer, 310k -> 274k instructions on the M4F at -Os); longer
/// rows one at a time (two channels' accumulators spill there: HAR's k = 5
/// layers got slower).
template <bool Dsp, typename BiasT, typename ShiftT>
TEMPO_KERNEL void convS8(const tempo_qconv_params_t &p, const int8_t *x,
                         const int8_t *w, const BiasT *bias,
                         const int32_t *mult, const ShiftT *shift,
                         int8_t *y) {
  const int32_t ocPerGroup = p.out_c / p.groups;
  const bool pairs = p.k_w <= 3 && ocPerGroup > 1;
  for (int32_t n = 0; n < p.batch; ++n) {
    for (int32_t oc = 0; oc < p.out_c;) {
      if (pairs && (oc % ocPerGroup) + 2 <= ocPerGroup) {
        convChannelsS8<Dsp, 2>(p, x, w, bias, mult, shift, y, n, oc);
        oc += 2;
      } else {
        convChannelsS8<Dsp, 1>(p, x, w, bias, mult, shift, y, n, oc);
        ++oc;
      }
    }
  }
}

/// fully_connected_s8 on the DSP (Dsp) or the generic path: four output
/// rows at a time share each (x - in_zp) pair, the rest one at a time.
template <bool Dsp, typename OutT, typename BiasT, typename ShiftT>
TEMPO_KERNEL void fullyConnectedS8(const tempo_qfc_params_t &p,
                                   const int8_t *x, const int8_t *w,
                                   const BiasT *bias, const int32_t *mult,
                                   const ShiftT *shift, OutT *y) {
  const int32_t n = p.in_features;
  const int32_t xOff = -p.in_zp;
  const uint32_t off2 = simd::splat16(xOff);
  auto out = [&](int32_t b, int32_t o, int32_t acc) {
    const int32_t c = p.per_channel ? o : 0;
    y[b * p.out_features + o] = static_cast<OutT>(
        requantizeInline(acc, mult[c], channelShift(shift, c, p.shift), p.out_zp,
                   p.act_min, p.act_max));
  };
  for (int32_t b = 0; b < p.batch; ++b) {
    const int8_t *xb = x + b * n;
    int32_t o = 0;
    for (; o + 4 <= p.out_features; o += 4) {
      const int8_t *w0 = w + o * n;
      int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      if (p.has_bias) {
        a0 = bias[o];
        a1 = bias[o + 1];
        a2 = bias[o + 2];
        a3 = bias[o + 3];
      }
      int32_t l = 0;
      if (Dsp) {
        for (; l + 4 <= n; l += 4) {
          const uint32_t xv = simd::load4(xb + l);
          const uint32_t xe = simd::sxtab16(off2, xv);
          const uint32_t xo = simd::sxtab16Ror8(off2, xv);
          uint32_t v = simd::load4(w0 + l);
          a0 = simd::smlad(xe, simd::sxtb16(v), a0);
          a0 = simd::smlad(xo, simd::sxtb16Ror8(v), a0);
          v = simd::load4(w0 + n + l);
          a1 = simd::smlad(xe, simd::sxtb16(v), a1);
          a1 = simd::smlad(xo, simd::sxtb16Ror8(v), a1);
          v = simd::load4(w0 + 2 * n + l);
          a2 = simd::smlad(xe, simd::sxtb16(v), a2);
          a2 = simd::smlad(xo, simd::sxtb16Ror8(v), a2);
          v = simd::load4(w0 + 3 * n + l);
          a3 = simd::smlad(xe, simd::sxtb16(v), a3);
          a3 = simd::smlad(xo, simd::sxtb16Ror8(v), a3);
        }
      }
      for (; l < n; ++l) {
        const int32_t xv = static_cast<int32_t>(xb[l]) + xOff;
        a0 += xv * w0[l];
        a1 += xv * w0[n + l];
        a2 += xv * w0[2 * n + l];
        a3 += xv * w0[3 * n + l];
      }
      out(b, o, a0);
      out(b, o + 1, a1);
      out(b, o + 2, a2);
      out(b, o + 3, a3);
    }
    for (; o < p.out_features; ++o)
      out(b, o,
          dotS8For<Dsp>(n, xb, xOff, w + o * n,
                        p.has_bias ? static_cast<int32_t>(bias[o]) : 0));
  }
}

/// The element types conv_s8 and fully_connected_s8 accept.
template <typename BiasT, typename ShiftT> constexpr bool validTables() {
  return BiasT(-1) < BiasT(0) && (sizeof(BiasT) == 2 || sizeof(BiasT) == 4) &&
         ShiftT(-1) < ShiftT(0) && (sizeof(ShiftT) == 1 || sizeof(ShiftT) == 4);
}

} // namespace detail

/// Conv, int8. x is [batch, in_c, in_h, in_w], w is [out_c, in_c / groups,
/// k_h, k_w], bias is [out_c] int16 or int32 (read only if has_bias), y is
/// [batch, out_c, out_h, out_w] (or the pooled extent). Groups and tap
/// positions as in tempo::conv; taps outside the input are padding, whose
/// value is the input zero point (real 0), so they add nothing. For each
/// output:
///   acc = bias[oc] + sum over taps of (x - in_zp) * w     (int32)
///   y = clamp(out_zp + MBQM(acc, mult[c], shift[c] or p.shift), act_min,
///             act_max)
/// with c = oc if per_channel, else 0; mult[c] >= 0. The tables are
/// described at the top of this section. Aliasing: y must not overlap x.
template <typename BiasT, typename ShiftT>
TEMPO_KERNEL void conv_s8(const tempo_qconv_params_t &p, const int8_t *x,
                          const int8_t *w, const BiasT *bias,
                          const int32_t *mult, const ShiftT *shift,
                          int8_t *y) {
  static_assert(detail::validTables<BiasT, ShiftT>(),
                "conv_s8 takes an int16 or int32 bias, int8 or int32 shifts");
  detail::convS8<TEMPO_QUANT_DSP != 0>(p, x, w, bias, mult, shift, y);
}

/// Fully connected, int8 x int8 -> OutT (int8_t, or int16_t for LSTM/GRU
/// gate pre-activations). x is [batch, in_features], w is [out_features,
/// in_features], bias [out_features] int16 or int32 (read only if
/// has_bias), y is [batch, out_features]:
///   acc = bias[o] + sum_k (x[b, k] - in_zp) * w[o, k]
///   y = clamp(out_zp + MBQM(acc, mult[c], shift[c] or p.shift), act_min,
///             act_max)
/// with c = o if per_channel, else 0; tables as in conv_s8. Aliasing: y
/// must not overlap x.
template <typename OutT, typename BiasT, typename ShiftT>
TEMPO_KERNEL void fully_connected_s8(const tempo_qfc_params_t &p,
                                     const int8_t *x, const int8_t *w,
                                     const BiasT *bias, const int32_t *mult,
                                     const ShiftT *shift, OutT *y) {
  static_assert(sizeof(OutT) <= 2 && OutT(-1) < OutT(0),
                "fully_connected_s8 writes int8_t or int16_t");
  static_assert(detail::validTables<BiasT, ShiftT>(),
                "fully_connected_s8 takes an int16 or int32 bias, int8 or "
                "int32 shifts");
  detail::fullyConnectedS8<TEMPO_QUANT_DSP != 0>(p, x, w, bias, mult, shift,
                                                 y);
}

/// MatMul of two int8 activations with numpy batch broadcasting (layout as
/// tempo::matmul):
///   acc = sum_l (a(r, l) - a_zp) * (b(l, s) - b_zp)
///   y = clamp(out_zp + MBQM(acc, multiplier, shift), act_min, act_max)
/// Four columns at a time share each a(r, l) - a_zp and fold b_zp out of
/// the inner loop (acc = sum_l a' * b - b_zp * sum_l a', the same exact
/// sum). Aliasing: y must not overlap a or b.
TEMPO_KERNEL void matmul_s8(const tempo_qmatmul_params_t &p, const int8_t *a,
                            const int8_t *b, int8_t *y) {
  const int32_t rank = p.batch_rank;
  int32_t batches = 1;
  for (int32_t d = 0; d < rank; ++d)
    batches *= p.out_batch_dims[d];
  auto out = [&p](int32_t acc) {
    return static_cast<int8_t>(detail::requantize(
        acc, p.multiplier, p.shift, p.out_zp, p.act_min, p.act_max));
  };
  int32_t idx[TEMPO_MAX_RANK] = {0};
  int32_t aMat = 0, bMat = 0;
  for (int32_t bi = 0; bi < batches; ++bi) {
    const int8_t *am = a + aMat * p.m * p.k;
    const int8_t *bm = b + bMat * p.k * p.n;
    int8_t *ym = y + bi * p.m * p.n;
    for (int32_t r = 0; r < p.m; ++r) {
      const int8_t *ar = am + r * p.k;
      int32_t s = 0;
      for (; s + 4 <= p.n; s += 4) {
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, sa = 0;
        for (int32_t l = 0; l < p.k; ++l) {
          const int32_t av = static_cast<int32_t>(ar[l]) - p.a_zp;
          const int8_t *bl = bm + l * p.n + s;
          sa += av;
          a0 += av * bl[0];
          a1 += av * bl[1];
          a2 += av * bl[2];
          a3 += av * bl[3];
        }
        const int32_t fold = p.b_zp * sa;
        ym[r * p.n + s] = out(a0 - fold);
        ym[r * p.n + s + 1] = out(a1 - fold);
        ym[r * p.n + s + 2] = out(a2 - fold);
        ym[r * p.n + s + 3] = out(a3 - fold);
      }
      for (; s < p.n; ++s) {
        int32_t acc = 0;
        for (int32_t l = 0; l < p.k; ++l)
          acc += (static_cast<int32_t>(ar[l]) - p.a_zp) *
                 (static_cast<int32_t>(bm[l * p.n + s]) - p.b_zp);
        ym[r * p.n + s] = out(acc);
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
// Elementwise binary (numpy broadcasting, geometry as tempo::add)
//===----------------------------------------------------------------------===//

/// Add, int8 (TFLite's int8 Add):
///   a' = MBQM((a - a_zp) * 2^left_shift, a_multiplier, a_shift), b' alike
///   y = clamp(out_zp + MBQM(a' + b', out_multiplier, out_shift), act)
/// Aliasing: y may alias a full-shape operand exactly.
inline void add_s8(const tempo_qbinary_params_t &p, const int8_t *a,
                   const int8_t *b, int8_t *y) {
  detail::addOrSubQ<int8_t, 1>(p, a, b, y);
}

/// Sub, int8: add_s8 with a' - b'.
inline void sub_s8(const tempo_qbinary_params_t &p, const int8_t *a,
                   const int8_t *b, int8_t *y) {
  detail::addOrSubQ<int8_t, -1>(p, a, b, y);
}

/// Mul, int8 (TFLite's int8 Mul):
///   y = clamp(out_zp + MBQM((a - a_zp) * (b - b_zp), out_multiplier,
///             out_shift), act)
/// Aliasing: y may alias a full-shape operand exactly.
inline void mul_s8(const tempo_qbinary_params_t &p, const int8_t *a,
                   const int8_t *b, int8_t *y) {
  detail::mulQ(p, a, b, y);
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// MaxPool, int8 (same scale in and out): the max over the taps inside the
/// input (window as tempo::max_pool; padding never wins), clamped to
/// [act_min, act_max]. A window with no tap inside the input yields act_min.
/// Aliasing: y must not overlap x.
TEMPO_KERNEL void max_pool_s8(const tempo_qpool_params_t &p, const int8_t *x,
                              int8_t *y) {
  const int32_t inPlane = p.in_h * p.in_w;
  for (int32_t nc = 0; nc < p.batch * p.channels; ++nc) {
    const int8_t *xc = x + nc * inPlane;
    int8_t *yc = y + nc * p.out_h * p.out_w;
    for (int32_t oh = 0; oh < p.out_h; ++oh) {
      const int32_t ih0 = oh * p.stride_h - p.pad_top;
      int32_t khLo, khHi;
      detail::tapRange(ih0, p.dil_h, p.k_h, p.in_h, khLo, khHi);
      for (int32_t ow = 0; ow < p.out_w; ++ow) {
        const int32_t iw0 = ow * p.stride_w - p.pad_left;
        int32_t kwLo, kwHi;
        detail::tapRange(iw0, p.dil_w, p.k_w, p.in_w, kwLo, kwHi);
        int32_t best = -128;
        for (int32_t kh = khLo; kh < khHi; ++kh) {
          const int32_t row = (ih0 + kh * p.dil_h) * p.in_w + iw0;
          for (int32_t kw = kwLo; kw < kwHi; ++kw) {
            const int32_t v = xc[row + kw * p.dil_w];
            best = v > best ? v : best;
          }
        }
        yc[oh * p.out_w + ow] =
            static_cast<int8_t>(detail::clampTo(best, p.act_min, p.act_max));
      }
    }
  }
}

/// AveragePool, int8 (same scale in and out; TFLite's int8 AveragePool).
/// Window and divisor `count` as tempo::average_pool. sum is the raw int8
/// values of the taps inside the input, plus zp for each counted tap in the
/// padding (count_include_pad: padding is real 0);
///   y = clamp(round(sum / count), act)   (ties away from zero)
/// A window with count 0 yields clamp(zp). Aliasing: y must not overlap x.
TEMPO_KERNEL void average_pool_s8(const tempo_qpool_params_t &p,
                                  const int8_t *x, int8_t *y) {
  const int32_t inPlane = p.in_h * p.in_w;
  const int32_t paddedH = p.pad_top + p.in_h + p.pad_bottom;
  const int32_t paddedW = p.pad_left + p.in_w + p.pad_right;
  for (int32_t nc = 0; nc < p.batch * p.channels; ++nc) {
    const int8_t *xc = x + nc * inPlane;
    int8_t *yc = y + nc * p.out_h * p.out_w;
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
            static_cast<int8_t>(detail::clampTo(v, p.act_min, p.act_max));
      }
    }
  }
}

/// GlobalAveragePool, int8 (TFLite's int8 Mean over H, W). x is
/// [outer, inner], y is [outer]:
///   acc = MBQM(sum_i (x[o, i] - in_zp), multiplier, shift)
///   y = clamp(out_zp + round(acc / inner), act)   (ties away from zero)
/// multiplier/shift encode in_scale / out_scale (tempo_quantize_multiplier(
/// 1.0) = (2^30, 1) is the identity). Aliasing: y must not overlap x.
TEMPO_KERNEL void global_average_pool_s8(const tempo_qreduce_params_t &p,
                                         const int8_t *x, int8_t *y) {
  for (int32_t o = 0; o < p.outer; ++o) {
    int32_t sum = 0;
    for (int32_t i = 0; i < p.inner; ++i)
      sum += static_cast<int32_t>(x[o * p.inner + i]) - p.in_zp;
    const int32_t acc =
        multiply_by_quantized_multiplier(sum, p.multiplier, p.shift);
    const int32_t v = p.inner > 0 ? detail::roundingDivide(acc, p.inner) : 0;
    y[o] = static_cast<int8_t>(
        detail::clampTo(v + p.out_zp, p.act_min, p.act_max));
  }
}

//===----------------------------------------------------------------------===//
// Data movement and elementwise unary
//===----------------------------------------------------------------------===//

/// One input of a Concat, int8 (call once per input; geometry as
/// tempo::concat). identity: a copy. Otherwise
///   y = clamp(out_zp + MBQM(x - in_zp, multiplier, shift), -128, 127).
/// Aliasing: y must not overlap x.
inline void concat_s8(const tempo_qconcat_params_t &p, const int8_t *x,
                      int8_t *y) {
  if (p.in_inner <= 0)
    return;
  for (int32_t o = 0; o < p.outer; ++o) {
    const int8_t *xr = x + o * p.in_inner;
    int8_t *yr = y + o * p.out_inner + p.offset;
    if (p.identity) {
      memcpy(yr, xr, static_cast<size_t>(p.in_inner));
      continue;
    }
    for (int32_t i = 0; i < p.in_inner; ++i)
      yr[i] = static_cast<int8_t>(
          detail::requantize(static_cast<int32_t>(xr[i]) - p.in_zp,
                             p.multiplier, p.shift, p.out_zp, -128, 127));
  }
}

/// Requantize, int8 -> int8 (QDQ chains, a Relu/Clip whose scale changes):
///   y = clamp(out_zp + MBQM(x - in_zp, multiplier, shift), act)
/// Aliasing: y may alias x exactly.
inline void requantize_s8(const tempo_requant_params_t &p, const int8_t *x,
                          int8_t *y) {
  for (int32_t i = 0; i < p.size; ++i)
    y[i] = static_cast<int8_t>(detail::requantize(
        static_cast<int32_t>(x[i]) - p.in_zp, p.multiplier, p.shift, p.out_zp,
        p.act_min, p.act_max));
}

/// Requantize between storage types (uint8 <-> int8 with the zero point
/// moved by 128, or a new scale), as requantize_s8; act_min/act_max must lie
/// in TOut's range. Aliasing: y may alias x exactly when the types have one
/// size.
template <typename TIn, typename TOut>
inline void requantize(const tempo_requant_params_t &p, const TIn *x,
                       TOut *y) {
  for (int32_t i = 0; i < p.size; ++i)
    y[i] = static_cast<TOut>(detail::requantize(
        static_cast<int32_t>(x[i]) - p.in_zp, p.multiplier, p.shift, p.out_zp,
        p.act_min, p.act_max));
}

/// Relu / Relu6 / Clip, int8, same scale: y = clamp(x, act_min, act_max).
/// Aliasing: y may alias x exactly.
inline void clamp_s8(const tempo_qclamp_params_t &p, const int8_t *x,
                     int8_t *y) {
  for (int32_t i = 0; i < p.size; ++i)
    y[i] = static_cast<int8_t>(detail::clampTo(x[i], p.act_min, p.act_max));
}

/// Any int8 -> int8 elementwise function by table: y = lut[x + 128], where
/// the compiler filled lut with tempo_build_lut_s8 (sigmoid, tanh,
/// hard-swish, hard-sigmoid, leaky relu, ...). Aliasing: y may alias x
/// exactly.
inline void lut_s8(const tempo_lut_params_t &p, const int8_t *x,
                   const int8_t *lut, int8_t *y) {
  for (int32_t i = 0; i < p.size; ++i)
    y[i] = lut[static_cast<int32_t>(x[i]) + 128];
}

//===----------------------------------------------------------------------===//
// Softmax (TFLite's reference int8 Softmax, bit for bit)
//===----------------------------------------------------------------------===//
//
// Fixed-point formats are named Qm.n (m integer bits, n = 31 - m fractional
// bits, real = raw / 2^n). Products are saturating_rounding_doubling_high_mul
// (Qa x Qb -> Q(a+b)), sums are plain int32 additions that never overflow on
// the ranges below (the unit tests check it with 64-bit arithmetic), and
// format changes are saturating left shifts or rounding_divide_by_pot: the
// operations of gemmlowp's FixedPoint, in the same order.

/// (a + b) / 2 rounded to nearest, ties away from zero. gemmlowp's
/// RoundingHalfSum.
constexpr int32_t rounding_half_sum(int32_t a, int32_t b) {
  const int64_t sum = static_cast<int64_t>(a) + b;
  return static_cast<int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/// The number of leading zero bits of x (32 for 0).
constexpr int32_t count_leading_zeros(uint32_t x) {
  if (x == 0)
    return 32;
  int32_t n = 0;
  for (int32_t step = 16; step > 0; step /= 2)
    if ((x >> (32 - step)) == 0) {
      n += step;
      x <<= step;
    }
  return n;
}

/// exp(a) for a <= 0, a in Q5.26, result in Q0.31 (exp(0) = INT32_MAX).
/// gemmlowp's exp_on_negative_values<int32_t, 5>: a = -k/4 + r with
/// r in [-1/4, 0); exp(r) by a 4th-order Taylor series around -1/8, then one
/// multiply by exp(-2^e) (Q0.31 constants) for each bit e = -2..4 set in k/4.
/// Max error 2.3e-7 (2^-22), the series' x^5/120 at x = 1/8.
constexpr int32_t exp_on_negative_values_q5_26(int32_t a) {
  constexpr int32_t kQuarter = 1 << 24;                      // 1/4 in Q5.26
  const int32_t r = (a & (kQuarter - 1)) - kQuarter;         // in [-1/4, 0)
  const int32_t x = saturating_left_shift(r, 5) + (1 << 28); // r + 1/8, Q0.31
  const int32_t x2 = saturating_rounding_doubling_high_mul(x, x);
  const int32_t x3 = saturating_rounding_doubling_high_mul(x2, x);
  const int32_t x4 = saturating_rounding_doubling_high_mul(x2, x2);
  const int32_t x4_over_4 = rounding_divide_by_pot(x4, 2);
  // x^4/24 + x^3/6 + x^2/2 = ((x^4/4 + x^3) / 3 + x^2) / 2.
  const int32_t poly = rounding_divide_by_pot(
      saturating_rounding_doubling_high_mul(x4_over_4 + x3,
                                            715827883) + // 1/3
          x2,
      1);
  constexpr int32_t kExpMinusEighth = 1895147668; // exp(-1/8)
  int32_t result = kExpMinusEighth + saturating_rounding_doubling_high_mul(
                                         kExpMinusEighth, x + poly);
  // exp(-2^e) in Q0.31 for e = -2..4, applied for each bit of k / 4 set.
  const int32_t kExpMinusPow2[7] = {
      1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  const int32_t k = r - a; // -a rounded down to a multiple of 1/4, >= 0
  for (int32_t e = 0; e < 7; ++e)
    if (k & (1 << (24 + e)))
      result = saturating_rounding_doubling_high_mul(result, kExpMinusPow2[e]);
  return a == 0 ? INT32_MAX : result;
}

/// 1 / (1 + a) for a in [0, 1), a and result in Q0.31. gemmlowp's
/// one_over_one_plus_x_for_x_in_0_1: three Newton-Raphson steps on the half
/// denominator d = (1 + a) / 2 from 48/17 - 32/17 d, in Q2.29.
constexpr int32_t one_over_one_plus_x_for_x_in_0_1(int32_t a) {
  const int32_t d = rounding_half_sum(a, INT32_MAX); // Q0.31
  // 1, 48/17 and -32/17 in Q2.29.
  constexpr int32_t kOne = 1 << 29, k48Over17 = 1515870810,
                    kMinus32Over17 = -1010580540;
  int32_t x =
      k48Over17 + saturating_rounding_doubling_high_mul(d, kMinus32Over17);
  for (int32_t i = 0; i < 3; ++i) {
    const int32_t e = kOne - saturating_rounding_doubling_high_mul(d, x);
    x += saturating_left_shift(saturating_rounding_doubling_high_mul(x, e), 2);
  }
  return saturating_left_shift(x, 1); // x / 2 in Q1.30 -> Q0.31
}

/// 1 / sum for sum > 0 in Q12.19 as s * 2^-num_bits_over_unit with s in
/// Q0.31 (in (1/2, 1]); TFLite's GetReciprocal(sum, 12, ...). sum * 2^clz
/// is 1 + a with a in [0, 1) as Q0.31 after dropping the top bit.
constexpr int32_t softmax_reciprocal(int32_t sum, int32_t &num_bits_over_unit) {
  const int32_t headroom = count_leading_zeros(static_cast<uint32_t>(sum));
  num_bits_over_unit = 12 - headroom;
  const uint32_t shifted = static_cast<uint32_t>(sum) << headroom;
  return one_over_one_plus_x_for_x_in_0_1(
      static_cast<int32_t>(shifted - (uint32_t(1) << 31)));
}

/// Softmax, int8 over the middle axis of [outer, n, inner]; output scale
/// 1/256, zero point -128; TFLite's reference_ops::Softmax<int8_t, int8_t>
/// bit for bit, with no table. For each row, with d_j = x_j - max(x) and
/// the scaling of tempo_softmax_s8_scaling:
///   z_j = srdhm(d_j * 2^input_left_shift, input_multiplier)   (Q5.26)
///   E_j = exp_on_negative_values_q5_26(z_j)                    (Q0.31)
///   S   = sum over d_j >= diff_min of rdbpot(E_j, 12)          (Q12.19)
///   y_j = clamp(rdbpot(srdhm(1/S, E_j), 23 + bits over unit of S) - 128)
/// and y_j = -128 where d_j < diff_min. Where S >= 512 (only for n >= 512)
/// the final shift exceeds 31, every y_j rounds to -128 and this kernel
/// gives it, while TFLite fails a check there. Needs 1 <= n <= 4095 (S
/// stays below 2^31). Aliasing: y may alias x exactly.
inline void softmax_s8(const tempo_qsoftmax_params_t &p, const int8_t *x,
                       int8_t *y) {
  if (p.n <= 0)
    return;
  for (int32_t o = 0; o < p.outer; ++o) {
    for (int32_t i = 0; i < p.inner; ++i) {
      const int8_t *xs = x + o * p.n * p.inner + i;
      int8_t *ys = y + o * p.n * p.inner + i;
      int32_t mx = -128;
      for (int32_t j = 0; j < p.n; ++j)
        mx = xs[j * p.inner] > mx ? xs[j * p.inner] : mx;
      // Pass 0 sums the exps, pass 1 writes them scaled by 1 / sum: one
      // exp in the code (it is the kernel's bulk), evaluated twice per
      // element as in TFLite (no scratch).
      int32_t sum = 0, recip = 0, exponent = 0;
      for (int32_t pass = 0; pass < 2; ++pass) {
        if (pass == 1) {
          int32_t bitsOverUnit = 0;
          recip = softmax_reciprocal(sum, bitsOverUnit);
          exponent = bitsOverUnit + 23;
        }
        for (int32_t j = 0; j < p.n; ++j) {
          const int32_t d = xs[j * p.inner] - mx;
          // d >= diff_min keeps |d| * 2^input_left_shift <= 31 * 2^26: the
          // shift is exact in int32.
          int32_t e = 0;
          if (d >= p.diff_min)
            e = exp_on_negative_values_q5_26(
                saturating_rounding_doubling_high_mul(
                    static_cast<int32_t>(static_cast<uint32_t>(d)
                                         << p.input_left_shift),
                    p.input_multiplier));
          if (pass == 0) {
            sum += rounding_divide_by_pot(e, 12);
            continue;
          }
          int32_t q = -128;
          if (d >= p.diff_min && exponent <= 31)
            q += rounding_divide_by_pot(
                saturating_rounding_doubling_high_mul(recip, e), exponent);
          ys[j * p.inner] = static_cast<int8_t>(q > 127 ? 127 : q);
        }
      }
    }
  }
}

//===----------------------------------------------------------------------===//
// Edges: the only float code of the int8 path
//===----------------------------------------------------------------------===//

/// QuantizeLinear, float -> int8 (ONNX): y = clamp(round(x / scale) + zp,
/// -128, 127) with round half to even; NaN maps to zp. The rounding adds and
/// subtracts 1.5 * 2^23, which rounds to nearest even in IEEE single
/// precision (exact for |x / scale| < 2^22; larger values saturate first).
/// Do not build with -ffast-math. Aliasing: none (different element types).
inline void quantize_s8(const tempo_quantize_params_t &p, const float *x,
                        int8_t *y) {
  const float magic = 12582912.0f; // 1.5 * 2^23
  for (int32_t i = 0; i < p.size; ++i) {
    float v = x[i] / p.scale;
    if (v != v)
      v = 0.0f;
    v = v < -512.0f ? -512.0f : (v > 512.0f ? 512.0f : v);
    const int32_t r = static_cast<int32_t>((v + magic) - magic);
    y[i] = static_cast<int8_t>(detail::clampTo(r + p.zp, -128, 127));
  }
}

/// QuantizeLinear into any integer storage type T (int8_t, uint8_t,
/// int16_t), per tensor or per axis (p.channels > 0: scale[c], zp[c] for
/// channel c of [outer, channels, inner]); rounding as quantize_s8,
/// saturating to T's range. Aliasing: none.
template <typename T>
inline void quantize_linear(const tempo_quantize_params_t &p, const float *x,
                            const float *scales, const int32_t *zps, T *y) {
  const float magic = 12582912.0f; // 1.5 * 2^23
  const int32_t lo = T(-1) < T(0) ? -(1 << (8 * sizeof(T) - 1)) : 0;
  const int32_t hi = T(-1) < T(0) ? (1 << (8 * sizeof(T) - 1)) - 1
                                  : (1 << (8 * sizeof(T))) - 1;
  const float bound = 2.0f * 65536.0f;
  for (int32_t i = 0; i < p.size; ++i) {
    const int32_t c = p.channels > 0 ? (i / p.inner) % p.channels : -1;
    const float scale = c < 0 ? p.scale : scales[c];
    const int32_t zp = c < 0 ? p.zp : zps[c];
    float v = x[i] / scale;
    if (v != v)
      v = 0.0f;
    v = v < -bound ? -bound : (v > bound ? bound : v);
    const int32_t r = static_cast<int32_t>((v + magic) - magic);
    y[i] = static_cast<T>(detail::clampTo(r + zp, lo, hi));
  }
}

/// DequantizeLinear from any integer storage type, per tensor or per axis
/// (as quantize_linear): y = (x - zp) * scale. Aliasing: none.
template <typename T>
inline void dequantize_linear(const tempo_quantize_params_t &p, const T *x,
                              const float *scales, const int32_t *zps,
                              float *y) {
  for (int32_t i = 0; i < p.size; ++i) {
    const int32_t c = p.channels > 0 ? (i / p.inner) % p.channels : -1;
    const float scale = c < 0 ? p.scale : scales[c];
    const int32_t zp = c < 0 ? p.zp : zps[c];
    y[i] = static_cast<float>(static_cast<int32_t>(x[i]) - zp) * scale;
  }
}

/// DequantizeLinear, int8 -> float (ONNX): y = (x - zp) * scale, one
/// rounding. Aliasing: none.
inline void dequantize_s8(const tempo_quantize_params_t &p, const int8_t *x,
                          float *y) {
  for (int32_t i = 0; i < p.size; ++i)
    y[i] = static_cast<float>(static_cast<int32_t>(x[i]) - p.zp) * p.scale;
}

//===----------------------------------------------------------------------===//
// Integer LSTM / GRU primitives (int16 state)
//
// TFLite's integer LSTM scheme (8x8_16): input and hidden state int8,
// weights int8 symmetric, gate pre-activations int16 Q3.12 (scale 2^-12,
// zp 0), gate activations Q0.15, cell state int16 Q(15-F).F (typically
// F = 11). lstm_s8 below is one whole LSTM built from these pieces; a GRU
// (or another cell) is a sequence of calls:
//   pre_g = add_s16(fully_connected_s8<int16_t>(x, W_g, bias_g),
//                   fully_connected_s8<int16_t>(h, R_g))   (both to Q3.12)
//   i, f, o = sigmoid_q15(pre);  g = tanh_q15(pre)
//   c = add_s16(mul_s16(f, c, shift 15), mul_s16(i, g, shift 30 - F))
//   h = mul_s16_s8(o, tanh_q15(c, input_left_shift 12 - F),
//                  multiplier/shift of 2^-30 / h_scale, out_zp h_zp)
// GRU: z, r = sigmoid_q15, n = tanh_q15, h' = (1 - z) * n + z * h alike
// (1 - z in Q0.15 is 32767 - z, one LSB short of 1).
//===----------------------------------------------------------------------===//

namespace detail {
/// v (an int16 value) brought to Q3.12 by a left shift (saturating) or a
/// rounding right shift.
inline int32_t toQ312(int32_t v, int32_t leftShift) {
  if (leftShift > 0)
    return clampTo(saturating_left_shift(v, leftShift), -32768, 32767);
  if (leftShift < 0)
    return rounding_divide_by_pot(v, -leftShift);
  return v;
}
} // namespace detail

/// Sigmoid, int16 -> Q0.15 int16. The input is brought to Q3.12 (v) by
/// input_left_shift; a = min(|v|, 32767); with i = a >> 6, f = a & 63 and
/// table[k] = sigmoid(k / 64) in Q0.16 (tempo_build_sigmoid_q15_table):
///   s = table[i] * 64 + (table[i + 1] - table[i]) * f      (Q0.22)
///   y = v >= 0 ? min(32767, (s + 64) >> 7) : (2^22 - s + 64) >> 7
/// Within 1 LSB (2^-15) of the exact sigmoid of v. Aliasing: y may alias x.
inline void sigmoid_q15(const tempo_q15_act_params_t &p, const int16_t *x,
                        const uint16_t *table, int16_t *y) {
  for (int32_t j = 0; j < p.size; ++j) {
    const int32_t v = detail::toQ312(x[j], p.input_left_shift);
    int32_t a = v < 0 ? -v : v;
    a = a > 32767 ? 32767 : a;
    const int32_t i = a >> 6, f = a & 63;
    const int32_t t0 = table[i], t1 = table[i + 1];
    const int32_t s = t0 * 64 + (t1 - t0) * f;
    const int32_t r =
        v >= 0 ? (s + 64) >> 7 : ((int32_t(1) << 22) - s + 64) >> 7;
    y[j] = static_cast<int16_t>(r > 32767 ? 32767 : r);
  }
}

/// Tanh, int16 -> Q0.15 int16. v, a as sigmoid_q15; with i = a >> 5,
/// f = a & 31 and table[k] = tanh(k / 128) in Q0.16, saturated to 65535
/// (tempo_build_tanh_q15_table):
///   t = table[i] * 32 + (table[i + 1] - table[i]) * f      (Q0.21)
///   r = min(32767, (t + 32) >> 6);  y = v >= 0 ? r : -r
/// Within 1 LSB of the exact tanh of v. Aliasing: y may alias x.
inline void tanh_q15(const tempo_q15_act_params_t &p, const int16_t *x,
                     const uint16_t *table, int16_t *y) {
  for (int32_t j = 0; j < p.size; ++j) {
    const int32_t v = detail::toQ312(x[j], p.input_left_shift);
    int32_t a = v < 0 ? -v : v;
    a = a > 32767 ? 32767 : a;
    const int32_t i = a >> 5, f = a & 31;
    const int32_t t0 = table[i], t1 = table[i + 1];
    int32_t r = (t0 * 32 + (t1 - t0) * f + 32) >> 6;
    r = r > 32767 ? 32767 : r;
    y[j] = static_cast<int16_t>(v >= 0 ? r : -r);
  }
}

/// y = sat16(round(a * b / 2^shift)), ties away from zero (0 <= shift <= 31).
/// Aliasing: y may alias a or b exactly.
inline void mul_s16(const tempo_mul_s16_params_t &p, const int16_t *a,
                    const int16_t *b, int16_t *y) {
  for (int32_t i = 0; i < p.size; ++i)
    y[i] = detail::saturate16(rounding_divide_by_pot(
        static_cast<int32_t>(a[i]) * static_cast<int32_t>(b[i]), p.shift));
}

/// y = clamp(out_zp + MBQM(a * b, multiplier, shift), act), int16 x int16 ->
/// int8. Aliasing: none (different element types).
inline void mul_s16_s8(const tempo_mul_s16_s8_params_t &p, const int16_t *a,
                       const int16_t *b, int8_t *y) {
  for (int32_t i = 0; i < p.size; ++i)
    y[i] = static_cast<int8_t>(detail::requantize(
        static_cast<int32_t>(a[i]) * static_cast<int32_t>(b[i]), p.multiplier,
        p.shift, p.out_zp, p.act_min, p.act_max));
}

/// y = sat16(a + b). Aliasing: y may alias a or b exactly.
inline void add_s16(const tempo_add_s16_params_t &p, const int16_t *a,
                    const int16_t *b, int16_t *y) {
  for (int32_t i = 0; i < p.size; ++i)
    y[i] = detail::saturate16(static_cast<int32_t>(a[i]) + b[i]);
}

namespace detail {

/// Element offsets of the ONNX tensors of a recurrent op (see
/// tempo/recurrent_params.h): X[t, b], Y[t, d, b] and a state row [d, b].
struct QRecurrentLayout {
  int32_t S, B, I, H, D, layout;
  int32_t x(int32_t t, int32_t b) const {
    return (layout ? b * S + t : t * B + b) * I;
  }
  int32_t y(int32_t t, int32_t d, int32_t b) const {
    return (layout ? (b * S + t) * D + d : (t * D + d) * B + b) * H;
  }
  int32_t state(int32_t d, int32_t b) const {
    return (layout ? b * D + d : d * B + b) * H;
  }
};

/// Direction slot d runs backwards in time (reverse, or the second half of
/// bidirectional).
inline bool runsBackwards(int32_t direction, int32_t d) {
  return direction == 1 || d == 1;
}

/// acc + sum_{k < n} h[k] * w[k]: an int16 state times int8 weights. With
/// |h| <= 2^15 and |w| <= 127 the sum fits int32 for n <= 256 (the compiler
/// checks hidden_size).
inline int32_t dotS16S8(int32_t n, const int16_t *h, const int8_t *w,
                        int32_t acc) {
  for (int32_t k = 0; k < n; ++k)
    acc += static_cast<int32_t>(h[k]) * w[k];
  return acc;
}

/// sat16(MBQM(acc, m, s)): an int32 sum brought to a Q3.12 pre-activation.
inline int32_t toGate(int32_t acc, int32_t m, int32_t s) {
  return saturate16(multiply_by_quantized_multiplier(acc, m, s));
}

/// One direction of the integer LSTM over the whole sequence: wt points at
/// this direction's weights, h / c at the B x H running state (already
/// initialised), gates at 4H int16 of scratch; writes Y[t, d, b] if y.
inline void lstmS8Direction(const tempo_qlstm_params_t &p,
                            const tempo_qlstm_weights_t &wt,
                            const QRecurrentLayout &at, int32_t d,
                            bool backwards, const int8_t *x, int8_t *h,
                            int16_t *c, int16_t *gates, int8_t *y) {
  const int32_t H = p.hidden_size, I = p.input_size, B = p.batch;
  const tempo_q15_act_params_t one{1, 0};
  const tempo_q15_act_params_t cellAct{1, 12 - p.cell_frac_bits};
  const tempo_mul_s16_params_t forget{1, 15};
  const tempo_mul_s16_params_t input{1, 30 - p.cell_frac_bits};
  for (int32_t step = 0; step < p.seq_len; ++step) {
    const int32_t t = backwards ? p.seq_len - 1 - step : step;
    for (int32_t b = 0; b < B; ++b) {
      const int8_t *xt = x + at.x(t, b);
      int8_t *hb = h + b * H;
      int16_t *cb = c + b * H;
      for (int32_t r = 0; r < 4 * H; ++r) {
        const int32_t ax = dotS8(I, xt, -p.x_zp, wt.w + r * I,
                                 wt.bias ? wt.bias[r] : 0);
        const int32_t ah = dotS8(H, hb, -p.h_zp, wt.r + r * H,
                                 wt.r_bias ? wt.r_bias[r] : 0);
        gates[r] = saturate16(toGate(ax, wt.w_multiplier[r], wt.w_shift[r]) +
                              toGate(ah, wt.r_multiplier[r], wt.r_shift[r]));
      }
      // Gates in place: i, o, f through the sigmoid, c through tanh.
      for (int32_t r = 0; r < 3 * H; ++r)
        sigmoid_q15(one, gates + r, wt.sigmoid_table, gates + r);
      for (int32_t r = 3 * H; r < 4 * H; ++r)
        tanh_q15(one, gates + r, wt.tanh_table, gates + r);
      for (int32_t j = 0; j < H; ++j) {
        int16_t fc, ig, tc;
        mul_s16(forget, gates + 2 * H + j, cb + j, &fc);
        mul_s16(input, gates + j, gates + 3 * H + j, &ig);
        cb[j] = saturate16(static_cast<int32_t>(fc) + ig);
        tanh_q15(cellAct, cb + j, wt.tanh_table, &tc);
        const int32_t prod = static_cast<int32_t>(gates[H + j]) * tc;
        hb[j] = static_cast<int8_t>(requantize(
            prod, p.hidden_multiplier, p.hidden_shift, p.h_zp, -128, 127));
      }
      if (y)
        memcpy(y + at.y(t, d, b), hb, static_cast<size_t>(H));
    }
  }
}

} // namespace detail

/// Integer LSTM (see tempo_qlstm_params_t / tempo_qlstm_weights_t). For each
/// t ascending, each batch entry b, each gate row r (g = r / H):
///   gx = sat16(MBQM(bias[r] + sum_k (x[t, b, k] - x_zp) * w[r, k],
///                   w_multiplier[r], w_shift[r]))
///   gh = sat16(MBQM(r_bias[r] + sum_k (h[b, k] - h_zp) * r[r, k],
///                   r_multiplier[r], r_shift[r]))
///   pre[r] = sat16(gx + gh)                                  (Q3.12)
/// (a null bias or r_bias adds 0) then per unit j: i, o, f = sigmoid_q15(pre),
/// g = tanh_q15(pre) (Q0.15),
///   c = sat16(rdbpot(f * c, 15) + rdbpot(i * g, 30 - F))   (Q(15-F).F)
///   h = clamp(h_zp + MBQM(o * tanh_q15(c, input_left_shift 12 - F),
///             hidden_multiplier, hidden_shift), -128, 127)
/// with h, c starting from initial_h / initial_c (h_zp and 0 when absent).
/// Y[t] gets h after step t; Y_h / Y_c the last h / c. One forward
/// direction, layout 0 (the fields direction / num_directions / layout are
/// read by the flat overload below only). Scratch: at least
/// tempo_qlstm_scratch_size(&p) bytes, 2-byte aligned, only for the call.
/// Aliasing: outputs overlap no input and not the scratch.
inline void lstm_s8(const tempo_qlstm_params_t &p,
                    const tempo_qlstm_weights_t &wt, const int8_t *x,
                    const int8_t *initial_h, const int16_t *initial_c,
                    void *scratch, int8_t *y, int8_t *y_h, int16_t *y_c) {
  const int32_t H = p.hidden_size, B = p.batch;
  int16_t *gates = static_cast<int16_t *>(scratch);
  int16_t *c = gates + 4 * H;
  int8_t *h = reinterpret_cast<int8_t *>(c + B * H);
  for (int32_t e = 0; e < B * H; ++e) {
    h[e] = p.has_initial_h ? initial_h[e] : static_cast<int8_t>(p.h_zp);
    c[e] = p.has_initial_c ? initial_c[e] : int16_t(0);
  }
  const detail::QRecurrentLayout at{p.seq_len, B, p.input_size, H, 1, 0};
  detail::lstmS8Direction(p, wt, at, 0, false, x, h, c, gates,
                          p.want_y ? y : nullptr);
  if (p.want_y_h)
    memcpy(y_h, h, static_cast<size_t>(B * H));
  if (p.want_y_c)
    memcpy(y_c, c, static_cast<size_t>(B * H) * sizeof(int16_t));
}

/// The integer LSTM as the compiler calls it: ONNX's operands as they are
/// (W [D, 4H, I], R [D, 4H, H], B [D, 8H] = per direction Wb then Rb, each
/// in its own scale, see tempo_qlstm_weights_t; initial_h [.., B, H] int8,
/// initial_c int16 Q(15-F).F, in the layout's order), the per-row multiplier
/// tables [4H] shared by the directions, every direction (slot 1 of a
/// bidirectional op runs backwards) and layout. Y and Y_h are int8 at h's
/// quantization; Y_c is not written (the compiler keeps an LSTM whose Y_c is
/// used in float). Null pointers: absent b / initial_h / initial_c, unwanted
/// y / y_h. Scratch: tempo_qlstm_scratch_size(&p) bytes (the directions run
/// one after the other on the same state rows).
inline void lstm_s8(const tempo_qlstm_params_t &p, const int8_t *x,
                    const int8_t *w, const int8_t *r, const int32_t *b,
                    const int8_t *initial_h, const int16_t *initial_c,
                    const int32_t *w_multiplier, const int32_t *w_shift,
                    const int32_t *r_multiplier, const int32_t *r_shift,
                    const uint16_t *sigmoid_table, const uint16_t *tanh_table,
                    int8_t *y, int8_t *y_h, void *scratch) {
  const int32_t H = p.hidden_size, B = p.batch, I = p.input_size;
  const int32_t D = p.num_directions > 1 ? 2 : 1;
  const detail::QRecurrentLayout at{p.seq_len, B, I, H, D, p.layout};
  int16_t *gates = static_cast<int16_t *>(scratch);
  int16_t *c = gates + 4 * H;
  int8_t *h = reinterpret_cast<int8_t *>(c + B * H);
  for (int32_t d = 0; d < D; ++d) {
    for (int32_t bi = 0; bi < B; ++bi)
      for (int32_t j = 0; j < H; ++j) {
        const int32_t s = at.state(d, bi) + j;
        h[bi * H + j] = initial_h ? initial_h[s] : static_cast<int8_t>(p.h_zp);
        c[bi * H + j] = initial_c ? initial_c[s] : int16_t(0);
      }
    const tempo_qlstm_weights_t wt{
        w + d * 4 * H * I, r + d * 4 * H * H, b ? b + d * 8 * H : nullptr,
        w_multiplier,      w_shift,           r_multiplier,
        r_shift,           sigmoid_table,     tanh_table,
        b ? b + d * 8 * H + 4 * H : nullptr};
    detail::lstmS8Direction(p, wt, at, d, detail::runsBackwards(p.direction, d),
                            x, h, c, gates, y);
    if (y_h)
      for (int32_t bi = 0; bi < B; ++bi)
        memcpy(y_h + at.state(d, bi), h + bi * H, static_cast<size_t>(H));
  }
}

/// Integer GRU (tempo_qrecurrent_params_t), ONNX's equations with gates z,
/// r, h in that row order. Per direction, step and batch entry, with h the
/// int16 Q0.15 state (from initial_h: sat16(MBQM(q - h_zp, state_*)), else
/// 0) and gx[r], gh[r] as in lstm_s8 (x int8 with x_zp; the h-side dot is
/// h (Q0.15) x R, plus Rb, brought to Q3.12 by r_multiplier/r_shift):
///   z = sigmoid_q15(sat16(gx_z + gh_z)),  r = sigmoid_q15(sat16(gx_r + gh_r))
///   linear_before_reset = 0: rh[k] = rdbpot(r[k] * h[k], 15);
///       pre_h = sat16(gx_h + sat16(MBQM(Rb_h + sum_k rh[k] R_h[k], ...)))
///   linear_before_reset = 1: pre_h = sat16(gx_h + rdbpot(r * gh_h, 15))
///   n = tanh_q15(pre_h)
///   h = sat16(rdbpot((32768 - z) * n + z * h, 15))          (1 - z exact)
/// Y[t, d] and Y_h get clamp(h_zp + MBQM(h, hidden_*), -128, 127). Slot 1 of
/// a bidirectional op runs backwards; directions run one after the other on
/// the same state rows. Null pointers: absent b / initial_h, unwanted y /
/// y_h. Scratch: tempo_qgru_scratch_size(&p) bytes, 2-byte aligned.
/// Aliasing: outputs overlap no input and not the scratch.
inline void gru_s8(const tempo_qrecurrent_params_t &p, const int8_t *x,
                   const int8_t *w, const int8_t *r, const int32_t *b,
                   const int8_t *initial_h, const int32_t *w_multiplier,
                   const int32_t *w_shift, const int32_t *r_multiplier,
                   const int32_t *r_shift, const uint16_t *sigmoid_table,
                   const uint16_t *tanh_table, int8_t *y, int8_t *y_h,
                   void *scratch) {
  const int32_t H = p.hidden_size, B = p.batch, I = p.input_size;
  const int32_t D = p.num_directions > 1 ? 2 : 1;
  const detail::QRecurrentLayout at{p.seq_len, B, I, H, D, p.layout};
  // gx: the gate pre-activations, then activations; aux: R_h h (before the
  // reset gate) or r * h (after it).
  int16_t *gx = static_cast<int16_t *>(scratch);
  int16_t *aux = gx + 3 * H;
  int16_t *h = aux + H;
  const tempo_q15_act_params_t one{1, 0};
  auto toInt8 = [&](int32_t v) {
    return static_cast<int8_t>(detail::requantize(
        v, p.hidden_multiplier, p.hidden_shift, p.h_zp, -128, 127));
  };
  for (int32_t d = 0; d < D; ++d) {
    const int8_t *wd = w + d * 3 * H * I, *rd = r + d * 3 * H * H;
    const int32_t *wb = b ? b + d * 6 * H : nullptr;
    const int32_t *rb = b ? b + d * 6 * H + 3 * H : nullptr;
    for (int32_t bi = 0; bi < B; ++bi)
      for (int32_t j = 0; j < H; ++j)
        h[bi * H + j] =
            initial_h ? detail::toGate(
                            initial_h[at.state(d, bi) + j] - p.h_zp,
                            p.state_multiplier, p.state_shift)
                      : int16_t(0);
    const bool backwards = detail::runsBackwards(p.direction, d);
    for (int32_t step = 0; step < p.seq_len; ++step) {
      const int32_t t = backwards ? p.seq_len - 1 - step : step;
      for (int32_t bi = 0; bi < B; ++bi) {
        const int8_t *xt = x + at.x(t, bi);
        int16_t *hb = h + bi * H;
        auto xSide = [&](int32_t row) {
          return detail::toGate(
              detail::dotS8(I, xt, -p.x_zp, wd + row * I, wb ? wb[row] : 0),
              w_multiplier[row], w_shift[row]);
        };
        auto hSide = [&](const int16_t *v, int32_t row) {
          return detail::toGate(
              detail::dotS16S8(H, v, rd + row * H, rb ? rb[row] : 0),
              r_multiplier[row], r_shift[row]);
        };
        // z and r.
        for (int32_t row = 0; row < 2 * H; ++row) {
          gx[row] = detail::saturate16(xSide(row) + hSide(hb, row));
          sigmoid_q15(one, gx + row, sigmoid_table, gx + row);
        }
        const int16_t *z = gx, *rg = gx + H;
        for (int32_t j = 0; j < H; ++j)
          gx[2 * H + j] = static_cast<int16_t>(xSide(2 * H + j));
        if (p.linear_before_reset) {
          for (int32_t j = 0; j < H; ++j)
            aux[j] = static_cast<int16_t>(hSide(hb, 2 * H + j));
          for (int32_t j = 0; j < H; ++j)
            gx[2 * H + j] = detail::saturate16(
                static_cast<int32_t>(gx[2 * H + j]) +
                rounding_divide_by_pot(static_cast<int32_t>(rg[j]) * aux[j],
                                       15));
        } else {
          for (int32_t k = 0; k < H; ++k)
            aux[k] = static_cast<int16_t>(rounding_divide_by_pot(
                static_cast<int32_t>(rg[k]) * hb[k], 15));
          for (int32_t j = 0; j < H; ++j)
            gx[2 * H + j] = detail::saturate16(
                static_cast<int32_t>(gx[2 * H + j]) + hSide(aux, 2 * H + j));
        }
        tanh_q15(tempo_q15_act_params_t{H, 0}, gx + 2 * H, tanh_table,
                 gx + 2 * H);
        for (int32_t j = 0; j < H; ++j) {
          const int32_t zj = z[j];
          hb[j] = detail::saturate16(rounding_divide_by_pot(
              (32768 - zj) * gx[2 * H + j] + zj * hb[j], 15));
        }
        if (y) {
          int8_t *yt = y + at.y(t, d, bi);
          for (int32_t j = 0; j < H; ++j)
            yt[j] = toInt8(hb[j]);
        }
      }
    }
    if (y_h)
      for (int32_t bi = 0; bi < B; ++bi)
        for (int32_t j = 0; j < H; ++j)
          y_h[at.state(d, bi) + j] = toInt8(h[bi * H + j]);
  }
}

/// Integer simple RNN (tempo_qrecurrent_params_t): per direction, step and
/// batch entry, with h the int16 Q0.15 state (initialised as in gru_s8),
///   h = f(sat16(gx + gh)),  f = tanh_q15 or sigmoid_q15 (p.activation)
/// gx, gh as in gru_s8; Y[t, d] and Y_h as in gru_s8. Scratch:
/// tempo_qrnn_scratch_size(&p) bytes, 2-byte aligned. Aliasing as gru_s8.
inline void rnn_s8(const tempo_qrecurrent_params_t &p, const int8_t *x,
                   const int8_t *w, const int8_t *r, const int32_t *b,
                   const int8_t *initial_h, const int32_t *w_multiplier,
                   const int32_t *w_shift, const int32_t *r_multiplier,
                   const int32_t *r_shift, const uint16_t *sigmoid_table,
                   const uint16_t *tanh_table, int8_t *y, int8_t *y_h,
                   void *scratch) {
  const int32_t H = p.hidden_size, B = p.batch, I = p.input_size;
  const int32_t D = p.num_directions > 1 ? 2 : 1;
  const detail::QRecurrentLayout at{p.seq_len, B, I, H, D, p.layout};
  int16_t *gates = static_cast<int16_t *>(scratch);
  int16_t *h = gates + H;
  const tempo_q15_act_params_t act{H, 0};
  auto toInt8 = [&](int32_t v) {
    return static_cast<int8_t>(detail::requantize(
        v, p.hidden_multiplier, p.hidden_shift, p.h_zp, -128, 127));
  };
  for (int32_t d = 0; d < D; ++d) {
    const int8_t *wd = w + d * H * I, *rd = r + d * H * H;
    const int32_t *wb = b ? b + d * 2 * H : nullptr;
    const int32_t *rb = b ? b + d * 2 * H + H : nullptr;
    for (int32_t bi = 0; bi < B; ++bi)
      for (int32_t j = 0; j < H; ++j)
        h[bi * H + j] =
            initial_h ? detail::toGate(
                            initial_h[at.state(d, bi) + j] - p.h_zp,
                            p.state_multiplier, p.state_shift)
                      : int16_t(0);
    const bool backwards = detail::runsBackwards(p.direction, d);
    for (int32_t step = 0; step < p.seq_len; ++step) {
      const int32_t t = backwards ? p.seq_len - 1 - step : step;
      for (int32_t bi = 0; bi < B; ++bi) {
        const int8_t *xt = x + at.x(t, bi);
        int16_t *hb = h + bi * H;
        for (int32_t row = 0; row < H; ++row)
          gates[row] = detail::saturate16(
              detail::toGate(detail::dotS8(I, xt, -p.x_zp, wd + row * I,
                                           wb ? wb[row] : 0),
                             w_multiplier[row], w_shift[row]) +
              detail::toGate(
                  detail::dotS16S8(H, hb, rd + row * H, rb ? rb[row] : 0),
                  r_multiplier[row], r_shift[row]));
        if (p.activation == TEMPO_RNN_ACT_SIGMOID)
          sigmoid_q15(act, gates, sigmoid_table, hb);
        else
          tanh_q15(act, gates, tanh_table, hb);
        if (y) {
          int8_t *yt = y + at.y(t, d, bi);
          for (int32_t j = 0; j < H; ++j)
            yt[j] = toInt8(hb[j]);
        }
      }
    }
    if (y_h)
      for (int32_t bi = 0; bi < B; ++bi)
        for (int32_t j = 0; j < H; ++j)
          y_h[at.state(d, bi) + j] = toInt8(h[bi * H + j]);
  }
}

} // namespace tempo

//===----------------------------------------------------------------------===//
// Compiler-side helpers. Only tempoc (and the tests) call these: they use
// double and libm, and run on the host while the compiler fills the
// parameter structs and tables above. The firmware never calls them.
//===----------------------------------------------------------------------===//

/// real ~= multiplier * 2^(shift - 31), multiplier in [2^30, 2^31), as
/// TFLite's QuantizeMultiplier: frexp, then round(q * 2^31) half away from
/// zero (renormalised if it rounds up to 2^31). real == 0, and reals below
/// 2^-32 (where every product would round to 0), give (0, 0). Returns 0, or
/// -1 (outputs (0, 0)) for a negative, NaN or infinite real or one >= 2^30
/// (shift would exceed 30).
static inline int tempo_quantize_multiplier(double real, int32_t *multiplier,
                                            int32_t *shift) {
  *multiplier = 0;
  *shift = 0;
  if (!(real >= 0.0) || real > 1e300)
    return -1;
  if (real == 0.0)
    return 0;
  int exponent = 0;
  const double q = frexp(real, &exponent);
  long long qf = static_cast<long long>(round(q * 2147483648.0));
  if (qf == (1LL << 31)) {
    qf /= 2;
    ++exponent;
  }
  if (exponent < -31)
    return 0;
  if (exponent > 30)
    return -1;
  *multiplier = static_cast<int32_t>(qf);
  *shift = exponent;
  return 0;
}

/// The multiplier of `real` at a given shift (the compact conv / fully
/// connected tables share one shift per layer): multiplier =
/// round(real * 2^(31 - shift)), half away from zero, so real ~=
/// multiplier * 2^(shift - 31) as with tempo_quantize_multiplier. Returns 0,
/// or -1 (multiplier 0) for a negative, NaN or infinite real or one whose
/// multiplier would not fit below 2^31.
static inline int tempo_quantize_multiplier_at_shift(double real,
                                                     int32_t shift,
                                                     int32_t *multiplier) {
  *multiplier = 0;
  if (!(real >= 0.0) || real > 1e300)
    return -1;
  const double m = round(ldexp(real, 31 - shift));
  if (!(m < 2147483648.0))
    return -1;
  *multiplier = static_cast<int32_t>(m);
  return 0;
}

/// round(real / scale) + zp (half away from zero) clamped to [lo, hi]: how
/// the compiler quantizes constants and activation bounds.
static inline int32_t tempo_quantize_value(double real, double scale,
                                           int32_t zp, int32_t lo, int32_t hi) {
  double v = round(real / scale) + zp;
  if (!(v >= lo))
    return v != v ? zp : lo;
  return v > hi ? hi : static_cast<int32_t>(v);
}

/// The table of lut_s8 for y = f(x): lut[j] = quantize(f((j - 128 - in_zp)
/// * in_scale)) with out_scale / out_zp, rounding half away from zero,
/// clamped to [-128, 127]. ctx is passed through to f.
static inline void tempo_build_lut_s8(double in_scale, int32_t in_zp,
                                      double out_scale, int32_t out_zp,
                                      double (*f)(double, void *), void *ctx,
                                      int8_t lut[256]) {
  for (int32_t j = 0; j < 256; ++j) {
    const double real = f((j - 128 - in_zp) * in_scale, ctx);
    lut[j] = static_cast<int8_t>(
        tempo_quantize_value(real, out_scale, out_zp, -128, 127));
  }
}

/// The scaling fields of tempo_qsoftmax_params_t for input scale in_scale and
/// beta, as TFLite's PreprocessSoftmaxScaling(beta, in_scale, 5, ...) and
/// diff_min = -CalculateInputRadius(5, left_shift): the real multiplier
/// m = min(beta * in_scale * 2^26, 2^31 - 1) (Q5.26 per input step) becomes
/// multiplier * 2^(left_shift - 31) by frexp and round half away from zero,
/// and diff_min = -floor(31 * 2^26 / 2^left_shift), the most negative
/// difference d with |d| * 2^left_shift <= 31 * 2^26 (the shift stays in
/// int32, the scaled value at or above -31). Returns 0, or -1 (outputs
/// zeroed) if m is not above 1 (beta * in_scale <= 2^-26), NaN or infinite.
static inline int tempo_softmax_s8_scaling(double in_scale, double beta,
                                           int32_t *multiplier,
                                           int32_t *left_shift,
                                           int32_t *diff_min) {
  *multiplier = 0;
  *left_shift = 0;
  *diff_min = 0;
  double real = beta * in_scale * 67108864.0; // 2^26
  if (!(real > 1.0) || real > 1e300)
    return -1;
  real = real < 2147483647.0 ? real : 2147483647.0;
  int exponent = 0;
  const double q = frexp(real, &exponent);
  long long qf = static_cast<long long>(round(q * 2147483648.0));
  if (qf == (1LL << 31)) {
    qf /= 2;
    ++exponent;
  }
  *multiplier = static_cast<int32_t>(qf);
  *left_shift = exponent;
  *diff_min = -static_cast<int32_t>(
      floor(31.0 * 67108864.0 / static_cast<double>(1LL << exponent)));
  return 0;
}

/// The table of sigmoid_q15: table[k] = round(65536 * sigmoid(k / 64)),
/// k in [0, 512] (all below 65536).
static inline void
tempo_build_sigmoid_q15_table(uint16_t table[TEMPO_SIGMOID_Q15_TABLE_SIZE]) {
  for (int32_t k = 0; k < TEMPO_SIGMOID_Q15_TABLE_SIZE; ++k)
    table[k] = static_cast<uint16_t>(
        round(65536.0 / (1.0 + exp(-static_cast<double>(k) / 64.0))));
}

/// The table of tanh_q15: table[k] = min(65535, round(65536 * tanh(k /
/// 128))), k in [0, 1024].
static inline void
tempo_build_tanh_q15_table(uint16_t table[TEMPO_TANH_Q15_TABLE_SIZE]) {
  for (int32_t k = 0; k < TEMPO_TANH_Q15_TABLE_SIZE; ++k) {
    const double v = round(65536.0 * tanh(static_cast<double>(k) / 128.0));
    table[k] = static_cast<uint16_t>(v > 65535.0 ? 65535.0 : v);
  }
}

/// Fills the requantization fields of an int8 Add/Sub (TFLite's recipe):
/// left_shift = 20, twice = 2 * max(a_scale, b_scale), a_* = a_scale /
/// twice, b_* = b_scale / twice, out_* = twice / (2^20 * out_scale). Zero
/// points and act_min/act_max are the caller's. Returns 0 or -1.
static inline int tempo_qbinary_add_setup(double a_scale, double b_scale,
                                          double out_scale,
                                          tempo_qbinary_params_t *p) {
  const double twice = 2.0 * (a_scale > b_scale ? a_scale : b_scale);
  p->left_shift = 20;
  int rc = tempo_quantize_multiplier(a_scale / twice, &p->a_multiplier,
                                     &p->a_shift);
  rc |= tempo_quantize_multiplier(b_scale / twice, &p->b_multiplier,
                                  &p->b_shift);
  rc |= tempo_quantize_multiplier(twice / (1048576.0 * out_scale),
                                  &p->out_multiplier, &p->out_shift);
  return rc;
}

/// Fills the requantization fields of an int8 Mul: out_* = a_scale *
/// b_scale / out_scale. Returns 0 or -1.
static inline int tempo_qbinary_mul_setup(double a_scale, double b_scale,
                                          double out_scale,
                                          tempo_qbinary_params_t *p) {
  p->left_shift = 0;
  p->a_multiplier = p->a_shift = p->b_multiplier = p->b_shift = 0;
  return tempo_quantize_multiplier(a_scale * b_scale / out_scale,
                                   &p->out_multiplier, &p->out_shift);
}

#endif /* TEMPO_QUANT_H */
