//===- Passes.td - pp dialect passes -----------------------*- tablegen -*-===//

#ifndef PP_DIALECT_PP_TRANSFORMS_PASSES_TD
#define PP_DIALECT_PP_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertFloatTypePass : Pass<"pp-convert-float-type", "ModuleOp"> {
  let summary = "Computes in bf16 or f16 where the model computes in f32";
  let description = [{
    Rewrites every f32 tensor in the module to the chosen 16-bit type:
    function signatures, op results and constants (rounded to nearest
    even). Weights keep their bytes in the file: `pp.weight` records
    `file_element_type = f32` and the runtime converts while loading.
    Kernels still accumulate in f32. Other element types (indices, masks,
    f64) are left alone. `--dtype=bf16|f16` adds this pass.

    Example: with `to=bf16`, `%w = pp.weight "w" ... : tensor<64x64xf32>`
    becomes `%w = pp.weight "w" ... {file_element_type = f32} :
    tensor<64x64xbf16>`.
  }];
  let options = [
    Option<"to", "to", "std::string", /*default=*/"\"bf16\"",
           "The element type to compute in: bf16 or f16">
  ];
}

#endif // PP_DIALECT_PP_TRANSFORMS_PASSES_TD
