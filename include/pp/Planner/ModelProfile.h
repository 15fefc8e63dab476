//===- ModelProfile.h - what a model costs, layer by layer ------*- C++ -*-===//
//
// The planner prices thousands of plans without compiling them: it reads
// the model once into per-op costs grouped by transformer layer (the
// `word.N` of each ONNX node name), at the graph's own batch, and scales
// them for each plan's micro-batch and tensor-parallel degree.
//
//===----------------------------------------------------------------------===//

#ifndef PP_PLANNER_MODELPROFILE_H
#define PP_PLANNER_MODELPROFILE_H

#include "pp/Analysis/Hardware.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>
#include <vector>

namespace mlir::pp {

/// One op, at the graph's batch.
struct ProfiledOp {
  double flops = 0;
  /// Peak FLOP/s of the unit it runs on (tensor cores for matmuls).
  double peak = 0;
  bool matmul = false;
  /// HBM bytes of activations read and written (weights apart): they
  /// scale with the tokens.
  double activationTraffic = 0;
  /// HBM bytes of the weights it reads: the same for any batch.
  double weightTraffic = 0;
  double paramBytes = 0;
  /// Bytes of the result it writes, and whether backward keeps it: some
  /// reader's gradient needs it (a matmul, a product, a quotient, a norm, a
  /// softmax or a nonlinearity reads it), not only sums and views.
  double resultBytes = 0;
  bool kept = false;
  /// Tensor parallelism leaves it whole on every rank: an op other than a
  /// matmul whose result is the residual stream's shape (norms, residual
  /// adds), or a 1-D parameter (a norm's scale). Sequence parallelism
  /// splits these too; every matmul is split (column- or row-parallel).
  bool replicated = false;
  /// Part of attention's core (scores, softmax and what reads them: a
  /// result whose last two dims are both the sequence): what selective
  /// recompute does not keep.
  bool attentionCore = false;
};

struct LayerProfile {
  std::vector<ProfiledOp> ops;
  double params = 0; ///< elements
};

struct ModelProfile {
  std::string model;
  /// Samples and tokens per sample in the graph (its batch and sequence).
  int64_t batch = 1;
  int64_t seq = 1;
  /// Bytes of one element of the compute type.
  double elementBytes = 4;
  /// Bytes of the residual stream at the graph's batch: a stage's message.
  double boundaryBytes = 0;
  /// Attention heads (the query's), 0 when the model has no attention.
  int64_t heads = 0;
  /// Embedding and anything before the first layer; the layers; the head
  /// and anything after the last.
  LayerProfile pre, post;
  std::vector<LayerProfile> layers;
  double params() const;
};

/// Profiles `main` (an imported forward graph, after fuse-norms) on
/// `hardware`. Fails with a diagnostic when the graph has no static shapes.
FailureOr<ModelProfile> profileModel(func::FuncOp main,
                                     const HardwareSpec &hardware,
                                     int64_t batchDim);

} // namespace mlir::pp

#endif // PP_PLANNER_MODELPROFILE_H
