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

def PartitionStagesPass : Pass<"pp-partition-stages", "ModuleOp"> {
  let summary = "Chooses pipeline stage boundaries on the residual stream";
  let description = [{
    Assigns every op of `func.func @main` to a pipeline stage, cutting only
    where a single activation is live (the residual stream between blocks).

    Values that do not depend on both a graph input and a weight (masks
    built from inputs, position tables, causal masks) are not on the
    stream: each stage that reads them recomputes them, so they never cross
    a stage boundary.

    Layers come from ONNX node names: the first path component of the form
    `name.N` (`/h.3/attn/MatMul`, `/model/layers.17/mlp/...`). When names
    carry no layer index, the segments between consecutive cut points are
    the units instead. Ops before the first layer (embedding) go to the
    first stage and ops after the last (final norm, LM head) to the last.

    With `stage-layers` empty, a dynamic program over the layer boundaries
    minimises the largest stage cost: the roofline time of its ops on the
    `hardware` preset (docs/cost-model.md), so the embedding, the LM head
    and memory-bound ops all count. `stage-layers=4,6,6,4` fixes the split; a split that does not
    add up, or leaves a stage empty, is an error, never silently changed.

    With `virtual-stages=v`, the model is cut into `num-stages * v` virtual
    stages; virtual stage k runs on pipeline rank `k mod num-stages`.

    The pass creates `pp.mesh @world ["dp" = dp, "pp" = num-stages,
    "tp" = tp]`, annotates ops with `pp.stage = #pp.stage<k>` (stream ops
    only), and records the split on @main as `pp.stage_layers`,
    `pp.stage_flops` and `pp.layer_source`.
  }];
  let options = [
    Option<"numStages", "num-stages", "int64_t", /*default=*/"1",
           "Pipeline ranks (the mesh's \"pp\" axis)">,
    Option<"virtualStages", "virtual-stages", "int64_t", /*default=*/"1",
           "Model chunks per pipeline rank (interleaved schedules)">,
    ListOption<"stageLayers", "stage-layers", "int64_t",
               "Layers per (virtual) stage, in order">,
    Option<"dp", "dp", "int64_t", /*default=*/"1",
           "Data-parallel replicas (the mesh's \"dp\" axis)">,
    Option<"tp", "tp", "int64_t", /*default=*/"1",
           "Tensor-parallel ranks (the mesh's \"tp\" axis)">,
    Option<"hardware", "hardware", "std::string", /*default=*/"\"h100-sxm\"",
           "Hardware preset or JSON file whose roofline prices the ops">
  ];
}

def SplitStagesPass : Pass<"pp-split-stages", "ModuleOp"> {
  let summary = "One function per pipeline stage, with send/recv between them";
  let description = [{
    After `pp-partition-stages`, moves each stage's ops into
    `func.func @stage<k>` (with `pp.stage = #pp.stage<k>`), recomputing the
    off-stream values each stage reads, and connects consecutive stages
    with `pp.send`/`pp.recv` over the mesh's "pp" axis: stage k sends the
    value live across its boundary to the rank of stage k+1 with tag k.
    Each stage function takes the graph inputs it reads (arguments carry
    `pp.input_index`) and returns the graph outputs it produces (results
    carry `pp.output_index`). @main is removed.
  }];
}

def ShardTensorParallelPass : Pass<"pp-shard-tensor-parallel", "ModuleOp"> {
  let summary = "Megatron-style tensor parallelism over the mesh's \"tp\" axis";
  let description = [{
    Rewrites every function of the module to what one of the T ranks of
    the `"tp"` axis of `pp.mesh @world` computes, and inserts the
    collectives that make the ranks agree. Each value gets a layout:
    replicated, split along one dim, or partial (every rank holds a
    summand). Layouts flow forward from the inputs (replicated) through
    per-op rules; where a producer's layout differs from what its consumer
    needs, a conversion is inserted:

    | from \ to | replicated | split(d) |
    |---|---|---|
    | partial | `pp.all_reduce sum` | `pp.reduce_scatter` |
    | split(d) | `pp.all_gather` | `pp.all_to_all` (other d) |
    | replicated | - | `pp.all_slice` (no communication); a weight loads only its shard |

    The anchors are Megatron's: a matmul of a replicated activation with a
    2-D weight is column-parallel (the weight is split on its columns, the
    result on its last dim) when the columns divide by T and, if the result
    is reshaped into heads, the head count divides by T; otherwise the
    weight stays replicated (GQA K/V with fewer KV heads than ranks). A
    matmul whose activation is split on its contraction dim is
    row-parallel: the weight is split on its rows and the result is
    partial, summed by an all-reduce where a consumer needs the whole
    value (the residual add). Attention heads stay split through the
    Reshape/Transpose chains and the batched matmuls; norms, softmax over
    a split dim, function results and stage-to-stage sends need replicated
    values.

    Sharded weights carry `sharding = #pp.sharding<@world, ...>` and the
    local type, so each rank reads only its part of the file. Matmuls get
    `pp.tp = "column"` or `"row"` for plans and tests. With a "tp" axis of
    size 1 the pass changes nothing.
  }];
}

#endif // PP_DIALECT_PP_TRANSFORMS_PASSES_TD
