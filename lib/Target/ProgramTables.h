//===- ProgramTables.h - what every stage of a program shares ---*- C++ -*-===//
//
// One generated file holds every stage of a program. The stages share the
// runtime's weight table (a weight read by two stages, like a tied
// embedding, is one entry), the file-scope helpers (fused loops, constants,
// shard-axis arrays) and the mesh, which turns `over @world["tp"]` into the
// runtime's axis masks.
//
//===----------------------------------------------------------------------===//

#ifndef PP_LIB_TARGET_PROGRAMTABLES_H
#define PP_LIB_TARGET_PROGRAMTABLES_H

#include "DesignatedInit.h"

#include "pp/Dialect/PP/IR/PPDialect.h"

#include "pp/Schedule/StageMap.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace mlir::pp {

/// A weight as the runtime's table and the plan see it.
struct PlannedWeight {
  std::string name;
  std::string file;
  uint64_t offset;
  uint64_t fileBytes;         ///< read from the file (all ranks together)
  uint64_t localBytes;        ///< what one rank holds, in the program's type
  std::vector<int> shardAxes; ///< mesh axis splitting each dim, or -1
  std::vector<int64_t> shape; ///< before splitting (a region's shape)
};

class ProgramTables {
public:
  ProgramTables(ModuleOp module, bool cuda);

  bool cuda;
  /// Mesh axis names and sizes (empty: one rank).
  std::vector<std::string> axisNames;
  std::vector<int64_t> axisSizes;

  /// File-scope C++ that precedes the run functions.
  std::string helpers;
  llvm::raw_string_ostream helpersOs{helpers};
  /// A fresh identifier `prefix<N>`.
  std::string freshName(llvm::StringRef prefix);

  /// The bit mask of mesh axes `axes` (names); fails on an unknown axis.
  FailureOr<uint32_t> axisMask(Operation *op, ArrayAttr axes) const;
  int axisIndex(llvm::StringRef name) const;
  /// Where the program's stages run (set once the stage functions are
  /// known; one stage on one rank before).
  ::pp::schedule::StageMap stageMap;
  /// The coordinate on the "pp" axis of the ranks that run `stage`, as
  /// `stageMap` places it.
  int64_t pipelineRankOf(int64_t stage) const;

  /// A weight's whole shape, before tensor parallelism split it, and the
  /// mesh axis splitting each dim (-1: whole).
  struct WeightShape {
    SmallVector<int64_t> global;
    SmallVector<int> shardAxes;
  };
  /// Each split dim of `op`'s local type times its mesh axis's size; fails
  /// on a sharding the runtime cannot load.
  FailureOr<WeightShape> globalWeightShape(WeightOp op) const;

  /// The runtime table index of `op`'s weight, adding it on first use.
  FailureOr<int> weightIndex(WeightOp op);
  const std::vector<PlannedWeight> &weights() const { return planned; }
  /// The body of `const pprt::WeightSpec kWeights[]`.
  const std::string &weightTable() const { return table; }

  /// A file-scope `static const int name[] = {...}` (or "nullptr" when
  /// every entry is -1), for TensorSpec/WeightSpec::shardAxes.
  std::string shardAxesArray(llvm::ArrayRef<int> axes);
  /// A file-scope `static const int64_t name[] = {...}`.
  std::string int64Array(llvm::ArrayRef<int64_t> values);
  /// A `const pprt::TiedCopy[]` of a weight's `pp.tied_copies`.
  std::string tiedCopiesArray(mlir::ArrayAttr copies);

private:
  std::vector<PlannedWeight> planned;
  llvm::StringMap<int> indexByKey;
  std::string table;
  int nextName = 0;
};

/// "1, 2, 3": the body of a C array initializer.
template <typename T> std::string commaList(llvm::ArrayRef<T> values) {
  std::string s;
  for (size_t i = 0; i < values.size(); ++i)
    s += (i ? ", " : "") + std::to_string(values[i]);
  return s;
}

} // namespace mlir::pp

#endif // PP_LIB_TARGET_PROGRAMTABLES_H
