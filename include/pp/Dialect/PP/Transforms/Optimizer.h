//===- Optimizer.h - one optimizer step as pp ops ---------------*- C++ -*-===//
//
// The core of pp-apply-optimizer, shared with pp-stage-training, which
// builds one update function per pipeline stage.
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_TRANSFORMS_OPTIMIZER_H
#define PP_DIALECT_PP_TRANSFORMS_OPTIMIZER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>

namespace mlir::pp {

/// torch.optim.SGD or AdamW with their default flags (docs/training.md).
struct OptimizerConfig {
  std::string optimizer = "sgd"; ///< "sgd" or "adamw"
  double lr = 1e-3;
  double momentum = 0;
  double weightDecay = -1; ///< < 0: the optimizer's default
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double gradClip = 0; ///< global 2-norm; 0: none
  /// Clipping reads the global norm from an argument (`grad_norm`,
  /// pp.grad_norm) instead of computing it from the function's gradients:
  /// a pipeline's norm spans every stage.
  bool gradNormInput = false;
};

/// Appends to `func`, which returns gradients (pp.weight_gradient), the
/// argument `step`, the state arguments, and one result per updated weight
/// and new state. Emits an error on `func` and fails on a bad config or a
/// gradient without its f32 pp.weight.
LogicalResult applyOptimizer(func::FuncOp func, const OptimizerConfig &config);

/// ZeRO-1: rewrites `update`, one stage's optimizer step (arguments: the
/// accumulated gradients, the step, the state, the norm; results: the new
/// weights and state), so that each of `d` data-parallel ranks updates one
/// contiguous part of every weight ([1, ceil(n / d)] of its n elements)
/// and holds only that part's state (ShardOptimizerState.cpp). Fails with
/// an error on an op that is not elementwise.
LogicalResult shardOptimizerState(func::FuncOp update, int64_t d);

} // namespace mlir::pp

#endif // PP_DIALECT_PP_TRANSFORMS_OPTIMIZER_H
