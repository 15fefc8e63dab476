//===- Passes.td - pp dialect passes -----------------------*- tablegen -*-===//

#ifndef PP_DIALECT_PP_TRANSFORMS_PASSES_TD
#define PP_DIALECT_PP_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertFloatTypePass : Pass<"pp-convert-float-type", "ModuleOp"> {
  let summary = "Computes in bf16 or f16 where the model computes in f32, or in f32 where it computes in bf16 or f16";
  let description = [{
    Rewrites every f32 tensor in the module to the chosen 16-bit type:
    function signatures, op results and constants (rounded to nearest
    even). Weights keep their bytes in the file: `pp.weight` records
    `file_element_type = f32` and the runtime converts while loading.
    Kernels still accumulate in f32. Other element types (indices, masks,
    f64) are left alone. `--dtype=bf16|f16` adds this pass.

    A training step (pp-apply-optimizer's `@main`: results marked
    `pp.weight_update` or `pp.optimizer_state`) is mixed precision: the
    weights it updates stay f32 master copies, cast to the 16-bit type
    where the model reads them; the step count, the optimizer state and
    every op that computes the updates and the new state stay f32 (a
    constant shared with the model gets an f32 copy); the gradients and the
    loss are cast to f32 where the optimizer and the return read them.

    With `to=f32` it widens instead: every bf16 and f16 tensor becomes f32,
    and 16-bit weights record their file type the same way. Training a
    model stored in 16 bits does this first, so that the weights it updates
    and the gradients are f32; checkpoints write the file's type back.

    Example: with `to=bf16`, `%w = pp.weight "w" ... : tensor<64x64xf32>`
    becomes `%w = pp.weight "w" ... {file_element_type = f32} :
    tensor<64x64xbf16>`.
  }];
  let options = [
    Option<"to", "to", "std::string", /*default=*/"\"bf16\"",
           "The element type to compute in: bf16, f16 or f32">
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

def LegalizeForKernelsPass : Pass<"pp-legalize-for-kernels"> {
  let summary = "Rewrites ops into the forms the runtime's kernels take";
  let description = [{
    The program emitter calls one runtime kernel or collective per op, and
    those take fewer forms than the ops allow. This pass rewrites the rest
    into ops that say the same with the forms the kernels take:

    - a `pp.matmul` operand whose batch dims broadcast only partly (neither
      one matrix nor one per batch entry) gets an explicit `pp.broadcast`;
    - a `pp.reduce` over dims that are not adjacent transposes them to the
      back, reduces them as one run and reshapes to the result type;
    - a `pp.all_gather` or `pp.reduce_scatter` on an inner dim runs between
      two transposes on the leading dim, as the runtime moves contiguous
      chunks;
    - `pp.all_to_all` becomes `pp.all_gather` along its concat dim then
      `pp.all_slice` along its split dim (the same values, with more
      traffic: the whole tensor exists on every rank in between);
    - a vocab-parallel `pp.cross_entropy` (classes split over a group)
      becomes the log-normalizer (max and sum of exponentials all-reduced
      over the group), the target logit (picked on the rank that holds the
      class, all-reduced) and their difference's mean over the counted
      positions.

    Program emission (`pp-opt --target`) runs it before writing code; ops
    already in kernel form are left alone.

    Example: `pp.reduce sum %x dims [0, 2]` on a `tensor<2x3x4xf32>`
    becomes a transpose with perm `[1, 0, 2]`, a reduce over dims `[1, 2]`
    and a reshape.
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
    stages. `placement` says which pipeline rank runs virtual stage k, as
    the schedule library's StageMap does: `loop` (the default) puts it on
    rank `k mod num-stages`; `v` runs even chunks down the ranks and odd
    chunks back up, as zbv needs. It is recorded on the module as
    `pp.placement`, which later passes, the emitter and the runtime read.

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
           "Hardware preset or JSON file whose roofline prices the ops">,
    Option<"placement", "placement", "std::string", /*default=*/"\"loop\"",
           "Virtual stages on the pipeline ranks: loop or v">
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
    Ranks come from the module's `pp.placement` (loop when absent) through
    the schedule library's StageMap. In a V, the two stages at the turn run
    on the same rank: their send and recv name that rank itself, and the
    runtime hands the activation over in memory.
    Each stage function takes the graph inputs it reads (arguments carry
    `pp.input_index`) and returns the graph outputs it produces (results
    carry `pp.output_index`). @main is removed.
  }];
}

def SplitBatchPass : Pass<"pp-split-batch", "ModuleOp"> {
  let summary = "Cuts the batch into equal parts (data parallelism, micro-batches)";
  let description = [{
    Rewrites `func.func @main` to compute on a batch of B / `factor`
    instead of B, as each of D data-parallel replicas (`factor` = D) or
    each of M micro-batches (`factor` = M, or D * M for both) does. The
    ONNX exports bake the batch into their shapes (a Reshape to
    `[8, 16, 4, 16]`), so re-importing at a smaller batch does not work;
    this pass rewrites the IR instead. Run it before `pp-partition-stages`.

    The batch is dim 0 of every argument of @main whose dim 0 is B
    (`batch-size`, or dim 0 of the first argument when it is 0). For a
    sequence-first model (`[T, B]` inputs) `batch-dim=NAME:AXIS` moves it:
    B is dim AXIS of the argument named NAME, and every argument with B at
    AXIS is split there. Without either option, a dim that the model names
    as the batch (`pp.dim_names` from the export's symbolic dims: "batch",
    "batch_size", "bs", "B") sets NAME:AXIS. Failing that, when dim 0 of
    the first argument cannot be cut (a sequence-first model's attention
    reads across it), the first of that argument's other dims that can
    is taken; when none can, dim 0's error says that dim 0 was a guess and
    suggests `--batch-dim`. It flows
    forward through each op's dim rules (DimRulesInterface): a value holds
    the batch inside one dim, as one of the factors that make up the dim,
    so a reshape may merge it with other dims (`(T, B, E)` viewed as
    `(T, B·h, d)` or `(T·B, E)`) and split it back out. Every value that
    holds the batch has that dim divided by `factor`; ops that do not read
    the batch (weights, constants, position tables) are left alone. An
    operand that does not hold the batch but has its factor (a
    `[8, 1, 16, 16]` mask) is rebuilt smaller when it is a splat constant
    or a broadcast from size 1. Any other such operand that is provably
    the same for every batch row (position ids as `arange(T)`,
    `unsqueeze(0)`, `expand(B, T)`, then a table lookup: a constant with
    equal rows, or ops whose operands with that factor are all equal
    along it) is cut to its first `B / factor` rows by a `pp.slice`.

    The split is refused, with the node and the dim named, when B does not
    divide by `factor`, or an op mixes rows of the batch: the batch lies in
    a factor the op reduces or reads across (a reduction, softmax, norm,
    matmul contraction, concat, gather or partial slice along it), a
    reshape cuts the batch across dims, operands hold it in different
    factors, an operand has the batch's factor and is neither split nor
    equal along it (a weight, an input, a constant with differing rows),
    or a result of @main holds it behind other dims merged into the same
    dim (its parts could not be joined).
    With `factor=1` nothing is refused: such ops just end the batch.

    Split arguments get `pp.batch_dim = d : i64`, results that hold the
    batch get `pp.batch_dim` (so a driver knows how to join the parts;
    results without it are the same for every part), and the module gets
    `pp.batch = {factor = K, size = B}`.

    Example, `factor=4`: `pp.matmul %x, %w : (tensor<8x16x64xf32>,
    tensor<64x64xf32>) -> tensor<8x16x64xf32>` becomes
    `pp.matmul %x, %w : (tensor<2x16x64xf32>, tensor<64x64xf32>) ->
    tensor<2x16x64xf32>`.
  }];
  let options = [
    Option<"factor", "factor", "int64_t", /*default=*/"1",
           "Into how many equal parts the batch is cut (D * M)">,
    Option<"batchSize", "batch-size", "int64_t", /*default=*/"0",
           "The batch size B; 0 means dim 0 of @main's first argument">,
    Option<"batchDim", "batch-dim", "std::string", /*default=*/"\"\"",
           "NAME:AXIS: the argument named NAME holds the batch at dim AXIS "
           "(a sequence-first [T, B] input); arguments with B at AXIS are "
           "split. Empty: dim 0">
  ];
}

def ShardTensorParallelPass : Pass<"pp-shard-tensor-parallel", "ModuleOp"> {
  let summary = "Megatron-style tensor parallelism over the mesh's \"tp\" axis";
  let description = [{
    Rewrites every function of the module to what one of the T ranks of
    the `"tp"` axis of `pp.mesh @world` computes, and inserts the
    collectives that make the ranks agree. Each value gets a sharding
    (`#pp.sharding` over `"tp"`): replicated, split along one dim, or
    partial (every rank holds a summand). The pass first decides: shardings
    flow forward from the inputs (replicated) through each op's dim rules
    (DimRulesInterface) and the policy below, and every op that is not
    fully replicated gets `pp.operand_shardings` (what it needs of its
    operands) and `pp.result_shardings`; `annotate-only` stops there. Then
    it rewrites: where a producer's sharding differs from what its consumer
    needs, a conversion is inserted, and the annotations are removed:

    | from \ to | replicated | split(d) |
    |---|---|---|
    | partial | `pp.all_reduce sum` | `pp.reduce_scatter` |
    | split(d) | `pp.all_gather` | `pp.all_to_all` (other d) |
    | replicated | - | `pp.all_slice` (no communication); a weight loads only its shard |

    The anchors are Megatron's: a matmul of a replicated activation with a
    2-D weight (or a transposed one, as a tied LM head reads the embedding
    table) is column-parallel: the weight is split on its columns, the
    result on its last dim. A matmul whose activation is split on its
    contraction dim is row-parallel: the weight is split on its rows and
    the result is partial, summed by an all-reduce where a consumer needs
    the whole value (a bias add, a norm); a sum of partial values stays
    partial, so a bias-free residual stream (Llama's embedding plus its
    row-parallel outputs) costs one all-reduce per norm. Attention heads
    stay split through the Reshape/Transpose chains and the batched
    matmuls; norms, softmax over a split dim, function results and
    stage-to-stage sends need replicated values, so the vocab-split logits
    of a column-parallel LM head are all-gathered where the function
    returns them.

    A fused projection, `slice(matmul(x, W) + b)` along the last dim
    (GPT-2's c_attn), is first rewritten into one matmul per slice against
    a region of W (`pp.weight` with `file_shape` and `region_starts`) and
    the same part of b, so Q, K and V are each column-parallel. An
    embedding lookup (`pp.gather` of token ids, dim 0, in a weight whose
    rows divide by T) is vocab-parallel: the table is split on its rows,
    each rank looks up the ids in its block (`pp.group_index` gives the
    block), writes zeros for the others, and the result is partial.

    Divisibility: attention heads of a query (or MHA) projection, and the
    width of an MLP (a column-parallel result that a weight matmul
    contracts), that do not divide by T are errors naming the op and the
    dim. GQA K/V with fewer heads than the query stay replicated by design;
    other projections (an LM head or embedding whose vocab does not divide,
    a pooler) stay replicated.

    With `sequence-parallel`, the residual stream and the norms are split
    along the sequence (dim 1 of [batch, seq, ...]) between a row-parallel
    output and the next column-parallel input: partial values that reach
    elementwise ops or norms are reduce-scattered instead of all-reduced,
    and column-parallel matmuls all-gather their input. Function results
    and sends stay replicated. The sequence length must divide by T.

    Sharded weights carry `sharding = #pp.sharding<@world, ...>` and the
    local type, so each rank reads only its part of the file. Matmuls get
    `pp.tp = "column"` or `"row"`, vocab-parallel lookups `"vocab"`, for
    plans and tests. With a "tp" axis of size 1 the pass changes nothing.
  }];
  let options = [
    Option<"sequenceParallel", "sequence-parallel", "bool",
           /*default=*/"false",
           "Split the residual stream and norms along the sequence "
           "(reduce-scatter / all-gather instead of all-reduce)">,
    Option<"annotateOnly", "annotate-only", "bool", /*default=*/"false",
           "Stop after the decisions: annotate ops with "
           "pp.operand_shardings and pp.result_shardings, change no type">
  ];
}

def AddLossPass : Pass<"pp-add-loss", "ModuleOp"> {
  let summary = "Makes a function return the cross-entropy of its logits";
  let description = [{
    Appends `pp.cross_entropy` (mean over tokens, label -100 ignored) to
    one float result of `@func`, the logits `[..., V]`, against a new i64
    argument `[...]` named by `labels` (`pp.name`), appended last. The
    function then returns the scalar loss alone (`pp.name = "loss"`): its
    other outputs are not needed to train. pp-autodiff then differentiates
    it.

    `logits` picks the result by its `pp.name` or by its index; empty
    means the function's only float result.

    Example: `@main(%ids: tensor<2x8xi64>) -> tensor<2x8x128xf32>` becomes
    `@main(%ids: tensor<2x8xi64>, %labels: tensor<2x8xi64>) -> tensor<f32>`.
  }];
  let options = [
    Option<"func", "func", "std::string", /*default=*/"\"main\"",
           "The function whose output is the logits">,
    Option<"logits", "logits", "std::string", /*default=*/"\"\"",
           "The logits result: its pp.name or its index">,
    Option<"labels", "labels", "std::string", /*default=*/"\"labels\"",
           "The pp.name of the new labels argument">
  ];
}

def AutodiffPass : Pass<"pp-autodiff", "ModuleOp"> {
  let summary = "Reverse-mode gradients: forward, B and W functions";
  let description = [{
    For every function `@f` with a body, builds the gradients of its
    results with the ops' GradientInterface rules and splits the work in
    three functions, so that a zero-bubble schedule runs B and W apart:

    - `@f` (the forward) returns its results, then the values the backward
      reads (`pp.saved = k` on the k-th of them);
    - `@f_b` takes the saved values B reads (`pp.saved`), then one
      cotangent per float result of `@f` (`pp.cotangent = i`, only with
      `cotangents`); it returns the cotangent of each float argument of
      `@f` in order (`pp.arg_gradient = i`), then the values W needs from
      it (`pp.carried = j`);
    - `@f_w` takes the saved values W reads (`pp.saved`), then B's carried
      values (`pp.carried`); it returns one gradient per trainable weight
      name, in first-use order, in the weight's shape
      (`pp.weight_gradient = "name"`). A weight read twice (tied) gets one
      summed gradient.

    Without `cotangents` each function must return one float scalar, the
    loss, whose cotangent is 1. With it (a pipeline stage) every float
    result gets a cotangent argument. Weights are trainable by the rule
    in docs/autodiff.md, overridden by the `trainable` and `frozen` globs.
    An op without a gradient rule on a path from a float argument or a
    trainable weight to a result is an error.
  }];
  let options = [
    ListOption<"trainable", "trainable", "std::string",
               "Globs of weight names to train whatever the default rule">,
    ListOption<"frozen", "frozen", "std::string",
               "Globs of weight names to freeze (wins over trainable)">,
    Option<"cotangents", "cotangents", "bool", /*default=*/"false",
           "Take result cotangents as arguments (pipeline stages) instead "
           "of differentiating a scalar loss">
  ];
}

def GradientProgramPass : Pass<"pp-gradient-program", "ModuleOp"> {
  let summary = "One function computing the loss and every weight gradient";
  let description = [{
    Joins pp-autodiff's forward, B and W functions of `@main` into one
    `@main` that takes the forward's arguments and returns the loss, then
    one gradient per trainable weight in W's order, each result named by
    `pp.name` (`loss`, then the weight's name) and the gradients marked
    with `pp.weight_gradient`. The bodies are inlined (values wired by
    their `pp.saved` and `pp.carried` attributes) and the three functions
    removed, so a one-device program computes a training step's loss and
    gradients in one run. Pipeline training schedules F, B and W apart and
    does not use this pass.

    Each W op runs as soon as its operands exist (after the forward), so a
    layer's weight gradients follow its B part and the activations they
    read die there, not at the end of the step.

    `recompute=full` keeps only what crosses layers (the values a
    transformer layer, named `word.N` in the ONNX node names, hands to
    others) and recomputes each layer's other activations, a copy of its
    forward ops marked `pp.recomputed`, right before the first backward op
    that reads them: the activation peak falls from every layer's
    activations to the layer boundaries plus one layer.
    `recompute=selective` recomputes only attention's core (the values
    whose last two dims are both the sequence: scores, mask, softmax) and
    keeps the rest, as Korthikanti et al. 2022.
  }];
  let options = [
    Option<"recompute", "recompute", "std::string", /*default=*/"\"none\"",
           "none, full (recompute each layer's activations in its backward) "
           "or selective (only attention's core)">
  ];
}

def ApplyOptimizerPass : Pass<"pp-apply-optimizer", "ModuleOp"> {
  let summary = "Appends the optimizer's update to the gradient program";
  let description = [{
    On the `@main` of pp-gradient-program (the loss, then gradients marked
    `pp.weight_gradient`), appends one optimizer step as pp ops, exactly as
    `torch.optim.SGD` / `torch.optim.AdamW` with default flags compute it,
    after global-norm clipping as `torch.nn.utils.clip_grad_norm_` when
    `grad-clip` > 0. `@main` gains the arguments `step` (f32 scalar, the
    1-based step count, `pp.step`) and one per optimizer state tensor
    (`pp.optimizer_state = "<weight>.momentum_buffer"`, or `.exp_avg` and
    `.exp_avg_sq`; zeros before step 1), and returns, after the loss and
    the (unclipped) gradients, each weight's new value
    (`pp.weight_update = "<weight>"`) and the new state under the same
    names. The elementwise fusion of the emitter turns each weight's update
    into one loop (cpu) or kernel (cuda). Runtimes write the updates into
    the weights and carry each state result into its argument.
  }];
  let options = [
    Option<"optimizer", "optimizer", "std::string", /*default=*/"\"sgd\"",
           "sgd or adamw">,
    Option<"lr", "lr", "double", /*default=*/"1e-3", "Learning rate">,
    Option<"momentum", "momentum", "double", /*default=*/"0", "sgd only">,
    Option<"weightDecay", "weight-decay", "double", /*default=*/"-1",
           "L2 (sgd, default 0) or decoupled (adamw, default 0.01) decay">,
    Option<"beta1", "beta1", "double", /*default=*/"0.9", "adamw">,
    Option<"beta2", "beta2", "double", /*default=*/"0.999", "adamw">,
    Option<"eps", "eps", "double", /*default=*/"1e-8", "adamw">,
    Option<"gradClip", "grad-clip", "double", /*default=*/"0",
           "Clip the gradients' global 2-norm to this (0: no clipping)">
  ];
}

def StageTrainingPass : Pass<"pp-stage-training", "ModuleOp"> {
  let summary = "One training step over pipeline stages: F, B, W and "
                "update functions per stage";
  let description = [{
    After pp-split-stages, on a model whose last stage returns a
    `pp.cross_entropy` loss (pp-add-loss before the split), turns each stage
    function `@s` into the functions that the runtime runs as the
    schedule's actions: `@s` (F), `@s_b` (B), `@s_w` (W) and `@s_update`
    (the optimizer, after the step's last micro-batch). The stage's
    `pp.recv` becomes an argument and its `pp.send` operand a result
    (`pp.stage_input`, `pp.stage_output`; in B the output's cotangent and
    the input's cotangent); the values F saves for B and W, and those B
    hands to W, get offsets in one per-micro-batch stash
    (`pp.stash_offset`, `pp.stash_bytes` on F). W adds each weight's
    gradient into an accumulator output (`pp.accumulator` names the
    output), and F the micro-batch's loss, scaled so that the step's losses
    add up to the mean over the whole batch: the argument `loss_scale`
    (`pp.loss_scale` names the labels) is 1 / the count of labels that are
    not ignored in the step, filled by the runtime. `@s_update` applies
    pp-apply-optimizer's step to the accumulated gradients, which the
    runtime has summed over "dp" (and between the stages that train one
    weight, a tied embedding) by then; with `grad-clip` it reads the global
    norm from the argument `grad_norm` (`pp.grad_norm`), which the runtime
    measures over every stage. Its step, state and norm arguments join the
    program's inputs. Under tensor parallelism (after
    pp-shard-tensor-parallel) the stages differentiate with their
    collectives (docs/autodiff.md, "Tensor parallelism"), and every
    gradient, optimizer state and new weight of a split weight is split
    the same way (`pp.sharding` on the argument or result).
  }];
  let options = [
    ListOption<"trainable", "trainable", "std::string",
               "Weight-name globs to train (as pp-autodiff)">,
    ListOption<"frozen", "frozen", "std::string",
               "Weight-name globs to freeze (as pp-autodiff)">,
    Option<"optimizer", "optimizer", "std::string", /*default=*/"\"sgd\"",
           "sgd or adamw">,
    Option<"lr", "lr", "double", /*default=*/"1e-3", "Learning rate">,
    Option<"momentum", "momentum", "double", /*default=*/"0", "sgd only">,
    Option<"weightDecay", "weight-decay", "double", /*default=*/"-1",
           "L2 (sgd, default 0) or decoupled (adamw, default 0.01) decay">,
    Option<"beta1", "beta1", "double", /*default=*/"0.9", "adamw">,
    Option<"beta2", "beta2", "double", /*default=*/"0.999", "adamw">,
    Option<"eps", "eps", "double", /*default=*/"1e-8", "adamw">,
    Option<"gradClip", "grad-clip", "double", /*default=*/"0",
           "Clip the gradients' global 2-norm to this (0: no clipping)">,
    Option<"zero", "zero", "int", /*default=*/"0",
           "1: each data-parallel rank updates a shard of every weight "
           "and keeps only that shard's optimizer state (ZeRO-1)">,
    Option<"recompute", "recompute", "std::string", /*default=*/"\"none\"",
           "none, full (B and W recompute each layer's own values from "
           "what the layer hands on, which is all the stash keeps) or "
           "selective (only attention's core)">
  ];
}

def StageGenerationPass : Pass<"pp-stage-generation", "ModuleOp"> {
  let summary = "Stage functions into KV-cached prefill and decode steps";
  let description = [{
    After pp-split-stages (and pp-shard-tensor-parallel), on a causal
    language model (the sequence analysis, docs/generation.md, must
    succeed), turns the stage function `@s` into the prefill step, which
    runs the model over `prefill-chunk` positions, and adds `@s_decode`, the
    decode step over one. Each step starts at a position the runtime
    chooses per call (`pprt::Context::position`): the tables aligned with
    the positions are read there (`pp.step_slice`), and each attention's
    keys and values are written there into a cache of `max-seq` positions
    (`pp.cache_write`) and read whole, masked by the model's own causal mask
    at those positions. The caches are new program inputs shared by both
    steps; the decode step's token ids and outputs are inputs and outputs
    of their own. `pp.generation` on each says what it is to the runtime
    (`prefill_ids`, `decode_ids`, `kv_cache`, `prefill_logits`,
    `decode_logits`: the model's first output), and `pp.generation_step` on
    the module gives `max_seq`, `prefill_chunk` and `seq_dim`. One stage
    only, for now.
  }];
  let options = [
    Option<"maxSeq", "max-seq", "int64_t", /*default=*/"0",
           "Positions the caches hold (0: the exported sequence length, "
           "which is also the most)">,
    Option<"prefillChunk", "prefill-chunk", "int64_t", /*default=*/"0",
           "Positions one prefill call runs (0: max-seq)">,
    Option<"maxBatch", "max-batch", "int64_t", /*default=*/"0",
           "The sequences the program generates at once, which must be the "
           "token ids' batch (0: whatever it is)">,
  ];
}

def TestSequenceAnalysisPass : Pass<"pp-test-sequence-analysis"> {
  let summary = "Prints where generation would cache and slice, for tests";
  let description = [{
    Runs the sequence analysis that generation builds on on every function
    with a body and emits remarks: the dim of the token ids that holds the
    sequence; for each causal attention its scores (with the dims of the
    queries and the keys), its causal mask, its softmax over the keys and
    its values matmul; and each operand built from constants or weights
    that lines up with the positions (position tables, rotary cos/sin,
    masks). An op that reads across positions other than causal attention
    is an error naming it, such as the softmax of a bidirectional encoder.
    The IR is not changed.
  }];
  let options = [
    Option<"seqDim", "seq-dim", "int64_t", "-1",
           "Dim of the token ids that holds the sequence (-1: the last dim "
           "that analyzes with an attention, else the first)">,
  ];
}

def TestDimRulesPass : Pass<"pp-test-dim-rules"> {
  let summary = "Prints the dim rules of every op, for tests";
  let description = [{
    Emits a remark on every op that implements DimRulesInterface with its
    rules: each operand and result as a list of dims, each dim the product
    of its factors (`1` for a dim without one), then every factor's extent
    and, unless it is parallel, its kind and what the op does along it.
    The IR is not changed.

    Example: `pp.matmul` of 8x16x64 by 64x32 prints
    `lhs (a, b, c), rhs (c, d) -> (a, b, d) where a=8, b=16,
    c=64 reduction "contracts over", d=32`.
  }];
}

def BuildSchedulePass : Pass<"pp-build-schedule", "ModuleOp"> {
  let summary = "The micro-batch schedule of the pipeline, as a pp.schedule op";
  let description = [{
    After `pp-split-stages`, generates the forward-only (inference)
    schedule `schedule` (gpipe, 1f1b, interleaved, zb-h1, zbv) for the
    mesh's "pp" ranks, the stage functions' chunks per rank and
    `microbatches` micro-batches, or reads a schedule file in the text
    format of docs/schedules.md when `schedule` names one. A generator's
    forward-only form is its compute order without the B and W passes, with
    SEND/RECV placed for the forwards that remain. The schedule is verified
    (matched sends and receives, dependences, no deadlock under blocking
    sends) and added to the module as `pp.schedule`; the module gets
    `pp.microbatches` and `pp.schedule_name`.

    Errors: an unknown schedule, a file that does not parse, a schedule
    whose ranks, chunks or micro-batches differ from the program's,
    training actions (B/W) in an inference program, a schedule whose
    placement (loop, or zbv's V) differs from the module's `pp.placement`,
    and what the generators reject (interleaved with micro-batches not a
    multiple of the ranks, zbv without exactly 2 chunks per rank).
  }];
  let options = [
    Option<"schedule", "schedule", "std::string", /*default=*/"\"1f1b\"",
           "gpipe, 1f1b, interleaved, zb-h1, zbv, or a schedule file">,
    Option<"microbatches", "microbatches", "int64_t", /*default=*/"1",
           "Micro-batches per step">,
    Option<"training", "training", "bool", /*default=*/"false",
           "A training schedule (F, B and W actions; pp-stage-training's "
           "functions) instead of a forward-only one">,
  ];
}

#endif // PP_DIALECT_PP_TRANSFORMS_PASSES_TD
