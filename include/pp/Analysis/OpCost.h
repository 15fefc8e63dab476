//===- OpCost.h - what one pp op costs on one GPU ---------------*- C++ -*-===//
//
// FLOPs, HBM bytes, parameter and activation bytes of every pp op, and a
// roofline time: max(FLOPs / peak, bytes / HBM bandwidth). Communication
// ops get a CommCost instead, with the group size from their mesh and the
// link from where the group's ranks sit (NodePlacement.h).
// docs/cost-model.md lists the counting rules and their reasons.
//
//===----------------------------------------------------------------------===//

#ifndef PP_ANALYSIS_OPCOST_H
#define PP_ANALYSIS_OPCOST_H

#include "pp/Analysis/CommCost.h"
#include "pp/Analysis/Hardware.h"

#include "mlir/IR/Operation.h"

#include <optional>

namespace mlir::pp {

/// Floating-point operations per result element (per input element for
/// pp.reduce). Everything elementwise not listed costs one.
namespace flops_per_element {
/// exp, log, sqrt, erf, tanh, sigmoid, sin, cos, pow: a special-function
/// or polynomial evaluation.
constexpr double kTranscendental = 4;
/// max, subtract, exp (4), sum, divide.
constexpr double kSoftmax = 8;
/// Per logit: max, subtract, exp (4), sum (no divide: one log per row).
constexpr double kCrossEntropy = 7;
/// mean, subtract, square, sum, normalise, scale, bias (6 without bias).
constexpr double kLayerNorm = 7;
/// square, sum, normalise, scale.
constexpr double kRmsNorm = 4;
} // namespace flops_per_element

/// A pp.constant of at least this many bytes counts as a parameter; below
/// it are shape tensors and scalars, which live in the program text.
constexpr double kParamConstantMinBytes = 1024;

struct OpCost {
  double flops = 0;
  /// HBM bytes read and written.
  double memoryBytes = 0;
  /// Bytes of parameters the op defines (pp.weight, large pp.constant).
  double paramBytes = 0;
  /// Bytes of results the op writes into new buffers (not a reshape's view).
  double activationBytes = 0;
  /// Roofline seconds of the computation.
  double computeTime = 0;
  /// For communication ops.
  std::optional<CommCost> comm;

  double commTime() const { return comm ? comm->time : 0; }
  double time() const { return computeTime + commTime(); }
};

/// Bytes of a statically shaped tensor type (i1 takes one byte); 0 for
/// anything else.
double tensorBytes(Type type);

/// Prices ops on one kind of hardware. Cheap to copy; stateless.
class OpCostModel {
public:
  explicit OpCostModel(HardwareSpec hardware) : hw(std::move(hardware)) {}

  const HardwareSpec &getHardware() const { return hw; }

  /// The cost of `op`; zero for ops that are not pp graph or comm ops.
  OpCost cost(Operation *op) const;

  /// A collective or message on this hardware (CommCost.h), for callers
  /// that price communication they have not inserted yet.
  CommCost collective(CommKind kind, double messageBytes, int64_t groupSize,
                      bool spansNodes) const {
    return commCost(hw, kind, messageBytes, groupSize, spansNodes);
  }

  /// max(flops / peak(precision), bytes / HBM bandwidth), in seconds.
  double rooflineTime(double flops, Precision precision, double bytes) const;

  /// The precision a matmul on `elementType` runs at: its own, or f32 when
  /// the GPU lacks it (fp8 falls back to f16).
  Precision matmulPrecision(Type elementType) const;

private:
  HardwareSpec hw;
};

} // namespace mlir::pp

#endif // PP_ANALYSIS_OPCOST_H
