//===- PlanSearch.h - price and choose a parallel plan ----------*- C++ -*-===//
//
// Prices a plan (P, T, D, micro-batches, schedule, chunks per rank,
// recompute, sequence parallelism, ZeRO) from a ModelProfile without
// compiling it: per-stage F, B and W times from the ops' rooflines (scaled
// by the calibrated GEMM and link efficiencies of the hardware), the
// tensor-parallel all-reduces, the pipeline run by the asynchronous-message
// simulator, the exposed data-parallel gradient sum and the optimizer step;
// and each rank's memory. The search enumerates every plan over the
// divisors of the GPU count, rejects those that do not divide or fit, and
// ranks the rest. docs/planner.md gives the formulas.
//
//===----------------------------------------------------------------------===//

#ifndef PP_PLANNER_PLANSEARCH_H
#define PP_PLANNER_PLANSEARCH_H

#include "pp/Planner/ModelProfile.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::pp {

struct PlanConfig {
  int64_t pp = 1, tp = 1, dp = 1;
  int64_t microbatches = 1;
  int64_t virtualStages = 1;
  std::string schedule = "1f1b";
  std::string recompute = "none";
  bool sequenceParallel = false;
  int64_t zero = 0;
  /// "pp=2 tp=4 dp=1 m=8 1f1b", plus what differs from the defaults.
  std::string str() const;
};

struct PlanEstimate {
  PlanConfig config;
  /// Training: one optimizer step over the global batch. Inference: one
  /// forward of it (throughput), or one decoded token at batch 1 (latency).
  double stepSeconds = 0;
  double tokensPerSecond = 0;
  /// Executed FLOPs (recompute included) per GPU per second, as
  /// Megatron-LM reports them; mfu counts the model's FLOPs only.
  double tflopsPerGpu = 0;
  double mfu = 0;
  double bubble = 0;
  /// The fullest rank's memory, and its parts.
  double peakBytes = 0;
  double weightBytes = 0, gradBytes = 0, optimizerBytes = 0,
         activationBytes = 0;
  /// One tensor-parallel all-reduce of the residual stream, and all of them
  /// in a step on one rank.
  double allReduceSeconds = 0;
  double tpCommSeconds = 0;
  /// The data-parallel gradient sum left after the backward (exposed).
  double dpCommSeconds = 0;
  /// One stage-to-stage message.
  double messageSeconds = 0;
};

struct PlanRejection {
  PlanConfig config;
  std::string why;
  /// How fast it would have been (out-of-memory plans only), for ordering.
  std::optional<PlanEstimate> estimate;
};

struct SearchOptions {
  int64_t gpus = 1;
  int64_t gpusPerNode = 8;
  /// Samples per step; the graph's batch when 0.
  int64_t globalBatch = 0;
  bool train = false;
  /// Bytes per GPU; the hardware's HBM when 0.
  double memoryLimit = 0;
  /// "throughput" or "latency".
  std::string objective = "throughput";
  std::string optimizer = "adamw";
  /// Compute type of the plan ("f32", "bf16", "f16"); empty: the graph's.
  std::string dtype;
  int64_t top = 5;
};

struct SearchResult {
  /// The `top` fastest, fastest first.
  std::vector<PlanEstimate> best;
  /// Every plan that was run through the simulator, fastest first (the
  /// others could not beat these on their bound).
  std::vector<PlanEstimate> ranked;
  std::vector<PlanRejection> rejected;
  int64_t considered = 0;
  /// Priced and within memory; run through the simulator.
  int64_t fitting = 0;
  int64_t simulated = 0;
};

/// The price of one plan, or why it cannot run (a divisibility rule, or
/// memory, in which case `rejection.estimate` is set).
std::optional<PlanEstimate> estimatePlan(const ModelProfile &profile,
                                         const HardwareSpec &hardware,
                                         const SearchOptions &options,
                                         const PlanConfig &config,
                                         PlanRejection &rejection);

/// Every plan the search considers for `options.gpus`: (P, T, D) over the
/// divisors, micro-batches over the divisors of the replica's batch, the
/// five schedules (interleaved at V = 2 and 4), recompute none, selective
/// or full (tried in that order: a deeper level of a plan that fits is not
/// priced, it only adds work),
/// sequence parallelism with T > 1, ZeRO-1 with D > 1 (training).
std::vector<PlanConfig> enumeratePlans(const ModelProfile &profile,
                                       const SearchOptions &options);

SearchResult searchPlans(const ModelProfile &profile,
                         const HardwareSpec &hardware,
                         const SearchOptions &options);

} // namespace mlir::pp

#endif // PP_PLANNER_PLANSEARCH_H
