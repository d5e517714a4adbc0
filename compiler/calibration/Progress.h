//===- Progress.h - A one-line progress bar on a terminal -------*- C++ -*-===//
//
// Calibration runs the float model over every sample, once or twice; on a
// large data set that takes long enough to want a sign of life. ProgressBar
// draws
//
//   label [############..................] 12/30
//
// redrawn in place with '\r' on stderr, but only when stderr is a terminal:
// build logs, pipes and CI see nothing at all. It redraws when the whole
// percentage changes, otherwise at most 20 times a second, so a fast loop
// does not spend its time printing. No MLIR header.
//
//===----------------------------------------------------------------------===//

#ifndef TEMPO_CALIBRATION_PROGRESS_H
#define TEMPO_CALIBRATION_PROGRESS_H

#include "llvm/ADT/StringRef.h"

#include <chrono>
#include <cstddef>
#include <string>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace mlir::tempo {

class ProgressBar {
public:
  /// Draws on llvm::errs() if stderr is a terminal, nothing otherwise.
  ProgressBar(llvm::StringRef label, size_t total);
  /// Draws on `os` if `enabled`, nothing otherwise (for tests, and for a
  /// driver that decides itself, e.g. with a --no-progress option).
  ProgressBar(llvm::StringRef label, size_t total, llvm::raw_ostream &os,
              bool enabled);
  /// Finishes the bar.
  ~ProgressBar();

  ProgressBar(const ProgressBar &) = delete;
  ProgressBar &operator=(const ProgressBar &) = delete;

  /// `n` more of `total` done; redraws if the percentage changed or 50 ms
  /// have passed since the last draw.
  void advance(size_t n = 1);

  /// Draws the final state and ends the line. Later calls, advance()
  /// included, do nothing.
  void finish();

  /// True if the bar draws at all.
  bool isEnabled() const { return enabled; }

private:
  void draw();
  /// Whole percent done, 100 when total is 0.
  unsigned percent() const;

  std::string label;
  size_t total;
  size_t done = 0;
  llvm::raw_ostream *os;
  bool enabled;
  bool finished = false;
  /// What the last draw showed.
  unsigned drawnPercent = 0;
  size_t drawnDone = 0;
  bool drawnOnce = false;
  std::chrono::steady_clock::time_point lastDraw;
};

} // namespace mlir::tempo

#endif // TEMPO_CALIBRATION_PROGRESS_H
