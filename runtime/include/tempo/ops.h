/*===- tempo/ops.h - Kernels for the wider ONNX op set ----------*- C++ -*-===*
 *
 * Part of the Tempo runtime. Header-only C++17 kernels for the ONNX ops that
 * tempo/kernels.h does not cover, written as a few general kernels driven by
 * the parameter structs of tempo/ops_params.h (one unary-math kernel with an
 * op enum, one reduction over [outer, n, inner], one N-d strided copy, ...).
 * Semantics are ONNX opset 17's; where ONNX leaves a case undefined, the
 * kernel's comment says what it does.
 *
 * The rules of tempo/kernels.h apply unchanged: embedded C++17 subset (no
 * heap, exceptions, RTTI, static data or C++ library headers), params are
 * trusted (the compiler guarantees consistent extents and buffer sizes),
 * dense row-major tensors, float sums accumulate in the element type from +0
 * in the documented order, integer arithmetic wraps modulo 2^bits, NaN
 * propagates through arithmetic and max/min. Kernels that need scratch take
 * it as an argument sized by the `tempo_<kernel>_scratch_size()` companion in
 * tempo/ops_params.h; scratch needs no alignment beyond float's, holds nothing
 * between calls, and must not overlap any input or output.
 *
 * Aliasing: math, binary_math (as add in kernels.h), cast between types of
 * equal size, and cumsum allow the output to alias an input exactly. Every
 * other kernel assumes the output overlaps no input.
 *
 * Libm: the float kernels call the precision-matched libm functions (expf,
 * logf, erff, ...), which may differ in the last bit between newlib and
 * glibc. Integer instantiations call double libm only for the reductions that
 * need it (L2, LogSum, LogSumExp). dft and stft do not: their twiddles come
 * from a polynomial of their own, so they give the same bits everywhere.
 *
 *===----------------------------------------------------------------------===*/
#ifndef TEMPO_OPS_H
#define TEMPO_OPS_H

#ifndef __cplusplus
#error "tempo/ops.h is C++17; include it from the generated NAME.cpp"
#endif

#include "tempo/kernels.h"
#include "tempo/ops_params.h"
#include "tempo/params.h"
#include "tempo/status.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

namespace tempo {
namespace detail {
namespace ops {

//===----------------------------------------------------------------------===//
// Scalar helpers
//===----------------------------------------------------------------------===//

/// Precision-matched libm: name(float) calls the f-suffixed function,
/// name(double) the plain one (expOf and sqrtOf come from kernels.h).
#define TEMPO_OPS_LIBM1(name, fn)                                              \
  inline float name(float v) { return ::fn##f(v); }                            \
  inline double name(double v) { return ::fn(v); }
TEMPO_OPS_LIBM1(absOf, fabs)
TEMPO_OPS_LIBM1(expm1Of, expm1)
TEMPO_OPS_LIBM1(logOf, log)
TEMPO_OPS_LIBM1(log1pOf, log1p)
TEMPO_OPS_LIBM1(erfOf, erf)
TEMPO_OPS_LIBM1(floorOf, floor)
TEMPO_OPS_LIBM1(ceilOf, ceil)
TEMPO_OPS_LIBM1(sinOf, sin)
TEMPO_OPS_LIBM1(cosOf, cos)
#undef TEMPO_OPS_LIBM1
inline float powOf(float a, float b) { return ::powf(a, b); }
inline double powOf(double a, double b) { return ::pow(a, b); }

/// A stand-in for std::is_same.
template <typename A, typename B> struct Same {
  static constexpr bool value = false;
};
template <typename A> struct Same<A, A> {
  static constexpr bool value = true;
};

/// A stand-in for std::conditional.
template <bool C, typename A, typename B> struct Select {
  using type = A;
};
template <typename A, typename B> struct Select<false, A, B> {
  using type = B;
};

/// Float infinity of T (T must be float or double).
template <typename T> T infinity() { return static_cast<T>(HUGE_VAL); }

/// Integer negation and absolute value, modulo 2^bits (so -lowest == lowest,
/// as numpy).
template <typename T> T wrapNeg(T v) {
  using W = typename Traits<T>::Wrap;
  return static_cast<T>(W(0) - static_cast<W>(v));
}
template <typename T> T wrapAbs(T v) {
  return isNegative(v) ? wrapNeg(v) : v;
}

/// -1, 0 or +1 (NaN stays NaN).
template <typename T> T signOf(T v) {
  if (isNegative(v))
    return wrapNeg(T(1));
  if (v > T(0))
    return T(1);
  return v == T(0) ? T(0) : v;
}

//===----------------------------------------------------------------------===//
// Binary operations (for detail::broadcast of kernels.h)
//===----------------------------------------------------------------------===//

/// Float: powf. Integer: exact a^b modulo 2^bits by square-and-multiply; a
/// negative exponent gives 1 for a == 1, +-1 for a == -1 and 0 otherwise
/// (numpy raises; the truncated real result is 0 for |a| > 1; 0^-b is 0).
struct PowOp {
  template <typename T> static T apply(T a, T b) {
    if constexpr (Traits<T>::isFloat) {
      return powOf(a, b);
    } else {
      using W = typename Traits<T>::Wrap;
      if (isNegative(b)) {
        if (a == T(1))
          return T(1);
        if (a == wrapNeg(T(1)))
          return (static_cast<W>(b) & 1u) ? a : T(1);
        return T(0);
      }
      W base = static_cast<W>(a), acc = 1;
      for (W e = static_cast<W>(b); e != 0; e >>= 1) {
        if (e & 1u)
          acc = static_cast<W>(acc * base);
        base = static_cast<W>(base * base);
      }
      return static_cast<T>(acc);
    }
  }
};
/// numpy maximum / minimum: a NaN operand wins.
struct MaxOp {
  template <typename T> static T apply(T a, T b) {
    return (a > b || isNaN(a)) ? a : b;
  }
};
struct MinOp {
  template <typename T> static T apply(T a, T b) {
    return (a < b || isNaN(a)) ? a : b;
  }
};
/// PRelu: a < 0 ? a * slope : a (integer product wraps).
struct PReluOp {
  template <typename T> static T apply(T a, T b) {
    return isNegative(a) ? MulOp::apply(a, b) : a;
  }
};

//===----------------------------------------------------------------------===//
// Loops over [outer, n, inner]
//===----------------------------------------------------------------------===//

/// For each (o, i) of [outer, inner]: acc = init; acc = step(acc, x(o, j, i))
/// for j ascending; y[o * inner + i] = finish(acc).
template <typename T, typename Y, typename A, typename Step, typename Finish>
void reduceLoop(int32_t outer, int32_t n, int32_t inner, const T *x, Y *y,
                A init, const Step &step, const Finish &finish) {
  for (int32_t o = 0; o < outer; ++o) {
    for (int32_t i = 0; i < inner; ++i) {
      const int32_t base = o * n * inner + i;
      A acc = init;
      for (int32_t j = 0; j < n; ++j)
        acc = step(acc, x[base + j * inner]);
      y[o * inner + i] = finish(acc);
    }
  }
}

/// Index in [0, n) of the first maximum (argMax) or minimum of the n values
/// xs[j * stride]; the last one if selectLast. A NaN beats every number (the
/// first NaN, or the last if selectLast), as numpy's argmax/argmin. 0 if
/// n <= 0.
template <typename T>
int32_t argBest(const T *xs, int32_t n, int32_t stride, bool argMax,
                bool selectLast) {
  if (n <= 0)
    return 0;
  T best = xs[0];
  int32_t bi = 0;
  for (int32_t j = 1; j < n; ++j) {
    const T v = xs[j * stride];
    if (isNaN(best)) {
      if (selectLast && isNaN(v))
        bi = j;
    } else if (isNaN(v) || (argMax ? v > best : v < best)) {
      best = v;
      bi = j;
    } else if (selectLast && v == best) {
      bi = j;
    }
  }
  return bi;
}

//===----------------------------------------------------------------------===//
// Data movement helpers
//===----------------------------------------------------------------------===//

/// Maps an input index j of a dim of extent n into [0, n) by `border`;
/// -1 means "the pad value" (CONSTANT outside, or n <= 0).
inline int32_t borderIndex(int32_t j, int32_t n, int32_t border) {
  if (j >= 0 && j < n)
    return j;
  if (n <= 0)
    return -1;
  switch (border) {
  case TEMPO_BORDER_EDGE:
    return j < 0 ? 0 : n - 1;
  case TEMPO_BORDER_REFLECT: {
    if (n == 1)
      return 0;
    const int32_t period = 2 * (n - 1);
    int32_t m = j % period;
    if (m < 0)
      m += period;
    return m < n ? m : period - m;
  }
  case TEMPO_BORDER_WRAP: {
    const int32_t m = j % n;
    return m < 0 ? m + n : m;
  }
  default:
    return -1;
  }
}

/// One element converted with ONNX Cast semantics (see tempo::cast).
template <typename To, typename From> To castValue(From v) {
  if constexpr (Same<To, bool>::value) {
    return v != From(0);
  } else if constexpr (Same<From, bool>::value) {
    return v ? To(1) : To(0);
  } else if constexpr (Traits<To>::isFloat) {
    return static_cast<To>(v);
  } else if constexpr (Traits<From>::isFloat) {
    // fromDouble truncates toward zero, saturates, and maps NaN to 0; a float
    // converts to double exactly.
    return fromDouble<To>(static_cast<double>(v));
  } else {
    // Integer to integer: modulo 2^bits of To, like numpy's astype.
    using W = typename WrapOf<(sizeof(To) > 4 || sizeof(From) > 4)>::type;
    return static_cast<To>(static_cast<W>(v));
  }
}

//===----------------------------------------------------------------------===//
// DFT core (float)
//===----------------------------------------------------------------------===//

/// sin and cos of x in [0, pi / 4], in plain float arithmetic with the
/// minimax polynomials of fdlibm's __kernel_sinf / __kernel_cosf (error at
/// most 0.76 ulp for sin, 1.31 ulp for cos, measured against double over
/// every float in [1e-3, pi / 4]). Not libm's sinf / cosf: newlib's and
/// glibc's differ in the last bit, and a twiddle's last bit times a large
/// input is a visible difference in a bin near 0; this is the same bits on
/// every IEEE target (built with -ffp-contract=off, as everywhere here).
inline void sinCosSmall(float x, float &s, float &c) {
  const float z = x * x;
  const float sr =
      8.3333337680e-03f +
      z * (-1.9841270114e-04f +
           z * (2.7557314297e-06f +
                z * (-2.5050759689e-08f + z * 1.5896910177e-10f)));
  s = x + (z * x) * (-1.6666667163e-01f + z * sr);
  const float cr =
      z * (4.1666667908e-02f +
           z * (-1.3888889225e-03f +
                z * (2.4801587642e-05f +
                     z * (-2.7557314297e-07f +
                          z * (2.0875723372e-09f + z * -1.1359647598e-11f)))));
  if (x < 0.3f) {
    c = 1.0f - (0.5f * z - z * cr);
  } else {
    // 1 - z / 2 split as (1 - qx) - (z / 2 - qx), both parts exact-ish.
    const float qx = x > 0.78125f ? 0.28125f : 0.25f * x;
    c = (1.0f - qx) - ((0.5f * z - qx) - z * cr);
  }
}

/// tw[2k], tw[2k + 1] = cos, sin of 2 pi k / L for k in [0, L). The index
/// is reduced exactly, in integers, to an angle of at most pi / 4: 4k = q L
/// + r gives the quadrant q and the angle (pi / 2) r / L inside it, folded
/// to (pi / 2) (L - r) / L (cos and sin swapped) when r > L / 2. Only that
/// small angle is formed (in double, from the exact ratio; L times per
/// call) and rounded to float for sinCosSmall; the quadrant is applied by
/// exact sign changes. So the table is exactly symmetric and every
/// multiple of pi / 2 gives exact 0 and +-1: the sine of the rounded angle
/// 2 pi k / L itself would give sin(pi) = -8.7e-8, which a bin that should
/// be exactly 0 turns into an error proportional to the input's magnitude.
inline void twiddles(int32_t L, float *tw) {
  const double halfPi = 1.5707963267948966192313216916398;
  int32_t q = 0, r = 0; // 4k = q L + r, 0 <= r < L
  for (int32_t k = 0; k < L; ++k) {
    const bool fold = 2 * r > L;
    const int32_t m = fold ? L - r : r;
    float ca, sa;
    sinCosSmall(static_cast<float>(halfPi * m / L), sa, ca);
    const float c = fold ? sa : ca, sn = fold ? ca : sa;
    switch (q) {
    case 0:
      tw[2 * k] = c;
      tw[2 * k + 1] = sn;
      break;
    case 1:
      tw[2 * k] = -sn;
      tw[2 * k + 1] = c;
      break;
    case 2:
      tw[2 * k] = -c;
      tw[2 * k + 1] = -sn;
      break;
    default:
      tw[2 * k] = sn;
      tw[2 * k + 1] = -c;
      break;
    }
    for (r += 4; r >= L; r -= L)
      ++q;
  }
}

/// Transforms the L complex values work[2j], work[2j + 1] (overwriting work)
/// and writes bins k in [0, nOut) to out[k * outStride], out[k * outStride +
/// 1]. Forward: X_k = sum_j x_j e^{-2 pi i jk / L}; inverse: e^{+...} and
/// the result scaled by 1 / L.
///
/// L a power of two: iterative radix-2 decimation in time (bit-reversal
/// permutation, then log2 L butterfly passes). Otherwise the direct O(L^2)
/// sum over j ascending with the twiddle of (j * k) mod L (taken from tw, so
/// L cos/sin calls per transform, not L^2).
inline void dftCore(int32_t L, int32_t nOut, bool inverse, const float *tw,
                    float *work, float *out, int32_t outStride) {
  const float sgn = inverse ? 1.0f : -1.0f;
  const float scale = inverse ? 1.0f / static_cast<float>(L) : 1.0f;
  if ((L & (L - 1)) == 0) {
    for (int32_t i = 1, j = 0; i < L; ++i) {
      int32_t bit = L >> 1;
      for (; j & bit; bit >>= 1)
        j ^= bit;
      j ^= bit;
      if (i < j) {
        const float r = work[2 * i], m = work[2 * i + 1];
        work[2 * i] = work[2 * j];
        work[2 * i + 1] = work[2 * j + 1];
        work[2 * j] = r;
        work[2 * j + 1] = m;
      }
    }
    for (int32_t s = 2; s <= L; s <<= 1) {
      const int32_t half = s / 2, tstep = L / s;
      for (int32_t b = 0; b < L; b += s) {
        for (int32_t k = 0; k < half; ++k) {
          const float c = tw[2 * k * tstep], sn = sgn * tw[2 * k * tstep + 1];
          float *u = work + 2 * (b + k), *v = work + 2 * (b + k + half);
          const float tr = v[0] * c - v[1] * sn;
          const float ti = v[0] * sn + v[1] * c;
          v[0] = u[0] - tr;
          v[1] = u[1] - ti;
          u[0] = u[0] + tr;
          u[1] = u[1] + ti;
        }
      }
    }
    for (int32_t k = 0; k < nOut; ++k) {
      out[k * outStride] = work[2 * k] * scale;
      out[k * outStride + 1] = work[2 * k + 1] * scale;
    }
    return;
  }
  for (int32_t k = 0; k < nOut; ++k) {
    float re = 0.0f, im = 0.0f;
    int32_t t = 0; // (j * k) mod L
    for (int32_t j = 0; j < L; ++j) {
      const float c = tw[2 * t], sn = sgn * tw[2 * t + 1];
      const float xr = work[2 * j], xi = work[2 * j + 1];
      re += xr * c - xi * sn;
      im += xr * sn + xi * c;
      t += k;
      if (t >= L)
        t -= L;
    }
    out[k * outStride] = re * scale;
    out[k * outStride + 1] = im * scale;
  }
}

} // namespace ops
} // namespace detail

//===----------------------------------------------------------------------===//
// Elementwise math
//===----------------------------------------------------------------------===//

/// Unary math selected by p.op over p.size elements; y may alias x exactly.
///
/// Float types, per ONNX: Abs, Neg, Exp, Log, Sqrt, Reciprocal (1 / x), Erf,
/// Floor, Ceil, Sin, Cos call libm; Sign gives -1, 0, +1 (NaN stays NaN;
/// -0 gives 0);
///  Elu           x < 0 ? alpha * expm1(x) : x
///  Selu          x <= 0 ? beta * (alpha * expm1(x)) : beta * x  (beta = gamma)
///  Celu          x > 0 ? x : alpha * expm1(x / alpha)
///  ThresholdedRelu x > alpha ? x : 0  (NaN gives 0, as ONNX's where)
///  HardSigmoid   clamp(alpha * x + beta, 0, 1)
///  HardSwish     x * clamp(x * (1/6) + 0.5, 0, 1)  (ONNX's function body)
///  Softplus      log(1 + exp(x)), as x + log1p(exp(-x)) for x > 0 and
///                log1p(exp(x)) otherwise (no overflow: x for large x, where
///                ONNX's reference formula overflows to inf)
///  Softsign      x / (1 + |x|)
/// expm1 replaces ONNX's exp(x) - 1 (more accurate near 0).
///
/// Integer types: ONNX defines only Abs (every integer type), Neg (signed)
/// and Sign; Abs and Neg wrap modulo 2^bits (|lowest| == lowest, as numpy).
/// Any other op is a compiler bug and writes zeros.
template <typename T>
void math(const tempo_math_params_t &p, const T *x, T *y) {
  using namespace detail;
  using namespace detail::ops;
  const int32_t n = p.size;
  if constexpr (!Traits<T>::isFloat) {
    switch (p.op) {
    case TEMPO_MATH_ABS:
      return mapUnary(n, x, y, [](T v) { return wrapAbs(v); });
    case TEMPO_MATH_NEG:
      return mapUnary(n, x, y, [](T v) { return wrapNeg(v); });
    case TEMPO_MATH_SIGN:
      return mapUnary(n, x, y, [](T v) { return signOf(v); });
    default:
      for (int32_t i = 0; i < n; ++i)
        y[i] = T(0);
      return;
    }
  } else {
    const T alpha = static_cast<T>(p.alpha), beta = static_cast<T>(p.beta);
    const T zero = T(0), one = T(1);
    switch (p.op) {
    case TEMPO_MATH_ABS:
      return mapUnary(n, x, y, [](T v) { return absOf(v); });
    case TEMPO_MATH_NEG:
      return mapUnary(n, x, y, [](T v) { return -v; });
    case TEMPO_MATH_EXP:
      return mapUnary(n, x, y, [](T v) { return expOf(v); });
    case TEMPO_MATH_LOG:
      return mapUnary(n, x, y, [](T v) { return logOf(v); });
    case TEMPO_MATH_SQRT:
      return mapUnary(n, x, y, [](T v) { return sqrtOf(v); });
    case TEMPO_MATH_RECIPROCAL:
      return mapUnary(n, x, y, [one](T v) { return one / v; });
    case TEMPO_MATH_ERF:
      return mapUnary(n, x, y, [](T v) { return erfOf(v); });
    case TEMPO_MATH_FLOOR:
      return mapUnary(n, x, y, [](T v) { return floorOf(v); });
    case TEMPO_MATH_CEIL:
      return mapUnary(n, x, y, [](T v) { return ceilOf(v); });
    case TEMPO_MATH_SIGN:
      return mapUnary(n, x, y, [](T v) { return signOf(v); });
    case TEMPO_MATH_SIN:
      return mapUnary(n, x, y, [](T v) { return sinOf(v); });
    case TEMPO_MATH_COS:
      return mapUnary(n, x, y, [](T v) { return cosOf(v); });
    case TEMPO_MATH_ELU:
      return mapUnary(n, x, y, [alpha, zero](T v) {
        return v < zero ? alpha * expm1Of(v) : v;
      });
    case TEMPO_MATH_SELU:
      return mapUnary(n, x, y, [alpha, beta, zero](T v) {
        return v <= zero ? beta * (alpha * expm1Of(v)) : beta * v;
      });
    case TEMPO_MATH_CELU:
      return mapUnary(n, x, y, [alpha, zero](T v) {
        return v > zero ? v : alpha * expm1Of(v / alpha);
      });
    case TEMPO_MATH_THRESHOLDED_RELU:
      return mapUnary(n, x, y,
                      [alpha, zero](T v) { return v > alpha ? v : zero; });
    case TEMPO_MATH_HARD_SIGMOID:
      return mapUnary(n, x, y, [alpha, beta, zero, one](T v) {
        const T u = alpha * v + beta;
        return u < zero ? zero : (u > one ? one : u);
      });
    case TEMPO_MATH_HARD_SWISH:
      return mapUnary(n, x, y, [zero, one](T v) {
        const T u = v * (one / T(6)) + T(0.5);
        return v * (u < zero ? zero : (u > one ? one : u));
      });
    case TEMPO_MATH_SOFTPLUS:
      return mapUnary(n, x, y, [zero](T v) {
        return v > zero ? v + log1pOf(expOf(-v)) : log1pOf(expOf(v));
      });
    case TEMPO_MATH_SOFTSIGN:
      return mapUnary(n, x, y, [one](T v) { return v / (one + absOf(v)); });
    default:
      for (int32_t i = 0; i < n; ++i)
        y[i] = zero;
      return;
    }
  }
}

/// Binary math selected by p.op with numpy broadcasting (p.shape is read
/// exactly as add of kernels.h reads its params; aliasing as add): Pow (a ^ b), Max, Min (a NaN operand
/// wins, as numpy), PRelu (a = X, b = slope broadcast to X). Any type; integer
/// Pow is exact modulo 2^bits, with a negative exponent giving 1 for base 1,
/// +-1 for base -1 and 0 otherwise. Pow with mixed types: the compiler casts
/// the exponent to the base's type first (exact for the integer exponents of
/// a float base; an integer base with a fractional float exponent is not
/// covered). Variadic Max / Min / Sum are chains of binary calls
/// (binary_math, or add of kernels.h, accumulating into the output in input
/// order); Mean is that Sum followed by div by the input count, as ONNX's
/// reference (sum, then / n).
template <typename T>
void binary_math(const tempo_binary_math_params_t &p, const T *a, const T *b,
                 T *y) {
  using namespace detail;
  switch (p.op) {
  case TEMPO_BINARY_POW:
    return broadcast<ops::PowOp>(p.shape, a, b, y);
  case TEMPO_BINARY_MAX:
    return broadcast<ops::MaxOp>(p.shape, a, b, y);
  case TEMPO_BINARY_MIN:
    return broadcast<ops::MinOp>(p.shape, a, b, y);
  case TEMPO_BINARY_PRELU:
    return broadcast<ops::PReluOp>(p.shape, a, b, y);
  default:
    for (int32_t i = 0; i < p.shape.size; ++i)
      y[i] = T(0);
    return;
  }
}

//===----------------------------------------------------------------------===//
// Reductions over [outer, n, inner]
//===----------------------------------------------------------------------===//

/// ReduceSum/Mean/Max/Min/Prod/L1/L2/SumSquare/LogSum/LogSumExp (any type)
/// over the middle axis: x is [outer, n, inner], y is [outer, inner].
/// Floats accumulate in T over j ascending from +0 (Prod from 1); Mean is
/// sum / n; L2 is sqrt(sum x^2); LogSum is log(sum); LogSumExp is
/// mx + log(sum exp(x - mx)) with mx the max (so it does not overflow where
/// ONNX's reference formula does; mx itself if mx is infinite). Max and Min
/// propagate NaN. An empty reduction (n == 0) gives the identity: 0 for
/// Sum, L1, L2, SumSquare; 1 for Prod; -inf (integers: lowest) for Max and
/// LogSumExp; +inf (highest) for Min; -inf for LogSum; NaN (integers: 0) for
/// Mean.
///
/// Integers: Sum, Prod, L1, SumSquare wrap modulo 2^bits; Mean sums in 64
/// bits and divides truncating toward zero; L2, LogSum, LogSumExp are
/// computed in double and converted truncating and saturating.
/// Aliasing: y must not overlap x.
template <typename T>
void reduce(const tempo_reduction_params_t &p, const T *x, T *y) {
  using namespace detail;
  using namespace detail::ops;
  const int32_t O = p.outer, N = p.n, I = p.inner;
  auto id = [](T v) { return v; };
  auto sumSq = [](T acc, T v) { return AddOp::apply(acc, MulOp::apply(v, v)); };
  switch (p.op) {
  case TEMPO_REDUCE_SUM:
    return reduceLoop(O, N, I, x, y, T(0),
                      [](T acc, T v) { return AddOp::apply(acc, v); }, id);
  case TEMPO_REDUCE_MEAN:
    if constexpr (Traits<T>::isFloat) {
      const T count = static_cast<T>(N);
      return reduceLoop(
          O, N, I, x, y, T(0), [](T acc, T v) { return acc + v; },
          [count](T s) { return s / count; });
    } else {
      return reduceLoop(
          O, N, I, x, y, Mean<T>(),
          [](Mean<T> acc, T v) {
            acc.add(v);
            return acc;
          },
          [N](const Mean<T> &m) { return m.result(N); });
    }
  case TEMPO_REDUCE_MAX:
  case TEMPO_REDUCE_MIN: {
    const bool isMax = p.op == TEMPO_REDUCE_MAX;
    T init;
    if constexpr (Traits<T>::isFloat)
      init = isMax ? -infinity<T>() : infinity<T>();
    else
      init = isMax ? Traits<T>::lowest : Traits<T>::highest;
    if (isMax)
      return reduceLoop(O, N, I, x, y, init, [](T acc, T v) {
        return MaxOp::apply(v, acc);
      }, id);
    return reduceLoop(O, N, I, x, y, init,
                      [](T acc, T v) { return MinOp::apply(v, acc); }, id);
  }
  case TEMPO_REDUCE_PROD:
    return reduceLoop(O, N, I, x, y, T(1),
                      [](T acc, T v) { return MulOp::apply(acc, v); }, id);
  case TEMPO_REDUCE_L1:
    return reduceLoop(
        O, N, I, x, y, T(0),
        [](T acc, T v) {
          if constexpr (Traits<T>::isFloat)
            return acc + absOf(v);
          else
            return AddOp::apply(acc, wrapAbs(v));
        },
        id);
  case TEMPO_REDUCE_SUM_SQUARE:
    return reduceLoop(O, N, I, x, y, T(0), sumSq, id);
  case TEMPO_REDUCE_L2:
  case TEMPO_REDUCE_LOG_SUM:
    if constexpr (Traits<T>::isFloat) {
      if (p.op == TEMPO_REDUCE_L2)
        return reduceLoop(O, N, I, x, y, T(0), sumSq,
                          [](T s) { return sqrtOf(s); });
      return reduceLoop(O, N, I, x, y, T(0),
                        [](T acc, T v) { return acc + v; },
                        [](T s) { return logOf(s); });
    } else {
      const bool l2 = p.op == TEMPO_REDUCE_L2;
      return reduceLoop(
          O, N, I, x, y, 0.0,
          [l2](double acc, T v) {
            const double d = static_cast<double>(v);
            return acc + (l2 ? d * d : d);
          },
          [l2](double s) { return fromDouble<T>(l2 ? ::sqrt(s) : ::log(s)); });
    }
  case TEMPO_REDUCE_LOG_SUM_EXP: {
    using A = typename Select<Traits<T>::isFloat, T, double>::type;
    for (int32_t o = 0; o < O; ++o) {
      for (int32_t i = 0; i < I; ++i) {
        const T *xs = x + o * N * I + i;
        A mx = -infinity<A>();
        for (int32_t j = 0; j < N; ++j)
          mx = MaxOp::apply(static_cast<A>(xs[j * I]), mx);
        A r = mx;
        if (!(mx == infinity<A>() || mx == -infinity<A>())) {
          A s = A(0);
          for (int32_t j = 0; j < N; ++j)
            s += expOf(static_cast<A>(xs[j * I]) - mx);
          r = mx + logOf(s);
        }
        if constexpr (Traits<T>::isFloat)
          y[o * I + i] = r;
        else
          y[o * I + i] = fromDouble<T>(r);
      }
    }
    return;
  }
  default:
    for (int32_t i = 0; i < O * I; ++i)
      y[i] = T(0);
    return;
  }
}

/// ArgMax / ArgMin (any type) over the middle axis of x = [outer, n, inner];
/// y is [outer, inner] of int64 indices in [0, n). Ties give the first index
/// (the last if select_last_index). A NaN counts as the best value (numpy's
/// argmax/argmin: the first NaN, or the last NaN with select_last_index). An
/// empty axis (n == 0) gives 0. Aliasing: y must not overlap x.
template <typename T>
void arg_reduce(const tempo_arg_reduce_params_t &p, const T *x, int64_t *y) {
  const bool argMax = p.op == TEMPO_ARG_MAX, last = p.select_last_index != 0;
  for (int32_t o = 0; o < p.outer; ++o)
    for (int32_t i = 0; i < p.inner; ++i)
      y[o * p.inner + i] = detail::ops::argBest(x + o * p.n * p.inner + i, p.n,
                                                p.inner, argMax, last);
}

/// CumSum (any type) along the middle axis of [outer, n, inner]: y_j = sum of
/// x_k for k <= j (k < j if exclusive; k >= j, k > j if reverse), accumulated
/// from +0 in the scan direction. Integers wrap modulo 2^bits.
/// Aliasing: y may alias x exactly.
template <typename T>
void cumsum(const tempo_cumsum_params_t &p, const T *x, T *y) {
  const int32_t n = p.n, inner = p.inner;
  for (int32_t o = 0; o < p.outer; ++o) {
    for (int32_t i = 0; i < inner; ++i) {
      const int32_t base = o * n * inner + i;
      T acc = T(0);
      for (int32_t t = 0; t < n; ++t) {
        const int32_t at = base + (p.reverse ? n - 1 - t : t) * inner;
        const T next = detail::AddOp::apply(acc, x[at]);
        y[at] = p.exclusive ? acc : next;
        acc = next;
      }
    }
  }
}

/// LogSoftmax (float only) over the middle axis of [outer, n, inner]: for
/// each (o, i), mx = max_j x_j, s = sum_j exp(x_j - mx) (j ascending, from
/// +0), y_j = (x_j - mx) - log(s), as ONNX's reference. Aliasing: y must not
/// overlap x.
template <typename T>
void log_softmax(const tempo_softmax_params_t &p, const T *x, T *y) {
  static_assert(detail::Traits<T>::isFloat, "log_softmax is float-only");
  using namespace detail::ops;
  for (int32_t o = 0; o < p.outer; ++o) {
    for (int32_t i = 0; i < p.inner; ++i) {
      const T *xs = x + o * p.n * p.inner + i;
      T *ys = y + o * p.n * p.inner + i;
      T mx = -infinity<T>();
      for (int32_t j = 0; j < p.n; ++j)
        mx = MaxOp::apply(xs[j * p.inner], mx);
      T s = T(0);
      for (int32_t j = 0; j < p.n; ++j)
        s += detail::expOf(xs[j * p.inner] - mx);
      const T ls = logOf(s);
      for (int32_t j = 0; j < p.n; ++j)
        ys[j * p.inner] = (xs[j * p.inner] - mx) - ls;
    }
  }
}

/// Hardmax (any type; ONNX: floats) over the middle axis of [outer, n,
/// inner]: 1 at the first maximum (as numpy's argmax; a NaN counts as the
/// maximum), 0 elsewhere. Aliasing: y must not overlap x.
template <typename T>
void hardmax(const tempo_softmax_params_t &p, const T *x, T *y) {
  for (int32_t o = 0; o < p.outer; ++o) {
    for (int32_t i = 0; i < p.inner; ++i) {
      const int32_t base = o * p.n * p.inner + i;
      const int32_t best =
          detail::ops::argBest(x + base, p.n, p.inner, true, false);
      for (int32_t j = 0; j < p.n; ++j)
        y[base + j * p.inner] = j == best ? T(1) : T(0);
    }
  }
}

//===----------------------------------------------------------------------===//
// Normalisation and pooling
//===----------------------------------------------------------------------===//

/// LayerNormalization (float only; stash_type float = T) over rows of
/// x = [outer, n]: mean = (sum_j x_j) / n, d_j = x_j - mean,
/// var = (sum_j d_j * d_j) / n, inv = 1 / sqrt(var + epsilon),
/// y_j = (d_j * inv) * scale_j + bias_j (ONNX's function body, two passes,
/// sums j ascending from +0). bias is read only if has_bias (may be null
/// otherwise). out_mean and out_inv_std_dev ([outer]; ONNX's optional outputs
/// Mean and InvStdDev) may be null. Aliasing: no output overlaps any input.
template <typename T>
void layer_norm(const tempo_layer_norm_params_t &p, const T *x, const T *scale,
                const T *bias, T *y, T *out_mean, T *out_inv_std_dev) {
  static_assert(detail::Traits<T>::isFloat, "layer_norm is float-only");
  const T count = static_cast<T>(p.n), eps = static_cast<T>(p.epsilon);
  for (int32_t o = 0; o < p.outer; ++o) {
    const T *xr = x + o * p.n;
    T *yr = y + o * p.n;
    T s = T(0);
    for (int32_t j = 0; j < p.n; ++j)
      s += xr[j];
    const T mean = s / count;
    T ss = T(0);
    for (int32_t j = 0; j < p.n; ++j) {
      const T d = xr[j] - mean;
      ss += d * d;
    }
    const T inv = T(1) / detail::sqrtOf(ss / count + eps);
    for (int32_t j = 0; j < p.n; ++j) {
      const T v = ((xr[j] - mean) * inv) * scale[j];
      yr[j] = p.has_bias ? v + bias[j] : v;
    }
    if (out_mean)
      out_mean[o] = mean;
    if (out_inv_std_dev)
      out_inv_std_dev[o] = inv;
  }
}

/// InstanceNormalization (float only): x and y are [batch, channels,
/// spatial], scale and bias [channels]. Per (batch, channel): mean and var
/// as layer_norm over the spatial elements, then
/// y = (x - mean) / sqrt(var + epsilon) * scale[c] + bias[c] (ONNX's
/// reference order). Aliasing: y must not overlap any input.
template <typename T>
void instance_norm(const tempo_batch_norm_params_t &p, const T *x,
                   const T *scale, const T *bias, T *y) {
  static_assert(detail::Traits<T>::isFloat, "instance_norm is float-only");
  const T count = static_cast<T>(p.spatial), eps = static_cast<T>(p.epsilon);
  for (int32_t nc = 0; nc < p.batch * p.channels; ++nc) {
    const int32_t c = nc % p.channels;
    const T *xr = x + nc * p.spatial;
    T *yr = y + nc * p.spatial;
    T s = T(0);
    for (int32_t j = 0; j < p.spatial; ++j)
      s += xr[j];
    const T mean = s / count;
    T ss = T(0);
    for (int32_t j = 0; j < p.spatial; ++j) {
      const T d = xr[j] - mean;
      ss += d * d;
    }
    const T sd = detail::sqrtOf(ss / count + eps);
    for (int32_t j = 0; j < p.spatial; ++j)
      yr[j] = (xr[j] - mean) / sd * scale[c] + bias[c];
  }
}

/// LpPool (float only): layout and window taps as max_pool of kernels.h
/// (p.pool; pad_bottom, pad_right and count_include_pad unused). y =
/// (sum |x|^p)^(1/p) over the taps inside the input, kh then kw ascending
/// from +0 (zero padding adds nothing); p == 1 is the plain sum of |x| and
/// p == 2 uses x * x and sqrt, other p use pow. Aliasing: y must not overlap
/// x.
template <typename T>
void lp_pool(const tempo_lp_pool_params_t &lp, const T *x, T *y) {
  static_assert(detail::Traits<T>::isFloat, "lp_pool is float-only");
  using namespace detail::ops;
  const tempo_pool_params_t &p = lp.pool;
  const T pw = static_cast<T>(lp.p), inv = T(1) / pw;
  const int32_t inPlane = p.in_h * p.in_w;
  for (int32_t nc = 0; nc < p.batch * p.channels; ++nc) {
    const T *xc = x + nc * inPlane;
    T *yc = y + nc * p.out_h * p.out_w;
    for (int32_t oh = 0; oh < p.out_h; ++oh) {
      const int32_t ih0 = oh * p.stride_h - p.pad_top;
      int32_t khLo, khHi;
      detail::tapRange(ih0, p.dil_h, p.k_h, p.in_h, khLo, khHi);
      for (int32_t ow = 0; ow < p.out_w; ++ow) {
        const int32_t iw0 = ow * p.stride_w - p.pad_left;
        int32_t kwLo, kwHi;
        detail::tapRange(iw0, p.dil_w, p.k_w, p.in_w, kwLo, kwHi);
        T acc = T(0);
        for (int32_t kh = khLo; kh < khHi; ++kh) {
          const int32_t row = (ih0 + kh * p.dil_h) * p.in_w + iw0;
          for (int32_t kw = kwLo; kw < kwHi; ++kw) {
            const T v = xc[row + kw * p.dil_w];
            acc += lp.p == 1 ? absOf(v) : lp.p == 2 ? v * v : powOf(absOf(v), pw);
          }
        }
        yc[oh * p.out_w + ow] =
            lp.p == 1 ? acc : lp.p == 2 ? detail::sqrtOf(acc) : powOf(acc, inv);
      }
    }
  }
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

/// Slice / Expand / Tile / Pad (any type): the N-d strided copy of
/// tempo_strided_copy_params_t. y is out_dims row-major (p.size elements);
/// element (i_0 ..) reads x at j_d = start[d] + i_d * step[d], each j_d mapped
/// into [0, in_dims[d]) by p.border: CONSTANT puts *pad_value (0 if pad_value
/// is null) wherever any j_d is outside; EDGE clamps; REFLECT mirrors without
/// repeating the edge (period 2 * (n - 1); n == 1 always reads index 0; pads
/// wider than n - 1 keep bouncing, where numpy would repeat the reflection);
/// WRAP takes j_d mod n. An input dim of extent 0 always gives the pad
/// value. The kernel only moves values, so the compiler may instantiate it by
/// element size (uint8_t for int8/bool, uint32_t for float, ...).
/// Aliasing: y must not overlap x.
template <typename T>
void strided_copy(const tempo_strided_copy_params_t &p, const T *x,
                  const T *pad_value, T *y) {
  using detail::ops::borderIndex;
  const T pad = pad_value ? *pad_value : T(0);
  const int32_t rank = p.rank;
  if (rank == 0) {
    if (p.size > 0)
      y[0] = x[0];
    return;
  }
  int32_t inStride[TEMPO_MAX_RANK];
  int32_t st = 1;
  for (int32_t d = rank - 1; d >= 0; --d) {
    inStride[d] = st;
    st *= p.in_dims[d];
  }
  const int32_t last = rank - 1, inner = p.out_dims[last];
  const int32_t n = p.in_dims[last], s0 = p.start[last], step = p.step[last];
  // The inner row reads in range for every i iff both ends do.
  const bool rowInRange = inner > 0 && s0 >= 0 && s0 < n &&
                          s0 + (inner - 1) * step >= 0 &&
                          s0 + (inner - 1) * step < n;
  int32_t idx[TEMPO_MAX_RANK] = {0};
  for (int32_t base = 0; base < p.size; base += inner) {
    int32_t off = 0;
    bool padRow = false;
    for (int32_t d = 0; d < last; ++d) {
      const int32_t j = borderIndex(p.start[d] + idx[d] * p.step[d],
                                    p.in_dims[d], p.border);
      if (j < 0)
        padRow = true;
      else
        off += j * inStride[d];
    }
    T *yr = y + base;
    if (padRow) {
      for (int32_t i = 0; i < inner; ++i)
        yr[i] = pad;
    } else if (rowInRange) {
      const T *xr = x + off + s0;
      for (int32_t i = 0; i < inner; ++i)
        yr[i] = xr[i * step];
    } else {
      for (int32_t i = 0; i < inner; ++i) {
        const int32_t j = borderIndex(s0 + i * step, n, p.border);
        yr[i] = j < 0 ? pad : x[off + j];
      }
    }
    for (int32_t d = last - 1; d >= 0; --d) {
      if (++idx[d] < p.out_dims[d])
        break;
      idx[d] = 0;
    }
  }
}

/// Gather along one axis with a constant index table (any type): x is
/// [outer, n, inner], indices are p.m values in [0, n) (resolved by the
/// compiler), y is [outer, m, inner]; y(o, k, i) = x(o, indices[k], i).
/// Aliasing: y must not overlap x or indices.
template <typename T>
void gather(const tempo_gather_params_t &p, const T *x, const int32_t *indices,
            T *y) {
  if (p.inner <= 0)
    return;
  const size_t rowBytes = static_cast<size_t>(p.inner) * sizeof(T);
  for (int32_t o = 0; o < p.outer; ++o)
    for (int32_t k = 0; k < p.m; ++k)
      memcpy(y + (o * p.m + k) * p.inner,
             x + (o * p.n + indices[k]) * p.inner, rowBytes);
}

/// Cast (From, To in float, double, bool and the integer types) over p.size
/// elements:
///  - to bool: x != 0 (NaN gives true, as numpy); from bool: 0 or 1;
///  - to float/double: C++ conversion, rounding to nearest;
///  - float to integer: truncation toward zero; NaN gives 0; values outside
///    To's range saturate to lowest/highest (ONNX leaves this undefined;
///    numpy's result is platform-dependent);
///  - integer to integer: modulo 2^bits of To (numpy's astype).
/// Aliasing: y may alias x exactly when sizeof(From) == sizeof(To).
template <typename From, typename To>
void cast(const tempo_cast_params_t &p, const From *x, To *y) {
  for (int32_t i = 0; i < p.size; ++i)
    y[i] = detail::ops::castValue<To>(x[i]);
}

//===----------------------------------------------------------------------===//
// Transposed convolution
//===----------------------------------------------------------------------===//

/// ConvTranspose (float only; 1-D uses h == 1, 2-D depth 1) with the fields
/// of tempo_conv_params_t read as follows: x is [batch, in_c, in_d, in_h,
/// in_w], w is [in_c, out_c / groups, k_d, k_h, k_w], b [out_c] (read only
/// if has_bias), y is [batch, out_c, out_d, out_h, out_w]; pad_front /
/// pad_top / pad_left are ONNX's begin pads; out_d / out_h / out_w are the
/// final extents (the compiler applies end pads, output_padding,
/// output_shape and auto_pad there; output positions beyond every tap's
/// reach just get the bias). Input (id, ih, iw) and tap (kd, kh, kw)
/// contribute to output (id * stride_d - pad_front + kd * dil_d, ih *
/// stride_h - pad_top + kh * dil_h, iw * stride_w - pad_left + kw * dil_w).
/// Computed as a gather, without scratch: for each output element of
/// channel oc in group g = oc / (out_c / groups), acc = +0; for each input
/// channel of the group ascending, kd, kh, kw ascending with a matching
/// input position: acc += x * w; then y = acc + b[oc]. The depth fields of
/// 0 read as 1 (pad_front as 0); the fused activation and pool fields are
/// not read (nothing is fused into a ConvTranspose). Aliasing: y must not
/// overlap x, w or b.
template <typename T>
void conv_transpose(const tempo_conv_params_t &p, const T *x, const T *w,
                    const T *b, T *y) {
  static_assert(detail::Traits<T>::isFloat, "conv_transpose is float-only");
  const int32_t inD = detail::depthOr1(p.in_d), outD = detail::depthOr1(p.out_d);
  const int32_t kD = detail::depthOr1(p.k_d);
  const int32_t strideD = detail::depthOr1(p.stride_d);
  const int32_t dilD = detail::depthOr1(p.dil_d);
  const int32_t icPerGroup = p.in_c / p.groups;
  const int32_t ocPerGroup = p.out_c / p.groups;
  const int32_t inPlane = p.in_h * p.in_w, kPlane = p.k_h * p.k_w;
  const int32_t inVolume = inD * inPlane, kVolume = kD * kPlane;
  const int32_t outPlane = p.out_h * p.out_w;
  for (int32_t n = 0; n < p.batch; ++n) {
    for (int32_t oc = 0; oc < p.out_c; ++oc) {
      const int32_t g = oc / ocPerGroup, ocg = oc % ocPerGroup;
      T *yo = y + (n * p.out_c + oc) * outD * outPlane;
      for (int32_t od = 0; od < outD; ++od) {
        for (int32_t oh = 0; oh < p.out_h; ++oh) {
          for (int32_t ow = 0; ow < p.out_w; ++ow) {
            T acc = T(0);
            for (int32_t c = 0; c < icPerGroup; ++c) {
              const int32_t ic = g * icPerGroup + c;
              const T *xc = x + (n * p.in_c + ic) * inVolume;
              const T *wk = w + (ic * ocPerGroup + ocg) * kVolume;
              for (int32_t kd = 0; kd < kD; ++kd) {
                const int32_t td = od + p.pad_front - kd * dilD;
                if (td < 0 || td % strideD != 0 || td / strideD >= inD)
                  continue;
                const T *xd = xc + (td / strideD) * inPlane;
                const T *wd = wk + kd * kPlane;
                for (int32_t kh = 0; kh < p.k_h; ++kh) {
                  const int32_t th = oh + p.pad_top - kh * p.dil_h;
                  if (th < 0 || th % p.stride_h != 0 ||
                      th / p.stride_h >= p.in_h)
                    continue;
                  const int32_t ih = th / p.stride_h;
                  for (int32_t kw = 0; kw < p.k_w; ++kw) {
                    const int32_t tw = ow + p.pad_left - kw * p.dil_w;
                    if (tw < 0 || tw % p.stride_w != 0 ||
                        tw / p.stride_w >= p.in_w)
                      continue;
                    acc += xd[ih * p.in_w + tw / p.stride_w] *
                           wd[kh * p.k_w + kw];
                  }
                }
              }
            }
            yo[(od * p.out_h + oh) * p.out_w + ow] =
                p.has_bias ? acc + b[oc] : acc;
          }
        }
      }
    }
  }
}

//===----------------------------------------------------------------------===//
// Signal processing (float only)
//===----------------------------------------------------------------------===//

/// DFT (opset 17) of x = [outer, n_in, inner, in_complex ? 2 : 1] along the
/// n axis into y = [outer, n_out, inner, 2]. The signal is truncated or
/// zero-padded to p.length; bin k (k < n_out) is
/// sum_j x_j e^{-+2 pi i jk / length} (+ and scaled by 1 / length if
/// inverse). onesided just means n_out = length / 2 + 1 (also for inverse;
/// real input is a complex input with zero imaginary part). length a power
/// of two uses a radix-2 FFT (O(L log L)); any other length the direct
/// O(L^2) sum (documented cost: L^2 complex multiply-adds per transform).
/// scratch: tempo_dft_scratch_size(&p) bytes. Aliasing: y must not overlap
/// x or scratch.
inline void dft(const tempo_dft_params_t &p, const float *x, float *y,
                void *scratch) {
  const int32_t L = p.length, cin = p.in_complex ? 2 : 1;
  if (L <= 0)
    return;
  float *tw = static_cast<float *>(scratch), *work = tw + 2 * L;
  detail::ops::twiddles(L, tw);
  const int32_t avail = p.n_in < L ? p.n_in : L;
  for (int32_t o = 0; o < p.outer; ++o) {
    for (int32_t i = 0; i < p.inner; ++i) {
      for (int32_t j = 0; j < L; ++j) {
        const float *xj = x + ((o * p.n_in + j) * p.inner + i) * cin;
        work[2 * j] = j < avail ? xj[0] : 0.0f;
        work[2 * j + 1] = j < avail && cin == 2 ? xj[1] : 0.0f;
      }
      detail::ops::dftCore(L, p.n_out, p.inverse != 0, tw, work,
                           y + (o * p.n_out * p.inner + i) * 2, 2 * p.inner);
    }
  }
}

/// STFT (opset 17): signal is [batch, signal_length, in_complex ? 2 : 1];
/// frame f of batch b is samples [f * frame_step, f * frame_step +
/// frame_length), multiplied by window[j] if has_window (window may be null
/// otherwise), transformed as dft (forward, length frame_length) into y =
/// [batch, frames, n_out, 2]. scratch: tempo_stft_scratch_size(&p) bytes.
/// Aliasing: y must not overlap signal, window or scratch.
inline void stft(const tempo_stft_params_t &p, const float *signal,
                 const float *window, float *y, void *scratch) {
  const int32_t L = p.frame_length, cin = p.in_complex ? 2 : 1;
  if (L <= 0)
    return;
  float *tw = static_cast<float *>(scratch), *work = tw + 2 * L;
  detail::ops::twiddles(L, tw);
  for (int32_t b = 0; b < p.batch; ++b) {
    for (int32_t f = 0; f < p.frames; ++f) {
      const float *xf = signal + (b * p.signal_length + f * p.frame_step) * cin;
      for (int32_t j = 0; j < L; ++j) {
        const float wj = p.has_window ? window[j] : 1.0f;
        work[2 * j] = xf[j * cin] * wj;
        work[2 * j + 1] = cin == 2 ? xf[j * cin + 1] * wj : 0.0f;
      }
      detail::ops::dftCore(L, p.n_out, false, tw, work,
                           y + (b * p.frames + f) * p.n_out * 2, 2);
    }
  }
}

/// HannWindow / HammingWindow / BlackmanWindow (opset 17) of p.size points
/// into y, computed in double and rounded once: with N = size if periodic
/// else size - 1 and a = 2 pi n / N,
///  Hann      0.5 - 0.5 cos(a)
///  Hamming   25/46 - 21/46 cos(a)
///  Blackman  0.42 - 0.5 cos(a) + 0.08 cos(2a)
/// A symmetric window of size 1 (N == 0) is [1] (numpy's convention; ONNX's
/// reference divides by zero). Meant for constant folding.
inline void window(const tempo_window_params_t &p, float *y) {
  const int32_t N = p.periodic ? p.size : p.size - 1;
  const double twoPi = 6.283185307179586476925286766559;
  for (int32_t n = 0; n < p.size; ++n) {
    if (N <= 0) {
      y[n] = 1.0f;
      continue;
    }
    const double a = twoPi * n / N;
    double v;
    switch (p.kind) {
    case TEMPO_WINDOW_HAMMING:
      v = 25.0 / 46.0 - 21.0 / 46.0 * ::cos(a);
      break;
    case TEMPO_WINDOW_BLACKMAN:
      v = 0.42 - 0.5 * ::cos(a) + 0.08 * ::cos(2.0 * a);
      break;
    default:
      v = 0.5 - 0.5 * ::cos(a);
      break;
    }
    y[n] = static_cast<float>(v);
  }
}

/// MelWeightMatrix (opset 17) into y = [dft_length / 2 + 1, num_mel_bins],
/// following ONNX's reference implementation step by step (in double):
/// mel(f) = 2595 log10(1 + f / 700); the num_mel_bins + 2 band edges are
/// mel(lower) + e * step for e in [0, num_mel_bins + 2) with step =
/// (mel(upper) - mel(lower)) / (num_mel_bins + 2) (sic: ONNX divides by the
/// edge count, not by num_mel_bins + 1), converted back to Hz and to bin
/// indices floor((dft_length + 1) * hz / sample_rate). Mel bin i is a
/// triangle from edge i to edge i + 2: rising (j - lo) / (c - lo) for j in
/// [lo, c] (a single 1 at c if lo == c), falling (hi - j) / (hi - c) for j in
/// [c, hi). Bin indices outside the output rows are skipped. Meant for
/// constant folding.
inline void mel_weight_matrix(const tempo_mel_params_t &p, float *y) {
  const int32_t bins = p.dft_length / 2 + 1, mels = p.num_mel_bins;
  for (int32_t i = 0; i < bins * mels; ++i)
    y[i] = 0.0f;
  const double lowMel =
      2595.0 * ::log10(1.0 + static_cast<double>(p.lower_edge_hertz) / 700.0);
  const double highMel =
      2595.0 * ::log10(1.0 + static_cast<double>(p.upper_edge_hertz) / 700.0);
  const double step = (highMel - lowMel) / (mels + 2);
  auto edge = [&](int32_t e) {
    const double hz = 700.0 * (::pow(10.0, (e * step + lowMel) / 2595.0) - 1.0);
    return static_cast<int32_t>(
        ::floor((p.dft_length + 1) * hz / p.sample_rate));
  };
  auto put = [&](int32_t j, int32_t i, double v) {
    if (j >= 0 && j < bins)
      y[j * mels + i] = static_cast<float>(v);
  };
  for (int32_t i = 0; i < mels; ++i) {
    const int32_t lo = edge(i), c = edge(i + 1), hi = edge(i + 2);
    if (c == lo)
      put(c, i, 1.0);
    else
      for (int32_t j = lo; j <= c; ++j)
        put(j, i, static_cast<double>(j - lo) / (c - lo));
    if (hi > c)
      for (int32_t j = c; j < hi; ++j)
        put(j, i, static_cast<double>(hi - j) / (hi - c));
  }
}

} // namespace tempo

#endif /* TEMPO_OPS_H */
