//===- StageMap.h - virtual stages placed on ranks and chunks ---*- C++ -*-===//
//
// The model is cut into ranks x chunks virtual stages, numbered in model
// order. Each rank holds `chunks` of them. Where stage k lives:
//
//   loop: stage k = chunk * ranks + rank (Megatron's interleaved placement;
//         with one chunk, stage k is simply rank k);
//   v:    even chunks run down the ranks, odd chunks back up, so with two
//         chunks rank r holds stages r and 2*ranks-1-r (the V of ZBV): the
//         last rank holds the two middle stages and the first rank the two
//         ends.
//
//===----------------------------------------------------------------------===//

#ifndef PP_SCHEDULE_STAGEMAP_H
#define PP_SCHEDULE_STAGEMAP_H

namespace pp::schedule {

enum class Placement { Loop, V };

/// "loop" or "v".
const char *placementName(Placement placement);

class StageMap {
public:
  StageMap() = default;
  StageMap(int ranks, int chunks, Placement placement);

  int numRanks() const { return ranks; }
  int numChunks() const { return chunks; }
  int numStages() const { return ranks * chunks; }
  Placement placement() const { return kind; }

  int stageOf(int rank, int chunk) const;
  int rankOf(int stage) const;
  int chunkOf(int stage) const;

  bool operator==(const StageMap &other) const {
    return ranks == other.ranks && chunks == other.chunks && kind == other.kind;
  }

private:
  int ranks = 1;
  int chunks = 1;
  Placement kind = Placement::Loop;
};

} // namespace pp::schedule

#endif // PP_SCHEDULE_STAGEMAP_H
