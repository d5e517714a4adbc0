//===- MemoryPlanner.h - Offset assignment for buffers with lifetimes -----===//
//
// Plain C++ (no MLIR) so the algorithms are unit-tested on their own.
// A buffer is alive over the inclusive step range [first, last]; two buffers
// alive at a common step must not share a byte.
//
//===----------------------------------------------------------------------===//

#ifndef TEMPO_PASSES_ANALYSIS_MEMORYPLANNER_H
#define TEMPO_PASSES_ANALYSIS_MEMORYPLANNER_H

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::tempo {

struct BufferRequest {
  int64_t size = 0;  ///< bytes
  int64_t first = 0; ///< first step the buffer is alive (its producer)
  int64_t last = 0;  ///< last step it is alive (its last reader), >= first
};

struct MemoryPlan {
  std::vector<int64_t> offsets; ///< one per request, multiples of align
  int64_t arenaSize = 0;        ///< a multiple of align
};

/// Greedy by size: largest buffer first, each at the lowest aligned offset
/// where it collides with no already placed buffer whose lifetime overlaps.
/// Ties are broken by request index, so the plan is deterministic.
MemoryPlan planGreedyBySize(const std::vector<BufferRequest> &buffers,
                            int64_t align);

/// First fit in order of birth: buffers sorted by first step (then larger
/// first), each at the lowest aligned offset free of every placed buffer it
/// overlaps in time. Wins over greedy-by-size on some staircase lifetimes.
MemoryPlan planFirstFitByStart(const std::vector<BufferRequest> &buffers,
                               int64_t align);

/// In order of birth, each buffer at offset 0 or L - size (L: the live-set
/// bound) when free there, else the lowest gap: neighbours on a chain
/// alternate between the arena's bottom and top, so a chain gets exactly L.
MemoryPlan planEdgesFirst(const std::vector<BufferRequest> &buffers,
                          int64_t align);

/// Runs every strategy and keeps the smallest arena (greedy by size on a
/// tie). `strategy` receives the winner's name if given.
MemoryPlan planBest(const std::vector<BufferRequest> &buffers, int64_t align,
                    std::string *strategy = nullptr);

/// The live-set lower bound: the largest, over steps, of the (aligned)
/// bytes alive at that step. No valid plan is smaller.
int64_t liveSetBound(const std::vector<BufferRequest> &buffers, int64_t align);

/// Checks a plan; returns an empty string if valid, else a description of
/// the first violation (names buffers by index). If `culprits` is given, it
/// receives the indices of the buffers at fault.
std::string checkPlan(const std::vector<BufferRequest> &buffers,
                      const MemoryPlan &plan, int64_t align,
                      std::vector<size_t> *culprits = nullptr);

inline int64_t alignUp(int64_t v, int64_t align) {
  return (v + align - 1) / align * align;
}

} // namespace mlir::tempo

#endif // TEMPO_PASSES_ANALYSIS_MEMORYPLANNER_H
