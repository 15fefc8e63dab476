//===- ProgramWriter.cpp - pp IR -> one C++ or CUDA C++ file -------------===//

#include "ProgramWriter.h"

#include "CTypes.h"
#include "Legalize.h"

#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/StagePlacement.h"
#include "pp/Schedule/TextFormat.h"

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
  return tensor;
}

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
  std::string tensorTable(ArrayRef<PlannedTensor> tensors);
  std::string intArray(ArrayRef<int> values);

  ModuleOp module;
  bool cuda;
  ProgramTables tables;
  ProgramSummary &summary;
  SmallVector<func::FuncOp> functions; ///< stages in order, or just @main
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
  for (func::FuncOp func : functions)
    for (auto [j, type] : llvm::enumerate(func.getResultTypes())) {
      int64_t index = j;
      if (auto attr =
              func.getResultAttrOfType<IntegerAttr>(j, "pp.output_index"))
        index = attr.getInt();
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
  return success();
}

std::string Assembler::tensorTable(ArrayRef<PlannedTensor> tensors) {
  std::string s;
  for (const PlannedTensor &t : tensors) {
    SmallVector<int> axes(t.wholeShape.size(), -1);
    if (t.batchDim >= 0 && dpAxis >= 0)
      axes[t.batchDim] = dpAxis;
    s += "    {" + cString(t.name) + ", " + runtimeDType(t.element) + ", " +
         std::to_string(t.wholeShape.size()) + ", {" +
         commaList<int64_t>(t.wholeShape) + "}, " +
         tables.shardAxesArray(axes) + ", " + std::to_string(t.batchDim) +
         "},\n";
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
  std::string lists, text;
  for (auto [r, actions] : llvm::enumerate(schedule->ranks)) {
    std::string name = tables.freshName("kActions");
    text += "const pprt::Action " + name + "[] = {\n";
    for (const sched::Action &a : actions) {
      int64_t stage = -1;
      std::string kind;
      switch (a.kind) {
      case sched::ActionKind::Forward:
        stage = stages.stageOf(r, a.chunk);
        kind = "Forward";
        break;
      case sched::ActionKind::Send:
        // The sender's stage; its activation goes to the next stage.
        stage = stages.stageOf(r, a.tensor.chunk);
        kind = "Send";
        if (stage + 1 >= numStages || stages.rankOf(stage + 1) != a.peer)
          stage = -1;
        break;
      case sched::ActionKind::Recv:
        // The receiving stage: the one after the peer's sending stage.
        stage = a.peer >= 0 && a.peer < p
                    ? stages.stageOf(a.peer, a.tensor.chunk) + 1
                    : -1;
        kind = "Recv";
        if (stage < 0 || stage >= numStages ||
            stages.rankOf(stage) != int64_t(r))
          stage = -1;
        break;
      default:
        return op.emitError()
               << "rank " << r << " runs " << sched::formatAction(a)
               << "; inference programs run F, SEND and RECV";
      }
      if (stage < 0 || a.tensor.kind != sched::TensorKind::Activation)
        return op.emitError() << "rank " << r << ": " << sched::formatAction(a)
                              << " does not move an activation to the next "
                                 "stage";
      int mb = a.kind == sched::ActionKind::Forward ? a.microbatch
                                                    : a.tensor.microbatch;
      text += "    {pprt::ActionKind::" + kind + ", " + std::to_string(stage) +
              ", " + std::to_string(mb) + "},\n";
    }
    text += "};\n";
    lists += "    {" + std::to_string(actions.size()) + ", " + name + "},\n";
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
    legalizeForKernels(func);
    StageSummary stage;
    stage.index = k;
    stage.runName = main ? "runModel" : "runStage" + std::to_string(k);
    if (failed(writeStage(func, tables, runsOs, stage)))
      return failure();
    summary.stages.push_back(std::move(stage));
  }
  summary.weights = tables.weights();

  FailureOr<std::string> schedule =
      main ? FailureOr<std::string>(std::string()) : scheduleTables();
  if (failed(schedule))
    return failure();
  std::string inputs = tensorTable(summary.inputs);
  std::string outputs = tensorTable(summary.outputs);
  std::string stageTable;
  for (StageSummary &s : summary.stages)
    stageTable += "    {" + s.runName + ", " + std::to_string(s.arenaBytes) +
                  ", " + std::to_string(s.weights.size()) + ", " +
                  intArray(s.weights) + ", " + std::to_string(s.inputs.size()) +
                  ", " + intArray(s.inputs) + ", " +
                  std::to_string(s.outputs.size()) + ", " +
                  intArray(s.outputs) + ", " + std::to_string(s.recvBytes) +
                  ", " + std::to_string(s.sendBytes) + "},\n";

  os << "// Generated by pp-opt from " << modelName << " for target "
     << (cuda ? "cuda" : "cpu") << ". Do not edit.\n"
     << "// " << functions.size()
     << (functions.size() == 1 ? " run function" : " stage functions")
     << "; each plans its buffers into one arena at compile time.\n\n"
     << "#include \"pprt/Comm.h\"\n#include \"pprt/Kernels.h\"\n";
  if (!cuda)
    os << "#include \"pprt/Half.h\"\n";
  if (cuda)
    os << "#include \"pprt/CudaCheck.h\"\n#include <cuda_runtime.h>\n";
  os << "\n#include <cmath>\n#include <cstdint>\n\nnamespace {\n\n"
     << tables.helpers << "\n"
     << runs << "const pprt::TensorSpec kInputs[] = {\n"
     << inputs << "    {}};\n"
     << "const pprt::TensorSpec kOutputs[] = {\n"
     << outputs << "    {}};\n"
     << "const pprt::WeightSpec kWeights[] = {\n"
     << tables.weightTable() << "    {}};\n";
  if (!main)
    os << "const pprt::StageSpec kStages[] = {\n"
       << stageTable << "};\n"
       << *schedule;
  os << "\n} // namespace\n\n"
     << "const pprt::Program &pprt::program() {\n"
     << "  static const Program program = [] {\n"
     << "    Program p{};\n"
     << "    p.modelName = " << cString(modelName) << ";\n"
     << "    p.target = \"" << (cuda ? "cuda" : "cpu") << "\";\n"
     << "    p.weightsDir = " << cString(weightsDir) << ";\n"
     << "    p.numInputs = " << summary.inputs.size() << ";\n"
     << "    p.inputs = kInputs;\n"
     << "    p.numOutputs = " << summary.outputs.size() << ";\n"
     << "    p.outputs = kOutputs;\n"
     << "    p.numWeights = " << summary.weights.size() << ";\n"
     << "    p.weights = kWeights;\n";
  if (main) {
    os << "    p.arenaBytes = " << summary.stages.front().arenaBytes << ";\n"
       << "    p.run = runModel;\n";
  } else {
    os << "    p.mesh.numAxes = " << tables.axisNames.size() << ";\n";
    for (auto [a, name] : llvm::enumerate(tables.axisNames))
      os << "    p.mesh.axisNames[" << a << "] = " << cString(name) << ";\n"
         << "    p.mesh.axisSizes[" << a << "] = " << tables.axisSizes[a]
         << ";\n";
    os << "    p.stageAxis = " << summary.stageAxis << ";\n"
       << "    p.numStages = " << summary.stages.size() << ";\n"
       << "    p.stages = kStages;\n"
       << "    p.placement = ::pp::schedule::Placement::"
       << (summary.stageMap.placement() == ::pp::schedule::Placement::V
               ? "V"
               : "Loop")
       << ";\n"
       << "    p.numMicrobatches = " << summary.numMicrobatches << ";\n";
    if (!schedule->empty())
      os << "    p.schedule = kSchedule;\n";
  }
  os << "    return p;\n  }();\n  return program;\n}\n";
  return success();
}

} // namespace

LogicalResult mlir::pp::writeProgram(ModuleOp module, bool cuda,
                                     StringRef modelName, StringRef weightsDir,
                                     raw_ostream &os, ProgramSummary &summary) {
  return Assembler(module, cuda, summary).write(modelName, weightsDir, os);
}
