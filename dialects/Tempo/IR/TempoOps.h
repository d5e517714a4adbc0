//===- TempoOps.h - Tempo dialect ops -------------------------------------===//

#ifndef TEMPO_DIALECT_TEMPOOPS_H
#define TEMPO_DIALECT_TEMPOOPS_H

#include "dialects/Tempo/IR/TempoDialect.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "mlir/Dialect/Quant/QuantTypes.h"

namespace mlir::tempo {
/// `as TYPE` after a constant's value when the result type is quantized.
ParseResult parseQuantizedAs(OpAsmParser &parser, Type &result,
                             Attribute value);
void printQuantizedAs(OpAsmPrinter &printer, Operation *op, Type result,
                      Attribute value);
/// `-> TYPE` after a unary op's input type when the result type differs.
ParseResult parseResultTypeIfDifferent(OpAsmParser &parser, Type &result,
                                       Type input);
void printResultTypeIfDifferent(OpAsmPrinter &printer, Operation *op,
                                Type result, Type input);
/// Types of a unary op: equal, or both quantized tensors of one shape.
bool sameTypeUnlessQuantized(Type input, Type result);
} // namespace mlir::tempo

#define GET_OP_CLASSES
#include "dialects/Tempo/IR/TempoOps.h.inc"

namespace mlir::tempo {
/// Attribute names the memory planner writes.
constexpr llvm::StringLiteral kOffsetAttr = "tempo.offset";
constexpr llvm::StringLiteral kArenaSizeAttr = "tempo.arena_size";
constexpr llvm::StringLiteral kArenaAlignAttr = "tempo.arena_align";
/// On an op whose result lives in the buffer of operand N: a view (reshape)
/// or an in-place computation (the memory planner decides).
constexpr llvm::StringLiteral kReusesAttr = "tempo.reuses";
/// Function attributes the memory passes record for the report: the
/// live-set bound of the final plan (reuse included), the bound of the
/// imported graph before any optimisation (set by tempoc), and the offset
/// strategy that won.
constexpr llvm::StringLiteral kLiveBoundAttr = "tempo.live_bound";
constexpr llvm::StringLiteral kUnoptimizedBoundAttr = "tempo.unoptimized_bound";
constexpr llvm::StringLiteral kPlanStrategyAttr = "tempo.plan_strategy";
/// Function argument / result attribute with the ONNX graph input/output name.
constexpr llvm::StringLiteral kNameAttr = "tempo.name";

/// Quantization: an op's (or function argument's) calibrated range of
/// result 0, `array<f32: lo, hi>`; the quantized type a QDQ model gave a
/// value (a TypeAttr holding the element type); a stable op number tempoc
/// gives the float graph so calibration and the accuracy report find each
/// op again in transformed copies.
constexpr llvm::StringLiteral kCalibrationAttr = "tempo.calib";
constexpr llvm::StringLiteral kQuantTypeAttr = "tempo.qtype";
constexpr llvm::StringLiteral kOpIdAttr = "tempo.id";

/// The element type a tensor's values have in memory: a quantized type's
/// storage type (i8 / ui8, i16, i32), otherwise the type itself.
inline Type storageElementType(Type elt) {
  if (auto q = dyn_cast<quant::QuantizedType>(elt))
    return IntegerType::get(elt.getContext(), q.getStorageTypeIntegralWidth(),
                            q.isSigned() ? IntegerType::Signless
                                         : IntegerType::Unsigned);
  return elt;
}

/// The quantized element type of a tensor type, or null.
inline quant::QuantizedType quantizedElementType(Type type) {
  return dyn_cast<quant::QuantizedType>(getElementTypeOrSelf(type));
}
} // namespace mlir::tempo

#endif // TEMPO_DIALECT_TEMPOOPS_H
