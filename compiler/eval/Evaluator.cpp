//===- Evaluator.cpp - Reference evaluator over the runtime kernels -------===//

#include "compiler/eval/Evaluator.h"
#include "compiler/eval/KernelParams.h"
#include "dialects/Tempo/IR/TempoOps.h"

#include "tempo/kernels.h"
#include "tempo/mixed.h"
#include "tempo/ops.h"
#include "tempo/quant.h"
#include "tempo/recurrent.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

#include <cstring>
#include <map>

using namespace mlir;
using namespace mlir::tempo;

namespace {

template <typename T>
const T *in(const std::vector<const void *> &ptrs, size_t i) {
  return static_cast<const T *>(ptrs[i]);
}

/// Calls mlir::tempo::<call.kernel><T>. Returns false if no such kernel exists
/// for T (the emitter refuses the same combinations).
template <typename T>
bool invoke(const mlir::tempo::KernelCall &call,
            const std::vector<const void *> &a, const std::vector<void *> &outs,
            void *scratch) {
  void *out = outs[0];
  T *y = static_cast<T *>(out);
  auto o = [&](size_t i) { return static_cast<T *>(outs[i]); };
  llvm::StringRef k = call.kernel;
  const KernelParams &p = call.params;
  if constexpr (std::is_same_v<T, float>) {
    if (k == "log_softmax")
      return ::tempo::log_softmax<T>(std::get<tempo_softmax_params_t>(p),
                                     in<T>(a, 0), y),
             true;
    if (k == "layer_norm")
      return ::tempo::layer_norm<T>(std::get<tempo_layer_norm_params_t>(p),
                                    in<T>(a, 0), in<T>(a, 1), in<T>(a, 2), o(0),
                                    o(1), o(2)),
             true;
    if (k == "instance_norm")
      return ::tempo::instance_norm<T>(std::get<tempo_batch_norm_params_t>(p),
                                       in<T>(a, 0), in<T>(a, 1), in<T>(a, 2),
                                       y),
             true;
    if (k == "conv_transpose")
      return ::tempo::conv_transpose<T>(std::get<tempo_conv_params_t>(p),
                                        in<T>(a, 0), in<T>(a, 1), in<T>(a, 2),
                                        y),
             true;
    if (k == "lstm")
      return ::tempo::lstm<T>(std::get<tempo_lstm_params_t>(p), in<T>(a, 0),
                              in<T>(a, 1), in<T>(a, 2), in<T>(a, 3),
                              in<T>(a, 4), in<T>(a, 5), in<T>(a, 6), o(0), o(1),
                              o(2), static_cast<T *>(scratch)),
             true;
    if (k == "gru")
      return ::tempo::gru<T>(std::get<tempo_gru_params_t>(p), in<T>(a, 0),
                             in<T>(a, 1), in<T>(a, 2), in<T>(a, 3), in<T>(a, 4),
                             o(0), o(1), static_cast<T *>(scratch)),
             true;
    if (k == "rnn")
      return ::tempo::rnn<T>(std::get<tempo_rnn_params_t>(p), in<T>(a, 0),
                             in<T>(a, 1), in<T>(a, 2), in<T>(a, 3), in<T>(a, 4),
                             o(0), o(1), static_cast<T *>(scratch)),
             true;
    if (k == "dft")
      return ::tempo::dft(std::get<tempo_dft_params_t>(p), in<T>(a, 0), y,
                          scratch),
             true;
    if (k == "stft")
      return ::tempo::stft(std::get<tempo_stft_params_t>(p), in<T>(a, 0),
                           in<T>(a, 1), y, scratch),
             true;
    if (k == "conv")
      return ::tempo::conv<T>(std::get<tempo_conv_params_t>(p), in<T>(a, 0), in<T>(a, 1),
                     in<T>(a, 2), y),
             true;
    if (k == "gemm")
      return ::tempo::gemm<T>(std::get<tempo_gemm_params_t>(p), in<T>(a, 0), in<T>(a, 1),
                     in<T>(a, 2), y),
             true;
    if (k == "matmul")
      return ::tempo::matmul<T>(std::get<tempo_matmul_params_t>(p), in<T>(a, 0),
                       in<T>(a, 1), y),
             true;
    if (k == "batch_norm")
      return ::tempo::batch_norm<T>(std::get<tempo_batch_norm_params_t>(p), in<T>(a, 0),
                           in<T>(a, 1), in<T>(a, 2), in<T>(a, 3), in<T>(a, 4),
                           y),
             true;
    if (k == "batch_norm_training")
      return ::tempo::batch_norm_training<T>(
                 std::get<tempo_batch_norm_params_t>(p), in<T>(a, 0),
                 in<T>(a, 1), in<T>(a, 2), in<T>(a, 3), in<T>(a, 4), o(0), o(1),
                 o(2)),
             true;
    if (k == "elementwise_chain") {
      const T *ins[TEMPO_CHAIN_MAX_INPUTS] = {};
      for (size_t i = 0; i < a.size() && i < TEMPO_CHAIN_MAX_INPUTS; ++i)
        ins[i] = in<T>(a, i);
      ::tempo::elementwise_chain<T>(std::get<tempo_chain_params_t>(p), ins, y);
      return true;
    }
    if (k == "channel_affine")
      return ::tempo::channel_affine<T>(
                 std::get<tempo_channel_affine_params_t>(p), in<T>(a, 0),
                 in<T>(a, 1), in<T>(a, 2), y),
             true;
    if (k == "sigmoid")
      return ::tempo::sigmoid<T>(std::get<tempo_unary_params_t>(p), in<T>(a, 0), y), true;
    if (k == "tanh")
      return ::tempo::tanh<T>(std::get<tempo_unary_params_t>(p), in<T>(a, 0), y), true;
    if (k == "leaky_relu")
      return ::tempo::leaky_relu<T>(std::get<tempo_unary_params_t>(p), in<T>(a, 0), y),
             true;
    if (k == "softmax")
      return ::tempo::softmax<T>(std::get<tempo_softmax_params_t>(p), in<T>(a, 0), y),
             true;
    if (k == "average_pool")
      return ::tempo::average_pool<T>(std::get<tempo_pool_params_t>(p), in<T>(a, 0), y),
             true;
    if (k == "lp_pool")
      return ::tempo::lp_pool<T>(std::get<tempo_lp_pool_params_t>(p),
                                 in<T>(a, 0), y),
             true;
    if (k == "global_average_pool")
      return ::tempo::global_average_pool<T>(std::get<tempo_reduce_params_t>(p),
                                    in<T>(a, 0), y),
             true;
  }
  if (k == "add")
    return ::tempo::add<T>(std::get<tempo_broadcast_params_t>(p), in<T>(a, 0),
                  in<T>(a, 1), y),
           true;
  if (k == "sub")
    return ::tempo::sub<T>(std::get<tempo_broadcast_params_t>(p), in<T>(a, 0),
                  in<T>(a, 1), y),
           true;
  if (k == "mul")
    return ::tempo::mul<T>(std::get<tempo_broadcast_params_t>(p), in<T>(a, 0),
                  in<T>(a, 1), y),
           true;
  if (k == "div")
    return ::tempo::div<T>(std::get<tempo_broadcast_params_t>(p), in<T>(a, 0),
                  in<T>(a, 1), y),
           true;
  if (k == "relu")
    return ::tempo::relu<T>(std::get<tempo_unary_params_t>(p), in<T>(a, 0), y), true;
  if (k == "clip")
    return ::tempo::clip<T>(std::get<tempo_unary_params_t>(p), in<T>(a, 0), y), true;
  if (k == "cumsum")
    return ::tempo::cumsum<T>(std::get<tempo_cumsum_params_t>(p), in<T>(a, 0),
                              y),
           true;
  if (k == "max_pool")
    return ::tempo::max_pool<T>(std::get<tempo_pool_params_t>(p), in<T>(a, 0), y), true;
  if (k == "max_pool_with_indices")
    return ::tempo::max_pool_with_indices<T>(std::get<tempo_pool_params_t>(p),
                                             in<T>(a, 0), o(0),
                                             static_cast<int64_t *>(outs[1])),
           true;
  if (k == "transpose")
    return ::tempo::transpose<T>(std::get<tempo_transpose_params_t>(p), in<T>(a, 0), y),
           true;
  if (k == "concat")
    return ::tempo::concat<T>(std::get<tempo_concat_params_t>(p), in<T>(a, 0), y), true;
  if (k == "copy")
    return ::tempo::copy(std::get<tempo_copy_params_t>(p), a[0], out), true;
  if (k == "math")
    return ::tempo::math<T>(std::get<tempo_math_params_t>(p), in<T>(a, 0), y),
           true;
  if (k == "binary_math")
    return ::tempo::binary_math<T>(std::get<tempo_binary_math_params_t>(p),
                                   in<T>(a, 0), in<T>(a, 1), y),
           true;
  if (k == "reduce")
    return ::tempo::reduce<T>(std::get<tempo_reduction_params_t>(p),
                              in<T>(a, 0), y),
           true;
  if (k == "arg_reduce")
    return ::tempo::arg_reduce<T>(std::get<tempo_arg_reduce_params_t>(p),
                                  in<T>(a, 0), static_cast<int64_t *>(out)),
           true;
  if (k == "hardmax")
    return ::tempo::hardmax<T>(std::get<tempo_softmax_params_t>(p), in<T>(a, 0),
                               y),
           true;
  if (k == "strided_copy")
    return ::tempo::strided_copy<T>(std::get<tempo_strided_copy_params_t>(p),
                                    in<T>(a, 0), in<T>(a, 1), y),
           true;
  if (k == "gather")
    return ::tempo::gather<T>(std::get<tempo_gather_params_t>(p), in<T>(a, 0),
                              in<int32_t>(a, 1), y),
           true;
  return false;
}

/// Calls f(T{}) with T the kernels' C++ type for `elt` (bool for i1 when
/// BoolAsBool, else uint8_t); false if there is none.
template <bool BoolAsBool, typename F> bool withElementType(Type elt, F &&f) {
  elt = storageElementType(elt);
  if (elt.isF32())
    return f(float{});
  auto it = dyn_cast<IntegerType>(elt);
  if (!it)
    return false;
  bool u = it.isUnsigned();
  switch (it.getWidth()) {
  case 1:
    if constexpr (BoolAsBool)
      return f(bool{});
    else
      return f(uint8_t{});
  case 8:
    return u ? f(uint8_t{}) : f(int8_t{});
  case 16:
    return u ? f(uint16_t{}) : f(int16_t{});
  case 32:
    return u ? f(uint32_t{}) : f(int32_t{});
  case 64:
    return u ? f(uint64_t{}) : f(int64_t{});
  }
  return false;
}

/// tempo::cast<From, To> with the types of the op's operand and result.
bool invokeCast(Type from, Type to, const mlir::tempo::KernelCall &call,
                const void *x, void *y) {
  return withElementType<true>(from, [&](auto f) {
    using From = decltype(f);
    return withElementType<true>(to, [&](auto t) {
      using To = decltype(t);
      ::tempo::cast<From, To>(std::get<tempo_cast_params_t>(call.params),
                              static_cast<const From *>(x),
                              static_cast<To *>(y));
      return true;
    });
  });
}

bool invokeTyped(Type elt, const mlir::tempo::KernelCall &call,
                 const std::vector<const void *> &a,
                 const std::vector<void *> &outs, void *scratch) {
  return withElementType<false>(
      elt, [&](auto t) { return invoke<decltype(t)>(call, a, outs, scratch); });
}

template <typename T> const T *table(const std::vector<const void *> &t,
                                     size_t i) {
  return i < t.size() ? static_cast<const T *>(t[i]) : nullptr;
}

/// Calls the integer kernel of tempo/quant.h that `call` names.
bool invokeQuant(const mlir::tempo::KernelCall &call,
                 const std::vector<const void *> &a,
                 const std::vector<const void *> &t,
                 const std::vector<void *> &outs, void *scratch) {
  llvm::StringRef k = call.kernel;
  const KernelParams &p = call.params;
  auto s8 = [&](size_t i) { return in<int8_t>(a, i); };
  auto i32 = [&](size_t i) { return in<int32_t>(a, i); };
  int8_t *y = static_cast<int8_t *>(outs[0]);
  if (k == "conv_s8" || k == "fully_connected_s8") {
    // The bias is operand 2 (int32) or the first table (int16 or int32);
    // then the multipliers and the int8 shifts (null: one shift, in p).
    const bool biasOperand = call.operands.size() > 2;
    const size_t m = biasOperand ? 0 : 1;
    const int32_t *mult = table<int32_t>(t, m);
    const int8_t *shift = table<int8_t>(t, m + 1);
    auto run = [&](const auto *bias) {
      if (k == "conv_s8")
        ::tempo::conv_s8(std::get<tempo_qconv_params_t>(p), s8(0), s8(1), bias,
                         mult, shift, y);
      else if (elementBytes(call.typeArgs[0]) == 2)
        ::tempo::fully_connected_s8(std::get<tempo_qfc_params_t>(p), s8(0),
                                    s8(1), bias, mult, shift,
                                    static_cast<int16_t *>(outs[0]));
      else
        ::tempo::fully_connected_s8(std::get<tempo_qfc_params_t>(p), s8(0),
                                    s8(1), bias, mult, shift, y);
      return true;
    };
    if (biasOperand)
      return run(i32(2));
    if (llvm::StringRef(call.tables[0].cType) == "int16_t")
      return run(table<int16_t>(t, 0));
    return run(table<int32_t>(t, 0));
  }
  if (k == "matmul_s8")
    return ::tempo::matmul_s8(std::get<tempo_qmatmul_params_t>(p), s8(0), s8(1),
                              y),
           true;
  if (k == "add_s8")
    return ::tempo::add_s8(std::get<tempo_qbinary_params_t>(p), s8(0), s8(1), y),
           true;
  if (k == "sub_s8")
    return ::tempo::sub_s8(std::get<tempo_qbinary_params_t>(p), s8(0), s8(1), y),
           true;
  if (k == "mul_s8")
    return ::tempo::mul_s8(std::get<tempo_qbinary_params_t>(p), s8(0), s8(1), y),
           true;
  if (k == "max_pool_s8")
    return ::tempo::max_pool_s8(std::get<tempo_qpool_params_t>(p), s8(0), y),
           true;
  if (k == "average_pool_s8")
    return ::tempo::average_pool_s8(std::get<tempo_qpool_params_t>(p), s8(0),
                                    y),
           true;
  if (k == "global_average_pool_s8")
    return ::tempo::global_average_pool_s8(std::get<tempo_qreduce_params_t>(p),
                                           s8(0), y),
           true;
  if (k == "concat_s8")
    return ::tempo::concat_s8(std::get<tempo_qconcat_params_t>(p), s8(0), y),
           true;
  if (k == "clamp_s8")
    return ::tempo::clamp_s8(std::get<tempo_qclamp_params_t>(p), s8(0), y),
           true;
  if (k == "requantize_s8")
    return ::tempo::requantize_s8(std::get<tempo_requant_params_t>(p), s8(0),
                                  y),
           true;
  if (k == "lut_s8")
    return ::tempo::lut_s8(std::get<tempo_lut_params_t>(p), s8(0),
                           table<int8_t>(t, 0), y),
           true;
  if (k == "softmax_s8")
    return ::tempo::softmax_s8(std::get<tempo_qsoftmax_params_t>(p), s8(0), y),
           true;
  auto s8out = [&](size_t i) { return static_cast<int8_t *>(outs[i]); };
  if (k == "lstm_s8")
    return ::tempo::lstm_s8(std::get<tempo_qlstm_params_t>(p), s8(0), s8(1),
                            s8(2), i32(3), s8(4), in<int16_t>(a, 5),
                            table<int32_t>(t, 0), table<int32_t>(t, 1),
                            table<int32_t>(t, 2), table<int32_t>(t, 3),
                            table<uint16_t>(t, 4), table<uint16_t>(t, 5),
                            s8out(0), s8out(1), scratch),
           true;
  if (k == "gru_s8" || k == "rnn_s8") {
    const auto &q = std::get<tempo_qrecurrent_params_t>(p);
    auto kernel = k == "gru_s8" ? ::tempo::gru_s8 : ::tempo::rnn_s8;
    kernel(q, s8(0), s8(1), s8(2), i32(3), s8(4), table<int32_t>(t, 0),
           table<int32_t>(t, 1), table<int32_t>(t, 2), table<int32_t>(t, 3),
           table<uint16_t>(t, 4), table<uint16_t>(t, 5), s8out(0), s8out(1),
           scratch);
    return true;
  }
  if (k == "quantize_linear")
    return withElementType<false>(call.typeArgs[0], [&](auto s) {
      using T = decltype(s);
      if constexpr (std::is_integral_v<T> && sizeof(T) <= 2)
        return ::tempo::quantize_linear<T>(
                   std::get<tempo_quantize_params_t>(p), in<float>(a, 0),
                   table<float>(t, 0), table<int32_t>(t, 1),
                   static_cast<T *>(outs[0])),
               true;
      return false;
    });
  if (k == "dequantize_linear")
    return withElementType<false>(call.typeArgs[0], [&](auto s) {
      using T = decltype(s);
      if constexpr (std::is_integral_v<T> && sizeof(T) <= 2)
        return ::tempo::dequantize_linear<T>(
                   std::get<tempo_quantize_params_t>(p), in<T>(a, 0),
                   table<float>(t, 0), table<int32_t>(t, 1),
                   static_cast<float *>(outs[0])),
               true;
      return false;
    });
  if (k == "requantize")
    return withElementType<false>(call.typeArgs[0], [&](auto from) {
      return withElementType<false>(call.typeArgs[1], [&](auto to) {
        using From = decltype(from);
        using To = decltype(to);
        if constexpr (std::is_integral_v<From> && sizeof(From) <= 2 &&
                      std::is_integral_v<To> && sizeof(To) <= 2)
          return ::tempo::requantize<From, To>(
                     std::get<tempo_requant_params_t>(p), in<From>(a, 0),
                     static_cast<To *>(outs[0])),
                 true;
        return false;
      });
    });
  return false;
}

/// Calls the mixed-precision kernel of tempo/mixed.h that `call` names
/// (*_w8: int8 weights, float compute; *_a16: int16 activations); false if
/// it names none.
bool invokeMixed(const mlir::tempo::KernelCall &call,
                 const std::vector<const void *> &a,
                 const std::vector<const void *> &t,
                 const std::vector<void *> &outs) {
  llvm::StringRef k = call.kernel;
  const KernelParams &p = call.params;
  auto f32 = [&](size_t i) { return in<float>(a, i); };
  auto s8 = [&](size_t i) { return in<int8_t>(a, i); };
  auto s16 = [&](size_t i) { return in<int16_t>(a, i); };
  auto i32 = [&](size_t i) { return in<int32_t>(a, i); };
  float *yf = static_cast<float *>(outs[0]);
  int16_t *y16 = static_cast<int16_t *>(outs[0]);
  if (k == "conv_w8")
    return ::tempo::conv_w8(std::get<tempo_conv_params_t>(p), f32(0), s8(1),
                            f32(2), table<float>(t, 0), yf),
           true;
  if (k == "gemm_w8")
    return ::tempo::gemm_w8(std::get<tempo_gemm_params_t>(p), f32(0), s8(1),
                            f32(2), table<float>(t, 0), yf),
           true;
  if (k == "matmul_w8")
    return ::tempo::matmul_w8(std::get<tempo_matmul_params_t>(p), f32(0),
                              s8(1), table<float>(t, 0), yf),
           true;
  if (k == "conv_a16")
    return ::tempo::conv_a16(std::get<tempo_qconv_params_t>(p), s16(0), s8(1),
                             i32(2), table<int32_t>(t, 0),
                             table<int32_t>(t, 1), y16),
           true;
  if (k == "fully_connected_a16")
    return ::tempo::fully_connected_a16(std::get<tempo_qfc_params_t>(p),
                                        s16(0), s8(1), i32(2),
                                        table<int32_t>(t, 0),
                                        table<int32_t>(t, 1), y16),
           true;
  if (k == "matmul_a16")
    return ::tempo::matmul_a16(std::get<tempo_qmatmul_params_t>(p), s16(0),
                               s16(1), y16),
           true;
  if (k == "add_a16")
    return ::tempo::add_a16(std::get<tempo_qbinary_params_t>(p), s16(0),
                            s16(1), y16),
           true;
  if (k == "sub_a16")
    return ::tempo::sub_a16(std::get<tempo_qbinary_params_t>(p), s16(0),
                            s16(1), y16),
           true;
  if (k == "mul_a16")
    return ::tempo::mul_a16(std::get<tempo_qbinary_params_t>(p), s16(0),
                            s16(1), y16),
           true;
  if (k == "max_pool_a16")
    return ::tempo::max_pool_a16(std::get<tempo_qpool_params_t>(p), s16(0),
                                 y16),
           true;
  if (k == "average_pool_a16")
    return ::tempo::average_pool_a16(std::get<tempo_qpool_params_t>(p),
                                     s16(0), y16),
           true;
  if (k == "concat_a16")
    return ::tempo::concat_a16(std::get<tempo_qconcat_params_t>(p), s16(0),
                               y16),
           true;
  if (k == "clamp_a16")
    return ::tempo::clamp_a16(std::get<tempo_qclamp_params_t>(p), s16(0), y16),
           true;
  return false;
}

/// A table's values in its C type, as the kernel reads them.
std::vector<char> tableBytes(const mlir::tempo::KernelTable &t) {
  llvm::StringRef c = t.cType;
  size_t eb = static_cast<size_t>(t.elementBytes());
  std::vector<char> out(t.values.size() * eb);
  for (size_t i = 0; i < t.values.size(); ++i) {
    double v = t.values[i];
    char *dst = out.data() + i * eb;
    if (c == "float") {
      float f = static_cast<float>(v);
      std::memcpy(dst, &f, 4);
    } else if (c == "int8_t") {
      int8_t x = static_cast<int8_t>(v);
      std::memcpy(dst, &x, 1);
    } else if (c == "uint16_t") {
      uint16_t x = static_cast<uint16_t>(v);
      std::memcpy(dst, &x, 2);
    } else if (c == "int16_t") {
      int16_t x = static_cast<int16_t>(v);
      std::memcpy(dst, &x, 2);
    } else {
      int32_t x = static_cast<int32_t>(v);
      std::memcpy(dst, &x, 4);
    }
  }
  return out;
}

/// Runs every kernel call of `op` on the given operand and result buffers.
LogicalResult runOp(Operation *op, const std::vector<const void *> &operands,
                    void *result, bool report) {
  FailureOr<std::vector<mlir::tempo::KernelCall>> calls;
  if (report) {
    calls = mlir::tempo::buildKernelCalls(op);
  } else {
    ScopedDiagnosticHandler quiet(op->getContext(),
                                  [](Diagnostic &) { return success(); });
    calls = mlir::tempo::buildKernelCalls(op);
  }
  if (failed(calls))
    return failure();
  // The kernels are instantiated with the result's element type unless the
  // call says otherwise (arg_reduce: the input's; cast: both).
  Type resultElt = getElementTypeOrSelf(op->getResult(0).getType());
  int64_t eltBytes = elementBytes(resultElt);
  for (const mlir::tempo::KernelCall &call : *calls) {
    Type elt = call.element ? call.element : resultElt;
    std::vector<const void *> args;
    for (int i : call.operands)
      args.push_back(i < 0 ? nullptr : operands[i]);
    std::vector<void *> outs;
    for (int64_t off : call.results)
      outs.push_back(off < 0 ? nullptr
                             : static_cast<char *>(result) + off * eltBytes);
    // The scratch operand is arena memory the planner gave this op alone.
    void *scratch =
        call.scratch < 0 ? nullptr : const_cast<void *>(operands[call.scratch]);
    if (!call.tables.empty() || !call.typeArgs.empty() ||
        llvm::StringRef(call.kernel).ends_with("_s8") ||
        llvm::StringRef(call.kernel).ends_with("_a16")) {
      std::vector<std::vector<char>> storage;
      std::vector<const void *> tables;
      for (const mlir::tempo::KernelTable &t : call.tables) {
        storage.push_back(tableBytes(t));
        tables.push_back(t.values.empty() ? nullptr : storage.back().data());
      }
      if (!invokeMixed(call, args, tables, outs) &&
          !invokeQuant(call, args, tables, outs, scratch)) {
        if (report)
          op->emitOpError("has no ") << call.kernel << " kernel";
        return failure();
      }
      continue;
    }
    bool ok =
        call.isCast
            ? invokeCast(getElementTypeOrSelf(op->getOperand(0).getType()),
                         resultElt, call, args[0], outs[0])
            : invokeTyped(elt, call, args, outs, scratch);
    if (!ok) {
      if (report)
        op->emitOpError("has no ") << call.kernel << " kernel for " << elt;
      return failure();
    }
  }
  return success();
}

} // namespace

FailureOr<std::vector<std::vector<char>>>
mlir::tempo::evaluatePlannedFunction(func::FuncOp func,
                               const std::vector<std::vector<char>> &inputs,
                               const ValueObserver &observe) {
  auto arenaAttr = func->getAttrOfType<IntegerAttr>(kArenaSizeAttr);
  if (!arenaAttr)
    return func.emitError("the function has no memory plan; run "
                          "tempo-plan-memory first");
  if (inputs.size() != func.getNumArguments())
    return func.emitError("expects ")
           << func.getNumArguments() << " inputs, got " << inputs.size();

  // 16-byte aligned arena, like the one firmware passes in.
  std::vector<uint64_t> storage((arenaAttr.getInt() + 15) / 16 * 2 + 2);
  char *arena = reinterpret_cast<char *>(storage.data());
  auto offsetOf = [](Value v) { return plannedOffset(v); };

  for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
    int64_t bytes = tensorBytes(arg.getType());
    if ((int64_t)inputs[i].size() != bytes)
      return func.emitError("input ")
             << i << " has " << inputs[i].size() << " bytes, expected " << bytes;
    std::memcpy(arena + offsetOf(arg), inputs[i].data(), bytes);
  }
  if (observe)
    for (BlockArgument arg : func.getArguments())
      observe(arg, arena + offsetOf(arg));

  std::map<Operation *, std::vector<char>> constants;
  for (Operation &op : func.getBody().front()) {
    if (isa<func::ReturnOp>(op))
      continue;
    if (auto c = dyn_cast<ConstantOp>(op)) {
      constants[&op] = denseBytes(cast<DenseElementsAttr>(c.getValue()));
      continue;
    }
    // A view shares its operand's bytes (the planner's tempo.reuses).
    if (isa<ReshapeOp>(op) && op.hasAttr(kReusesAttr))
      continue;
    // A scratch buffer is only written by the kernel that takes it.
    if (isa<ScratchOp>(op))
      continue;
    std::vector<const void *> operands;
    for (Value v : op.getOperands()) {
      auto c = constants.find(v.getDefiningOp());
      operands.push_back(c != constants.end() ? c->second.data()
                                              : arena + offsetOf(v));
    }
    if (op.getNumResults() != 1 || offsetOf(op.getResult(0)) < 0)
      return op.emitOpError("has no planned buffer");
    if (failed(runOp(&op, operands, arena + offsetOf(op.getResult(0)),
                     /*report=*/true)))
      return failure();
    if (observe)
      observe(op.getResult(0), arena + offsetOf(op.getResult(0)));
  }

  std::vector<std::vector<char>> outputs;
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  for (Value v : ret.getOperands()) {
    const char *src = arena + offsetOf(v);
    outputs.emplace_back(src, src + tensorBytes(v.getType()));
  }
  return outputs;
}

DenseElementsAttr mlir::tempo::evaluateConstantOp(Operation *op,
                                            ArrayRef<DenseElementsAttr> operands) {
  // A scratch buffer has no operands, so it looks foldable; it must stay
  // writable arena memory.
  if (op->getNumResults() != 1 || isa<ScratchOp>(op))
    return {};
  std::vector<std::vector<char>> buffers;
  std::vector<const void *> ptrs;
  for (DenseElementsAttr a : operands)
    buffers.push_back(denseBytes(a));
  for (auto &b : buffers)
    ptrs.push_back(b.data());
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  std::vector<char> out(tensorBytes(type));
  if (failed(runOp(op, ptrs, out.data(), /*report=*/false)))
    return {};
  if (type.getElementType().isInteger(1)) {
    SmallVector<bool> bits;
    for (char c : out)
      bits.push_back(c != 0);
    return DenseElementsAttr::get(type, bits);
  }
  return DenseElementsAttr::getFromRawBuffer(type, ArrayRef<char>(out));
}
