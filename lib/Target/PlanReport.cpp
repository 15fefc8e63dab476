//===- PlanReport.cpp - plan.json and plan.txt ---------------------------===//

#include "PlanReport.h"

#include "CTypes.h"
#include "pp/Dialect/PP/IR/ShapeUtils.h"

#include "pp/Support/MeshShape.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <set>

using namespace mlir;
using namespace mlir::pp;

namespace {

std::string shapeText(ArrayRef<int64_t> shape, Type element) {
  std::string s;
  llvm::raw_string_ostream os(s);
  for (auto [i, d] : llvm::enumerate(shape))
    os << (i ? "x" : "") << d;
  os << (shape.empty() ? "" : "x") << element;
  return s;
}

std::string humanBytes(uint64_t bytes) {
  const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = bytes;
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::format(u ? "%.2f %s" : "%.0f %s", v, units[u]);
  return s;
}

::pp::MeshShape meshOf(const ProgramSummary &s) {
  if (!s.multiRank)
    return ::pp::MeshShape({}, {});
  return ::pp::MeshShape(s.axisNames, s.axisSizes);
}

/// "tp on dim 1", or "replicated".
std::string splitText(const ProgramSummary &s, ArrayRef<int> shardAxes) {
  std::string text;
  for (auto [d, a] : llvm::enumerate(shardAxes))
    if (a >= 0)
      text += (text.empty() ? "" : ", ") + s.axisNames[a] + " on dim " +
              std::to_string(d);
  return text.empty() ? "replicated" : text;
}

template <typename T>
void jsonList(llvm::json::OStream &j, StringRef key,
              const std::vector<T> &values) {
  j.attributeArray(key, [&] {
    for (const T &v : values)
      j.value(int64_t(v));
  });
}

/// Whether the ranks hold a generation program's caches.
bool generates(const std::vector<PlannedRank> &ranks) {
  return llvm::any_of(ranks,
                      [](const PlannedRank &r) { return r.kvCacheBytes; });
}

/// Whether the ranks hold a training step's gradients or optimizer state.
bool trains(const std::vector<PlannedRank> &ranks) {
  return llvm::any_of(ranks, [](const PlannedRank &r) {
    return r.gradBytes || r.optimizerBytes;
  });
}

std::string meshText(const ProgramSummary &s) {
  std::string text;
  for (auto [i, name] : llvm::enumerate(s.axisNames))
    text += (i ? " " : "") + name + "=" + std::to_string(s.axisSizes[i]);
  return text.empty() ? "dp=1 pp=1 tp=1" : text;
}

} // namespace

std::vector<PlannedRank> mlir::pp::plannedRanks(const ProgramSummary &s) {
  std::vector<PlannedRank> ranks;
  ::pp::MeshShape mesh = meshOf(s);
  for (int64_t r = 0; r < mesh.numRanks(); ++r) {
    PlannedRank rank{r, mesh.coordsOf(r), {}, 0, 0};
    int64_t coord = s.stageAxis >= 0 ? rank.coords[s.stageAxis] : 0;
    std::set<int> weights, inputs, outputs;
    for (const StageSummary &stage : s.stages) {
      if (s.stageMap.rankOf(stage.index) != coord)
        continue;
      rank.stages.push_back(stage.index);
      // Activations: the arena, and in training the stash slots.
      rank.arenaBytes += stage.arenaBytes + stage.stashBytes * stage.stashSlots;
      weights.insert(stage.weights.begin(), stage.weights.end());
      inputs.insert(stage.inputs.begin(), stage.inputs.end());
      outputs.insert(stage.outputs.begin(), stage.outputs.end());
    }
    auto bytes = [](const PlannedTensor &t) {
      return uint64_t(numElements(t.localShape)) * elementBytes(t.element);
    };
    for (int i : inputs) {
      if (s.inputs[i].role == pprt::TensorRole::State)
        rank.optimizerBytes += bytes(s.inputs[i]);
      // One cache per micro-batch.
      if (s.inputs[i].role == pprt::TensorRole::KvCache)
        rank.kvCacheBytes += bytes(s.inputs[i]) * s.numMicrobatches;
    }
    for (int o : outputs) {
      pprt::TensorRole role = s.outputs[o].role;
      if (role == pprt::TensorRole::Gradient)
        rank.gradBytes += bytes(s.outputs[o]);
      else if (role == pprt::TensorRole::State ||
               role == pprt::TensorRole::Update)
        rank.optimizerBytes += bytes(s.outputs[o]);
    }
    // A rank loads a weight once even when two of its stages read it.
    for (int w : weights)
      rank.weightBytes += s.weights[w].localBytes;
    ranks.push_back(std::move(rank));
  }
  return ranks;
}

void mlir::pp::writePlanJson(const PlanInfo &plan, llvm::raw_ostream &os) {
  llvm::json::OStream j(os, 2);
  const ProgramSummary &s = plan.summary;
  std::vector<PlannedRank> ranks = plannedRanks(s);
  j.object([&] {
    j.attribute("model", plan.model);
    j.attribute("target", plan.target);
    j.attributeObject("mesh", [&] {
      if (!s.multiRank) {
        j.attribute("dp", 1);
        j.attribute("pp", 1);
        j.attribute("tp", 1);
      }
      for (auto [i, name] : llvm::enumerate(s.axisNames))
        j.attribute(name, s.axisSizes[i]);
    });
    j.attribute("num_ranks", int64_t(ranks.size()));
    j.attribute("microbatches", s.numMicrobatches);
    if (s.multiRank)
      j.attribute("placement",
                  ::pp::schedule::placementName(s.stageMap.placement()));
    if (!plan.schedule.empty())
      j.attribute("schedule", plan.schedule);
    if (plan.planned) {
      const PlanConfig &c = plan.planned->config;
      j.attributeObject("config", [&] {
        j.attribute("pp", c.pp);
        j.attribute("tp", c.tp);
        j.attribute("dp", c.dp);
        j.attribute("microbatches", c.microbatches);
        j.attribute("virtual_stages", c.virtualStages);
        j.attribute("schedule", c.schedule);
        j.attribute("recompute", c.recompute);
        j.attribute("sequence_parallel", c.sequenceParallel);
        j.attribute("zero", c.zero);
      });
    }
    if (plan.predicted || plan.planned)
      j.attributeObject("predicted", [&] {
        // The planner's price of the whole step (docs/planner.md).
        if (const std::optional<PlanEstimate> &e = plan.planned) {
          j.attribute("step_s", e->stepSeconds);
          j.attribute("tokens_per_s", e->tokensPerSecond);
          j.attribute("tflops_per_gpu", e->tflopsPerGpu);
          j.attribute("mfu", e->mfu);
          // The compiled plan's fullest rank (what `run --report-memory`
          // measures on cpu); the planner's own estimate beside it.
          uint64_t peak = 0;
          for (const PlannedRank &r : ranks)
            peak = std::max(peak, r.weightBytes + r.arenaBytes + r.gradBytes +
                                      r.optimizerBytes + r.kvCacheBytes);
          j.attribute("peak_bytes_per_rank",
                      ranks.empty() ? e->peakBytes : double(peak));
          j.attribute("planner_peak_bytes_per_rank", e->peakBytes);
          j.attribute("bubble", e->bubble);
          j.attribute("tp_all_reduce_s", e->allReduceSeconds);
          j.attribute("dp_exposed_s", e->dpCommSeconds);
        }
        if (!plan.predicted)
          return;
        // The compiled stage functions' roofline, simulated.
        const SchedulePrediction &p = plan.prediction;
        j.attribute("hardware", p.hardware);
        j.attribute("step_ms", p.stepMs);
        j.attribute("bubble_fraction", p.bubble);
        j.attribute("message_ms", p.messageMs);
        j.attributeArray("stage_forward_ms", [&] {
          for (double ms : p.stageMs)
            j.value(ms);
        });
      });
    if (plan.generates)
      j.attributeObject("generation", [&] {
        const GenerationPrediction &g = plan.generation;
        j.attribute("hardware", g.hardware);
        j.attribute("max_seq", g.maxSeq);
        j.attribute("prefill_chunk", g.prefillChunk);
        j.attribute("batch", g.batch);
        j.attribute("prefill_ms", g.prefillMs);
        j.attribute("decode_ms_per_token", g.decodeMs);
        j.attribute("tokens_per_s",
                    g.decodeMs > 0 ? double(g.batch) * 1e3 / g.decodeMs : 0.0);
        j.attribute("decode_all_reduces", g.allReduces);
        j.attribute("decode_all_reduce_bytes", g.allReduceBytes);
        j.attribute("decode_all_reduce_ms", g.allReduceMs);
        j.attribute("microbatches", g.microbatches);
        j.attribute("stage_idle_fraction", g.idle);
      });
    auto values = [&](StringRef key, ArrayRef<PlannedTensor> tensors) {
      j.attributeArray(key, [&] {
        for (const PlannedTensor &t : tensors)
          j.object([&] {
            j.attribute("name", t.name);
            j.attribute("type", shapeText(t.wholeShape, t.element));
            j.attribute("microbatch_type", shapeText(t.localShape, t.element));
            if (t.batchDim >= 0)
              j.attribute("batch_dim", t.batchDim);
          });
      });
    };
    values("inputs", s.inputs);
    values("outputs", s.outputs);
    j.attributeArray("stages", [&] {
      for (const StageSummary &stage : s.stages)
        j.object([&] {
          j.attribute("stage", stage.index);
          if (size_t(stage.index) < plan.stageLayers.size())
            j.attribute("layers", plan.stageLayers[stage.index]);
          if (size_t(stage.index) < plan.stageFlops.size())
            j.attribute("flops", plan.stageFlops[stage.index]);
          j.attribute("weight_bytes", int64_t(stage.weightBytes));
          j.attribute("arena_bytes", int64_t(stage.arenaBytes));
          if (stage.stashBytes) {
            j.attribute("stash_bytes_per_microbatch",
                        int64_t(stage.stashBytes));
            j.attribute("stash_slots", stage.stashSlots);
          }
          j.attribute("send_bytes_per_microbatch", int64_t(stage.sendBytes));
          j.attribute("constant_bytes", int64_t(stage.constantBytes));
          j.attribute("kernel_calls", int64_t(stage.numKernelCalls));
          j.attribute("collectives", int64_t(stage.numCollectives));
          j.attribute("fused_loops", int64_t(stage.numFusedLoops));
          j.attribute("fused_ops", int64_t(stage.numFusedOps));
          jsonList(j, "weights", stage.weights);
        });
    });
    j.attributeArray("ranks", [&] {
      for (const PlannedRank &rank : ranks)
        j.object([&] {
          j.attribute("rank", rank.rank);
          j.attributeObject("coords", [&] {
            for (auto [i, name] : llvm::enumerate(s.axisNames))
              j.attribute(name, rank.coords[i]);
          });
          jsonList(j, "stages", rank.stages);
          j.attribute("weight_bytes", int64_t(rank.weightBytes));
          j.attribute("arena_bytes", int64_t(rank.arenaBytes));
          if (trains(ranks)) {
            j.attribute("grad_bytes", int64_t(rank.gradBytes));
            j.attribute("optimizer_bytes", int64_t(rank.optimizerBytes));
          }
          if (generates(ranks))
            j.attribute("kv_cache_bytes", int64_t(rank.kvCacheBytes));
        });
    });
    j.attributeArray("weights", [&] {
      for (const PlannedWeight &w : s.weights)
        j.object([&] {
          j.attribute("name", w.name);
          j.attribute("file", w.file);
          j.attribute("offset", int64_t(w.offset));
          j.attribute("bytes", int64_t(w.fileBytes));
          j.attribute("bytes_per_rank", int64_t(w.localBytes));
          jsonList(j, "shape", w.shape);
          j.attribute("split", splitText(s, w.shardAxes));
        });
    });
  });
  os << "\n";
}

void mlir::pp::writePlanText(const PlanInfo &plan, llvm::raw_ostream &os) {
  const ProgramSummary &s = plan.summary;
  std::vector<PlannedRank> ranks = plannedRanks(s);
  os << "pp plan for " << plan.model << "\n"
     << "target " << plan.target << ", mesh " << meshText(s) << " ("
     << ranks.size() << (ranks.size() == 1 ? " rank" : " ranks") << ")";
  if (s.numMicrobatches > 1 || !plan.schedule.empty())
    os << ", " << s.numMicrobatches << " micro-batches"
       << (plan.schedule.empty() ? "" : ", schedule " + plan.schedule);
  // A loop is the default; a V changes which rank runs which stage.
  if (s.stageMap.placement() == ::pp::schedule::Placement::V)
    os << ", stages placed in a V";
  os << "\n\n";
  // What one call of a stage reads or writes: a micro-batch's part, or a
  // rank's part of a tensor split like its weight.
  auto interfaceLine = [&](StringRef kind, const PlannedTensor &t) {
    bool split = llvm::any_of(t.splitAxes,
                              [](const std::string &a) { return !a.empty(); });
    os << "  " << kind << t.name << " : " << shapeText(t.wholeShape, t.element)
       << (t.localShape != t.wholeShape
               ? (split ? " (per rank " : " (per micro-batch ") +
                     shapeText(t.localShape, t.element) + ")"
               : "")
       << "\n";
  };
  for (const PlannedTensor &t : s.inputs)
    interfaceLine("input   ", t);
  for (const PlannedTensor &t : s.outputs)
    interfaceLine("output  ", t);

  os << "\n"
     << llvm::format("%-6s %-7s %10s %14s %14s %14s %8s %12s\n", "stage",
                     "layers", "GFLOP", "weights/rank", "activations",
                     "send/mb", "kernels", "collectives");
  for (const StageSummary &stage : s.stages) {
    std::string layers = size_t(stage.index) < plan.stageLayers.size()
                             ? std::to_string(plan.stageLayers[stage.index])
                             : "-";
    std::string flops =
        size_t(stage.index) < plan.stageFlops.size()
            ? llvm::formatv("{0:F3}", plan.stageFlops[stage.index] / 1e9).str()
            : "-";
    os << llvm::format("%-6d %-7s %10s %14s %14s %14s %8zu %12zu\n",
                       stage.index, layers.c_str(), flops.c_str(),
                       humanBytes(stage.weightBytes).c_str(),
                       humanBytes(stage.arenaBytes).c_str(),
                       humanBytes(stage.sendBytes).c_str(),
                       stage.numKernelCalls, stage.numCollectives);
  }

  // Training: what each stage keeps from F to W, per micro-batch in flight.
  if (llvm::any_of(s.stages, [](const StageSummary &st) { return st.stashBytes; })) {
    os << "\nstash (saved for B and W; one slot per micro-batch in flight, "
          "as the schedule runs; counted in the ranks' activations):\n";
    for (const StageSummary &stage : s.stages)
      os << llvm::format("  stage %d: %d slots x %s\n", stage.index,
                         stage.stashSlots,
                         humanBytes(stage.stashBytes).c_str());
  }

  // Ranks with the same stages and memory print as one line.
  bool training = trains(ranks);
  os << "\n"
     << llvm::format("%-12s %-24s %-10s %14s %14s", "ranks", "coords",
                     "stages", "weights", "activations");
  if (training)
    os << llvm::format(" %14s %14s", "grads", "optimizer");
  bool generation = generates(ranks);
  if (generation)
    os << llvm::format(" %14s", "kv cache");
  os << "\n";
  for (size_t i = 0; i < ranks.size();) {
    size_t k = i + 1;
    while (k < ranks.size() && ranks[k].stages == ranks[i].stages &&
           ranks[k].weightBytes == ranks[i].weightBytes &&
           ranks[k].gradBytes == ranks[i].gradBytes &&
           ranks[k].optimizerBytes == ranks[i].optimizerBytes &&
           ranks[k].kvCacheBytes == ranks[i].kvCacheBytes &&
           ranks[k].coords.size() == ranks[i].coords.size())
      ++k;
    std::string ids =
        std::to_string(ranks[i].rank) +
        (k - i > 1 ? "-" + std::to_string(ranks[k - 1].rank) : "");
    std::string coords;
    for (auto [a, name] : llvm::enumerate(s.axisNames)) {
      int64_t lo = ranks[i].coords[a], hi = ranks[k - 1].coords[a];
      coords += (a ? " " : "") + name + "=" + std::to_string(lo) +
                (hi != lo ? ".." + std::to_string(hi) : "");
    }
    if (coords.empty())
      coords = "-";
    std::string stages;
    for (auto [n, st] : llvm::enumerate(ranks[i].stages))
      stages += (n ? "," : "") + std::to_string(st);
    os << llvm::format("%-12s %-24s %-10s %14s %14s", ids.c_str(),
                       coords.c_str(), stages.c_str(),
                       humanBytes(ranks[i].weightBytes).c_str(),
                       humanBytes(ranks[i].arenaBytes).c_str());
    if (training)
      os << llvm::format(" %14s %14s", humanBytes(ranks[i].gradBytes).c_str(),
                         humanBytes(ranks[i].optimizerBytes).c_str());
    if (generation)
      os << llvm::format(" %14s", humanBytes(ranks[i].kvCacheBytes).c_str());
    os << "\n";
    i = k;
  }

  if (plan.predicted) {
    const SchedulePrediction &p = plan.prediction;
    os << "\n"
       << llvm::formatv("predicted on {0} (cost model, one micro-batch's "
                        "{4} per stage, messages {1:F4} ms): step {2:F3} "
                        "ms, bubble {3:F1}% (schedule.svg)\n",
                        p.hardware, p.messageMs, p.stepMs, p.bubble * 100,
                        p.training ? "F, B and W" : "forward");
  }

  if (const std::optional<PlanEstimate> &e = plan.planned) {
    constexpr double gib = double(int64_t(1) << 30);
    os << "\n"
       << llvm::formatv("planner (docs/planner.md): {0}: step {1:F3} ms, "
                        "{2:F0} tokens/s, {3:F1} TFLOP/s per GPU, MFU "
                        "{4:F1}%, bubble {5:F1}%, peak {6:F2} GiB per rank "
                        "(weights {7:F2}, grads {8:F2}, optimizer {9:F2}, "
                        "activations {10:F2})\n",
                        e->config.str(), e->stepSeconds * 1e3,
                        e->tokensPerSecond, e->tflopsPerGpu, e->mfu * 100,
                        e->bubble * 100, e->peakBytes / gib,
                        e->weightBytes / gib, e->gradBytes / gib,
                        e->optimizerBytes / gib, e->activationBytes / gib);
  }

  if (plan.generates) {
    const GenerationPrediction &g = plan.generation;
    os << "\n"
       << llvm::formatv("predicted on {0} (cost model, batch {1}, caches "
                        "of {2} positions): prefill {3:F3} ms per {4}-token "
                        "chunk, decode {5:F3} ms per token ({6:F1} tokens/s)\n",
                        g.hardware, g.batch, g.maxSeq, g.prefillMs,
                        g.prefillChunk, g.decodeMs,
                        g.decodeMs > 0 ? double(g.batch) * 1e3 / g.decodeMs
                                       : 0.0);
    if (g.allReduces)
      os << llvm::formatv("  each decode token: {0} all-reduces on a rank, "
                          "the largest {1}, {2:F3} ms in all\n",
                          g.allReduces, humanBytes(uint64_t(g.allReduceBytes)),
                          g.allReduceMs);
    if (g.stages > 1)
      os << llvm::formatv("  {0} stages, {1} micro-batch{2} of {3} sequences "
                          "flowing through them: each stage idles {4:F0}% of "
                          "a step\n",
                          g.stages, g.microbatches,
                          g.microbatches == 1 ? "" : "es",
                          g.batch / g.microbatches, 100.0 * g.idle);
  }

  uint64_t fileBytes = 0, sharded = 0;
  for (const PlannedWeight &w : s.weights) {
    fileBytes += w.fileBytes;
    if (llvm::any_of(w.shardAxes, [](int a) { return a >= 0; }))
      ++sharded;
  }
  size_t fusedLoops = 0, fusedOps = 0;
  for (const StageSummary &stage : s.stages) {
    fusedLoops += stage.numFusedLoops;
    fusedOps += stage.numFusedOps;
  }
  os << "\n"
     << s.weights.size() << " weight tensors (" << sharded << " split), "
     << humanBytes(fileBytes) << " read from the model's files; " << fusedOps
     << " elementwise ops fused into " << fusedLoops << " loops.\n";
  if (plan.trainability.empty())
    return;
  // Training: which weights the optimizer updates, and why each is or is
  // not trained (an export with constant folding hides parameters).
  size_t trained = llvm::count_if(plan.trainability, [](const auto &entry) {
    return StringRef(entry.second).starts_with("trainable");
  });
  os << "\nTraining: " << trained << " trainable weights, "
     << plan.trainability.size() - trained << " frozen\n";
  for (const auto &[name, why] : plan.trainability)
    os << "  " << name << " : " << why << "\n";
  if (plan.ties.empty())
    return;
  // Constant folding wrote some weights twice; each copy trains as its
  // weight (one summed gradient) and checkpoints write it back.
  os << "Tied (initializers holding a weight's values; --no-tie trains them "
        "apart):\n";
  for (const std::string &tie : plan.ties)
    os << "  " << tie << "\n";
}
