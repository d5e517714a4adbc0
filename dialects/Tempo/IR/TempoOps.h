//===- TempoOps.h - Tempo dialect ops -------------------------------------===//

#ifndef TEMPO_DIALECT_TEMPOOPS_H
#define TEMPO_DIALECT_TEMPOOPS_H

#include "dialects/Tempo/IR/TempoDialect.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

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
} // namespace mlir::tempo

#endif // TEMPO_DIALECT_TEMPOOPS_H
