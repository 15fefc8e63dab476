//===- PPBase.td - pp dialect definition -------------------*- tablegen -*-===//
//
// The dialect itself and the enums its attributes and ops share.
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_IR_PPBASE_TD
#define PP_DIALECT_PP_IR_PPBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/EnumAttr.td"

def PP_Dialect : Dialect {
  let name = "pp";
  let cppNamespace = "::mlir::pp";
  let summary = "Pipeline- and tensor-parallel graphs for transformer models";
  let description = [{
    The `pp` dialect holds an ONNX transformer graph after import and the
    parallel structure that the compiler adds to it: device meshes, the
    sharding of every value, pipeline stages, and the point-to-point and
    collective communication that a partitioned program needs.

    Ranks are addressed through a `pp.mesh`, a named N-dimensional grid of
    devices such as `["dp" = 2, "pp" = 4, "tp" = 2]`. A communication op names
    the mesh and a list of its axes. The ranks that share every coordinate
    outside those axes form one *group*; the op runs within each group, and a
    peer is a rank's linear index inside its group (row-major over the listed
    axes). A program written once therefore serves every rank of the mesh,
    which keeps the IR size independent of the number of GPUs.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  // The `pp.*` attributes that passes attach to ops, functions, their
  // arguments and results, and the module. Each gets a typed helper,
  // `PPDialect::getStageAttrHelper()` and the like.
  let discardableAttrs = (ins
    // Import: the model file and its folder (module), graph input and
    // output names (arguments and results of @main).
    "::mlir::StringAttr":$model,
    "::mlir::StringAttr":$weights_dir,
    "::mlir::StringAttr":$name,
    // The model's names for the symbolic dims of a graph input ("seq",
    // "batch"), "" where a dim has none; pp-split-batch finds the batch by
    // them.
    "::mlir::ArrayAttr":$dim_names,
    // pp-split-batch: the batch's size and cut (module), the dim that
    // holds the batch (arguments and results).
    "::mlir::DictionaryAttr":$batch,
    "::mlir::IntegerAttr":$batch_dim,
    // pp-partition-stages: an op's or stage function's stage, and the plan
    // behind the stage boundaries (@main).
    "::mlir::pp::StageAttr":$stage,
    "::mlir::DenseI64ArrayAttr":$stage_layers,
    "::mlir::DenseI64ArrayAttr":$stage_flops,
    "::mlir::StringAttr":$layer_source,
    // pp-split-stages: which graph input or output a stage argument or
    // result is, and @main's inputs (types and argument attributes).
    "::mlir::IntegerAttr":$input_index,
    "::mlir::IntegerAttr":$output_index,
    "::mlir::ArrayAttr":$inputs,
    "::mlir::ArrayAttr":$input_attrs,
    // pp-shard-tensor-parallel: a matmul's or lookup's parallel form
    // ("column", "row", "vocab"), and the decided shardings of an op's
    // operands and results (#pp.sharding, before the rewrite).
    "::mlir::StringAttr":$tp,
    "::mlir::ArrayAttr":$operand_shardings,
    "::mlir::ArrayAttr":$result_shardings,
    // pp-stage-training: a graph input or output that one rank holds a
    // part of, split like the weight it belongs to (a gradient, an
    // optimizer state, an updated weight).
    "::mlir::pp::ShardingAttr":$sharding,
    // pp-build-schedule: micro-batches per step and the schedule's name.
    "::mlir::IntegerAttr":$microbatches,
    "::mlir::StringAttr":$schedule_name,
    // pp-autodiff: how the forward, B and W functions connect (the index
    // of a saved value among the forward's extra results, of the forward
    // result a cotangent argument belongs to, of the argument a B result
    // is the cotangent of, of a value B hands to W) and which weight a W
    // result is the gradient of. docs/autodiff.md.
    "::mlir::IntegerAttr":$saved,
    "::mlir::IntegerAttr":$cotangent,
    "::mlir::IntegerAttr":$arg_gradient,
    "::mlir::IntegerAttr":$carried,
    "::mlir::StringAttr":$weight_gradient,
    // pp-apply-optimizer: the step-count argument, the weight a result is
    // the updated value of, and the optimizer state an argument or result
    // holds ("<weight>.exp_avg"); the runtime carries each state result
    // into the argument of the same name at the next step.
    "::mlir::UnitAttr":$step,
    // pp-autodiff: every weight's name -> "trainable: <why>" or
    // "frozen: <why>" (module), for the plan.
    "::mlir::DictionaryAttr":$trainability,
    // pp-gradient-program: the result that is the training loss.
    "::mlir::UnitAttr":$loss,
    "::mlir::StringAttr":$weight_update,
    "::mlir::StringAttr":$optimizer_state,
    // The importer under --train: the other initializers that hold a
    // weight's values (#pp.tied_copy), which a checkpoint also writes.
    "::mlir::ArrayAttr":$tied_copies,
    // pp-gradient-program recompute=full: a forward op copied into the
    // backward (so that CSE does not merge it back into the original).
    "::mlir::UnitAttr":$recomputed,
    // pp-stage-training: a stage function's boundary as an argument (the
    // activation, or in B the output's cotangent) and a result (the
    // activation sent on, or in B the input's cotangent); where a saved or
    // carried value sits in the stage's per-micro-batch stash, and the
    // stash's size (the forward function); the output an argument adds
    // into (a gradient or the loss accumulated over micro-batches); the
    // input the runtime fills with 1 / the step's labels that count
    // (naming the labels input).
    "::mlir::UnitAttr":$stage_input,
    "::mlir::UnitAttr":$stage_output,
    "::mlir::IntegerAttr":$stash_offset,
    "::mlir::IntegerAttr":$stash_bytes,
    "::mlir::IntegerAttr":$accumulator,
    "::mlir::StringAttr":$loss_scale,
    // pp-stage-training with clipping: the input the runtime fills with the
    // 2-norm of all the step's gradients (every stage, summed over dp).
    "::mlir::UnitAttr":$grad_norm,
    // pp-stage-generation: what a generation step's input or output is to
    // the runtime ("prefill_ids", "decode_ids", "kv_cache",
    // "prefill_logits", "decode_logits").
    "::mlir::StringAttr":$generation,
    // pp-stage-generation, on the module: max_seq, prefill_chunk and
    // seq_dim (the dim of the token ids that holds the positions).
    "::mlir::DictionaryAttr":$generation_step
  );
}

def PP_ReductionKind : I32EnumAttr<"ReductionKind",
    "how a collective combines the contributions of a group", [
      I32EnumAttrCase<"sum", 0>,
      I32EnumAttrCase<"max", 1>,
      I32EnumAttrCase<"min", 2>,
      I32EnumAttrCase<"avg", 3>
    ]> {
  let cppNamespace = "::mlir::pp";
}

class PP_Op<string mnemonic, list<Trait> traits = []>
    : Op<PP_Dialect, mnemonic, traits>;

#endif // PP_DIALECT_PP_IR_PPBASE_TD
