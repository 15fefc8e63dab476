//===- PPAttrs.td - pp dialect attributes ------------------*- tablegen -*-===//
//
// Attributes that describe where data lives: the sharding of a tensor over a
// mesh and the pipeline stage an op or function belongs to.
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_IR_PPATTRS_TD
#define PP_DIALECT_PP_IR_PPATTRS_TD

include "pp/Dialect/PP/IR/PPBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

class PP_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<PP_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def PP_ShardingAttr : PP_Attr<"Sharding", "sharding"> {
  let summary = "How a tensor is laid out over the ranks of a mesh";
  let description = [{
    One list of mesh axes per tensor dimension: the dimension is split over
    those axes, major to minor. An empty list means the dimension is
    replicated. `partial` names the axes over which every rank holds only a
    partial value that still has to be combined with the given reduction
    (the output of a row-parallel matmul is `partial sum` over `"tp"`).
    An axis may appear at most once in a sharding.

    Example:

    ```mlir
    // Column-parallel weight [768, 3072] split on its columns over "tp".
    #pp.sharding<@world, [[], ["tp"]]>
    // Row-parallel matmul output, replicated in shape, summed over "tp".
    #pp.sharding<@world, [[], [], []], partial sum ["tp"]>
    ```
  }];
  let parameters = (ins
    "FlatSymbolRefAttr":$mesh,
    ArrayRefParameter<"ArrayAttr", "mesh axes splitting each dimension">:$dimAxes,
    OptionalParameter<"ArrayAttr", "axes holding partial values">:$partialAxes,
    DefaultValuedParameter<"ReductionKind", "ReductionKind::sum",
                           "how partial values combine">:$partialKind
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// True when no dimension is split and nothing is partial.
    bool isReplicated() const;
    /// The axes splitting dimension `dim`, as plain strings.
    ::llvm::SmallVector<::llvm::StringRef> getAxesOfDim(unsigned dim) const;
    /// The shape of the whole tensor of which one rank holds `local`: each
    /// dim times the sizes of the axes of `mesh` that split it. Fails,
    /// through `emitError`, when the rank differs from the sharding's or an
    /// axis is not one of the mesh's.
    ::mlir::FailureOr<::llvm::SmallVector<int64_t>> getGlobalShape(
        ::llvm::ArrayRef<int64_t> local, ::mlir::pp::MeshOp mesh,
        ::llvm::function_ref<::mlir::InFlightDiagnostic()> emitError) const;
    /// The block of a tensor of shape `global` that one rank holds: each
    /// dim divided by the sizes of its axes. Fails, as getGlobalShape does,
    /// and when a dim does not divide.
    ::mlir::FailureOr<::llvm::SmallVector<int64_t>> getLocalShape(
        ::llvm::ArrayRef<int64_t> global, ::mlir::pp::MeshOp mesh,
        ::llvm::function_ref<::mlir::InFlightDiagnostic()> emitError) const;
  }];
}

def PP_StageAttr : PP_Attr<"Stage", "stage"> {
  let summary = "The pipeline stage an op or function runs in";
  let description = [{
    `index` counts virtual stages in model order. With `v` virtual stages per
    rank and `p` pipeline ranks, virtual stage `k` is chunk `k / p` of one
    pipeline rank; which one the module's `pp.placement` says, through the
    schedule library's StageMap (a loop, or zbv's V). With `v = 1` stage `k`
    runs on rank `k`.

    Example: `#pp.stage<3>`.
  }];
  let parameters = (ins "int64_t":$index);
  let assemblyFormat = "`<` $index `>`";
  let genVerifyDecl = 1;
}

def PP_TiedCopyAttr : PP_Attr<"TiedCopy", "tied_copy"> {
  let summary = "A second copy of a weight's values in the model's files";
  let description = [{
    torch's constant folding unties a tied parameter: a GPT's LM head,
    which shares the token embedding, is exported as a transposed copy of
    it (`onnx::MatMul_N`). `pp-opt --train` reads the copy as a view of the
    weight, so the two train as one, and records the copy on the weight
    (`pp.tied_copies`): the initializer `name`, the `file` (relative to the
    model's folder) and byte `offset` of its bytes, and whether it holds
    the weight's transpose. A checkpoint writes the trained values there
    too, so the saved model stays consistent.

    Example:
    `#pp.tied_copy<name = "onnx::MatMul_12", file = "model.onnx", offset = 4096, transposed = true>`.
  }];
  let parameters = (ins "::mlir::StringAttr":$name, "::mlir::StringAttr":$file,
                        "int64_t":$offset, "bool":$transposed);
  let assemblyFormat = "`<` struct(params) `>`";
  let builders = [
    AttrBuilder<(ins "::llvm::StringRef":$name, "::llvm::StringRef":$file,
                     "int64_t":$offset, "bool":$transposed), [{
      return $_get($_ctxt, ::mlir::StringAttr::get($_ctxt, name),
                   ::mlir::StringAttr::get($_ctxt, file), offset, transposed);
    }]>
  ];
}

#endif // PP_DIALECT_PP_IR_PPATTRS_TD
