//===- KernelParams.h - From tempo ops to runtime kernel calls ------------===//
//
// The one place that turns an op's types and attributes into the runtime's
// parameter structs (runtime/include/tempo/params.h). The reference
// evaluator passes the structs to the kernels directly; the C++ emitter
// prints them as constexpr aggregates. Both therefore run the same kernel
// with the same numbers.
//
//===----------------------------------------------------------------------===//

#ifndef TEMPO_EVAL_KERNELPARAMS_H
#define TEMPO_EVAL_KERNELPARAMS_H

#include "tempo/ops_params.h"
#include "tempo/params.h"
#include "tempo/quant_params.h"
#include "tempo/recurrent_params.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"
#include "llvm/Support/raw_ostream.h"

#include <variant>
#include <vector>

namespace mlir::tempo {

using KernelParams = std::variant<
    tempo_conv_params_t, tempo_pool_params_t, tempo_reduce_params_t,
    tempo_gemm_params_t, tempo_matmul_params_t, tempo_broadcast_params_t,
    tempo_unary_params_t, tempo_softmax_params_t, tempo_batch_norm_params_t,
    tempo_transpose_params_t, tempo_concat_params_t, tempo_copy_params_t,
    tempo_channel_affine_params_t, tempo_math_params_t,
    tempo_binary_math_params_t, tempo_reduction_params_t,
    tempo_arg_reduce_params_t, tempo_layer_norm_params_t,
    tempo_strided_copy_params_t, tempo_gather_params_t, tempo_cast_params_t,
    tempo_dft_params_t, tempo_stft_params_t, tempo_lstm_params_t,
    tempo_gru_params_t, tempo_rnn_params_t, tempo_chain_params_t,
    // The integer-only kernels of tempo/quant.h.
    tempo_qconv_params_t, tempo_qfc_params_t, tempo_qmatmul_params_t,
    tempo_qbinary_params_t, tempo_qpool_params_t, tempo_qreduce_params_t,
    tempo_qconcat_params_t, tempo_requant_params_t, tempo_qclamp_params_t,
    tempo_lut_params_t, tempo_qsoftmax_params_t, tempo_quantize_params_t,
    tempo_lp_pool_params_t, tempo_cumsum_params_t,
    // The integer LSTM / GRU / RNN of tempo/quant.h.
    tempo_qlstm_params_t, tempo_qrecurrent_params_t>;

/// A constant table a kernel takes after its operands: per-channel
/// requantization multipliers and shifts, lookup tables, per-axis scales.
/// The compiler computes it from the op's quantized types; the emitter puts
/// it in flash, the evaluator in memory. An empty table is a null pointer.
struct KernelTable {
  /// The C element type: "int32_t", "int16_t", "int8_t", "uint16_t" or
  /// "float".
  const char *cType = "int32_t";
  /// The values (each exact in a double).
  std::vector<double> values;
  /// Bytes of one element of cType.
  int64_t elementBytes() const {
    llvm::StringRef c = cType;
    return c == "int8_t" ? 1 : (c == "uint16_t" || c == "int16_t") ? 2 : 4;
  }
};

/// One call of a runtime kernel: `tempo::<kernel><T>(params, operands...,
/// results... [, scratch])`. Concat lowers to one call per input, each with
/// operand i.
struct KernelCall {
  /// The runtime function, e.g. "conv" for tempo::conv<T>.
  const char *kernel = nullptr;
  KernelParams params;
  /// Indices of the op operands the call reads, in argument order; -1 is a
  /// null pointer (an absent optional operand).
  std::vector<int> operands;
  /// The output pointers, in argument order: element offsets into the op's
  /// result (ops that pack several ONNX outputs pass one pointer each); -1 is
  /// a null pointer (an output nobody uses).
  std::vector<int64_t> results = {0};
  /// Index of the operand passed last as the kernel's scratch buffer (a
  /// tempo.scratch), or -1.
  int scratch = -1;
  /// The element type the kernel is instantiated with when it is not the
  /// result's (arg_reduce: the input's, writing int64 indices); null
  /// otherwise.
  mlir::Type element;
  /// `cast<From, To>`: From is operand 0's element type, To the result's.
  bool isCast = false;
  /// The kernel is a plain function, not a template (dft, stft).
  bool untyped = false;
  /// Tables passed after the operands, before the results.
  std::vector<KernelTable> tables;
  /// Operands whose values the call reads from one of its tables instead
  /// (the int8 conv's bias, narrowed to int16): a constant with no other
  /// reader needs no flash of its own.
  std::vector<int> tableOperands;
  /// Explicit template arguments (their storage types), printed as
  /// `<int8_t, uint8_t>`; when set, `element` and `untyped` are not used.
  std::vector<mlir::Type> typeArgs;
};

/// The kernel calls that implement `op`, in order. Fails with a diagnostic
/// at the op if the op (or its element type) has no kernel.
mlir::FailureOr<std::vector<KernelCall>> buildKernelCalls(mlir::Operation *op);

/// The kernel calls of an op with quantized operands or results (and of
/// quantize / dequantize / requantize): `geometry` holds the op's float
/// calls, whose shape fields the integer kernels share. Fails with a
/// diagnostic if the types are not ones the int8 kernels take.
mlir::FailureOr<std::vector<KernelCall>>
buildQuantKernelCalls(mlir::Operation *op,
                      const std::vector<KernelCall> &geometry);

/// Bytes of the constant tables (KernelTable) the op's kernel calls take;
/// 0 for an op without kernel calls.
int64_t kernelTableBytes(mlir::Operation *op);

/// True if the kernel calls of `op` read operand `index` from one of their
/// tables (KernelCall::tableOperands) rather than from the operand.
bool readsOperandAsTable(mlir::Operation *op, unsigned index);

/// True if a constant must be in flash: some user reads it directly (not
/// through a table of its own kernel call). The emitter prints only these
/// and the weight byte counts count only these.
bool constantInFlash(mlir::Operation *constant);

/// The C type name of a params struct ("tempo_conv_params_t").
const char *paramsTypeName(const KernelParams &params);

/// Prints the params as a C aggregate initialiser, fields in struct order.
void printParams(llvm::raw_ostream &os, const KernelParams &params);

/// A C++ float literal that reads back as exactly `value`: "1.0f",
/// "-HUGE_VALF", "__builtin_nanf(\"\")".
std::string floatLiteral(float value);

/// A C++ double literal that reads back as exactly `value`.
std::string doubleLiteral(double value);

/// The C++ element type the kernels are instantiated with for an MLIR
/// element type ("float", "int8_t", ...), or null if there is none.
const char *cElementType(mlir::Type elementType);

/// Bytes one element occupies in memory (i1 takes a byte).
int64_t elementBytes(mlir::Type elementType);

/// Bytes a tensor of this type occupies in memory.
int64_t tensorBytes(mlir::Type tensorType);

/// The model-level name of a location: an ONNX node name (NameLoc), or
/// the names of fused nodes joined with '+' ("conv1+bn1+relu1"); "" if none.
std::string locationName(mlir::Location loc);

/// The planned arena offset of a value (function argument or op result
/// attribute `tempo.offset`), or -1 if it has none.
int64_t plannedOffset(mlir::Value value);

/// The tensor's bytes as laid out in memory: splats expanded, i1 as bytes.
std::vector<char> denseBytes(mlir::DenseElementsAttr attr);

} // namespace mlir::tempo

#endif // TEMPO_EVAL_KERNELPARAMS_H
