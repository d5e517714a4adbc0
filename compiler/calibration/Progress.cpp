//===- Progress.cpp - A one-line progress bar on a terminal ---------------===//

#include "compiler/calibration/Progress.h"

#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace mlir::tempo;

namespace {
/// Characters between the brackets.
constexpr size_t kBarWidth = 30;
/// Least time between two draws that show the same percentage.
constexpr std::chrono::milliseconds kMinInterval(50);
} // namespace

ProgressBar::ProgressBar(llvm::StringRef label, size_t total)
    : ProgressBar(label, total, llvm::errs(),
                  llvm::sys::Process::StandardErrIsDisplayed()) {}

ProgressBar::ProgressBar(llvm::StringRef label, size_t total,
                         llvm::raw_ostream &os, bool enabled)
    : label(label.str()), total(total), os(&os), enabled(enabled) {
  if (enabled)
    draw();
}

ProgressBar::~ProgressBar() { finish(); }

unsigned ProgressBar::percent() const {
  if (total == 0)
    return 100;
  return unsigned(std::min(done, total) * 100 / total);
}

void ProgressBar::advance(size_t n) {
  if (!enabled || finished)
    return;
  done += n;
  if (percent() != drawnPercent ||
      (done != drawnDone &&
       std::chrono::steady_clock::now() - lastDraw >= kMinInterval))
    draw();
}

void ProgressBar::finish() {
  if (!enabled || finished)
    return;
  if (!drawnOnce || done != drawnDone)
    draw();
  *os << '\n';
  os->flush();
  finished = true;
}

void ProgressBar::draw() {
  size_t filled = total ? std::min(done, total) * kBarWidth / total : kBarWidth;
  *os << '\r' << label << " [" << std::string(filled, '#')
      << std::string(kBarWidth - filled, '.') << "] " << done << '/' << total;
  os->flush();
  drawnPercent = percent();
  drawnDone = done;
  drawnOnce = true;
  lastDraw = std::chrono::steady_clock::now();
}
