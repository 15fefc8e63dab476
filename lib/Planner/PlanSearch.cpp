//===- PlanSearch.cpp - price and choose a parallel plan -----------------===//

#include "pp/Planner/PlanSearch.h"

#include "pp/Analysis/CommCost.h"
#include "pp/Schedule/AsyncSimulator.h"
#include "pp/Schedule/Generators.h"
#include "pp/Schedule/StashSlots.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

using namespace mlir;
using namespace mlir::pp;
namespace sched = ::pp::schedule;

std::string PlanConfig::str() const {
  std::string s = llvm::formatv("pp={0} tp={1} dp={2} m={3} {4}", pp, tp, dp,
                                microbatches, schedule)
                      .str();
  if (virtualStages > 1 && schedule == "interleaved")
    s += " v=" + std::to_string(virtualStages);
  if (recompute != "none")
    s += " recompute=" + recompute;
  if (sequenceParallel)
    s += " sp";
  if (zero)
    s += " zero=" + std::to_string(zero);
  return s;
}

namespace {

constexpr double kGiB = double(int64_t(1) << 30);

/// One layer (or the embedding or head) at `share` of the graph's batch on
/// one of `tp` ranks.
struct PartCost {
  double forward = 0;  ///< seconds of compute
  double matmul = 0;   ///< the GEMMs' part of forward (what W repeats)
  double attention = 0; ///< attention's core (what selective recompute redoes)
  double flops = 0;    ///< forward FLOPs on this rank
  double stash = 0;    ///< bytes backward keeps
  double working = 0;  ///< bytes the forward writes
  double attentionStash = 0;
  double params = 0;   ///< parameter elements on this rank
};

struct Pricer {
  const ModelProfile &profile;
  const HardwareSpec &hw;
  const SearchOptions &options;
  /// Every layer's price at (share, tp, sp): plans differ in how they
  /// group layers, not in what a layer costs.
  std::map<std::tuple<double, int64_t, bool>, std::vector<PartCost>> cache;

  /// pre, the layers, post.
  const std::vector<PartCost> &parts(double share, int64_t tp, bool sp) {
    auto [it, inserted] = cache.try_emplace({share, tp, sp});
    if (inserted) {
      it->second.push_back(price(profile.pre, share, tp, sp));
      for (const LayerProfile &layer : profile.layers)
        it->second.push_back(price(layer, share, tp, sp));
      it->second.push_back(price(profile.post, share, tp, sp));
    }
    return it->second;
  }

  PartCost price(const LayerProfile &layer, double share, int64_t tp,
                 bool sp) const {
    PartCost c;
    for (const ProfiledOp &op : layer.ops) {
      double split = op.replicated && !sp ? 1 : double(tp);
      double paramSplit = op.replicated ? 1 : double(tp);
      double peak = op.peak * (op.matmul ? hw.gemmEfficiency : 1);
      double flops = op.flops * share / split;
      double bytes = op.activationTraffic * share / split +
                     op.weightTraffic / paramSplit;
      double t = std::max(peak > 0 ? flops / peak : 0,
                          hw.hbmBandwidth > 0 ? bytes / hw.hbmBandwidth : 0);
      c.forward += t;
      c.flops += flops;
      if (op.matmul)
        c.matmul += t;
      double kept = op.kept ? op.resultBytes * share / split : 0;
      if (op.attentionCore) {
        c.attention += t;
        c.attentionStash += kept;
      }
      c.stash += kept;
      c.working += op.resultBytes * share / split;
    }
    c.params = layer.params / double(tp);
    return c;
  }

  /// The hardware with the calibrated link efficiency applied.
  HardwareSpec links() const {
    HardwareSpec spec = hw;
    spec.intraNode.bandwidth *= hw.linkEfficiency;
    spec.interNode.bandwidth *= hw.linkEfficiency;
    return spec;
  }
};

bool divides(int64_t d, int64_t n) { return d > 0 && n % d == 0; }

std::vector<int64_t> divisorsOf(int64_t n) {
  std::vector<int64_t> out;
  for (int64_t d = 1; d <= n; ++d)
    if (n % d == 0)
      out.push_back(d);
  return out;
}

} // namespace


namespace {

/// A plan priced up to its pipeline run: what the simulator needs, and a
/// bound no run can beat (every rank busy all the time).
struct PricedPlan {
  PlanEstimate estimate;
  sched::GeneratorOptions gen;
  sched::CostModel costs;
  /// Data-parallel sum and optimizer step, after the pipeline.
  double tail = 0;
  double lowerBound = 0;
  /// FLOPs one micro-batch executes on all stages of one replica.
  double executedFlops = 0, modelFlops = 0;
  double tokens = 0;
  double peak = 0;
};

void add(PartCost &into, const PartCost &c) {
  into.forward += c.forward;
  into.matmul += c.matmul;
  into.attention += c.attention;
  into.flops += c.flops;
  into.stash += c.stash;
  into.working += c.working;
  into.attentionStash += c.attentionStash;
  into.params += c.params;
}

std::optional<PricedPlan> pricePlan(Pricer &pricer, const PlanConfig &config,
                                    PlanRejection &rejection) {
  const ModelProfile &profile = pricer.profile;
  const HardwareSpec &hw = pricer.hw;
  const SearchOptions &options = pricer.options;
  rejection.config = config;
  auto reject = [&](std::string why) -> std::optional<PricedPlan> {
    rejection.why = std::move(why);
    return std::nullopt;
  };
  bool latency = options.objective == "latency" && !options.train;
  int64_t batch = options.globalBatch > 0 ? options.globalBatch : profile.batch;
  int64_t P = config.pp, T = config.tp, D = config.dp, M = config.microbatches;
  int64_t V = config.schedule == "interleaved" || config.schedule == "zbv"
                  ? config.virtualStages
                  : 1;
  int64_t layers = std::max<int64_t>(1, profile.layers.size());
  if (profile.heads > 0 && profile.heads % T != 0)
    return reject(llvm::formatv("{0} attention heads do not divide by tp={1}",
                                profile.heads, T));
  if (P * V > layers)
    return reject(llvm::formatv("{0} stages for {1} layers", P * V, layers));
  if (!latency && batch % (D * M) != 0)
    return reject(llvm::formatv("batch {0} does not divide by dp x m = {1}",
                                batch, D * M));
  PricedPlan plan;
  std::optional<sched::ScheduleKind> kind =
      sched::parseScheduleKind(config.schedule);
  if (!kind)
    return reject("unknown schedule '" + config.schedule + "'");
  plan.gen.kind = *kind;
  plan.gen.ranks = P;
  plan.gen.microbatches = latency ? 1 : M;
  plan.gen.virtualStages = V;
  plan.gen.forwardOnly = !options.train;
  if (std::string why = sched::checkGeneratorOptions(plan.gen); !why.empty())
    return reject(config.schedule + ": " + why);

  HardwareSpec links = pricer.links();
  // Samples per micro-batch, as a share of the graph's batch (latency: one
  // token of one sequence).
  double samples = latency ? 1.0 / profile.seq : double(batch) / (D * M);
  double share = samples / double(profile.batch);
  bool tpSpansNodes = T > options.gpusPerNode;
  bool ppSpansNodes = P * T > options.gpusPerNode;
  bool dpSpansNodes = P * T * D > options.gpusPerNode;
  double residualBytes = profile.boundaryBytes * share;
  bool sp = config.sequenceParallel;
  bool train = options.train;

  PlanEstimate &e = plan.estimate;
  e.config = config;
  e.allReduceSeconds =
      T > 1 ? commCost(links, CommKind::AllReduce, residualBytes, T,
                       tpSpansNodes)
                  .time
            : 0;
  e.messageSeconds =
      P > 1 ? commCost(links, CommKind::PointToPoint, residualBytes, 2,
                       ppSpansNodes)
                  .time
            : 0;

  // Stages: the layers split evenly (the first ones take the remainder),
  // the embedding on the first and the head on the last.
  int64_t S = P * V;
  sched::StageMap map(P, V,
                      plan.gen.kind == sched::ScheduleKind::ZeroBubbleV
                          ? sched::Placement::V
                          : sched::Placement::Loop);
  const std::vector<PartCost> &parts = pricer.parts(share, T, sp);
  const PartCost &pre = parts.front(), &post = parts.back();
  std::vector<PartCost> stageParts(S);
  std::vector<double> tpPerStage(S, 0);
  plan.costs.comm.latency = e.messageSeconds;
  double largestLayer = 0;
  int64_t next = 0, named = int64_t(profile.layers.size());
  for (int64_t s = 0; s < S; ++s) {
    int64_t count = layers / S + (s < layers % S ? 1 : 0);
    PartCost part;
    double allReduces = 0;
    if (s == 0) {
      add(part, pre);
      allReduces += named > 0 ? 1 : 0; // the vocabulary-parallel embedding
    }
    for (int64_t i = 0; i < count && next < named; ++i, ++next) {
      const PartCost &layer = parts[1 + next];
      add(part, layer);
      largestLayer = std::max(largestLayer, layer.working);
      allReduces += 2; // attention's and the MLP's exits
    }
    if (s == S - 1)
      add(part, post);
    stageParts[s] = part;
    double tp = T > 1 ? allReduces * e.allReduceSeconds : 0;
    tpPerStage[s] = tp;
    sched::StageCost stage;
    stage.forward = part.forward + tp;
    stage.outputBytes = residualBytes;
    if (train) {
      double redo = config.recompute == "full"        ? part.forward + tp
                    : config.recompute == "selective" ? part.attention
                                                      : 0;
      stage.inputGrad = part.forward + tp + redo;
      stage.weightGrad = part.matmul;
    } else {
      stage.inputGrad = stage.weightGrad = 0;
    }
    plan.costs.stages.push_back(stage);
    plan.modelFlops += part.flops * T;
  }
  largestLayer = std::max({largestLayer, pre.working, post.working});

  // Memory of the fullest rank: weights (f32 masters when training), the
  // gradients, the optimizer state (the runtime keeps the state, its next
  // value and the new weights), the stash slots of the schedule, and one
  // layer's working activations.
  double computeBytes = options.dtype.empty() ? profile.elementBytes
                        : options.dtype == "f32" ? 4
                                                 : 2;
  double weightElementBytes = train ? 4 : computeBytes;
  double stashScale = computeBytes / profile.elementBytes;
  double slots = train ? sched::peakStashedChunks(plan.gen) : V;
  double worst = 0;
  for (int64_t r = 0; r < P; ++r) {
    double params = 0, stash = 0;
    for (int64_t c = 0; c < V; ++c) {
      const PartCost &part = stageParts[map.stageOf(r, c)];
      params += part.params;
      double kept = part.stash;
      if (config.recompute == "full")
        kept = residualBytes * std::max<int64_t>(1, layers / S);
      else if (config.recompute == "selective")
        kept -= part.attentionStash;
      stash += kept * stashScale;
    }
    double weights = params * weightElementBytes;
    double grads = train ? params * 4 : 0;
    double state = 0;
    if (train) {
      double copies = options.optimizer == "adamw"          ? 5
                      : options.optimizer == "sgd-momentum" ? 3
                                                            : 1;
      state = params * 4 * copies / (config.zero ? double(D) : 1.0);
    }
    double activations = stash * slots / double(V) + largestLayer * stashScale;
    double total = weights + grads + state + activations;
    if (total > worst) {
      worst = total;
      e.weightBytes = weights;
      e.gradBytes = grads;
      e.optimizerBytes = state;
      e.activationBytes = activations;
    }
  }
  e.peakBytes = worst;

  // The data-parallel gradient sum: per stage, it starts after that
  // stage's last W, so only the last chunk's bucket is left to wait for.
  if (train && D > 1)
    e.dpCommSeconds =
        commCost(links, CommKind::AllReduce, e.gradBytes, D, dpSpansNodes)
            .time /
        double(V);
  // The optimizer step streams the weights, gradients and state once.
  double optimizerSeconds =
      train && hw.hbmBandwidth > 0
          ? (e.weightBytes + e.gradBytes + 2 * e.optimizerBytes) /
                hw.hbmBandwidth
          : 0;
  double tpSeconds = 0;
  for (int64_t c = 0; c < V; ++c)
    tpSeconds += tpPerStage[map.stageOf(0, c)];
  e.tpCommSeconds = tpSeconds * double(plan.gen.microbatches) *
                    (train ? (config.recompute == "full" ? 3 : 2) : 1);
  plan.tail = e.dpCommSeconds + optimizerSeconds;
  // No rank starts before the forwards of the stages ahead of its first
  // one have run, nor idles after.
  double bound = 0;
  for (int64_t r = 0; r < P; ++r) {
    double busy = 0, start = 0;
    for (int64_t c = 0; c < V; ++c) {
      const sched::StageCost &st = plan.costs.stages[map.stageOf(r, c)];
      busy += st.forward + st.inputGrad + st.weightGrad;
    }
    for (int64_t s = 0; s < map.stageOf(r, 0); ++s)
      start += plan.costs.stages[s].forward;
    bound = std::max(bound, start + busy * double(plan.gen.microbatches));
  }
  plan.lowerBound = bound + plan.tail;
  e.stepSeconds = plan.lowerBound;
  plan.tokens = latency ? 1.0 : double(batch) * double(profile.seq);
  // FLOPs: forward once, backward twice (B and W), a recomputed forward
  // once more; per micro-batch, over every replica.
  plan.executedFlops = plan.modelFlops * (train ? 3 : 1);
  if (train && config.recompute == "full")
    plan.executedFlops += plan.modelFlops;
  plan.modelFlops *= train ? 3 : 1;
  Precision precision = computeBytes == 4         ? Precision::tf32
                        : options.dtype == "f16" ? Precision::f16
                                                  : Precision::bf16;
  plan.peak = hw.peak(precision) > 0 ? hw.peak(precision)
                                     : hw.peak(Precision::f32);
  double limit = options.memoryLimit > 0 ? options.memoryLimit
                                         : hw.hbmCapacity;
  if (limit > 0 && e.peakBytes > limit) {
    rejection.estimate = e;
    return reject(llvm::formatv("out of memory on rank 0 by {0:F1} GiB "
                                "({1:F1} GiB of {2:F1})",
                                (e.peakBytes - limit) / kGiB,
                                e.peakBytes / kGiB, limit / kGiB));
  }
  return plan;
}

/// Runs the pipeline with messages on their own stream and completes the
/// estimate.
PlanEstimate simulatePlan(PricedPlan &plan,
                          sched::ComputeOrderCache *orders = nullptr) {
  PlanEstimate &e = plan.estimate;
  sched::AsyncResult run =
      sched::simulatePipeline(plan.gen, plan.costs, orders);
  const PlanConfig &c = e.config;
  e.bubble = run.bubbleFraction;
  e.stepSeconds = run.stepTime + plan.tail;
  e.tokensPerSecond = e.stepSeconds > 0 ? plan.tokens / e.stepSeconds : 0;
  double runs = double(plan.gen.microbatches) * double(c.dp);
  double gpus = double(c.pp * c.tp * c.dp);
  if (e.stepSeconds > 0) {
    e.tflopsPerGpu = plan.executedFlops * runs / e.stepSeconds / gpus / 1e12;
    e.mfu = plan.peak > 0
                ? plan.modelFlops * runs / e.stepSeconds / gpus / plan.peak
                : 0;
  }
  return e;
}

} // namespace

std::optional<PlanEstimate>
mlir::pp::estimatePlan(const ModelProfile &profile, const HardwareSpec &hw,
                       const SearchOptions &options, const PlanConfig &config,
                       PlanRejection &rejection) {
  Pricer pricer{profile, hw, options, {}};
  std::optional<PricedPlan> plan = pricePlan(pricer, config, rejection);
  if (!plan) {
    if (rejection.estimate) {
      // Over memory: still priced in full, for plan.json.
      PlanRejection ignored;
      SearchOptions unlimited = options;
      unlimited.memoryLimit = 1e30;
      Pricer again{profile, hw, unlimited, {}};
      if (std::optional<PricedPlan> full = pricePlan(again, config, ignored))
        rejection.estimate = simulatePlan(*full);
    }
    return std::nullopt;
  }
  return simulatePlan(*plan);
}

std::vector<PlanConfig> mlir::pp::enumeratePlans(const ModelProfile &profile,
                                                 const SearchOptions &options) {
  std::vector<PlanConfig> configs;
  bool latency = options.objective == "latency" && !options.train;
  int64_t batch = options.globalBatch > 0 ? options.globalBatch : profile.batch;
  for (int64_t P : divisorsOf(options.gpus))
    for (int64_t T : divisorsOf(options.gpus / P)) {
      int64_t D = options.gpus / (P * T);
      std::vector<int64_t> ms{1};
      if (!latency && batch % D == 0)
        ms = divisorsOf(batch / D);
      std::vector<std::string> schedules{"1f1b"};
      if (P > 1 && !latency) {
        schedules = {"gpipe", "1f1b", "interleaved"};
        if (options.train)
          schedules = {"gpipe", "1f1b", "interleaved", "zb-h1", "zbv"};
      }
      std::vector<std::string> recomputes{"none"};
      if (options.train)
        recomputes = {"none", "selective", "full"};
      std::vector<bool> sps{false};
      if (T > 1 && !latency)
        sps = {false, true};
      std::vector<int64_t> zeros{0};
      if (options.train && D > 1)
        zeros = {0, 1};
      for (int64_t M : ms)
        for (const std::string &schedule : schedules) {
          std::vector<int64_t> vs{1};
          if (schedule == "interleaved")
            vs = {2, 4};
          else if (schedule == "zbv")
            vs = {2};
          for (int64_t V : vs)
            for (const std::string &recompute : recomputes)
              for (bool sp : sps)
                for (int64_t zero : zeros) {
                  PlanConfig config;
                  config.pp = P;
                  config.tp = T;
                  config.dp = D;
                  config.microbatches = M;
                  config.schedule = schedule;
                  config.virtualStages = V;
                  config.recompute = recompute;
                  config.sequenceParallel = sp;
                  config.zero = zero;
                  configs.push_back(config);
                }
        }
    }
  return configs;
}

SearchResult mlir::pp::searchPlans(const ModelProfile &profile,
                                   const HardwareSpec &hw,
                                   const SearchOptions &options) {
  SearchResult result;
  Pricer pricer{profile, hw, options, {}};
  std::vector<PricedPlan> priced;
  // Recomputing more only adds work: once a plan fits at a recompute level
  // (the enumeration tries none, then selective, then full), the deeper
  // levels of the same plan are not priced.
  using Key = std::tuple<int64_t, int64_t, int64_t, int64_t, std::string,
                         int64_t, bool, int64_t>;
  std::set<Key> fitted;
  for (const PlanConfig &config : enumeratePlans(profile, options)) {
    ++result.considered;
    Key key{config.pp,       config.tp,
            config.dp,       config.microbatches,
            config.schedule, config.virtualStages,
            config.sequenceParallel, config.zero};
    if (fitted.count(key))
      continue;
    PlanRejection rejection;
    if (std::optional<PricedPlan> plan = pricePlan(pricer, config, rejection)) {
      priced.push_back(std::move(*plan));
      fitted.insert(key);
    } else {
      result.rejected.push_back(std::move(rejection));
    }
  }
  result.fitting = priced.size();
  // Fastest first; ties go to the smaller memory, then the plan's text, so
  // the order is total and the search deterministic.
  auto better = [](const PlanEstimate &a, const PlanEstimate &b) {
    if (a.stepSeconds != b.stepSeconds)
      return a.stepSeconds < b.stepSeconds;
    if (a.peakBytes != b.peakBytes)
      return a.peakBytes < b.peakBytes;
    return a.config.str() < b.config.str();
  };
  // Branch and bound: simulate in the order of the bound, and skip a plan
  // whose bound cannot beat the K-th best run so far, nor the best run of
  // its tensor-parallel degree (the table shows one per degree).
  std::sort(priced.begin(), priced.end(),
            [&](const PricedPlan &a, const PricedPlan &b) {
              return better(a.estimate, b.estimate);
            });
  std::vector<PlanEstimate> runs;
  std::map<int64_t, double> bestOfDegree;
  sched::ComputeOrderCache orders;
  for (PricedPlan &plan : priced) {
    double kth = int64_t(runs.size()) >= options.top
                     ? runs[options.top - 1].stepSeconds
                     : INFINITY;
    auto degree = bestOfDegree.find(plan.estimate.config.tp);
    double ofDegree = degree == bestOfDegree.end() ? INFINITY : degree->second;
    if (plan.lowerBound >= kth && plan.lowerBound >= ofDegree)
      continue;
    PlanEstimate e = simulatePlan(plan, &orders);
    ++result.simulated;
    auto at = std::upper_bound(runs.begin(), runs.end(), e, better);
    runs.insert(at, e);
    double &best = bestOfDegree.try_emplace(e.config.tp, INFINITY).first->second;
    best = std::min(best, e.stepSeconds);
  }
  result.ranked = runs;
  if (int64_t(runs.size()) > options.top)
    runs.resize(options.top);
  result.best = std::move(runs);
  // Rejections: the fastest plans that did not fit first (by their bound),
  // then the others in the order they were considered.
  std::stable_sort(result.rejected.begin(), result.rejected.end(),
                   [&](const PlanRejection &a, const PlanRejection &b) {
                     if (a.estimate.has_value() != b.estimate.has_value())
                       return a.estimate.has_value();
                     if (a.estimate && b.estimate)
                       return better(*a.estimate, *b.estimate);
                     return false;
                   });
  return result;
}
