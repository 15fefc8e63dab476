//===- Generators.cpp - options, forward-only forms, messages -------------===//
//
// Checks the options, asks the generator of the chosen kind for its training
// order, and derives the forward-only form by dropping B and W: every order
// here runs forwards in the sequence its backward needs them, which is also a
// sensible inference order (GPipe's, for one chunk per rank; Megatron's
// forward-only order for interleaved). Messages come last, from
// insertCommunication.
//
//===----------------------------------------------------------------------===//

#include "pp/Schedule/Generators.h"

#include "GeneratorOrders.h"

#include "pp/Schedule/CommInsertion.h"

#include <algorithm>

namespace pp::schedule {

namespace {

struct KindInfo {
  ScheduleKind kind;
  const char *name;
};

constexpr KindInfo kinds[] = {
    {ScheduleKind::GPipe, "gpipe"},
    {ScheduleKind::OneFOneB, "1f1b"},
    {ScheduleKind::Interleaved, "interleaved"},
    {ScheduleKind::ZeroBubbleH1, "zb-h1"},
    {ScheduleKind::ZeroBubbleV, "zbv"},
};

// Far beyond any real pipeline; keeps a typo from allocating gigabytes.
constexpr long long maxComputePasses = 20'000'000;

} // namespace

const char *scheduleKindName(ScheduleKind kind) {
  for (const KindInfo &info : kinds)
    if (info.kind == kind)
      return info.name;
  return "?";
}

std::optional<ScheduleKind> parseScheduleKind(std::string_view name) {
  for (const KindInfo &info : kinds)
    if (name == info.name)
      return info.kind;
  return std::nullopt;
}

std::string scheduleKindList() {
  std::string list;
  for (const KindInfo &info : kinds)
    list += (list.empty() ? "" : ", ") + std::string(info.name);
  return list;
}

int effectiveVirtualStages(const GeneratorOptions &options) {
  if (options.virtualStages > 0)
    return options.virtualStages;
  return options.kind == ScheduleKind::Interleaved ||
                 options.kind == ScheduleKind::ZeroBubbleV
             ? 2
             : 1;
}

Placement schedulePlacement(ScheduleKind kind) {
  return kind == ScheduleKind::ZeroBubbleV ? Placement::V : Placement::Loop;
}

std::string checkGeneratorOptions(const GeneratorOptions &options) {
  std::string name = scheduleKindName(options.kind);
  int p = options.ranks, m = options.microbatches;
  int v = effectiveVirtualStages(options);
  if (p < 1)
    return "the pipeline needs at least 1 rank (got " + std::to_string(p) + ")";
  if (m < 1)
    return "the schedule needs at least 1 micro-batch (got " +
           std::to_string(m) + ")";
  if (options.virtualStages < 0)
    return "virtual stages must be positive (got " +
           std::to_string(options.virtualStages) + ")";
  if ((long long)p * m * v * 3 > maxComputePasses)
    return "schedule too large: " + std::to_string(p) + " ranks x " +
           std::to_string(m) + " micro-batches x " + std::to_string(v) +
           " chunks";
  switch (options.kind) {
  case ScheduleKind::GPipe:
  case ScheduleKind::OneFOneB:
  case ScheduleKind::ZeroBubbleH1:
    if (v != 1)
      return name + " runs one chunk per rank (got " + std::to_string(v) +
             " virtual stages; use interleaved or zbv)";
    break;
  case ScheduleKind::Interleaved:
    if (v < 2)
      return "interleaved needs at least 2 virtual stages per rank (got " +
             std::to_string(v) + ")";
    if (m % p != 0)
      return "interleaved needs the micro-batch count to be a multiple of "
             "the pipeline size (m=" +
             std::to_string(m) + ", p=" + std::to_string(p) + ")";
    break;
  case ScheduleKind::ZeroBubbleV:
    if (v != 2)
      return "zbv runs exactly 2 virtual stages per rank (got " +
             std::to_string(v) + ")";
    break;
  }
  if ((options.kind == ScheduleKind::ZeroBubbleH1 ||
       options.kind == ScheduleKind::ZeroBubbleV) &&
      m < p)
    return name +
           " needs at least as many micro-batches as pipeline ranks "
           "(m=" +
           std::to_string(m) + " < p=" + std::to_string(p) + ")";
  return "";
}

ComputeOrder generateComputeOrder(const GeneratorOptions &options) {
  int p = options.ranks, m = options.microbatches;
  int v = effectiveVirtualStages(options);
  ComputeOrder order;
  order.name = scheduleKindName(options.kind);
  order.microbatches = m;
  order.stages = StageMap(p, v, schedulePlacement(options.kind));
  switch (options.kind) {
  case ScheduleKind::GPipe:
    order.ranks = gpipeOrder(p, m);
    order.gradientLeavesAfterWeightGrad = true;
    break;
  case ScheduleKind::OneFOneB:
    order.ranks = oneFOneBOrder(p, m);
    order.gradientLeavesAfterWeightGrad = true;
    break;
  case ScheduleKind::Interleaved:
    order.ranks = interleavedOrder(p, m, v);
    order.gradientLeavesAfterWeightGrad = true;
    break;
  case ScheduleKind::ZeroBubbleH1:
    order.ranks = zeroBubbleH1Order(p, m);
    break;
  case ScheduleKind::ZeroBubbleV:
    order.ranks = zeroBubbleVOrder(p, m);
    break;
  }
  if (options.forwardOnly) {
    for (std::vector<Action> &list : order.ranks)
      list.erase(std::remove_if(list.begin(), list.end(),
                                [](const Action &action) {
                                  return action.kind != ActionKind::Forward;
                                }),
                 list.end());
  }
  return order;
}

std::optional<Schedule> generateSchedule(const GeneratorOptions &options,
                                         const CostModel &placementCosts,
                                         std::string &error) {
  error = checkGeneratorOptions(options);
  if (!error.empty())
    return std::nullopt;
  ComputeOrder order = generateComputeOrder(options);
  if ((int)placementCosts.stages.size() != order.stages.numStages()) {
    error = "cost model has " + std::to_string(placementCosts.stages.size()) +
            " stages, the schedule " + std::to_string(order.stages.numStages());
    return std::nullopt;
  }
  return insertCommunication(order, placementCosts, error);
}

std::optional<Schedule> generateSchedule(const GeneratorOptions &options,
                                         std::string &error) {
  error = checkGeneratorOptions(options);
  if (!error.empty())
    return std::nullopt;
  StageMap stages(options.ranks, effectiveVirtualStages(options),
                  schedulePlacement(options.kind));
  return generateSchedule(options, CostModel::uniform(stages, 1, 1, 1), error);
}

} // namespace pp::schedule
