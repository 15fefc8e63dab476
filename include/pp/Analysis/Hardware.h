//===- Hardware.h - what a GPU cluster can do -------------------*- C++ -*-===//
//
// The hardware description the cost model prices ops against: peak FLOP/s
// per precision, HBM bandwidth and capacity, and the links within and
// between nodes. It is read from a JSON file (docs/cost-model.md gives the
// format); the presets under hardware/ are built into the library, so a
// preset name works wherever pp-opt runs.
//
// Everything is stored in base SI units (FLOP/s, bytes, bytes/s, seconds);
// the JSON file uses the units vendors quote and the loader converts.
//
//===----------------------------------------------------------------------===//

#ifndef PP_ANALYSIS_HARDWARE_H
#define PP_ANALYSIS_HARDWARE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::pp {

/// The number formats a GPU quotes peak throughput for. `f32` is the
/// CUDA-core rate; the others are tensor-core rates (dense, not sparse).
enum class Precision { f64, f32, tf32, bf16, f16, fp8 };

/// "f64", "f32", "tf32", "bf16", "f16" or "fp8".
llvm::StringRef precisionName(Precision precision);

/// One kind of link, as one GPU sees it.
struct LinkSpec {
  /// What it is ("nvlink4", "pcie-gen5", "infiniband-ndr"); for reports.
  std::string kind;
  /// Bytes per second one GPU can send (and, at the same time, receive).
  double bandwidth = 0;
  /// Seconds per message or per collective step, before its bytes.
  double latency = 0;
};

struct HardwareSpec {
  /// Preset name ("h100-sxm") or what the file calls itself.
  std::string name;
  std::string description;
  /// Where the description came from: "hardware/h100-sxm-nvlink.json" for
  /// a preset, the path for a file.
  std::string source;

  /// FLOP/s per precision; 0 where the GPU has no such unit (no fp8 before
  /// Hopper). Indexed by Precision.
  double peakFlops[6] = {0, 0, 0, 0, 0, 0};
  /// Bytes per second between HBM and the SMs.
  double hbmBandwidth = 0;
  /// Bytes of HBM per GPU.
  double hbmCapacity = 0;

  int64_t gpusPerNode = 1;
  /// What real kernels and collectives reach of the peaks above (the
  /// planner's calibration, docs/cost-model.md): the fraction of peak FLOP/s
  /// a large GEMM achieves, and of link bandwidth a collective achieves
  /// (NCCL's bus bandwidth). 1 when the file gives none.
  double gemmEfficiency = 1;
  double linkEfficiency = 1;
  LinkSpec intraNode;
  /// Each GPU's share of its node's network adapters.
  LinkSpec interNode;

  /// Peak FLOP/s of `precision`, 0 when the GPU lacks it.
  double peak(Precision precision) const {
    return peakFlops[static_cast<int>(precision)];
  }
  /// The link a group uses: the inter-node one when it spans nodes.
  const LinkSpec &link(bool spansNodes) const {
    return spansNodes ? interNode : intraNode;
  }
};

/// A load failure, with the file and the position in its text when there
/// are any (empty file, line 0: none). Its message reads
/// "file:line:col: what".
class HardwareError : public llvm::ErrorInfo<HardwareError> {
public:
  static char ID;
  HardwareError(std::string file, unsigned line, unsigned column,
                std::string message)
      : file(std::move(file)), line(line), column(column),
        message(std::move(message)) {}

  const std::string &getFile() const { return file; }
  unsigned getLine() const { return line; }
  unsigned getColumn() const { return column; }
  const std::string &getMessage() const { return message; }

  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override {
    return llvm::inconvertibleErrorCode();
  }

private:
  std::string file;
  unsigned line, column;
  std::string message;
};

/// Parses a hardware description; `source` names it in errors.
llvm::Expected<HardwareSpec> parseHardware(llvm::StringRef json,
                                           llvm::StringRef source);

/// A preset by name ("h100-sxm", "a100-80gb-pcie", ...; the file stem
/// "h100-sxm-nvlink" works too), or a JSON file when the argument contains
/// a '/' or ends in ".json".
llvm::Expected<HardwareSpec> loadHardware(llvm::StringRef nameOrPath);

/// The preset names, sorted.
std::vector<std::string> hardwarePresetNames();

} // namespace mlir::pp

#endif // PP_ANALYSIS_HARDWARE_H
