//===- Passes.td - pp analysis passes ----------------------*- tablegen -*-===//
//
// Passes that read the IR and report on it without changing it.
//
//===----------------------------------------------------------------------===//

#ifndef PP_ANALYSIS_PASSES_TD
#define PP_ANALYSIS_PASSES_TD

include "mlir/Pass/PassBase.td"

def PrintCostPass : Pass<"pp-print-cost", "ModuleOp"> {
  let summary = "Prints FLOPs, bytes and estimated time of every function";
  let description = [{
    Prices each op of each function on a hardware description and prints,
    to stdout, a table per function: every communication op (message size
    S, bytes each rank moves, the link, the time), with `per-op` every
    other op with a cost (FLOPs, HBM bytes, parameter bytes, roofline
    time), and the function's totals. Rows name the op's ONNX node. The IR
    is not changed.

    `hardware` is a preset (`h100-sxm`, `h100-pcie`, `a100-80gb`,
    `a100-80gb-pcie`, `h200`) or the path of a JSON description; see
    docs/cost-model.md for the format and the formulas.

    Example: `pp-opt model.mlir --pp-print-cost="hardware=a100-80gb per-op"
    -o /dev/null`.
  }];
  let options = [
    Option<"hardware", "hardware", "std::string", /*default=*/"\"h100-sxm\"",
           "Hardware preset name or JSON file">,
    Option<"perOp", "per-op", "bool", /*default=*/"false",
           "Print a row for every op with a cost, not only communication">
  ];
}

#endif // PP_ANALYSIS_PASSES_TD
