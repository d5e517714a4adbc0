/*===- tempo/kernels.h - Float and integer kernels --------------*- C++ -*-===*
 *
 * Part of the Tempo runtime. Header-only C++17 kernels shared by the
 * firmware (tempoc's generated NAME.cpp calls them) and by the compiler's
 * reference evaluator, so the two compute the same numbers from the same
 * source. Semantics are ONNX opset 17's.
 *
 * Rules every kernel here follows:
 *  - Embedded subset: no heap, no exceptions, no RTTI, no static data, no C++
 *    standard library headers (the arm-none-eabi toolchain may ship none);
 *    only <math.h>, <string.h>, <stdint.h>, <limits.h>, <float.h>.
 *  - Parameters come from a const struct of tempo/params.h computed by the
 *    compiler. Kernels do not validate them: the compiler guarantees that the
 *    extents are consistent (e.g. out_h matches the pads and strides) and that
 *    every buffer holds the elements the layout implies. No kernel needs
 *    scratch memory.
 *  - All tensors are dense, row-major (NCHW for convolutions and pools).
 *  - Aliasing: the unary and binary elementwise kernels (relu, sigmoid, tanh,
 *    leaky_relu, clip, add, sub, mul, div), batch_norm, channel_affine and
 *    softmax allow the output to alias an input
 *    exactly (same pointer, same full-size layout). Every other kernel assumes
 *    the output overlaps no input; `copy` alone has memmove semantics.
 *  - Determinism: float sums accumulate in the element type, starting from
 *    +0, in the order each kernel documents; every product is rounded before
 *    it is added when the code is built with -ffp-contract=off (see below), so a
 *    Cortex-M4F build and an x86 build of the same kernel then produce the
 *    same bits (with the FPU in its default IEEE mode, not flush-to-zero).
 *    Exceptions: sigmoid, tanh and softmax call the platform's libm
 *    (expf, tanhf), which may differ in the last bit between newlib and
 *    glibc. Builds with -ffast-math (or clang's -ffp-contract=fast) void all
 *    of this.
 *  - Element types: float (and double) everywhere. The kernels marked
 *    "any type" also take the integer types (uint8_t, int8_t, int16_t,
 *    int32_t, int64_t, ...). Integer add/sub/mul wrap modulo 2^bits like
 *    numpy; they never hit C++ signed-overflow UB. The float-only kernels
 *    reject integer types at compile time.
 *  - NaN: relu, leaky_relu, clip, max_pool and the arithmetic propagate a
 *    NaN input to the outputs it reaches (numpy semantics).
 *
 *===----------------------------------------------------------------------===*/
#ifndef TEMPO_KERNELS_H
#define TEMPO_KERNELS_H

#ifndef __cplusplus
#error "tempo/kernels.h is C++17; include it from the generated NAME.cpp"
#endif

#include "tempo/params.h"
#include "tempo/status.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

// Floating-point contraction. Where the target has an FMA instruction
// (Cortex-M4F and up, x86 with -mfma), GCC fuses a * b + c into one FMA by
// default in C++ and Clang does within an expression; an FMA rounds once
// instead of twice. The kernels do not forbid it: on the MCU the fused form
// is faster, and forcing it off per function (GCC's optimize attribute)
// would stop GCC from inlining the kernels into the generated code, which is
// what specialises them on the compile-time-constant params. Build with
// -ffp-contract=off where bit-for-bit agreement with `tempoc run` matters
// (the tests do); otherwise expect differences in the last bits.

/// The heavy kernels (conv, gemm, matmul) are forced inline into the
/// generated code whenever it is optimised, so each call is specialised on
/// its constexpr parameters: loop bounds and strides become constants. On
/// the HAR example this is both faster and smaller than shared code (M4F
/// -Os: 3.04M -> 1.59M instructions, model flash 27174 -> 27058 bytes).
/// A model with many conv layers may prefer shared code for flash: build
/// with -DTEMPO_KERNEL=inline.
#ifndef TEMPO_KERNEL
#if defined(__OPTIMIZE__)
#define TEMPO_KERNEL inline __attribute__((always_inline))
#else
#define TEMPO_KERNEL inline
#endif
#endif

namespace tempo {
namespace detail {

//===----------------------------------------------------------------------===//
// Element-type traits (a tiny stand-in for <type_traits>/<limits>)
//===----------------------------------------------------------------------===//

/// Facts about an element type. Only the specialisations below exist, so an
/// unsupported type fails to compile. `Wrap` is the type integer arithmetic
/// is done in: unsigned and at least as wide as `unsigned int`, so it wraps
/// instead of overflowing (and no uint16_t * uint16_t promotes to `int`).
template <typename T> struct Traits;

template <typename T, typename W> struct FloatTraits {
  static constexpr bool isFloat = true;
  static constexpr bool isSigned = true;
  using Wrap = W;
};
template <> struct Traits<float> : FloatTraits<float, float> {
  static constexpr float lowest = -FLT_MAX;
  static constexpr float highest = FLT_MAX;
};
template <> struct Traits<double> : FloatTraits<double, double> {
  static constexpr double lowest = -DBL_MAX;
  static constexpr double highest = DBL_MAX;
};

/// uint32_t, or uint64_t for integer types wider than 4 bytes.
template <bool Wide> struct WrapOf { using type = uint32_t; };
template <> struct WrapOf<true> { using type = uint64_t; };

template <typename T, T Lo, T Hi> struct IntTraits {
  static constexpr bool isFloat = false;
  static constexpr bool isSigned = Lo != 0;
  static constexpr T lowest = Lo;
  static constexpr T highest = Hi;
  using Wrap = typename WrapOf<(sizeof(T) > 4)>::type;
};
// Specialised on the fundamental types, so every <stdint.h> typedef maps to
// exactly one of them on every target (int32_t is `long` on arm-none-eabi).
template <>
struct Traits<signed char> : IntTraits<signed char, SCHAR_MIN, SCHAR_MAX> {};
template <>
struct Traits<unsigned char> : IntTraits<unsigned char, 0, UCHAR_MAX> {};
template <> struct Traits<short> : IntTraits<short, SHRT_MIN, SHRT_MAX> {};
template <>
struct Traits<unsigned short> : IntTraits<unsigned short, 0, USHRT_MAX> {};
template <> struct Traits<int> : IntTraits<int, INT_MIN, INT_MAX> {};
template <>
struct Traits<unsigned int> : IntTraits<unsigned int, 0u, UINT_MAX> {};
template <> struct Traits<long> : IntTraits<long, LONG_MIN, LONG_MAX> {};
template <>
struct Traits<unsigned long> : IntTraits<unsigned long, 0ul, ULONG_MAX> {};
// LLONG_MAX is missing from newlib's <limits.h> in strict C++ mode.
static_assert(sizeof(long long) == 8, "long long is 64 bits");
template <>
struct Traits<long long>
    : IntTraits<long long, -0x7fffffffffffffffLL - 1, 0x7fffffffffffffffLL> {};
template <>
struct Traits<unsigned long long> : IntTraits<unsigned long long, 0ull, ~0ull> {
};

//===----------------------------------------------------------------------===//
// Scalar helpers
//===----------------------------------------------------------------------===//

/// True for a float NaN; always false for integers.
inline bool isNaN(float v) { return v != v; }
inline bool isNaN(double v) { return v != v; }
template <typename T> bool isNaN(T) { return false; }

/// True if v < 0. Written without comparing an unsigned value with zero, which
/// -Wextra (-Wtype-limits) rejects.
template <bool Signed> struct Sign {
  template <typename T> static bool negative(T v) { return v < T(0); }
};
template <> struct Sign<false> {
  template <typename T> static bool negative(T) { return false; }
};
template <typename T> bool isNegative(T v) {
  return Sign<Traits<T>::isSigned>::negative(v);
}

/// Precision-matched libm calls (expf for float, exp for double).
inline float expOf(float v) { return ::expf(v); }
inline double expOf(double v) { return ::exp(v); }
inline float tanhOf(float v) { return ::tanhf(v); }
inline double tanhOf(double v) { return ::tanh(v); }
inline float sqrtOf(float v) { return ::sqrtf(v); }
inline double sqrtOf(double v) { return ::sqrt(v); }

/// Converts a double bound (Clip's lo/hi) to T. Floats convert with IEEE
/// rounding. Integers truncate toward zero and saturate to T's range, so
/// +-infinity or +-DBL_MAX mean "no bound"; NaN becomes 0.
template <typename T> T fromDouble(double v) {
  if constexpr (Traits<T>::isFloat) {
    return static_cast<T>(v);
  } else {
    if (v != v)
      return T(0);
    if (v <= static_cast<double>(Traits<T>::lowest))
      return Traits<T>::lowest;
    // For 64-bit T, highest rounds up to 2^63 (2^64) as a double, so every
    // double below it converts without overflow.
    if (v >= static_cast<double>(Traits<T>::highest))
      return Traits<T>::highest;
    return static_cast<T>(v);
  }
}

/// Kernel taps t in [0, k) whose input position start + t * dil lies in
/// [0, n) form the range [lo, hi) (empty when lo == hi). This is how the conv
/// and pool loops skip padding without testing every tap.
inline void tapRange(int32_t start, int32_t dil, int32_t k, int32_t n,
                     int32_t &lo, int32_t &hi) {
  lo = start >= 0 ? 0 : (-start + dil - 1) / dil;
  hi = start >= n ? 0 : (n - 1 - start) / dil + 1;
  if (hi > k)
    hi = k;
  if (lo > hi)
    lo = hi;
}

/// Running mean for the average pools: float types sum in T; integer types
/// sum in 64 bits (wrapping only for 64-bit inputs) and divide truncating
/// toward zero. An empty window (count 0) yields 0.
template <typename T, bool Float = Traits<T>::isFloat> struct Mean {
  T sum = T(0);
  void add(T v) { sum += v; }
  T result(int32_t count) const {
    return count > 0 ? sum / static_cast<T>(count) : T(0);
  }
};
template <typename T> struct Mean<T, false> {
  uint64_t sum = 0;
  void add(T v) { sum += static_cast<uint64_t>(static_cast<int64_t>(v)); }
  T result(int32_t count) const {
    return count > 0 ? static_cast<T>(static_cast<int64_t>(sum) / count) : T(0);
  }
};

/// sum_{l = 0 .. k-1} a[a0 + l * as] * b[b0 + l * bs], accumulated in T from
/// +0 in ascending l. (Offsets rather than offset pointers, so k == 0 with
/// empty, possibly null, operands does no pointer arithmetic at all.)
template <typename T>
T dot(int32_t k, const T *a, int32_t a0, int32_t as, const T *b, int32_t b0,
      int32_t bs) {
  T acc = T(0);
  for (int32_t l = 0; l < k; ++l)
    acc += a[a0 + l * as] * b[b0 + l * bs];
  return acc;
}

/// True if `strides` are the dense row-major strides of `dims` (strides of
/// size-1 dimensions are ignored: they never move).
inline bool isDense(int32_t rank, const int32_t *dims, const int32_t *strides) {
  int32_t expected = 1;
  for (int32_t d = rank - 1; d >= 0; --d) {
    if (dims[d] != 1 && strides[d] != expected)
      return false;
    expected *= dims[d];
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Elementwise operations
//===----------------------------------------------------------------------===//

/// Binary operations. Integer results are computed in Traits<T>::Wrap and
/// converted back, i.e. modulo 2^bits (the conversion of an out-of-range
/// value to a signed type is modular on every compiler Tempo supports).
struct AddOp {
  template <typename T> static T apply(T a, T b) {
    using W = typename Traits<T>::Wrap;
    return static_cast<T>(static_cast<W>(a) + static_cast<W>(b));
  }
};
struct SubOp {
  template <typename T> static T apply(T a, T b) {
    using W = typename Traits<T>::Wrap;
    return static_cast<T>(static_cast<W>(a) - static_cast<W>(b));
  }
};
struct MulOp {
  template <typename T> static T apply(T a, T b) {
    using W = typename Traits<T>::Wrap;
    return static_cast<T>(static_cast<W>(a) * static_cast<W>(b));
  }
};
/// Float: IEEE division. Integer: truncates toward zero like C; x / 0 is 0;
/// lowest / -1 wraps to lowest.
struct DivOp {
  template <typename T> static T apply(T a, T b) {
    if constexpr (Traits<T>::isFloat) {
      return a / b;
    } else {
      if (b == T(0))
        return T(0);
      if constexpr (Traits<T>::isSigned) {
        using W = typename Traits<T>::Wrap;
        if (b == T(-1))
          return static_cast<T>(W(0) - static_cast<W>(a));
      }
      return static_cast<T>(a / b);
    }
  }
};

/// y[i] = f(x[i]) for i ascending; y may alias x exactly (each element is
/// read before it is written, and never read again).
template <typename T, typename F>
void mapUnary(int32_t size, const T *x, T *y, const F &f) {
  for (int32_t i = 0; i < size; ++i)
    y[i] = f(x[i]);
}

/// The broadcasting loop shared by add/sub/mul/div.
/// The activation fused into a kernel (tempo_activation_params_t), applied
/// to one value before it is stored. Integer element types pass through.
template <typename T>
inline T activate(const tempo_activation_params_t &a, T v) {
  if constexpr (!Traits<T>::isFloat) {
    return v;
  } else {
    switch (a.kind) {
    case TEMPO_ACT_RELU:
      return v < T(0) ? T(0) : v;
    case TEMPO_ACT_CLIP:
      return v < T(a.lo) ? T(a.lo) : (v > T(a.hi) ? T(a.hi) : v);
    case TEMPO_ACT_LEAKY_RELU:
      return v < T(0) ? T(a.alpha) * v : v;
    case TEMPO_ACT_SIGMOID:
      return T(1) / (T(1) + expOf(-v));
    case TEMPO_ACT_TANH:
      return tanhOf(v);
    case TEMPO_ACT_HARD_SIGMOID: {
      T h = T(a.alpha) * v + T(a.beta);
      return h < T(0) ? T(0) : (h > T(1) ? T(1) : h);
    }
    case TEMPO_ACT_HARD_SWISH: {
      // The standalone kernel's rounding (ops.h): times 1/6, not over 6.
      T h = v * (T(1) / T(6)) + T(0.5);
      return v * (h < T(0) ? T(0) : (h > T(1) ? T(1) : h));
    }
    default:
      return v;
    }
  }
}

template <typename Op, typename T>
void broadcast(const tempo_broadcast_params_t &p, const T *a, const T *b,
               T *y) {
  const int32_t rank = p.rank;
  // Fast path: both operands have the output's shape.
  if (isDense(rank, p.out_dims, p.a_strides) &&
      isDense(rank, p.out_dims, p.b_strides)) {
    if (p.act.kind == TEMPO_ACT_NONE)
      for (int32_t i = 0; i < p.size; ++i)
        y[i] = Op::apply(a[i], b[i]);
    else
      for (int32_t i = 0; i < p.size; ++i)
        y[i] = activate(p.act, Op::apply(a[i], b[i]));
    return;
  }
  // General path: an explicit loop over the innermost dimension, and an
  // odometer over the outer ones that keeps both operand offsets in step.
  const int32_t inner = p.out_dims[rank - 1];
  const int32_t as = p.a_strides[rank - 1], bs = p.b_strides[rank - 1];
  int32_t idx[TEMPO_MAX_RANK] = {0};
  int32_t aOff = 0, bOff = 0;
  for (int32_t base = 0; base < p.size; base += inner) {
    if (p.act.kind == TEMPO_ACT_NONE)
      for (int32_t j = 0; j < inner; ++j)
        y[base + j] = Op::apply(a[aOff + j * as], b[bOff + j * bs]);
    else
      for (int32_t j = 0; j < inner; ++j)
        y[base + j] =
            activate(p.act, Op::apply(a[aOff + j * as], b[bOff + j * bs]));
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

} // namespace detail

//===----------------------------------------------------------------------===//
// Convolution and pooling (NCHW; 1-D ops use h == 1; pools also NCDHW)
//===----------------------------------------------------------------------===//

/// Conv (float only). x is [batch, in_c, in_h, in_w], w is
/// [out_c, in_c / groups, k_h, k_w], b is [out_c] (read only if has_bias; may
/// be null otherwise), y is [batch, out_c, out_h, out_w]. Output channel oc
/// belongs to group g = oc / (out_c / groups) and reads input channels
/// [g * in_c / groups, (g + 1) * in_c / groups). Input position of tap
/// (kh, kw) for output (oh, ow) is (oh * stride_h - pad_top + kh * dil_h,
/// ow * stride_w - pad_left + kw * dil_w); positions outside the input are
/// zero padding (this covers bottom/right pads, implied by out_h/out_w) and
/// are skipped, which equals adding their +0 * w terms for finite w.
///
/// Order: acc = +0; for each input channel of the group, ascending; for kh
/// ascending; for kw ascending: acc += x * w; then y = acc + b[oc].
/// Aliasing: y must not overlap x, w or b.
namespace detail {
/// One conv output (before activation): the sum over input channels, then
/// kh, then kw, of input * weight, plus the bias last. Taps that fall in
/// the padding are skipped.
template <typename T>
TEMPO_KERNEL T convAt(const tempo_conv_params_t &p, const T *x, const T *w,
                const T *b, int32_t n, int32_t oc, int32_t oh, int32_t ow) {
  const int32_t icPerGroup = p.in_c / p.groups;
  const int32_t ocPerGroup = p.out_c / p.groups;
  const int32_t inPlane = p.in_h * p.in_w;
  const int32_t kPlane = p.k_h * p.k_w;
  const T *xg = x + (n * p.in_c + (oc / ocPerGroup) * icPerGroup) * inPlane;
  const T *wo = w + oc * icPerGroup * kPlane;
  const int32_t ih0 = oh * p.stride_h - p.pad_top;
  const int32_t iw0 = ow * p.stride_w - p.pad_left;
  int32_t khLo, khHi, kwLo, kwHi;
  tapRange(ih0, p.dil_h, p.k_h, p.in_h, khLo, khHi);
  tapRange(iw0, p.dil_w, p.k_w, p.in_w, kwLo, kwHi);
  T acc = T(0);
  for (int32_t ic = 0; ic < icPerGroup; ++ic) {
    const T *xc = xg + ic * inPlane;
    const T *wc = wo + ic * kPlane;
    for (int32_t kh = khLo; kh < khHi; ++kh) {
      // Index of tap kw = 0 in this row (may be negative; only taps in
      // [kwLo, kwHi) are read).
      const T *xr = xc + (ih0 + kh * p.dil_h) * p.in_w + iw0;
      const T *wr = wc + kh * p.k_w;
      for (int32_t kw = kwLo; kw < kwHi; ++kw)
        acc += xr[kw * p.dil_w] * wr[kw];
    }
  }
  if (p.has_bias)
    acc += b[oc];
  return acc;
}
} // namespace detail

namespace detail {
/// Conv outputs ow0 .. ow0+count-1 (count <= 4) of row oh, before the
/// activation, into out[]. Where the four windows lie inside the input
/// row, they are computed together (each weight loaded once for four
/// MACs); the accumulation order is convAt's either way, so the results
/// are the same bits.
template <typename T>
TEMPO_KERNEL void convOutputs(const tempo_conv_params_t &p, const T *x, const T *w,
                        const T *b, int32_t n, int32_t oc, int32_t oh,
                        int32_t ow0, int32_t count, T *out) {
  const int32_t sw = p.stride_w;
  const int32_t iwFirst = ow0 * sw - p.pad_left;
  const int32_t iwLast = (ow0 + 3) * sw - p.pad_left + (p.k_w - 1) * p.dil_w;
  if (count != 4 || iwFirst < 0 || iwLast >= p.in_w) {
    for (int32_t j = 0; j < count; ++j)
      out[j] = convAt(p, x, w, b, n, oc, oh, ow0 + j);
    return;
  }
  const int32_t icPerGroup = p.in_c / p.groups;
  const int32_t ocPerGroup = p.out_c / p.groups;
  const int32_t inPlane = p.in_h * p.in_w;
  const int32_t kPlane = p.k_h * p.k_w;
  const T *xg = x + (n * p.in_c + (oc / ocPerGroup) * icPerGroup) * inPlane;
  const T *wo = w + oc * icPerGroup * kPlane;
  const int32_t ih0 = oh * p.stride_h - p.pad_top;
  int32_t khLo, khHi;
  tapRange(ih0, p.dil_h, p.k_h, p.in_h, khLo, khHi);
  T a0 = T(0), a1 = T(0), a2 = T(0), a3 = T(0);
  for (int32_t ic = 0; ic < icPerGroup; ++ic) {
    const T *xc = xg + ic * inPlane;
    const T *wc = wo + ic * kPlane;
    for (int32_t kh = khLo; kh < khHi; ++kh) {
      const T *xr = xc + (ih0 + kh * p.dil_h) * p.in_w + iwFirst;
      const T *wr = wc + kh * p.k_w;
      for (int32_t kw = 0; kw < p.k_w; ++kw) {
        const T wv = wr[kw];
        const T *xp = xr + kw * p.dil_w;
        a0 += xp[0] * wv;
        a1 += xp[sw] * wv;
        a2 += xp[2 * sw] * wv;
        a3 += xp[3 * sw] * wv;
      }
    }
  }
  if (p.has_bias) {
    const T bias = b[oc];
    a0 += bias;
    a1 += bias;
    a2 += bias;
    a3 += bias;
  }
  out[0] = a0;
  out[1] = a1;
  out[2] = a2;
  out[3] = a3;
}
} // namespace detail

namespace detail {
/// Most input channels an in-place pointwise conv may have (its per-position
/// temporary lives on the stack). The memory planner checks the same limit.
constexpr int32_t kInPlacePointwiseMaxChannels = 64;
/// Largest kernel an in-place 1-D depthwise conv may have.
constexpr int32_t kInPlaceDepthwiseMaxKernel = 16;

/// Pointwise (1x1, stride 1, unpadded, one group, batch 1) conv writing over
/// its own input (y == x, out_c <= in_c): each position's input channels are
/// copied to a stack temporary before that position's outputs are written.
/// Same accumulation order as convAt.
template <typename T>
inline void convPointwiseInPlace(const tempo_conv_params_t &p, T *xy,
                                 const T *w, const T *b) {
  const int32_t plane = p.in_h * p.in_w;
  T t[kInPlacePointwiseMaxChannels];
  for (int32_t pos = 0; pos < plane; ++pos) {
    for (int32_t ic = 0; ic < p.in_c; ++ic)
      t[ic] = xy[ic * plane + pos];
    for (int32_t oc = 0; oc < p.out_c; ++oc) {
      T acc = T(0);
      for (int32_t ic = 0; ic < p.in_c; ++ic)
        acc += t[ic] * w[oc * p.in_c + ic];
      if (p.has_bias)
        acc += b[oc];
      xy[oc * plane + pos] = activate(p.act, acc);
    }
  }
}

/// 1-D depthwise conv (one channel per group, stride 1, dilation 1, output
/// as wide as the input, batch 1) writing over its own input: a window of
/// the channel's original values slides ahead of the writes. Same taps and
/// order as convAt.
template <typename T>
inline void convDepthwiseInPlace(const tempo_conv_params_t &p, T *xy,
                                 const T *w, const T *b) {
  const int32_t n = p.in_w, k = p.k_w, pl = p.pad_left;
  T win[kInPlaceDepthwiseMaxKernel];
  for (int32_t c = 0; c < p.in_c; ++c) {
    T *row = xy + c * n;
    // win[j] holds the original value at position w - pl + j.
    for (int32_t j = 0; j < k; ++j) {
      const int32_t at = j - pl;
      win[j] = at >= 0 && at < n ? row[at] : T(0);
    }
    for (int32_t ow = 0; ow < n; ++ow) {
      T acc = T(0);
      for (int32_t j = 0; j < k; ++j) {
        const int32_t at = ow - pl + j;
        if (at >= 0 && at < n)
          acc += win[j] * w[c * k + j];
      }
      if (p.has_bias)
        acc += b[c];
      // Slide before overwriting: the next window's last value is still an
      // original input (it lies at or beyond ow + 1).
      for (int32_t j = 0; j + 1 < k; ++j)
        win[j] = win[j + 1];
      const int32_t next = ow + 1 - pl + k - 1;
      win[k - 1] = next >= 0 && next < n ? row[next] : T(0);
      row[ow] = activate(p.act, acc);
    }
  }
}
} // namespace detail

/// Convolution (float), NCHW / OIHW, optional bias, then the fused
/// activation, then the fused pooling if any (p.pool). y may alias x only
/// for the in-place shapes above (pointwise, 1-D depthwise). Each pooled output
/// reduces its pool_h x pool_w window of activated conv outputs (max, or
/// the mean summed in window order, row by row), so the unpooled tensor is
/// never stored; the pooled output row itself holds the running values.
template <typename T>
TEMPO_KERNEL void conv(const tempo_conv_params_t &p, const T *x, const T *w, const T *b,
          T *y) {
  static_assert(detail::Traits<T>::isFloat, "conv is float-only");
  // In place (the memory planner gave y the input's buffer): only the
  // pointwise and 1-D depthwise shapes the planner allows.
  if (static_cast<const void *>(x) == static_cast<const void *>(y)) {
    if (p.groups == 1 && p.k_h == 1 && p.k_w == 1)
      detail::convPointwiseInPlace(p, y, w, b);
    else
      detail::convDepthwiseInPlace(p, y, w, b);
    return;
  }
  T v[4];
  for (int32_t n = 0; n < p.batch; ++n) {
    for (int32_t oc = 0; oc < p.out_c; ++oc) {
      if (p.pool == TEMPO_POOL_NONE) {
        T *yo = y + (n * p.out_c + oc) * p.out_h * p.out_w;
        for (int32_t oh = 0; oh < p.out_h; ++oh)
          for (int32_t ow = 0; ow < p.out_w; ow += 4) {
            const int32_t count = p.out_w - ow < 4 ? p.out_w - ow : 4;
            detail::convOutputs(p, x, w, b, n, oc, oh, ow, count, v);
            for (int32_t j = 0; j < count; ++j)
              yo[oh * p.out_w + ow + j] = detail::activate(p.act, v[j]);
          }
        continue;
      }
      T *yo = y + (n * p.out_c + oc) * p.pooled_h * p.pooled_w;
      const int32_t width = p.pooled_w * p.pool_w; // conv columns pooled
      for (int32_t ph = 0; ph < p.pooled_h; ++ph) {
        T *row = yo + ph * p.pooled_w;
        for (int32_t dh = 0; dh < p.pool_h; ++dh) {
          const int32_t oh = ph * p.pool_h + dh;
          for (int32_t ow = 0; ow < width; ow += 4) {
            const int32_t count = width - ow < 4 ? width - ow : 4;
            detail::convOutputs(p, x, w, b, n, oc, oh, ow, count, v);
            for (int32_t j = 0; j < count; ++j) {
              const T a = detail::activate(p.act, v[j]);
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
          const T count = static_cast<T>(p.pool_h * p.pool_w);
          for (int32_t pw = 0; pw < p.pooled_w; ++pw)
            row[pw] = row[pw] / count;
        }
      }
    }
  }
}

namespace detail {
/// A depth field of a params struct: 0 (a struct initialised without the
/// 3-D fields) reads as 1, one plane.
inline int32_t depthOr1(int32_t v) { return v > 0 ? v : 1; }

/// The depth geometry of a pool. Deep = false is the 1-D / 2-D pool: every
/// field a constant, so the depth loops compile away and those pools run
/// the loops they ran before the depth fields existed.
template <bool Deep> struct PoolDepth {
  int32_t in, out, k, stride, dil, front, back;
  explicit PoolDepth(const tempo_pool_params_t &p)
      : in(depthOr1(p.in_d)), out(depthOr1(p.out_d)), k(depthOr1(p.k_d)),
        stride(depthOr1(p.stride_d)), dil(depthOr1(p.dil_d)),
        front(p.pad_front), back(p.pad_back) {}
};
template <> struct PoolDepth<false> {
  static constexpr int32_t in = 1, out = 1, k = 1, stride = 1, dil = 1,
                           front = 0, back = 0;
  explicit PoolDepth(const tempo_pool_params_t &) {}
};

/// True if the pool has a depth axis worth looping over.
inline bool poolIsDeep(const tempo_pool_params_t &p) {
  return depthOr1(p.in_d) != 1 || depthOr1(p.out_d) != 1 ||
         depthOr1(p.k_d) != 1 || p.pad_front != 0;
}

/// MaxPool, and with WithIndices the flattened index of each maximum (see
/// max_pool_with_indices; y may then be null). Without indices the index
/// bookkeeping compiles away.
template <typename T, bool WithIndices, bool Deep>
void maxPool(const tempo_pool_params_t &p, const T *x, T *y,
             int64_t *indices) {
  const PoolDepth<Deep> dp(p);
  const int32_t inPlane = p.in_h * p.in_w, inVolume = dp.in * inPlane;
  const int32_t outPlane = p.out_h * p.out_w;
  for (int32_t nc = 0; nc < p.batch * p.channels; ++nc) {
    const T *xc = x + nc * inVolume;
    for (int32_t od = 0; od < dp.out; ++od) {
      const int32_t id0 = od * dp.stride - dp.front;
      int32_t kdLo, kdHi;
      tapRange(id0, dp.dil, dp.k, dp.in, kdLo, kdHi);
      const int32_t yBase = (nc * dp.out + od) * outPlane;
      for (int32_t oh = 0; oh < p.out_h; ++oh) {
        const int32_t ih0 = oh * p.stride_h - p.pad_top;
        int32_t khLo, khHi;
        tapRange(ih0, p.dil_h, p.k_h, p.in_h, khLo, khHi);
        for (int32_t ow = 0; ow < p.out_w; ++ow) {
          const int32_t iw0 = ow * p.stride_w - p.pad_left;
          int32_t kwLo, kwHi;
          tapRange(iw0, p.dil_w, p.k_w, p.in_w, kwLo, kwHi);
          const int32_t at = yBase + oh * p.out_w + ow;
          if (kdLo == kdHi || khLo == khHi || kwLo == kwHi) {
            if (!WithIndices || y)
              y[at] = Traits<T>::lowest;
            if constexpr (WithIndices)
              indices[at] = -1;
            continue;
          }
          // Element offsets within the channel's volume.
          int32_t best =
              ((id0 + kdLo * dp.dil) * p.in_h + ih0 + khLo * p.dil_h) * p.in_w +
              iw0 + kwLo * p.dil_w;
          T bestV = xc[best];
          for (int32_t kd = kdLo; kd < kdHi; ++kd) {
            const int32_t plane = (id0 + kd * dp.dil) * p.in_h;
            for (int32_t kh = khLo; kh < khHi; ++kh) {
              const int32_t row = (plane + ih0 + kh * p.dil_h) * p.in_w + iw0;
              for (int32_t kw = kwLo; kw < kwHi; ++kw) {
                const T v = xc[row + kw * p.dil_w];
                if (v > bestV || isNaN(v)) {
                  bestV = v;
                  if constexpr (WithIndices)
                    best = row + kw * p.dil_w;
                }
              }
            }
          }
          if (!WithIndices || y)
            y[at] = bestV;
          if constexpr (WithIndices) {
            int64_t flat = best;
            if (p.storage_order) {
              // Column-major over (d, h, w): d + in_d * (h + in_h * w).
              const int32_t d = best / inPlane, h = best / p.in_w % p.in_h,
                            w = best % p.in_w;
              flat = d + static_cast<int64_t>(dp.in) *
                             (h + static_cast<int64_t>(p.in_h) * w);
            }
            indices[at] = static_cast<int64_t>(nc) * inVolume + flat;
          }
        }
      }
    }
  }
}

/// AveragePool; see average_pool.
template <typename T, bool Deep>
void averagePool(const tempo_pool_params_t &p, const T *x, T *y) {
  const PoolDepth<Deep> dp(p);
  const int32_t inPlane = p.in_h * p.in_w, inVolume = dp.in * inPlane;
  const int32_t outPlane = p.out_h * p.out_w;
  const int32_t paddedD = dp.front + dp.in + dp.back;
  const int32_t paddedH = p.pad_top + p.in_h + p.pad_bottom;
  const int32_t paddedW = p.pad_left + p.in_w + p.pad_right;
  for (int32_t nc = 0; nc < p.batch * p.channels; ++nc) {
    const T *xc = x + nc * inVolume;
    for (int32_t od = 0; od < dp.out; ++od) {
      const int32_t id0 = od * dp.stride - dp.front;
      int32_t kdLo, kdHi, pdLo, pdHi;
      tapRange(id0, dp.dil, dp.k, dp.in, kdLo, kdHi);
      tapRange(od * dp.stride, dp.dil, dp.k, paddedD, pdLo, pdHi);
      const int32_t dCount = p.count_include_pad ? pdHi - pdLo : kdHi - kdLo;
      T *yd = y + (nc * dp.out + od) * outPlane;
      for (int32_t oh = 0; oh < p.out_h; ++oh) {
        const int32_t ih0 = oh * p.stride_h - p.pad_top;
        int32_t khLo, khHi, phLo, phHi;
        tapRange(ih0, p.dil_h, p.k_h, p.in_h, khLo, khHi);
        tapRange(oh * p.stride_h, p.dil_h, p.k_h, paddedH, phLo, phHi);
        for (int32_t ow = 0; ow < p.out_w; ++ow) {
          const int32_t iw0 = ow * p.stride_w - p.pad_left;
          int32_t kwLo, kwHi, pwLo, pwHi;
          tapRange(iw0, p.dil_w, p.k_w, p.in_w, kwLo, kwHi);
          tapRange(ow * p.stride_w, p.dil_w, p.k_w, paddedW, pwLo, pwHi);
          Mean<T> mean;
          for (int32_t kd = kdLo; kd < kdHi; ++kd) {
            const int32_t plane = (id0 + kd * dp.dil) * p.in_h;
            for (int32_t kh = khLo; kh < khHi; ++kh) {
              const int32_t row = (plane + ih0 + kh * p.dil_h) * p.in_w + iw0;
              for (int32_t kw = kwLo; kw < kwHi; ++kw)
                mean.add(xc[row + kw * p.dil_w]);
            }
          }
          const int32_t count =
              dCount * (p.count_include_pad ? (phHi - phLo) * (pwHi - pwLo)
                                            : (khHi - khLo) * (kwHi - kwLo));
          yd[oh * p.out_w + ow] = mean.result(count);
        }
      }
    }
  }
}
} // namespace detail

/// MaxPool (any type). x is [batch, channels, in_d, in_h, in_w], y is
/// [batch, channels, out_d, out_h, out_w] (2-D pools have depth 1, 1-D also
/// h == 1); window taps as in conv (stride, dilation, pad_front / pad_top /
/// pad_left), kd then kh then kw ascending. Padded positions never win: only
/// taps inside the input are compared. A NaN tap makes the output NaN. A
/// window with no tap inside the input (only possible with extreme pads)
/// yields the lowest finite value of T (-FLT_MAX for float). pad_back,
/// pad_bottom/pad_right and count_include_pad are not read. Aliasing: y
/// must not overlap x.
template <typename T>
void max_pool(const tempo_pool_params_t &p, const T *x, T *y) {
  if (detail::poolIsDeep(p))
    detail::maxPool<T, false, true>(p, x, y, nullptr);
  else
    detail::maxPool<T, false, false>(p, x, y, nullptr);
}

/// MaxPool with ONNX's second output (any type): as max_pool, and
/// indices[o] (same layout as y) is the flattened index of the maximum the
/// output took, the first one in tap order, counted over the whole input
/// [batch * channels, spatial...]: (n * channels + c) * in_d * in_h * in_w
/// plus the spatial offset, row-major (storage_order 0) or column-major
/// (storage_order 1: d + in_d * (h + in_h * w)); -1 for a window with no tap
/// inside the input. y may be null (indices only). Aliasing: neither output
/// may overlap x or each other.
template <typename T>
void max_pool_with_indices(const tempo_pool_params_t &p, const T *x, T *y,
                           int64_t *indices) {
  detail::maxPool<T, true, true>(p, x, y, indices);
}

/// AveragePool (any type; ONNX defines it for floats only). Layout and
/// window taps as in max_pool. The sum runs over the taps inside the input,
/// kd, kh, kw ascending, from +0. The divisor is the number of taps inside
/// the padded extent [-pad_front, in_d + pad_back) x [-pad_top, in_h +
/// pad_bottom) x [-pad_left, in_w + pad_right) if count_include_pad, else
/// inside the input; with ceil-mode out extents a window may overhang even
/// the padded extent, and those taps count in neither case. A window with
/// divisor 0 yields 0. Integer types sum in 64 bits and divide truncating
/// toward zero. Aliasing: y must not overlap x.
template <typename T>
void average_pool(const tempo_pool_params_t &p, const T *x, T *y) {
  if (detail::poolIsDeep(p))
    detail::averagePool<T, true>(p, x, y);
  else
    detail::averagePool<T, false>(p, x, y);
}

/// GlobalAveragePool (any type, as average_pool). x is [outer, inner]
/// (outer = N*C, inner = H*W), y is [outer]; y[o] = (sum of x[o, i] for i
/// ascending, from +0) / inner. Aliasing: y must not overlap x.
template <typename T>
void global_average_pool(const tempo_reduce_params_t &p, const T *x, T *y) {
  for (int32_t o = 0; o < p.outer; ++o) {
    detail::Mean<T> mean;
    for (int32_t i = 0; i < p.inner; ++i)
      mean.add(x[o * p.inner + i]);
    y[o] = mean.result(p.inner);
  }
}

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

/// Gemm (float only): y = alpha * op(a) * op(b) + beta * c. a is [m, k]
/// ([k, m] if trans_a), b is [k, n] ([n, k] if trans_b), c (read only if
/// has_c; may be null otherwise) is [c_rows, c_cols] with c_rows in {1, m},
/// c_cols in {1, n}, broadcast to [m, n]; y is [m, n]. Each element:
/// acc = +0, acc += a(i, l) * b(l, j) for l ascending, then
/// y = alpha * acc + beta * c(i, j) (y = alpha * acc without c).
/// Aliasing: y must not overlap a, b or c.
template <typename T>
TEMPO_KERNEL void gemm(const tempo_gemm_params_t &p, const T *a, const T *b, const T *c,
          T *y) {
  static_assert(detail::Traits<T>::isFloat, "gemm is float-only");
  // Element (i, l) of op(a) is a[i * aRow + l * aCol]; (l, j) of op(b) is
  // b[l * bRow + j * bCol].
  const int32_t aRow = p.trans_a ? 1 : p.k, aCol = p.trans_a ? p.m : 1;
  const int32_t bRow = p.trans_b ? 1 : p.n, bCol = p.trans_b ? p.k : 1;
  const T alpha = static_cast<T>(p.alpha), beta = static_cast<T>(p.beta);
  for (int32_t i = 0; i < p.m; ++i) {
    for (int32_t j = 0; j < p.n; ++j) {
      const T acc = detail::dot(p.k, a, i * aRow, aCol, b, j * bCol, bRow);
      T v = alpha * acc;
      if (p.has_c) {
        const int32_t ci = p.c_rows == 1 ? 0 : i, cj = p.c_cols == 1 ? 0 : j;
        v += beta * c[ci * p.c_cols + cj];
      }
      y[i * p.n + j] = detail::activate(p.act, v);
    }
  }
}

/// MatMul (float only) with numpy batch broadcasting. a is a stack of
/// row-major [m, k] matrices, b of [k, n], y of [m, n]; y has
/// prod(out_batch_dims[0..batch_rank)) matrices. Output matrix i, decomposed
/// row-major over out_batch_dims into (i_0 ..), reads a matrix
/// sum(i_d * a_batch_strides[d]) and b matrix sum(i_d * b_batch_strides[d]).
/// Each element: acc = +0, acc += a(r, l) * b(l, s) for l ascending.
/// Aliasing: y must not overlap a or b.
template <typename T>
TEMPO_KERNEL void matmul(const tempo_matmul_params_t &p, const T *a, const T *b, T *y) {
  static_assert(detail::Traits<T>::isFloat, "matmul is float-only");
  const int32_t rank = p.batch_rank;
  int32_t batches = 1;
  for (int32_t d = 0; d < rank; ++d)
    batches *= p.out_batch_dims[d];
  int32_t idx[TEMPO_MAX_RANK] = {0};
  int32_t aMat = 0, bMat = 0;
  for (int32_t bi = 0; bi < batches; ++bi) {
    const int32_t a0 = aMat * p.m * p.k, b0 = bMat * p.k * p.n;
    T *ym = y + bi * p.m * p.n;
    for (int32_t r = 0; r < p.m; ++r)
      for (int32_t s = 0; s < p.n; ++s)
        ym[r * p.n + s] = detail::activate(
            p.act, detail::dot(p.k, a, a0 + r * p.k, 1, b, b0 + s, p.n));
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
// Elementwise binary (numpy broadcasting)
//===----------------------------------------------------------------------===//

/// Add, Sub, Mul, Div (any type). y is out_dims row-major (p.size elements);
/// element (i_0 ..) is op(a[sum i_d * a_strides[d]], b[sum i_d *
/// b_strides[d]]). Integer add/sub/mul wrap modulo 2^bits; integer div
/// truncates toward zero and x / 0 is 0. Aliasing: y may alias a or b (or
/// both) exactly when that operand has the output's full shape; otherwise no
/// overlap.
template <typename T>
void add(const tempo_broadcast_params_t &p, const T *a, const T *b, T *y) {
  detail::broadcast<detail::AddOp>(p, a, b, y);
}
/// See add: y = a - b.
template <typename T>
void sub(const tempo_broadcast_params_t &p, const T *a, const T *b, T *y) {
  detail::broadcast<detail::SubOp>(p, a, b, y);
}
/// See add: y = a * b.
template <typename T>
void mul(const tempo_broadcast_params_t &p, const T *a, const T *b, T *y) {
  detail::broadcast<detail::MulOp>(p, a, b, y);
}
/// See add: y = a / b.
template <typename T>
void div(const tempo_broadcast_params_t &p, const T *a, const T *b, T *y) {
  detail::broadcast<detail::DivOp>(p, a, b, y);
}

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

/// Relu (any type): y = x < 0 ? 0 : x over p.size elements (NaN stays NaN).
/// Aliasing: y may alias x exactly.
template <typename T>
void relu(const tempo_unary_params_t &p, const T *x, T *y) {
  detail::mapUnary(p.size, x, y,
                   [](T v) { return detail::isNegative(v) ? T(0) : v; });
}

/// Sigmoid (float only): y = 1 / (1 + exp(-x)), evaluated as
/// 1 / (1 + exp(-x)) for x >= 0 and exp(x) / (1 + exp(x)) otherwise so that
/// neither branch overflows. Aliasing: y may alias x exactly.
template <typename T>
void sigmoid(const tempo_unary_params_t &p, const T *x, T *y) {
  static_assert(detail::Traits<T>::isFloat, "sigmoid is float-only");
  detail::mapUnary(p.size, x, y, [](T v) {
    if (v >= T(0))
      return T(1) / (T(1) + detail::expOf(-v));
    const T e = detail::expOf(v);
    return e / (T(1) + e);
  });
}

/// Tanh (float only): y = tanhf(x). Aliasing: y may alias x exactly.
template <typename T>
void tanh(const tempo_unary_params_t &p, const T *x, T *y) {
  static_assert(detail::Traits<T>::isFloat, "tanh is float-only");
  detail::mapUnary(p.size, x, y, [](T v) { return detail::tanhOf(v); });
}

/// LeakyRelu (float only): y = x < 0 ? alpha * x : x, alpha = p.alpha.
/// Aliasing: y may alias x exactly.
template <typename T>
void leaky_relu(const tempo_unary_params_t &p, const T *x, T *y) {
  static_assert(detail::Traits<T>::isFloat, "leaky_relu is float-only");
  const T alpha = static_cast<T>(p.alpha);
  detail::mapUnary(p.size, x, y,
                   [alpha](T v) { return v < T(0) ? alpha * v : v; });
}

/// Clip (any type): y = min(max(x, lo), hi) with lo = p.lo and hi = p.hi
/// converted to T once (integers: truncated and saturated to T's range, so
/// +-inf means no bound). If lo > hi every output is hi (as numpy and ONNX);
/// NaN stays NaN. Aliasing: y may alias x exactly.
template <typename T>
void clip(const tempo_unary_params_t &p, const T *x, T *y) {
  const T lo = detail::fromDouble<T>(p.lo), hi = detail::fromDouble<T>(p.hi);
  detail::mapUnary(p.size, x, y, [lo, hi](T v) {
    const T u = v < lo ? lo : v;
    return u > hi ? hi : u;
  });
}

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

/// Softmax (float only) over the middle axis of x = [outer, n, inner]; y has
/// the same layout. For each (o, i): mx = max_j x, e_j = exp(x_j - mx),
/// s = sum_j e_j (j ascending, from +0), y_j = e_j / s.
/// Aliasing: y must not overlap x.
template <typename T>
void softmax(const tempo_softmax_params_t &p, const T *x, T *y) {
  static_assert(detail::Traits<T>::isFloat, "softmax is float-only");
  if (p.n <= 0)
    return;
  for (int32_t o = 0; o < p.outer; ++o) {
    for (int32_t i = 0; i < p.inner; ++i) {
      const T *xs = x + o * p.n * p.inner + i;
      T *ys = y + o * p.n * p.inner + i;
      T mx = xs[0];
      for (int32_t j = 1; j < p.n; ++j)
        if (xs[j * p.inner] > mx)
          mx = xs[j * p.inner];
      T sum = T(0);
      for (int32_t j = 0; j < p.n; ++j) {
        const T e = detail::expOf(xs[j * p.inner] - mx);
        ys[j * p.inner] = e;
        sum += e;
      }
      for (int32_t j = 0; j < p.n; ++j)
        ys[j * p.inner] = ys[j * p.inner] / sum;
    }
  }
}

/// BatchNormalization, inference mode (float only). x and y are
/// [batch, channels, spatial]; scale, bias, mean, var are [channels].
/// y = (x - mean[c]) * s + bias[c] with s = scale[c] / sqrt(var[c] + epsilon)
/// computed once per (batch, channel). Aliasing: y must not overlap any input.
template <typename T>
void batch_norm(const tempo_batch_norm_params_t &p, const T *x, const T *scale,
                const T *bias, const T *mean, const T *var, T *y) {
  static_assert(detail::Traits<T>::isFloat, "batch_norm is float-only");
  const T eps = static_cast<T>(p.epsilon);
  for (int32_t n = 0; n < p.batch; ++n) {
    for (int32_t c = 0; c < p.channels; ++c) {
      const T s = scale[c] / detail::sqrtOf(var[c] + eps);
      const T m = mean[c], b = bias[c];
      const int32_t base = (n * p.channels + c) * p.spatial;
      for (int32_t i = 0; i < p.spatial; ++i)
        y[base + i] = (x[base + i] - m) * s + b;
    }
  }
}

/// BatchNormalization, training mode (float only; ONNX opset 15's
/// training_mode=1). x and y are [batch, channels, spatial]; scale, bias,
/// mean, var are [channels]. Per channel c the batch statistics over batch
/// and spatial are m = sum(x) / count and v = sum((x - m)^2) / count (the
/// population variance; sums from +0, batch then position ascending,
/// count = batch * spatial); y is batch_norm of x with m and v in place of
/// mean and var, and running_mean[c] = mean[c] * momentum + m * (1 -
/// momentum), running_var[c] likewise with var and v. Any of y,
/// running_mean, running_var may be null (not computed). Aliasing: no
/// output may overlap an input or another output.
template <typename T>
void batch_norm_training(const tempo_batch_norm_params_t &p, const T *x,
                         const T *scale, const T *bias, const T *mean,
                         const T *var, T *y, T *running_mean,
                         T *running_var) {
  static_assert(detail::Traits<T>::isFloat,
                "batch_norm_training is float-only");
  const T eps = static_cast<T>(p.epsilon);
  const T momentum = static_cast<T>(p.momentum);
  const T count = static_cast<T>(p.batch * p.spatial);
  for (int32_t c = 0; c < p.channels; ++c) {
    T sum = T(0);
    for (int32_t n = 0; n < p.batch; ++n) {
      const T *xc = x + (n * p.channels + c) * p.spatial;
      for (int32_t i = 0; i < p.spatial; ++i)
        sum += xc[i];
    }
    const T m = count > T(0) ? sum / count : T(0);
    T ss = T(0);
    for (int32_t n = 0; n < p.batch; ++n) {
      const T *xc = x + (n * p.channels + c) * p.spatial;
      for (int32_t i = 0; i < p.spatial; ++i) {
        const T d = xc[i] - m;
        ss += d * d;
      }
    }
    const T v = count > T(0) ? ss / count : T(0);
    if (y) {
      const T s = scale[c] / detail::sqrtOf(v + eps), b = bias[c];
      for (int32_t n = 0; n < p.batch; ++n) {
        const int32_t base = (n * p.channels + c) * p.spatial;
        for (int32_t i = 0; i < p.spatial; ++i)
          y[base + i] = (x[base + i] - m) * s + b;
      }
    }
    if (running_mean)
      running_mean[c] = mean[c] * momentum + m * (T(1) - momentum);
    if (running_var)
      running_var[c] = var[c] * momentum + v * (T(1) - momentum);
  }
}

/// An elementwise chain (tempo_chain_params_t) in one loop over memory:
/// each element's inputs are read into registers, the steps run in order,
/// each rounded as the separate ops would be, so the result is the same
/// bits as running the ops one by one. y may alias an input exactly.
template <typename T>
TEMPO_KERNEL void elementwise_chain(const tempo_chain_params_t &p,
                                    const T *const *in, T *y) {
  static_assert(detail::Traits<T>::isFloat, "elementwise_chain is float-only");
  T r[TEMPO_CHAIN_MAX_INPUTS + TEMPO_CHAIN_MAX_STEPS];
  const int32_t last = p.num_inputs + p.num_steps - 1;
  for (int32_t i = 0; i < p.size; ++i) {
    for (int32_t k = 0; k < p.num_inputs; ++k)
      r[k] = in[k][i];
    for (int32_t s = 0; s < p.num_steps; ++s) {
      const T a = r[p.code[3 * s + 1]], b = r[p.code[3 * s + 2]];
      T v;
      switch (p.code[3 * s]) {
      case 0:
        v = a + b;
        break;
      case 1:
        v = a - b;
        break;
      case 2:
        v = a * b;
        break;
      default:
        v = a / b;
        break;
      }
      r[p.num_inputs + s] = v;
    }
    y[i] = detail::activate(p.act, r[last]);
  }
}

/// y = x * scale[c] + shift[c] over [batch, channels, spatial] (float): a
/// BatchNormalization folded at compile time. y may alias x exactly.
template <typename T>
void channel_affine(const tempo_channel_affine_params_t &p, const T *x,
                    const T *scale, const T *shift, T *y) {
  static_assert(detail::Traits<T>::isFloat, "channel_affine is float-only");
  for (int32_t n = 0; n < p.batch; ++n)
    for (int32_t c = 0; c < p.channels; ++c) {
      const T s = scale[c], t = shift[c];
      const int32_t base = (n * p.channels + c) * p.spatial;
      for (int32_t i = 0; i < p.spatial; ++i)
        y[base + i] = x[base + i] * s + t;
    }
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

/// Transpose (any type). y is out_dims row-major (p.size elements); element
/// (i_0 ..) = x[sum i_d * in_strides[d]], where in_strides are the input's
/// strides permuted into output order. Aliasing: y must not overlap x.
template <typename T>
void transpose(const tempo_transpose_params_t &p, const T *x, T *y) {
  const int32_t rank = p.rank;
  if (rank == 0) {
    if (p.size > 0)
      y[0] = x[0];
    return;
  }
  const int32_t inner = p.out_dims[rank - 1], is = p.in_strides[rank - 1];
  int32_t idx[TEMPO_MAX_RANK] = {0};
  int32_t off = 0;
  for (int32_t base = 0; base < p.size; base += inner) {
    for (int32_t j = 0; j < inner; ++j)
      y[base + j] = x[off + j * is];
    for (int32_t d = rank - 2; d >= 0; --d) {
      off += p.in_strides[d];
      if (++idx[d] < p.out_dims[d])
        break;
      off -= p.in_strides[d] * p.out_dims[d];
      idx[d] = 0;
    }
  }
}

/// One input of a Concat (any type; call once per input). x is
/// [outer, in_inner], y is [outer, out_inner]; row o of x is copied to
/// elements [offset, offset + in_inner) of row o of y. Other elements of y are
/// left untouched. Aliasing: y must not overlap x.
template <typename T>
void concat(const tempo_concat_params_t &p, const T *x, T *y) {
  if (p.in_inner <= 0)
    return;
  const size_t rowBytes = static_cast<size_t>(p.in_inner) * sizeof(T);
  for (int32_t o = 0; o < p.outer; ++o)
    memcpy(y + o * p.out_inner + p.offset, x + o * p.in_inner, rowBytes);
}

/// Copies p.bytes bytes from x to y with memmove semantics (the two may
/// overlap in any way).
inline void copy(const tempo_copy_params_t &p, const void *x, void *y) {
  if (p.bytes > 0 && x != y)
    memmove(y, x, static_cast<size_t>(p.bytes));
}

} // namespace tempo

#endif /* TEMPO_KERNELS_H */
