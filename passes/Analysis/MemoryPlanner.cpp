//===- MemoryPlanner.cpp - Offset assignment for buffers with lifetimes ---===//

#include "passes/Analysis/MemoryPlanner.h"

#include <algorithm>
#include <map>
#include <numeric>

using namespace mlir::tempo;

static bool overlapInTime(const BufferRequest &a, const BufferRequest &b) {
  return a.first <= b.last && b.first <= a.last;
}

MemoryPlan mlir::tempo::planGreedyBySize(const std::vector<BufferRequest> &buffers,
                                   int64_t align) {
  MemoryPlan plan;
  plan.offsets.assign(buffers.size(), 0);
  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return buffers[a].size > buffers[b].size;
  });

  std::vector<size_t> placed;
  std::vector<std::pair<int64_t, int64_t>> busy; // [begin, end) in bytes
  for (size_t idx : order) {
    const BufferRequest &buf = buffers[idx];
    int64_t size = alignUp(buf.size, align);
    busy.clear();
    for (size_t other : placed)
      if (overlapInTime(buf, buffers[other]))
        busy.push_back({plan.offsets[other],
                        plan.offsets[other] + alignUp(buffers[other].size, align)});
    std::sort(busy.begin(), busy.end());
    // The lowest gap that fits, scanning intervals by start.
    int64_t offset = 0;
    for (const auto &[begin, end] : busy) {
      if (begin - offset >= size)
        break;
      offset = std::max(offset, end);
    }
    plan.offsets[idx] = offset;
    plan.arenaSize = std::max(plan.arenaSize, offset + size);
    placed.push_back(idx);
  }
  return plan;
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
