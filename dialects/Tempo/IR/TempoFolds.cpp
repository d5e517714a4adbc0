//===- TempoFolds.cpp - Folders of the tempo ops --------------------------===//
//
// Cheap, local folds. Folding ops whose operands are all constant runs the
// real kernels and lives in the tempo-fold-constants pass.
//
//===----------------------------------------------------------------------===//

#include "dialects/Tempo/IR/TempoOps.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace mlir::tempo;

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  // reshape(x) to x's own type is x.
  if (getInput().getType() == getType())
    return getInput();
  // reshape(reshape(x)) is reshape(x).
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  // A reshaped constant is a constant of the new type.
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    return dense.reshape(cast<ShapedType>(getType()));
  return {};
}
