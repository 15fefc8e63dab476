//===- ProgramWriter.cpp - pp IR -> one C++ or CUDA C++ file -------------===//

#include "ProgramWriter.h"

#include "CTypes.h"
#include "DesignatedInit.h"

#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/StagePlacement.h"
#include "pp/Schedule/StashSlots.h"
#include "pp/Schedule/TextFormat.h"

#include "llvm/ADT/StringSwitch.h"

#include <array>
#include <map>

using namespace mlir;
using namespace mlir::pp;

namespace {

int64_t intAttr(Operation *op, StringRef name, int64_t fallback) {
  if (auto attr = op->getAttrOfType<IntegerAttr>(name))
    return attr.getInt();
  return fallback;
}

/// Fills a tensor's name and shapes from its type and attributes.
PlannedTensor plannedTensor(Type type, DictionaryAttr attrs, unsigned position,
                            int64_t batchFactor) {
  auto t = cast<RankedTensorType>(type);
  PlannedTensor tensor;
  auto name = attrs ? attrs.getAs<StringAttr>("pp.name") : StringAttr();
  tensor.name = name ? name.str() : "v" + std::to_string(position);
  tensor.element = t.getElementType();
  tensor.localShape.assign(t.getShape().begin(), t.getShape().end());
  tensor.wholeShape = tensor.localShape;
  if (auto dim =
          attrs ? attrs.getAs<IntegerAttr>("pp.batch_dim") : IntegerAttr()) {
    tensor.batchDim = dim.getInt();
    if (tensor.batchDim >= 0 && tensor.batchDim < t.getRank())
      tensor.wholeShape[tensor.batchDim] *= batchFactor;
    else
      tensor.batchDim = -1;
  }
  if (!attrs)
    return tensor;
  tensor.splitAxes.assign(t.getRank(), "");
  if (auto sharding =
          attrs.getAs<ShardingAttr>(PPDialect::ShardingAttrHelper::getNameStr()))
    for (int64_t d = 0; d < t.getRank(); ++d)
      if (SmallVector<StringRef> axes = sharding.getAxesOfDim(d);
          !axes.empty())
        tensor.splitAxes[d] = axes.front().str();
  // The training roles (pp-gradient-program, pp-apply-optimizer).
  auto nameOf = [&](StringRef attr) {
    auto value = attrs.getAs<StringAttr>(attr);
    return value ? value.str() : std::string();
  };
  if (attrs.get(PPDialect::LossAttrHelper::getNameStr())) {
    tensor.role = pprt::TensorRole::Loss;
  } else if (attrs.get(PPDialect::StepAttrHelper::getNameStr())) {
    tensor.role = pprt::TensorRole::Step;
  } else if (std::string weight =
                 nameOf(PPDialect::WeightGradientAttrHelper::getNameStr());
             !weight.empty()) {
    tensor.role = pprt::TensorRole::Gradient;
    tensor.of = weight;
  } else if (std::string weight =
                 nameOf(PPDialect::WeightUpdateAttrHelper::getNameStr());
             !weight.empty()) {
    tensor.role = pprt::TensorRole::Update;
    tensor.of = weight;
  } else if (std::string state =
                 nameOf(PPDialect::OptimizerStateAttrHelper::getNameStr());
             !state.empty()) {
    tensor.role = pprt::TensorRole::State;
    tensor.of = state;
  } else if (attrs.get(PPDialect::GradNormAttrHelper::getNameStr())) {
    tensor.role = pprt::TensorRole::GradNorm;
  } else if (auto role = attrs.getAs<StringAttr>(
                 PPDialect::GenerationAttrHelper::getNameStr())) {
    // pp-stage-generation's inputs and outputs.
    tensor.role = llvm::StringSwitch<pprt::TensorRole>(role.getValue())
                      .Case("prefill_ids", pprt::TensorRole::PrefillIds)
                      .Case("decode_ids", pprt::TensorRole::DecodeIds)
                      .Case("kv_cache", pprt::TensorRole::KvCache)
                      .Case("prefill_logits", pprt::TensorRole::PrefillLogits)
                      .Case("decode_logits", pprt::TensorRole::DecodeLogits)
                      .Default(pprt::TensorRole::Data);
  } else if (std::string labels =
                 nameOf(PPDialect::LossScaleAttrHelper::getNameStr());
             !labels.empty()) {
    tensor.role = pprt::TensorRole::LossScale;
    tensor.of = labels;
  }
  return tensor;
}

/// A stage's other functions: B, W and the update (pp-stage-training), the
/// decode step (pp-stage-generation).
const char *const kPartSuffixes[] = {"_b", "_w", "_update", "_decode"};

class Assembler {
public:
  Assembler(ModuleOp module, bool cuda, ProgramSummary &summary)
      : module(module), cuda(cuda), tables(module, cuda), summary(summary) {}

  LogicalResult write(StringRef modelName, StringRef weightsDir,
                      raw_ostream &os);

private:
  LogicalResult collectFunctions();
  LogicalResult collectInterface();
  FailureOr<std::string> scheduleTables();
  FailureOr<std::string> tensorTable(ArrayRef<PlannedTensor> tensors,
                                     StringRef what);
  std::string intArray(ArrayRef<int> values);

  ModuleOp module;
  bool cuda;
  ProgramTables tables;
  ProgramSummary &summary;
  SmallVector<func::FuncOp> functions; ///< stages in order, or just @main
  /// Each stage's B, W and update functions (pp-stage-training), and its
  /// decode step (pp-stage-generation); null where the program has none.
  SmallVector<std::array<func::FuncOp, 4>> parts;
  bool training() const { return !parts.empty() && parts.front()[0]; }
  /// pp-stage-generation's max-seq (0: not a generation program).
  int64_t maxSeq() const {
    auto step = module->getAttrOfType<DictionaryAttr>(
        PPDialect::GenerationStepAttrHelper::getNameStr());
    auto seq = step ? step.getAs<IntegerAttr>("max_seq") : IntegerAttr();
    return seq ? seq.getInt() : 0;
  }
  func::FuncOp main;
  int dpAxis = -1;
};

LogicalResult Assembler::collectFunctions() {
  std::map<int64_t, func::FuncOp> stages;
  for (auto func : module.getOps<func::FuncOp>()) {
    auto stage = func->getAttrOfType<StageAttr>("pp.stage");
    if (!stage)
      continue;
    if (!stages.emplace(stage.getIndex(), func).second)
      return func.emitError() << "two functions for stage " << stage.getIndex();
  }
  if (stages.empty()) {
    main = module.lookupSymbol<func::FuncOp>("main");
    if (!main)
      return emitError(module.getLoc())
             << "the module has no func.func @main and no stage functions "
                "to compile";
    functions.push_back(main);
    return success();
  }
  int64_t expected = 0;
  for (auto &[index, func] : stages) {
    if (index != expected++)
      return func.emitError() << "stage " << index << " follows stage "
                              << expected - 2 << "; stages must be numbered "
                              << "0, 1, ... without gaps";
    functions.push_back(func);
    std::array<func::FuncOp, 4> part;
    for (size_t i = 0; i < part.size(); ++i)
      part[i] = module.lookupSymbol<func::FuncOp>(
          (func.getName() + kPartSuffixes[i]).str());
    ArrayRef<func::FuncOp> training(part.data(), 3);
    if (llvm::any_of(training, [](func::FuncOp f) { return bool(f); }) &&
        llvm::any_of(training, [](func::FuncOp f) { return !f; }))
      return func.emitError() << "has some of its _b, _w and _update "
                                 "functions but not all (run "
                                 "pp-stage-training)";
    parts.push_back(part);
  }
  summary.multiRank = true;
  summary.axisNames = tables.axisNames;
  summary.axisSizes = tables.axisSizes;
  summary.stageAxis = tables.axisIndex("pp");
  if (summary.stageAxis < 0)
    return emitError(module.getLoc())
           << "a program with stage functions needs pp.mesh @world with a "
              "\"pp\" axis";
  int64_t p = tables.axisSizes[summary.stageAxis];
  if (int64_t(functions.size()) % p != 0)
    return emitError(module.getLoc())
           << functions.size() << " stages do not divide over " << p
           << " pipeline ranks";
  FailureOr<::pp::schedule::Placement> placement = getStagePlacement(module);
  if (failed(placement))
    return failure();
  summary.stageMap =
      ::pp::schedule::StageMap(p, functions.size() / p, *placement);
  tables.stageMap = summary.stageMap;
  dpAxis = tables.axisIndex("dp");
  if (dpAxis >= 0 && tables.axisSizes[dpAxis] == 1)
    dpAxis = -1;
  return success();
}

/// Inputs and outputs of the whole model, whole and per stage call.
LogicalResult Assembler::collectInterface() {
  summary.numMicrobatches = intAttr(module, "pp.microbatches", 1);
  // A single-rank program runs @main once, on the part of the batch its
  // types say (pp-split-batch alone compiles one part).
  if (main) {
    summary.numMicrobatches = 1;
    for (auto [i, type] : llvm::enumerate(main.getArgumentTypes()))
      summary.inputs.push_back(
          plannedTensor(type, main.getArgAttrDict(i), i, 1));
    for (auto [i, type] : llvm::enumerate(main.getResultTypes()))
      summary.outputs.push_back(
          plannedTensor(type, main.getResultAttrDict(i), i, 1));
    return success();
  }
  int64_t factor = 1;
  if (auto batch = module->getAttrOfType<DictionaryAttr>("pp.batch"))
    if (auto f = batch.getAs<IntegerAttr>("factor"))
      factor = f.getInt();
  int64_t d = dpAxis >= 0 ? tables.axisSizes[dpAxis] : 1;
  if (factor != d * summary.numMicrobatches)
    return emitError(module.getLoc())
           << "the batch was cut into " << factor << " parts but the program "
           << "runs " << summary.numMicrobatches << " micro-batches on " << d
           << " data-parallel replicas";

  auto types = module->getAttrOfType<ArrayAttr>("pp.inputs");
  auto attrs = module->getAttrOfType<ArrayAttr>("pp.input_attrs");
  if (!types)
    return emitError(module.getLoc())
           << "the module has stage functions but no pp.inputs (run "
              "pp-split-stages)";
  for (auto [i, type] : llvm::enumerate(types.getAsValueRange<TypeAttr>())) {
    DictionaryAttr dict;
    if (attrs && i < attrs.size())
      dict = dyn_cast<DictionaryAttr>(attrs[i]);
    summary.inputs.push_back(plannedTensor(type, dict, i, factor));
  }
  std::map<int64_t, PlannedTensor> outputs;
  SmallVector<func::FuncOp> all(functions);
  for (auto &part : parts)
    for (func::FuncOp f : part)
      if (f)
        all.push_back(f);
  for (func::FuncOp func : all)
    for (auto [j, type] : llvm::enumerate(func.getResultTypes())) {
      int64_t index = j;
      if (auto attr =
              func.getResultAttrOfType<IntegerAttr>(j, "pp.output_index"))
        index = attr.getInt();
      else if (training())
        continue; // a training stage's stash or boundary
      outputs[index] =
          plannedTensor(type, func.getResultAttrDict(j), index, factor);
    }
  int64_t expected = 0;
  for (auto &[index, tensor] : outputs) {
    if (index != expected++)
      return emitError(module.getLoc())
             << "no stage produces graph output " << expected - 1;
    summary.outputs.push_back(tensor);
  }
  // A tensor split like its weight: the whole is the parts together.
  for (auto *tensors : {&summary.inputs, &summary.outputs})
    for (PlannedTensor &t : *tensors)
      for (auto [d, axis] : llvm::enumerate(t.splitAxes)) {
        if (axis.empty())
          continue;
        int a = tables.axisIndex(axis);
        if (a < 0)
          return emitError(module.getLoc())
                 << "'" << t.name << "' is split over '" << axis
                 << "', which is not an axis of pp.mesh @world";
        t.wholeShape[d] *= tables.axisSizes[a];
      }
  return success();
}

FailureOr<std::string> Assembler::tensorTable(ArrayRef<PlannedTensor> tensors,
                                              StringRef what) {
  std::string s;
  for (const PlannedTensor &t : tensors) {
    std::optional<pprt::DType> dtype = runtimeDType(t.element);
    if (!dtype)
      return emitError(module.getLoc())
             << what << " '" << t.name << "' has element type " << t.element
             << ", which the runtime cannot read or write";
    if (t.wholeShape.size() > size_t(pprt::kMaxRank))
      return emitError(module.getLoc())
             << what << " '" << t.name << "' has rank " << t.wholeShape.size()
             << ", above the runtime's limit of " << pprt::kMaxRank;
    SmallVector<int> axes(t.wholeShape.size(), -1);
    if (t.batchDim >= 0 && dpAxis >= 0)
      axes[t.batchDim] = dpAxis;
    for (auto [d, axis] : llvm::enumerate(t.splitAxes))
      if (!axis.empty())
        axes[d] = tables.axisIndex(axis);
    DesignatedInit<pprt::TensorSpec> row;
    row.setString(PPRT_FIELD(TensorSpec, name), t.name)
        .set(PPRT_FIELD(TensorSpec, dtype), *dtype)
        .set(PPRT_FIELD(TensorSpec, rank), int(t.wholeShape.size()))
        .setArray(PPRT_FIELD(TensorSpec, shape),
                  ArrayRef<int64_t>(t.wholeShape))
        .setSymbol(PPRT_FIELD(TensorSpec, shardAxes),
                   tables.shardAxesArray(axes))
        .set(PPRT_FIELD(TensorSpec, batchDim), t.batchDim)
        .set(PPRT_FIELD(TensorSpec, role), t.role);
    if (t.of.empty())
      row.setSymbol(PPRT_FIELD(TensorSpec, of), "nullptr");
    else
      row.setString(PPRT_FIELD(TensorSpec, of), t.of);
    s += "    " + row.str() + ",\n";
  }
  return s;
}

/// The pp.schedule op as the runtime's per-rank action tables ("" when
/// the module has none: the runtime then runs micro-batches in order).
FailureOr<std::string> Assembler::scheduleTables() {
  auto ops = module.getOps<ScheduleOp>();
  if (ops.empty())
    return std::string();
  ScheduleOp op = *ops.begin();
  int64_t p = tables.axisSizes[summary.stageAxis];
  int64_t numStages = functions.size();
  if (int64_t(op.getMicrobatches()) != summary.numMicrobatches ||
      int64_t(op.getChunks()) * p != numStages ||
      int64_t(op.getRanks().size()) != p)
    return op.emitError() << "the schedule is for " << op.getRanks().size()
                          << " ranks x " << op.getChunks() << " chunks and "
                          << op.getMicrobatches()
                          << " micro-batches, but the program has " << p
                          << " pipeline ranks, " << numStages << " stages and "
                          << summary.numMicrobatches << " micro-batches";
  ::pp::schedule::ParseError error;
  auto schedule = ::pp::schedule::parseSchedule(op.getText(), error);
  if (!schedule)
    return op.emitError() << "cannot read the schedule: " << error.message;
  namespace sched = ::pp::schedule;
  const sched::StageMap &stages = summary.stageMap;
  if (schedule->stages != stages)
    return op.emitError() << "the schedule places chunks in a "
                          << sched::placementName(schedule->stages.placement())
                          << ", but the stages are wired in a "
                          << sched::placementName(stages.placement());
  // Training: the stash slots each stage's rank needs, as the runtime
  // will allocate them.
  for (auto [r, actions] : llvm::enumerate(schedule->ranks)) {
    sched::StashPlan stash = sched::planStash(actions, stages.numChunks());
    for (StageSummary &stage : summary.stages)
      if (stages.rankOf(stage.index) == int64_t(r) && stage.stashBytes)
        stage.stashSlots = stash.slots[stages.chunkOf(stage.index)];
  }
  std::string lists, text;
  for (auto [r, actions] : llvm::enumerate(schedule->ranks)) {
    std::string name = tables.freshName("kActions");
    text += "const pprt::Action " + name + "[] = {\n";
    for (const sched::Action &a : actions) {
      int64_t stage = -1;
      pprt::ActionKind kind = pprt::ActionKind::Forward;
      bool gradient = a.tensor.kind == sched::TensorKind::Gradient;
      switch (a.kind) {
      case sched::ActionKind::Forward:
        stage = stages.stageOf(r, a.chunk);
        break;
      case sched::ActionKind::InputGrad:
      case sched::ActionKind::WeightGrad:
        if (!training())
          return op.emitError()
                 << "rank " << r << " runs " << sched::formatAction(a)
                 << "; inference programs run F, SEND and RECV";
        stage = stages.stageOf(r, a.chunk);
        kind = a.kind == sched::ActionKind::InputGrad
                   ? pprt::ActionKind::BackwardInput
                   : pprt::ActionKind::BackwardWeight;
        break;
      case sched::ActionKind::Send: {
        // The sender's stage; an activation goes to the next stage, a
        // cotangent to the previous one.
        stage = stages.stageOf(r, a.tensor.chunk);
        kind = gradient ? pprt::ActionKind::SendGradient
                        : pprt::ActionKind::Send;
        int64_t to = gradient ? stage - 1 : stage + 1;
        if (to < 0 || to >= numStages || stages.rankOf(to) != a.peer)
          stage = -1;
        break;
      }
      case sched::ActionKind::Recv: {
        // The receiving stage: next to the peer's sending stage.
        int64_t from = a.peer >= 0 && a.peer < p
                           ? stages.stageOf(a.peer, a.tensor.chunk)
                           : -1;
        stage = from < 0 ? -1 : gradient ? from - 1 : from + 1;
        kind = gradient ? pprt::ActionKind::RecvGradient
                        : pprt::ActionKind::Recv;
        if (stage < 0 || stage >= numStages ||
            stages.rankOf(stage) != int64_t(r))
          stage = -1;
        break;
      }
      case sched::ActionKind::Collective:
        return op.emitError()
               << "rank " << r << " runs " << sched::formatAction(a)
               << "; programs run F, B, W, SEND and RECV";
      }
      if (stage < 0 || (gradient && !training()))
        return op.emitError() << "rank " << r << ": " << sched::formatAction(a)
                              << " does not move a tensor between "
                                 "neighbouring stages";
      int mb = sched::isCompute(a.kind) ? a.microbatch : a.tensor.microbatch;
      DesignatedInit<pprt::Action> row;
      row.set(PPRT_FIELD(Action, kind), kind)
          .set(PPRT_FIELD(Action, stage), int(stage))
          .set(PPRT_FIELD(Action, microbatch), mb);
      text += "    " + row.str() + ",\n";
    }
    text += "};\n";
    DesignatedInit<pprt::RankSchedule> list;
    list.set(PPRT_FIELD(RankSchedule, numActions), int(actions.size()))
        .setSymbol(PPRT_FIELD(RankSchedule, actions), name);
    lists += "    " + list.str() + ",\n";
  }
  return text + "const pprt::RankSchedule kSchedule[] = {\n" + lists + "};\n";
}

std::string Assembler::intArray(ArrayRef<int> values) {
  if (values.empty())
    return "nullptr";
  std::string name = tables.freshName("kIndices");
  tables.helpersOs << "const int " << name << "[] = {" << commaList<int>(values)
                   << "};\n";
  return name;
}

LogicalResult Assembler::write(StringRef modelName, StringRef weightsDir,
                               raw_ostream &os) {
  if (failed(collectFunctions()) || failed(collectInterface()))
    return failure();

  std::string runs;
  llvm::raw_string_ostream runsOs(runs);
  for (auto [k, func] : llvm::enumerate(functions)) {
    StageSummary stage;
    stage.index = k;
    stage.runName = main ? "runModel" : "runStage" + std::to_string(k);
    if (failed(writeStage(func, tables, runsOs, stage)))
      return failure();
    if (auto bytes = func->getAttrOfType<IntegerAttr>(
            PPDialect::StashBytesAttrHelper::getNameStr()))
      stage.stashBytes = bytes.getInt();
    for (auto [i, part] : llvm::enumerate(main ? ArrayRef<func::FuncOp>()
                                               : ArrayRef(parts[k]))) {
      if (!part)
        continue;
      StageSummary other;
      other.index = k;
      other.runName = stage.runName + kPartSuffixes[i];
      if (failed(writeStage(part, tables, runsOs, other)))
        return failure();
      stage.partNames[i] = other.runName;
      stage.mergePart(other);
      if (i == 3) {
        stage.decodeSendBytes = other.sendBytes;
        stage.decodeRecvBytes = other.recvBytes;
      }
    }
    summary.stages.push_back(std::move(stage));
  }
  summary.weights = tables.weights();

  FailureOr<std::string> schedule =
      main ? FailureOr<std::string>(std::string()) : scheduleTables();
  if (failed(schedule))
    return failure();
  FailureOr<std::string> inputs = tensorTable(summary.inputs, "graph input");
  FailureOr<std::string> outputs =
      tensorTable(summary.outputs, "graph output");
  if (failed(inputs) || failed(outputs))
    return failure();
  std::string stageTable;
  for (StageSummary &s : main ? MutableArrayRef<StageSummary>()
                              : MutableArrayRef<StageSummary>(summary.stages)) {
    DesignatedInit<pprt::StageSpec> row;
    row.setSymbol(PPRT_FIELD(StageSpec, run), s.runName)
        .set(PPRT_FIELD(StageSpec, arenaBytes), s.arenaBytes)
        .set(PPRT_FIELD(StageSpec, numWeights), int(s.weights.size()))
        .setSymbol(PPRT_FIELD(StageSpec, weights), intArray(s.weights))
        .set(PPRT_FIELD(StageSpec, numInputs), int(s.inputs.size()))
        .setSymbol(PPRT_FIELD(StageSpec, inputs), intArray(s.inputs))
        .set(PPRT_FIELD(StageSpec, numOutputs), int(s.outputs.size()))
        .setSymbol(PPRT_FIELD(StageSpec, outputs), intArray(s.outputs))
        .set(PPRT_FIELD(StageSpec, recvBytes), s.recvBytes)
        .set(PPRT_FIELD(StageSpec, sendBytes), s.sendBytes)
        .setSymbol(PPRT_FIELD(StageSpec, backwardInput),
                   s.partNames[0].empty() ? "nullptr" : s.partNames[0])
        .setSymbol(PPRT_FIELD(StageSpec, backwardWeight),
                   s.partNames[1].empty() ? "nullptr" : s.partNames[1])
        .setSymbol(PPRT_FIELD(StageSpec, update),
                   s.partNames[2].empty() ? "nullptr" : s.partNames[2])
        .set(PPRT_FIELD(StageSpec, stashBytes), s.stashBytes)
        .setSymbol(PPRT_FIELD(StageSpec, decode),
                   s.partNames[3].empty() ? "nullptr" : s.partNames[3])
        .set(PPRT_FIELD(StageSpec, decodeRecvBytes), s.decodeRecvBytes)
        .set(PPRT_FIELD(StageSpec, decodeSendBytes), s.decodeSendBytes);
    stageTable += "    " + row.str() + ",\n";
  }

  // Single-rank programs leave the multi-rank fields at their defaults,
  // spelled out all the same.
  DesignatedInit<pprt::MeshSpec> mesh;
  mesh.set(PPRT_FIELD(MeshSpec, numAxes), main ? 0 : int(tables.axisNames.size()))
      .setStrings(PPRT_FIELD(MeshSpec, axisNames),
                  main ? ArrayRef<std::string>()
                       : ArrayRef<std::string>(tables.axisNames))
      .setArray(PPRT_FIELD(MeshSpec, axisSizes),
                main ? ArrayRef<int64_t>() : ArrayRef<int64_t>(tables.axisSizes));
  DesignatedInit<pprt::Program> program;
  program.setString(PPRT_FIELD(Program, modelName), modelName)
      .setString(PPRT_FIELD(Program, target), cuda ? "cuda" : "cpu")
      .setString(PPRT_FIELD(Program, weightsDir), weightsDir)
      .set(PPRT_FIELD(Program, numInputs), int(summary.inputs.size()))
      .setSymbol(PPRT_FIELD(Program, inputs), "kInputs")
      .set(PPRT_FIELD(Program, numOutputs), int(summary.outputs.size()))
      .setSymbol(PPRT_FIELD(Program, outputs), "kOutputs")
      .set(PPRT_FIELD(Program, numWeights), int(summary.weights.size()))
      .setSymbol(PPRT_FIELD(Program, weights), "kWeights")
      .set(PPRT_FIELD(Program, arenaBytes),
           main ? summary.stages.front().arenaBytes : 0)
      .setSymbol(PPRT_FIELD(Program, run), main ? "runModel" : "nullptr")
      .setInit(PPRT_FIELD(Program, mesh), mesh)
      .set(PPRT_FIELD(Program, stageAxis), main ? -1 : summary.stageAxis)
      .set(PPRT_FIELD(Program, numStages),
           main ? 0 : int(summary.stages.size()))
      .setSymbol(PPRT_FIELD(Program, stages), main ? "nullptr" : "kStages")
      .set(PPRT_FIELD(Program, placement), summary.stageMap.placement())
      .set(PPRT_FIELD(Program, numMicrobatches), summary.numMicrobatches)
      .setSymbol(PPRT_FIELD(Program, schedule),
                 schedule->empty() ? "nullptr" : "kSchedule")
      .set(PPRT_FIELD(Program, maxSeq), maxSeq());

  os << "// Generated by pp-opt from " << modelName << " for target "
     << (cuda ? "cuda" : "cpu") << ". Do not edit.\n"
     << "// " << functions.size()
     << (functions.size() == 1 ? " run function" : " stage functions")
     << "; each plans its buffers into one arena at compile time.\n\n"
     << "#include \"pprt/Comm.h\"\n#include \"pprt/Kernels.h\"\n";
  if (!cuda)
    os << "#include \"pprt/Half.h\"\n#include \"pprt/VecMath.h\"\n";
  if (cuda)
    os << "#include \"pprt/CudaCheck.h\"\n#include <cuda_runtime.h>\n";
  os << "\n#include <cmath>\n#include <cstdint>\n\nnamespace {\n\n"
     << tables.helpers << "\n"
     << runs << "const pprt::TensorSpec kInputs[] = {\n"
     << *inputs << "    {}};\n"
     << "const pprt::TensorSpec kOutputs[] = {\n"
     << *outputs << "    {}};\n"
     << "const pprt::WeightSpec kWeights[] = {\n"
     << tables.weightTable() << "    {}};\n";
  if (!main)
    os << "const pprt::StageSpec kStages[] = {\n"
       << stageTable << "};\n"
       << *schedule;
  os << "\n} // namespace\n\n"
     << "const pprt::Program &pprt::program() {\n"
     << "  static const Program program = " << program.block("    ") << ";\n"
     << "  return program;\n}\n";
  return success();
}

} // namespace

LogicalResult mlir::pp::writeProgram(ModuleOp module, bool cuda,
                                     StringRef modelName, StringRef weightsDir,
                                     raw_ostream &os, ProgramSummary &summary) {
  return Assembler(module, cuda, summary).write(modelName, weightsDir, os);
}
