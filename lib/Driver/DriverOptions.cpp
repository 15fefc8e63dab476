//===- DriverOptions.cpp - pp-opt's own command-line flags ---------------===//
//
// The help categories, and which flags make pp-opt more than mlir-opt.
//
//===----------------------------------------------------------------------===//

#include "DriverOptions.h"

#include "llvm/ADT/StringRef.h"

using namespace mlir::pp;
namespace cl = llvm::cl;

cl::OptionCategory &mlir::pp::inputCategory() {
  static cl::OptionCategory category("Input");
  return category;
}

cl::OptionCategory &mlir::pp::planCategory() {
  static cl::OptionCategory category(
      "Parallel plan", "The same plan as --pp-parallelize=\"pp=P tp=T ...\"");
  return category;
}

cl::OptionCategory &mlir::pp::outputCategory() {
  static cl::OptionCategory category("Output");
  return category;
}

cl::OptionCategory &mlir::pp::trainCategory() {
  static cl::OptionCategory category(
      "Training", "A training step: loss, gradients, optimizer; in "
                  "parallel with --pp/--dp/--microbatches (docs/training.md)");
  return category;
}

cl::OptionCategory &mlir::pp::generateCategory() {
  static cl::OptionCategory category(
      "Generation", "Token generation from a plain forward model, with a "
                    "KV cache derived by the compiler (docs/generation.md)");
  return category;
}

cl::OptionCategory &mlir::pp::plannerCategory() {
  static cl::OptionCategory category(
      "Planner", "pp chooses the plan: --auto --gpus=N --hardware=NAME "
                 "(docs/planner.md)");
  return category;
}

bool DriverOptions::givesPlan() const {
  return pp.getNumOccurrences() || tp.getNumOccurrences() ||
         dp.getNumOccurrences() || microbatches.getNumOccurrences() ||
         schedule.getNumOccurrences() || virtualStages.getNumOccurrences() ||
         stageLayers.getNumOccurrences() ||
         sequenceParallel.getNumOccurrences() || dtype.getNumOccurrences() ||
         batchDim.getNumOccurrences();
}

bool DriverOptions::isCompileInvocation() const {
  return llvm::StringRef(input).ends_with(".onnx") || givesPlan() ||
         target.getNumOccurrences() || emit.getNumOccurrences() ||
         hardware.getNumOccurrences() || inputShapes.getNumOccurrences() ||
         constInputs.getNumOccurrences() || inlineLimit.getNumOccurrences() ||
         train.getNumOccurrences() || generate.getNumOccurrences() ||
         autoPlan.getNumOccurrences();
}

