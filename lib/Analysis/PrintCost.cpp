//===- PrintCost.cpp - the pp-print-cost pass ----------------------------===//
//
// Prints, per function, one row per communication op (and with per-op,
// per op with any cost) and the function's totals. Numbers of bytes and
// FLOPs are exact integers so that tests and scripts can match them; times
// are in microseconds.
//
//===----------------------------------------------------------------------===//

#include "pp/Analysis/Passes.h"

#include "pp/Analysis/Hardware.h"
#include "pp/Analysis/OpRangeCost.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::pp {
#define GEN_PASS_DEF_PRINTCOSTPASS
#include "pp/Analysis/Passes.h.inc"
} // namespace mlir::pp

using namespace mlir;
using namespace mlir::pp;

namespace {

/// The ONNX node name the importer put on `loc`, or "-".
std::string nodeName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (std::string name = nodeName(inner); name != "-")
        return name;
  return "-";
}

/// "16.0 KiB": binary units, as memory is sized.
std::string humanBytes(double bytes) {
  const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 5) {
    bytes /= 1024;
    ++unit;
  }
  return unit == 0 ? llvm::formatv("{0} B", llvm::format("%.0f", bytes)).str()
                   : llvm::formatv("{0} {1}", llvm::format("%.1f", bytes),
                                   units[unit])
                         .str();
}

/// "1.23 GFLOP": decimal units, as peaks are quoted.
std::string humanFlops(double flops) {
  const char *units[] = {"FLOP", "kFLOP", "MFLOP", "GFLOP", "TFLOP", "PFLOP"};
  int unit = 0;
  while (flops >= 1000 && unit < 5) {
    flops /= 1000;
    ++unit;
  }
  return llvm::formatv("{0} {1}", llvm::format(unit ? "%.2f" : "%.0f", flops),
                       units[unit])
      .str();
}

void printInteger(llvm::raw_ostream &os, double value, int width) {
  os << llvm::format("%*.0f", width, value);
}

void printMicroseconds(llvm::raw_ostream &os, double seconds, int width) {
  os << llvm::format("%*.3f", width, seconds * 1e6);
}

void printHardware(llvm::raw_ostream &os, const HardwareSpec &hw) {
  os << "hardware " << hw.name << " (" << hw.source << ")";
  if (!hw.description.empty())
    os << ": " << hw.description;
  os << "\n  peak TFLOP/s:";
  bool first = true;
  for (Precision p : {Precision::f64, Precision::f32, Precision::tf32,
                      Precision::bf16, Precision::f16, Precision::fp8}) {
    if (hw.peak(p) <= 0)
      continue;
    os << (first ? " " : ", ") << precisionName(p) << " "
       << llvm::format("%g", hw.peak(p) / 1e12);
    first = false;
  }
  os << "\n  HBM " << llvm::format("%g", hw.hbmBandwidth / 1e9) << " GB/s, "
     << humanBytes(hw.hbmCapacity) << " per GPU; " << hw.gpusPerNode
     << " GPUs per node\n";
  os << "  intra-node " << hw.intraNode.kind << ": "
     << llvm::format("%g", hw.intraNode.bandwidth / 1e9) << " GB/s, "
     << llvm::format("%g", hw.intraNode.latency * 1e6) << " us per step\n";
  os << "  inter-node " << hw.interNode.kind << ": "
     << llvm::format("%g", hw.interNode.bandwidth / 1e9) << " GB/s per GPU, "
     << llvm::format("%g", hw.interNode.latency * 1e6) << " us per step\n";
}

void printHeader(llvm::raw_ostream &os) {
  os << "  " << llvm::left_justify("op", 18) << llvm::right_justify("flops", 16)
     << llvm::right_justify("bytes", 14)
     << llvm::right_justify("param bytes", 14)
     << llvm::right_justify("S bytes", 12)
     << llvm::right_justify("moved/rank", 12) << llvm::right_justify("n", 4)
     << "  " << llvm::left_justify("link", 16)
     << llvm::right_justify("time us", 12) << "  node\n";
}

void printRow(llvm::raw_ostream &os, Operation *op, const OpCost &cost,
              const HardwareSpec &hw) {
  os << "  " << llvm::left_justify(op->getName().getStringRef(), 18);
  if (cost.comm) {
    const CommCost &comm = *cost.comm;
    os << llvm::right_justify("-", 16) << llvm::right_justify("-", 14)
       << llvm::right_justify("-", 14);
    printInteger(os, comm.messageBytes, 12);
    printInteger(os, comm.bytesPerRank, 12);
    os << llvm::format("%4lld", (long long)comm.groupSize) << "  "
       << llvm::left_justify(hw.link(comm.spansNodes).kind, 16);
  } else {
    printInteger(os, cost.flops, 16);
    printInteger(os, cost.memoryBytes, 14);
    printInteger(os, cost.paramBytes, 14);
    os << llvm::right_justify("-", 12) << llvm::right_justify("-", 12)
       << llvm::right_justify("-", 4) << "  " << llvm::left_justify("-", 16);
  }
  printMicroseconds(os, cost.time(), 12);
  os << "  " << nodeName(op->getLoc()) << "\n";
}

void printTotals(llvm::raw_ostream &os, const CostSummary &total) {
  auto line = [&](llvm::StringRef label) -> llvm::raw_ostream & {
    return os << "    " << llvm::left_justify(label, 18);
  };
  line("ops") << total.numOps << "\n";
  line("flops") << llvm::format("%.0f", total.flops) << " ("
                << humanFlops(total.flops) << ")\n";
  line("memory bytes") << llvm::format("%.0f", total.memoryBytes) << " ("
                       << humanBytes(total.memoryBytes) << ")\n";
  line("param bytes") << llvm::format("%.0f", total.paramBytes) << " ("
                      << humanBytes(total.paramBytes) << ")\n";
  line("activation bytes") << llvm::format("%.0f", total.activationBytes)
                           << " (" << humanBytes(total.activationBytes)
                           << ")\n";
  line("compute time") << llvm::format("%.3f us", total.computeTime * 1e6)
                       << "\n";
  line("comm ops") << total.numCommOps << "\n";
  line("comm bytes/rank") << llvm::format("%.0f", total.commBytesPerRank)
                          << " (" << humanBytes(total.commBytesPerRank)
                          << ")\n";
  line("comm time") << llvm::format("%.3f us", total.commTime * 1e6) << "\n";
  line("total time") << llvm::format("%.3f us", total.time() * 1e6) << "\n";
}

struct PrintCostPass : public mlir::pp::impl::PrintCostPassBase<PrintCostPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::Expected<HardwareSpec> hardwareOr = loadHardware(hardware);
    if (!hardwareOr) {
      reportError(module, hardwareOr.takeError());
      return signalPassFailure();
    }
    OpCostModel model(std::move(*hardwareOr));
    const HardwareSpec &hw = model.getHardware();

    llvm::raw_ostream &os = llvm::outs();
    printHardware(os, hw);
    for (auto func : module.getOps<FunctionOpInterface>()) {
      if (func.isExternal())
        continue;
      llvm::SmallVector<Operation *> order;
      func->walk<WalkOrder::PreOrder>([&](Operation *op) {
        if (op != func.getOperation() && !op->hasTrait<OpTrait::IsTerminator>())
          order.push_back(op);
      });
      OpRangeCost costs(model, order);

      os << "\nfunc @" << func.getName() << "\n";
      printHeader(os);
      for (size_t i = 0; i < costs.size(); ++i) {
        const OpCost &cost = costs.opCost(i);
        bool hasCost =
            cost.flops > 0 || cost.memoryBytes > 0 || cost.paramBytes > 0;
        if (cost.comm || (perOp && hasCost))
          printRow(os, costs.getOp(i), cost, hw);
      }
      os << "  totals for @" << func.getName() << ":\n";
      printTotals(os, costs.total());
    }
    markAllAnalysesPreserved();
  }

  /// Points at the JSON text when the error has a position there. Not
  /// attached to the module, so that the diagnostic is not followed by a
  /// dump of the whole IR.
  void reportError(ModuleOp module, llvm::Error error) {
    MLIRContext *context = &getContext();
    llvm::handleAllErrors(
        std::move(error),
        [&](const HardwareError &e) {
          if (e.getLine() > 0)
            emitError(FileLineColLoc::get(context, e.getFile(), e.getLine(),
                                          e.getColumn()))
                << e.getMessage();
          else if (!e.getFile().empty())
            emitError(UnknownLoc::get(context))
                << e.getFile() << ": " << e.getMessage();
          else
            emitError(UnknownLoc::get(context)) << e.getMessage();
        },
        [&](const llvm::ErrorInfoBase &e) {
          emitError(module.getLoc()) << e.message();
        });
  }
};

} // namespace
