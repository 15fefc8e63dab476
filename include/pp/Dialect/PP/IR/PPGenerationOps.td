//===- PPGenerationOps.td - a generation step's ops --------*- tablegen -*-===//
//
// pp-stage-generation rewrites a forward pass into steps over a chunk of
// positions that start at a position the runtime chooses per call
// (pprt::Context::position): rows of the tables aligned with the
// positions are taken there, and each attention's keys and values are
// written into a cache there (docs/generation.md).
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_IR_PPGENERATIONOPS_TD
#define PP_DIALECT_PP_IR_PPGENERATIONOPS_TD

include "pp/Dialect/PP/IR/PPGraphOps.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def PP_StepSliceOp : PP_Op<"step_slice", [Pure]> {
  let summary = "The rows of a dim at the step's positions";
  let description = [{
    Result rows `[p, p + n)` of dim `dim`, where `p` is the position of the
    step's first token (a runtime value) and `n` the result's size there;
    every other dim is taken whole. A position table or a causal mask
    sliced for a chunk of tokens.

    Example:

    ```mlir
    %rows = pp.step_slice %wpe dim 0 : tensor<1024x768xf32> -> tensor<1x768xf32>
    ```
  }];
  let arguments = (ins PP_Tensor:$input, I64Attr:$dim);
  let results = (outs PP_Tensor:$result);
  let assemblyFormat = [{
    $input `dim` $dim attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def PP_CacheWriteOp : PP_Op<"cache_write", [MemoryEffects<[MemWrite]>]> {
  let summary = "Writes a chunk's keys or values into the cache, in place";
  let description = [{
    Writes `update` into rows `[p, p + n)` of dim `dim` of `cache`, where
    `p` is the position of the step's first token and `n` the update's size
    there, and returns the cache. The write is in place: `cache` must be an
    argument of the function (the runtime keeps it from step to step) and
    the result is its buffer.

    Example:

    ```mlir
    %k = pp.cache_write %cache, %key dim 2
        : (tensor<4x12x128x64xf32>, tensor<4x12x1x64xf32>) -> tensor<4x12x128x64xf32>
    ```
  }];
  let arguments = (ins PP_Tensor:$cache, PP_Tensor:$update, I64Attr:$dim);
  let results = (outs PP_Tensor:$result);
  let assemblyFormat = [{
    $cache `,` $update `dim` $dim attr-dict `:` `(` type($cache) `,`
    type($update) `)` `->` type($result)
  }];
  let hasVerifier = 1;
}

#endif // PP_DIALECT_PP_IR_PPGENERATIONOPS_TD
