//===- PlanReport.cpp - plan.json and plan.txt ---------------------------===//
//
// Today's programs run on one rank; the plan already has the shape the
// parallel plans fill in (a mesh, and a list of ranks with their memory).
//
//===----------------------------------------------------------------------===//

#include "PlanReport.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"

using namespace mlir;
using namespace mlir::pp;

namespace {

std::string shapeText(Type type) {
  auto t = llvm::cast<RankedTensorType>(type);
  std::string s;
  llvm::raw_string_ostream os(s);
  for (auto [i, d] : llvm::enumerate(t.getShape()))
    os << (i ? "x" : "") << d;
  os << (t.getRank() ? "x" : "") << t.getElementType();
  return s;
}

std::string nameOf(func::FuncOp main, unsigned i, bool arg) {
  auto name = arg ? main.getArgAttrOfType<StringAttr>(i, "pp.name")
                  : main.getResultAttrOfType<StringAttr>(i, "pp.name");
  return name ? name.str() : "v" + std::to_string(i);
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

} // namespace

void mlir::pp::writePlanJson(const PlanInfo &plan, llvm::raw_ostream &os) {
  llvm::json::OStream j(os, 2);
  const ProgramSummary &s = plan.summary;
  j.object([&] {
    j.attribute("model", plan.model);
    j.attribute("target", plan.target);
    j.attributeObject("mesh", [&] {
      j.attribute("dp", 1);
      j.attribute("pp", 1);
      j.attribute("tp", 1);
    });
    auto values = [&](StringRef key, TypeRange types, bool arg) {
      j.attributeArray(key, [&] {
        for (auto [i, type] : llvm::enumerate(types))
          j.object([&] {
            j.attribute("name", nameOf(plan.main, i, arg));
            j.attribute("type", shapeText(type));
          });
      });
    };
    values("inputs", plan.main.getFunctionType().getInputs(), true);
    values("outputs", plan.main.getFunctionType().getResults(), false);
    j.attributeArray("ranks", [&] {
      j.object([&] {
        j.attribute("rank", 0);
        j.attribute("stage", 0);
        j.attribute("weight_bytes", int64_t(s.weightBytes));
        j.attribute("arena_bytes", int64_t(s.arenaBytes));
        j.attribute("constant_bytes", int64_t(s.constantBytes));
        j.attribute("kernel_calls", int64_t(s.numKernelCalls));
        j.attribute("fused_loops", int64_t(s.numFusedLoops));
        j.attribute("fused_ops", int64_t(s.numFusedOps));
      });
    });
    j.attributeArray("weights", [&] {
      for (const PlannedWeight &w : s.weights)
        j.object([&] {
          j.attribute("name", w.name);
          j.attribute("file", w.file);
          j.attribute("offset", int64_t(w.offset));
          j.attribute("bytes", int64_t(w.bytes));
        });
    });
  });
  os << "\n";
}

void mlir::pp::writePlanText(const PlanInfo &plan, llvm::raw_ostream &os) {
  const ProgramSummary &s = plan.summary;
  os << "pp plan for " << plan.model << "\n"
     << "target " << plan.target << ", mesh dp=1 pp=1 tp=1 (1 rank)\n\n";
  auto function = plan.main.getFunctionType();
  for (auto [i, type] : llvm::enumerate(function.getInputs()))
    os << "  input   " << nameOf(plan.main, i, true) << " : "
       << shapeText(type) << "\n";
  for (auto [i, type] : llvm::enumerate(function.getResults()))
    os << "  output  " << nameOf(plan.main, i, false) << " : "
       << shapeText(type) << "\n";
  os << "\n"
     << llvm::format("%-6s %-6s %14s %14s %10s %12s\n", "rank", "stage",
                     "weights", "activations", "kernels", "fused loops")
     << llvm::format("%-6d %-6d %14s %14s %10zu %12zu\n", 0, 0,
                     humanBytes(s.weightBytes).c_str(),
                     humanBytes(s.arenaBytes).c_str(), s.numKernelCalls,
                     s.numFusedLoops)
     << "\n"
     << s.weights.size() << " weight tensors, "
     << humanBytes(s.weightBytes) << " read from the model's files; "
     << s.numFusedOps << " elementwise ops fused into " << s.numFusedLoops
     << " loops.\n";
}
