//===- TempoDialect.h - Tempo dialect -------------------------------------===//

#ifndef TEMPO_DIALECT_TEMPODIALECT_H
#define TEMPO_DIALECT_TEMPODIALECT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/IR/Dialect.h"

#include "dialects/Tempo/IR/TempoDialect.h.inc"

#endif // TEMPO_DIALECT_TEMPODIALECT_H
