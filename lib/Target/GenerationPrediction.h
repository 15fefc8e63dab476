//===- GenerationPrediction.h - a generator's predicted speed --*- C++ -*-===//
//
// Prices a generation program's steps with the cost model on the chosen
// hardware: one prefill chunk and one decode token through every stage in
// turn (the stage-to-stage messages with the point-to-point formula), and
// what each decode token communicates. plan.txt and plan.json print it.
//
//===----------------------------------------------------------------------===//

#ifndef PP_LIB_TARGET_GENERATIONPREDICTION_H
#define PP_LIB_TARGET_GENERATIONPREDICTION_H

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace mlir::pp {

struct GenerationPrediction {
  std::string hardware;
  int64_t maxSeq = 0, prefillChunk = 0, batch = 1, stages = 1;
  int64_t microbatches = 1;
  /// One chunk of the prompt and one token per sequence: the micro-batches
  /// through every stage, the stages overlapping on different ones.
  double prefillMs = 0;
  double decodeMs = 0;
  /// The share of a decode step each stage idles, on average.
  double idle = 0;
  /// Per decode token (every micro-batch's), on each rank of the stage with
  /// the most: the all-reduces, the largest one's bytes, and their time.
  int64_t allReduces = 0;
  double allReduceBytes = 0, allReduceMs = 0;
};

/// The prediction for a module pp-stage-generation made; `isGeneration`
/// is false, and nothing is predicted, for other modules.
LogicalResult predictGeneration(ModuleOp module, llvm::StringRef hardware,
                                bool &isGeneration, GenerationPrediction &out);

} // namespace mlir::pp

#endif // PP_LIB_TARGET_GENERATIONPREDICTION_H
