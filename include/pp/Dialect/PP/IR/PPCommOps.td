//===- PPCommOps.td - mesh and communication ops -----------*- tablegen -*-===//
//
// The mesh and the communication ops. Every communication op names a group of
// ranks as `over @mesh["axis", ...]`; see the dialect description.
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_IR_PPCOMMOPS_TD
#define PP_DIALECT_PP_IR_PPCOMMOPS_TD

include "pp/Dialect/PP/IR/PPBase.td"
include "pp/Dialect/PP/IR/PPAttrs.td"
include "pp/Dialect/PP/IR/PPGradientInterface.td"
include "pp/Dialect/PP/IR/PPDimRulesInterface.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// pp.mesh
//===----------------------------------------------------------------------===//

def PP_MeshOp : PP_Op<"mesh", [Symbol]> {
  let summary = "A named grid of ranks";
  let description = [{
    Declares an N-dimensional grid of ranks with one name per axis. Rank
    numbers are row-major over the axes, so with `["dp" = 2, "pp" = 4,
    "tp" = 2]` the tensor-parallel partners of a rank are adjacent numbers,
    which is how GPUs of one node are numbered.

    Example:

    ```mlir
    pp.mesh @world ["dp" = 2, "pp" = 4, "tp" = 2]
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, StrArrayAttr:$axes,
                       DenseI64ArrayAttr:$shape);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Number of ranks in the whole mesh.
    int64_t getNumRanks();
    /// Index of axis `name`, or -1.
    int64_t getAxisIndex(::llvm::StringRef name);
  }];
}

//===----------------------------------------------------------------------===//
// Communication ops
//===----------------------------------------------------------------------===//

// Collectives are differentiable: each one's transpose is a collective too
// (PPCommGradients.cpp, docs/autodiff.md).
defvar PP_CommGradient =
    DeclareOpInterfaceMethods<PP_GradientInterface, ["buildGradients"]>;

// Ops that address a group of ranks on a mesh. They resolve the mesh symbol
// in verifySymbolUses, where the group size needed by their shape rules is
// known; verifyWithGroup() holds each op's own rules.
class PP_CommOp<string mnemonic, list<Trait> traits = []>
    : PP_Op<mnemonic, traits # [
        DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  code commClassDeclaration = [{
    /// Checks that depend on the number of ranks in the group.
    ::mlir::LogicalResult verifyWithGroup(int64_t groupSize);
  }];
  let extraClassDeclaration = commClassDeclaration;
}

def PP_SendOp : PP_CommOp<"send", [MemoryEffects<[MemWrite]>]> {
  let summary = "Sends a tensor to one peer of the group";
  let description = [{
    Blocks until the matching `pp.recv` on `peer` has taken the tensor
    (rendezvous, as NCCL point-to-point behaves). A send and a recv match
    when they name the same group and `tag` and each names the other as
    its peer.

    pp-split-stages creates them between consecutive pipeline stages: stage
    k sends with tag k to the pipeline rank that runs stage k+1. The
    program emitter runs only these, and checks both: the tag names the
    link, and the peer must be the rank the program places the other stage
    on.

    Example (stage 0 hands its activations to stage 1):

    ```mlir
    pp.send %h to @world["pp"] peer 1 tag 0 : tensor<4x16x768xf32>
    ```
  }];
  let arguments = (ins AnyStaticShapeTensor:$input, FlatSymbolRefAttr:$mesh,
                       StrArrayAttr:$axes, I64Attr:$peer, I64Attr:$tag);
  let assemblyFormat = [{
    $input `to` custom<MeshGroup>($mesh, $axes) `peer` $peer `tag` $tag
    attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

def PP_RecvOp : PP_CommOp<"recv", [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "Receives a tensor from one peer of the group";
  let description = [{
    The counterpart of `pp.send`: blocks until `peer` sends a tensor with the
    same `tag`, and returns it. The result type states what is expected; a
    schedule verifier checks that it equals what the peer sends.

    Example:

    ```mlir
    %h = pp.recv from @world["pp"] peer 0 tag 0 : tensor<4x16x768xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$mesh, StrArrayAttr:$axes,
                       I64Attr:$peer, I64Attr:$tag);
  let results = (outs AnyStaticShapeTensor:$result);
  let assemblyFormat = [{
    `from` custom<MeshGroup>($mesh, $axes) `peer` $peer `tag` $tag
    attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

// How a collective's dims relate (the sequence analysis of generation
// follows positions through a sharded stage): all_reduce keeps every dim;
// the others resize their `dim` and keep the rest.
defvar PP_CommDimRules =
    DeclareOpInterfaceMethods<PP_DimRulesInterface, ["getDimRules"]>;

def PP_AllReduceOp : PP_CommOp<"all_reduce", [Pure, PP_CommGradient,
    PP_CommDimRules,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "Combines a tensor across the group; every rank gets the result";
  let description = [{
    Every rank contributes a tensor of the same shape and receives the
    element-wise `sum`, `max`, `min` or `avg` of all contributions. `avg`
    needs a floating-point element type. A ring all-reduce moves
    2(n-1)/n of the tensor per rank.

    Example (after a row-parallel matmul):

    ```mlir
    %y = pp.all_reduce sum %x over @world["tp"] : tensor<4x16x768xf32>
    ```
  }];
  let arguments = (ins PP_ReductionKind:$kind, AnyStaticShapeTensor:$input,
                       FlatSymbolRefAttr:$mesh, StrArrayAttr:$axes);
  let results = (outs AnyStaticShapeTensor:$result);
  let assemblyFormat = [{
    $kind $input `over` custom<MeshGroup>($mesh, $axes) attr-dict `:`
    type($input)
  }];
  let hasVerifier = 1;
}

def PP_AllGatherOp : PP_CommOp<"all_gather", [Pure, PP_CommGradient,
    PP_CommDimRules]> {
  let summary = "Concatenates the group's tensors along one dimension";
  let description = [{
    Rank `i` of the group contributes the `i`-th slice along `dim`; every
    rank receives the concatenation, so `dim` grows by the group size and
    the other dimensions are unchanged.

    Example (two tensor-parallel ranks):

    ```mlir
    %y = pp.all_gather %x over @world["tp"] dim 1
        : tensor<4x384xf32> -> tensor<4x768xf32>
    ```
  }];
  let arguments = (ins AnyStaticShapeTensor:$input, FlatSymbolRefAttr:$mesh,
                       StrArrayAttr:$axes, I64Attr:$dim);
  let results = (outs AnyStaticShapeTensor:$result);
  let assemblyFormat = [{
    $input `over` custom<MeshGroup>($mesh, $axes) `dim` $dim attr-dict `:`
    type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def PP_ReduceScatterOp : PP_CommOp<"reduce_scatter", [Pure, PP_CommGradient,
    PP_CommDimRules]> {
  let summary = "Combines the group's tensors and leaves each rank one slice";
  let description = [{
    The reduction of `pp.all_reduce`, after which rank `i` of the group keeps
    only the `i`-th slice along `dim`. `dim` must divide by the group size.
    Sequence parallelism uses it in place of an all-reduce.

    Example:

    ```mlir
    %y = pp.reduce_scatter sum %x over @world["tp"] dim 1
        : tensor<4x16x768xf32> -> tensor<4x8x768xf32>
    ```
  }];
  let arguments = (ins PP_ReductionKind:$kind, AnyStaticShapeTensor:$input,
                       FlatSymbolRefAttr:$mesh, StrArrayAttr:$axes,
                       I64Attr:$dim);
  let results = (outs AnyStaticShapeTensor:$result);
  let assemblyFormat = [{
    $kind $input `over` custom<MeshGroup>($mesh, $axes) `dim` $dim attr-dict
    `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def PP_AllSliceOp : PP_CommOp<"all_slice", [Pure, PP_CommGradient,
    PP_CommDimRules]> {
  let summary = "Each rank keeps its own slice of a replicated tensor";
  let description = [{
    The inverse of `pp.all_gather`, without communication: every rank of
    the group holds the whole tensor and keeps slice `i` along `dim`, where
    `i` is its index in the group. `dim` must divide by the group size.
    Tensor parallelism uses it where a replicated value (a bias, a mask,
    K/V heads that do not divide by T) meets a sharded one.

    Example:

    ```mlir
    %y = pp.all_slice %x over @world["tp"] dim 2
        : tensor<4x16x768xf32> -> tensor<4x16x384xf32>
    ```
  }];
  let arguments = (ins AnyStaticShapeTensor:$input, FlatSymbolRefAttr:$mesh,
                       StrArrayAttr:$axes, I64Attr:$dim);
  let results = (outs AnyStaticShapeTensor:$result);
  let assemblyFormat = [{
    $input `over` custom<MeshGroup>($mesh, $axes) `dim` $dim attr-dict `:`
    type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def PP_AllToAllOp : PP_CommOp<"all_to_all", [Pure, PP_CommGradient]> {
  let summary = "Exchanges slices so that a split moves from one dimension to another";
  let description = [{
    Each rank cuts its tensor into group-size slices along `split_dim` and
    sends slice `j` to rank `j`; it concatenates what it receives along
    `concat_dim`. `split_dim` shrinks by the group size and `concat_dim`
    grows by it. Expert and sequence parallelism use it.

    Example:

    ```mlir
    %y = pp.all_to_all %x over @world["tp"] split 1 concat 0
        : tensor<4x8xf32> -> tensor<8x4xf32>
    ```
  }];
  let arguments = (ins AnyStaticShapeTensor:$input, FlatSymbolRefAttr:$mesh,
                       StrArrayAttr:$axes, I64Attr:$split_dim,
                       I64Attr:$concat_dim);
  let results = (outs AnyStaticShapeTensor:$result);
  let assemblyFormat = [{
    $input `over` custom<MeshGroup>($mesh, $axes) `split` $split_dim
    `concat` $concat_dim attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def PP_GroupIndexOp : PP_CommOp<"group_index", [Pure]> {
  let summary = "This rank's index in the group";
  let description = [{
    A 0-d i64 tensor holding the index of the executing rank inside the
    group, from 0 to the group size - 1: `MeshShape::indexInGroup`,
    row-major over the axes in the order listed, the same index that
    `pp.all_gather` and `pp.all_slice` order their slices by. It moves no
    data. Tensor parallelism uses it where ranks compute different things
    from the same replicated input, as a vocab-parallel embedding does to
    find the token ids that fall in its rows.

    Example:

    ```mlir
    %r = pp.group_index over @world["tp"] : tensor<i64>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$mesh, StrArrayAttr:$axes);
  let results = (outs 0DTensorOf<[I64]>:$result);
  let assemblyFormat = [{
    `over` custom<MeshGroup>($mesh, $axes) attr-dict `:` type($result)
  }];
}

#endif // PP_DIALECT_PP_IR_PPCOMMOPS_TD
