//===- TempoDialect.cpp - Tempo dialect registration ----------------------===//

#include "dialects/Tempo/IR/TempoDialect.h"
#include "dialects/Tempo/IR/TempoOps.h"

using namespace mlir;
using namespace mlir::tempo;

#include "dialects/Tempo/IR/TempoDialect.cpp.inc"

void TempoDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Tempo/IR/TempoOps.cpp.inc"
      >();
}

Operation *TempoDialect::materializeConstant(OpBuilder &builder,
                                             Attribute value, Type type,
                                             Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return builder.create<ConstantOp>(loc, elements);
}
