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
// This header is the one definition of placement for the compiler (stage
// wiring, cost model, plan, emitted tables), the schedule library and the
// runtime. It is header-only and needs nothing but the standard library, so
// that libpprt and generated programs (pprt/Program.h includes it) use this
// very code without linking anything for it.
//
//===----------------------------------------------------------------------===//

#ifndef PP_SCHEDULE_STAGEMAP_H
#define PP_SCHEDULE_STAGEMAP_H

#include <cassert>
#include <optional>
#include <string_view>

namespace pp::schedule {

enum class Placement { Loop, V };

/// "loop" or "v".
inline const char *placementName(Placement placement) {
  return placement == Placement::Loop ? "loop" : "v";
}

/// The placement named "loop" or "v"; std::nullopt for any other name.
inline std::optional<Placement> parsePlacement(std::string_view name) {
  if (name == "loop")
    return Placement::Loop;
  if (name == "v")
    return Placement::V;
  return std::nullopt;
}

class StageMap {
public:
  StageMap() = default;
  StageMap(int ranks, int chunks, Placement placement)
      : ranks(ranks), chunks(chunks), kind(placement) {
    assert(ranks >= 1 && chunks >= 1 && "a pipeline has a rank and a chunk");
  }

  int numRanks() const { return ranks; }
  int numChunks() const { return chunks; }
  int numStages() const { return ranks * chunks; }
  Placement placement() const { return kind; }

  int stageOf(int rank, int chunk) const {
    return chunk * ranks + (runsUpward(chunk) ? ranks - 1 - rank : rank);
  }
  int rankOf(int stage) const {
    int offset = stage % ranks;
    return runsUpward(chunkOf(stage)) ? ranks - 1 - offset : offset;
  }
  int chunkOf(int stage) const { return stage / ranks; }

  bool operator==(const StageMap &other) const {
    return ranks == other.ranks && chunks == other.chunks && kind == other.kind;
  }
  bool operator!=(const StageMap &other) const { return !(*this == other); }

private:
  /// In a V, odd chunks run back up the ranks.
  bool runsUpward(int chunk) const {
    return kind == Placement::V && chunk % 2 == 1;
  }

  int ranks = 1;
  int chunks = 1;
  Placement kind = Placement::Loop;
};

} // namespace pp::schedule

#endif // PP_SCHEDULE_STAGEMAP_H
