//===- MemoryPlanner.cpp - Offset assignment for buffers with lifetimes ---===//

#include "passes/Analysis/MemoryPlanner.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>

using namespace mlir::tempo;

/// Places buffers in `order`, each at the lowest aligned offset that does
/// not collide with an already placed buffer alive at the same time.
/// With `target` > 0, a buffer first tries the arena's edges (offset 0,
/// then target - size) before the lowest gap; on a chain this alternates
/// neighbours between bottom and top and reaches an arena of `target`.
static MemoryPlan placeInOrder(const std::vector<BufferRequest> &buffers,
                               const std::vector<size_t> &order,
                               int64_t align, int64_t target = 0) {
  MemoryPlan plan;
  plan.offsets.assign(buffers.size(), 0);
  if (buffers.empty())
    return plan;
  // Placed buffers indexed by the steps they are alive at, so a placement
  // only looks at buffers that share one of its steps: linear in the graph
  // size for chains, not quadratic.
  int64_t lo = buffers[0].first, hi = buffers[0].last;
  for (const BufferRequest &b : buffers) {
    lo = std::min(lo, b.first);
    hi = std::max(hi, b.last);
  }
  std::vector<std::vector<size_t>> aliveAt(hi - lo + 1);
  std::vector<size_t> seenStamp(buffers.size(), SIZE_MAX);
  std::vector<std::pair<int64_t, int64_t>> busy; // [begin, end) in bytes
  for (size_t idx : order) {
    const BufferRequest &buf = buffers[idx];
    int64_t size = alignUp(buf.size, align);
    busy.clear();
    for (int64_t step = buf.first; step <= buf.last; ++step)
      for (size_t other : aliveAt[step - lo])
        if (seenStamp[other] != idx) {
          seenStamp[other] = idx;
          busy.push_back({plan.offsets[other],
                          plan.offsets[other] + alignUp(buffers[other].size, align)});
        }
    std::sort(busy.begin(), busy.end());
    auto isFree = [&](int64_t at) {
      for (const auto &[begin, end] : busy)
        if (at < end && begin < at + size)
          return false;
      return true;
    };
    int64_t offset = -1;
    if (target > 0 && size <= target) {
      if (isFree(0))
        offset = 0;
      else if (isFree(target - size))
        offset = target - size;
    }
    if (offset < 0) {
      // The lowest gap that fits, scanning intervals by start.
      offset = 0;
      for (const auto &[begin, end] : busy) {
        if (begin - offset >= size)
          break;
        offset = std::max(offset, end);
      }
    }
    plan.offsets[idx] = offset;
    plan.arenaSize = std::max(plan.arenaSize, offset + size);
    for (int64_t step = buf.first; step <= buf.last; ++step)
      aliveAt[step - lo].push_back(idx);
  }
  return plan;
}

/// Buffer indices by decreasing size, or by birth (then decreasing size);
/// stable, so ties keep request order and plans are deterministic.
static std::vector<size_t> placementOrder(const std::vector<BufferRequest> &buffers,
                                          bool byBirth) {
  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (byBirth && buffers[a].first != buffers[b].first)
      return buffers[a].first < buffers[b].first;
    return buffers[a].size > buffers[b].size;
  });
  return order;
}

MemoryPlan mlir::tempo::planGreedyBySize(const std::vector<BufferRequest> &buffers,
                                         int64_t align) {
  return placeInOrder(buffers, placementOrder(buffers, /*byBirth=*/false), align);
}

MemoryPlan mlir::tempo::planFirstFitByStart(const std::vector<BufferRequest> &buffers,
                                            int64_t align) {
  return placeInOrder(buffers, placementOrder(buffers, /*byBirth=*/true), align);
}

MemoryPlan mlir::tempo::planEdgesFirst(const std::vector<BufferRequest> &buffers,
                                       int64_t align) {
  return placeInOrder(buffers, placementOrder(buffers, /*byBirth=*/true), align,
                      liveSetBound(buffers, align));
}

MemoryPlan mlir::tempo::planBest(const std::vector<BufferRequest> &buffers,
                                 int64_t align, std::string *strategy) {
  MemoryPlan best = planGreedyBySize(buffers, align);
  const char *name = "greedy-by-size";
  MemoryPlan byStart = planFirstFitByStart(buffers, align);
  if (byStart.arenaSize < best.arenaSize) {
    best = std::move(byStart);
    name = "first-fit-by-start";
  }
  MemoryPlan edges = planEdgesFirst(buffers, align);
  if (edges.arenaSize < best.arenaSize) {
    best = std::move(edges);
    name = "edges-first";
  }
  if (strategy)
    *strategy = name;
  return best;
}

int64_t mlir::tempo::liveSetBound(const std::vector<BufferRequest> &buffers,
                            int64_t align) {
  // Sweep over lifetime start/end events.
  std::map<int64_t, int64_t> delta;
  for (const BufferRequest &b : buffers) {
    delta[b.first] += alignUp(b.size, align);
    delta[b.last + 1] -= alignUp(b.size, align);
  }
  int64_t live = 0, peak = 0;
  for (const auto &[step, d] : delta) {
    live += d;
    peak = std::max(peak, live);
  }
  return peak;
}

std::string mlir::tempo::checkPlan(const std::vector<BufferRequest> &buffers,
                             const MemoryPlan &plan, int64_t align,
                             std::vector<size_t> *culprits) {
  auto blame = [&](std::initializer_list<size_t> ids) {
    if (culprits)
      culprits->assign(ids);
  };
  if (plan.offsets.size() != buffers.size())
    return "the plan has " + std::to_string(plan.offsets.size()) +
           " offsets for " + std::to_string(buffers.size()) + " buffers";
  for (size_t i = 0; i < buffers.size(); ++i) {
    int64_t off = plan.offsets[i];
    if (off < 0 || off % align != 0)
      return blame({i}), "buffer " + std::to_string(i) + " is at misaligned offset " +
             std::to_string(off);
    if (off + buffers[i].size > plan.arenaSize)
      return blame({i}), "buffer " + std::to_string(i) + " ends at " +
             std::to_string(off + buffers[i].size) + ", past the arena of " +
             std::to_string(plan.arenaSize) + " bytes";
  }
  // Sort by start step, then check each against those alive with it.
  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return buffers[a].first < buffers[b].first;
  });
  for (size_t x = 0; x < order.size(); ++x) {
    size_t i = order[x];
    for (size_t y = x + 1; y < order.size(); ++y) {
      size_t j = order[y];
      if (buffers[j].first > buffers[i].last)
        break;
      int64_t a0 = plan.offsets[i], a1 = a0 + buffers[i].size;
      int64_t b0 = plan.offsets[j], b1 = b0 + buffers[j].size;
      if (buffers[i].size && buffers[j].size && a0 < b1 && b0 < a1)
        return blame({std::min(i, j), std::max(i, j)}), "buffers " + std::to_string(std::min(i, j)) + " and " +
               std::to_string(std::max(i, j)) +
               " are alive at the same time and share bytes";
    }
  }
  return "";
}
