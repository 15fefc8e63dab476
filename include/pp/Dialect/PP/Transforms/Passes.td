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

def FuseNormsPass : Pass<"pp-fuse-norms"> {
  let summary = "Recognises RMSNorm and LayerNorm written out as primitive ops";
  let description = [{
    Exporters write RMSNorm (always, before ONNX opset 23) and LayerNorm
    (before opset 17) as chains of Pow/ReduceMean/Add/Sqrt/Div/Mul/Sub.
    This pass rewrites

    - `x / sqrt(mean(x^2, last dim) + eps) * w` into `pp.rms_norm`, and
    - `(x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps) * w + b` into
      `pp.layer_norm` over the last dim,

    accepting `x * x` for `x^2`, `x * reciprocal(s)` for `x / s`, and
    either operand order of the commutative ops. Each becomes one kernel
    with a numerically careful reduction, instead of five passes over
    memory. The compile flow runs it before emission.
  }];
}

#endif // PP_DIALECT_PP_TRANSFORMS_PASSES_TD
