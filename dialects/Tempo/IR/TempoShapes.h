//===- TempoShapes.h - Shape rules shared by verifiers and importer -------===//
//
// Plain C++ (no MLIR types) so the importer, the verifiers and the kernel
// parameter builder use one definition of each shape rule.
//
//===----------------------------------------------------------------------===//

#ifndef TEMPO_DIALECT_TEMPOSHAPES_H
#define TEMPO_DIALECT_TEMPOSHAPES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <optional>

namespace mlir::tempo {

/// Output extent of a sliding window (conv or pool), ONNX formula, floor.
inline int64_t windowOutSize(int64_t in, int64_t kernel, int64_t stride,
                             int64_t dilation, int64_t padBegin,
                             int64_t padEnd) {
  int64_t span = dilation * (kernel - 1) + 1;
  return (in + padBegin + padEnd - span) / stride + 1;
}

/// As windowOutSize with ceil_mode: ceil, minus a last window that would
/// start entirely in the end padding (ONNX/PyTorch rule).
inline int64_t windowOutSizeCeil(int64_t in, int64_t kernel, int64_t stride,
                                 int64_t dilation, int64_t padBegin,
                                 int64_t padEnd) {
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t num = in + padBegin + padEnd - span;
  int64_t out = (num + stride - 1) / stride + 1;
  if ((out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

/// Numpy broadcast of two shapes; std::nullopt when they do not broadcast.
inline std::optional<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  llvm::SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return std::nullopt;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

inline int64_t numElements(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

} // namespace mlir::tempo

#endif // TEMPO_DIALECT_TEMPOSHAPES_H
