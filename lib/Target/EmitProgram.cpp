//===- EmitProgram.cpp - pp IR -> a program folder -----------------------===//
//
// OUT/src/program.{cpp,cu} and OUT/src/build.sh, OUT/plan.json,
// OUT/plan.txt, and (unless --emit=source) OUT/run built from them.
//
//===----------------------------------------------------------------------===//

#include "pp/Target/EmitProgram.h"

#include "PlanReport.h"
#include "ProgramWriter.h"
#include "Toolchain.h"

#include "pp/Dialect/PP/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::pp;

namespace {

LogicalResult writeFile(Location loc, const std::string &path,
                        function_ref<void(llvm::raw_ostream &)> write) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return emitError(loc) << "cannot write " << path << ": " << ec.message();
  write(os);
  return success();
}

} // namespace

LogicalResult mlir::pp::emitProgram(ModuleOp module,
                                    const TargetOptions &options) {
  Location loc = module.getLoc();
  bool cuda = options.target == "cuda";
  auto modelAttr = module->getAttrOfType<StringAttr>("pp.model");
  auto dirAttr = module->getAttrOfType<StringAttr>("pp.weights_dir");
  std::string model = modelAttr ? modelAttr.str() : "<mlir input>";
  std::string weightsDir = dirAttr ? dirAttr.str() : ".";

  // The writers map each op to one kernel or collective call.
  PassManager pm(module.getContext());
  pm.addPass(createLegalizeForKernelsPass());
  if (failed(pm.run(module)))
    return failure();

  std::string out = options.outputDir;
  SmallString<256> src(out);
  llvm::sys::path::append(src, "src");
  if (std::error_code ec = llvm::sys::fs::create_directories(
          options.planOnly ? StringRef(out) : StringRef(src)))
    return emitError(loc) << "cannot create " << src << ": " << ec.message();

  std::string source;
  llvm::raw_string_ostream sourceOs(source);
  PlanInfo plan;
  plan.model = model;
  plan.planned = options.planned;
  plan.target = options.target;
  if (auto layers = module->getAttrOfType<DenseI64ArrayAttr>("pp.stage_layers"))
    plan.stageLayers.assign(layers.asArrayRef().begin(),
                            layers.asArrayRef().end());
  if (auto flops = module->getAttrOfType<DenseI64ArrayAttr>("pp.stage_flops"))
    plan.stageFlops.assign(flops.asArrayRef().begin(),
                           flops.asArrayRef().end());
  if (auto source = module->getAttrOfType<StringAttr>("pp.layer_source"))
    plan.layerSource = source.str();
  if (auto schedule = module->getAttrOfType<StringAttr>("pp.schedule_name"))
    plan.schedule = schedule.str();
  if (auto classes = module->getAttrOfType<DictionaryAttr>("pp.trainability"))
    for (NamedAttribute entry : classes)
      if (auto why = dyn_cast<StringAttr>(entry.getValue()))
        plan.trainability.push_back({entry.getName().str(), why.str()});
  auto *dialect = module->getContext()->getLoadedDialect<PPDialect>();
  module->walk([&](WeightOp weight) {
    ArrayAttr copies = dialect->getTiedCopiesAttrHelper().getAttr(weight);
    if (!copies)
      return;
    for (auto copy : copies.getAsRange<TiedCopyAttr>())
      plan.ties.push_back(copy.getName().str() + " = " +
                          (copy.getTransposed() ? "transpose(" : "(") +
                          weight.getName().str() + ")");
  });
  if (failed(writeProgram(module, cuda, model, weightsDir, sourceOs,
                          plan.summary)) ||
      failed(predictSchedule(module, options.hardware, plan.predicted,
                             plan.prediction, !options.planOnly)) ||
      failed(predictGeneration(module, options.hardware, plan.generates,
                               plan.generation)))
    return failure();

  std::string sourcePath =
      (src + (cuda ? "/program.cu" : "/program.cpp")).str();
  std::string binary = out + "/run";
  std::string command = buildCommand(cuda, sourcePath, binary);
  if (options.planOnly)
    return failure(
        failed(writeFile(loc, out + "/plan.json",
                         [&](llvm::raw_ostream &os) { writePlanJson(plan, os); })) ||
        failed(writeFile(loc, out + "/plan.txt",
                         [&](llvm::raw_ostream &os) { writePlanText(plan, os); })));
  if (failed(writeFile(loc, sourcePath,
                       [&](llvm::raw_ostream &os) { os << source; })) ||
      failed(writeFile(loc, (src + "/build.sh").str(),
                       [&](llvm::raw_ostream &os) {
                         os << "#!/bin/sh\n# Rebuilds ../run from "
                               "this folder's source.\nset -e\n"
                            << command << "\n";
                       })) ||
      failed(writeFile(loc, out + "/plan.json",
                       [&](llvm::raw_ostream &os) { writePlanJson(plan, os); })) ||
      failed(writeFile(loc, out + "/plan.txt",
                       [&](llvm::raw_ostream &os) { writePlanText(plan, os); })))
    return failure();
  if (plan.predicted &&
      (failed(writeFile(loc, out + "/schedule.svg",
                        [&](llvm::raw_ostream &os) {
                          os << plan.prediction.svg;
                        })) ||
       failed(writeFile(loc, out + "/predicted-trace.json",
                        [&](llvm::raw_ostream &os) {
                          os << plan.prediction.trace;
                        }))))
    return failure();
  if (!options.buildBinary)
    return success();
  std::string log = out + "/build.log";
  if (!runBuild(command, log))
    return emitError(loc) << "building " << binary << " failed; see " << log;
  return success();
}
