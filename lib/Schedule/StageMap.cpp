//===- StageMap.cpp - virtual stages placed on ranks and chunks -----------===//

#include "pp/Schedule/StageMap.h"

#include <cassert>

namespace pp::schedule {

const char *placementName(Placement placement) {
  return placement == Placement::Loop ? "loop" : "v";
}

StageMap::StageMap(int ranks, int chunks, Placement placement)
    : ranks(ranks), chunks(chunks), kind(placement) {
  assert(ranks >= 1 && chunks >= 1 && "a pipeline has a rank and a chunk");
}

int StageMap::stageOf(int rank, int chunk) const {
  // In a V, odd chunks run back up the ranks.
  bool upward = kind == Placement::V && chunk % 2 == 1;
  return chunk * ranks + (upward ? ranks - 1 - rank : rank);
}

int StageMap::rankOf(int stage) const {
  int chunk = chunkOf(stage);
  int offset = stage % ranks;
  bool upward = kind == Placement::V && chunk % 2 == 1;
  return upward ? ranks - 1 - offset : offset;
}

int StageMap::chunkOf(int stage) const { return stage / ranks; }

} // namespace pp::schedule
