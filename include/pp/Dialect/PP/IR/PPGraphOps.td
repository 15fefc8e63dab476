//===- PPGraphOps.td - tensor graph ops --------------------*- tablegen -*-===//
//
// The ops an ONNX transformer graph is imported into. All have value
// semantics on statically shaped ranked tensors. ONNX ops that only move
// shapes around (Shape, Squeeze, Unsqueeze, Flatten, Identity, Dropout,
// Split, Gemm, Einsum, ...) are expressed with these at import, so every
// later pass and both emitters handle one small, closed set.
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_IR_PPGRAPHOPS_TD
#define PP_DIALECT_PP_IR_PPGRAPHOPS_TD

include "pp/Dialect/PP/IR/PPBase.td"
include "pp/Dialect/PP/IR/PPAttrs.td"
include "pp/Dialect/PP/IR/PPDimRulesInterface.td"
include "pp/Dialect/PP/IR/PPGradientInterface.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def PP_ReduceKind : I32EnumAttr<"ReduceKind",
    "how a reduction combines the elements along its dims", [
      I32EnumAttrCase<"sum", 0>,
      I32EnumAttrCase<"mean", 1>,
      I32EnumAttrCase<"max", 2>,
      I32EnumAttrCase<"min", 3>,
      I32EnumAttrCase<"prod", 4>
    ]> {
  let cppNamespace = "::mlir::pp";
}

defvar PP_Tensor = AnyStaticShapeTensor;

// Ops with their own dim rules (the others broadcast; DimRules.h).
defvar PP_DimRules =
    DeclareOpInterfaceMethods<PP_DimRulesInterface, ["getDimRules"]>;

// Every graph op with operands has its derivative (PPGradients.cpp).
defvar PP_Gradient =
    DeclareOpInterfaceMethods<PP_GradientInterface, ["buildGradients"]>;

// Elementwise with numpy broadcasting: the result shape is the broadcast of
// the operand shapes. Fusion and sharding treat these ops uniformly.
def PP_Elementwise : NativeOpTrait<"Elementwise"> {
  let cppNamespace = "::mlir::pp::OpTrait";
}

//===----------------------------------------------------------------------===//
// Leaves: weights and constants
//===----------------------------------------------------------------------===//

def PP_WeightOp : PP_Op<"weight", [Pure, PP_DimRulesInterface,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "A model parameter, by reference to its bytes in a file";
  let description = [{
    Names an initializer of the model and where its little-endian bytes
    are: `file` (relative to the model's folder) at byte `offset`. The
    bytes are never read at compile time, so compile time and memory depend
    on the size of the graph, not on the parameter count. At run time each
    rank reads only the part it needs.

    `file_element_type` is the element type in the file when the program
    computes in another one (after `--dtype=bf16`, say); it is an integer or
    floating-point type.

    `file_shape` and `region_starts` (both or neither) make the op a block
    of a larger file tensor: the file holds a tensor of shape `file_shape`
    at `offset`, and the op's value is its block that starts at
    `region_starts` and has the op's global shape (the result type, times
    the number of shards of each dim under a `sharding` attribute). A
    `sharding` then splits that block, not the whole file tensor. Tensor
    parallelism uses it to give a fused QKV weight's Q, K and V columns
    their own column-parallel matmuls.

    Example:

    ```mlir
    %wte = pp.weight "transformer.wte.weight" from "model.onnx" offset 1024
        : tensor<128x64xf32>
    // The K columns of a fused [64, 192] QKV weight.
    %wk = pp.weight "c_attn.weight" from "model.onnx" offset 4096
        {file_shape = array<i64: 64, 192>, region_starts = array<i64: 0, 64>}
        : tensor<64x64xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name, StrAttr:$file, I64Attr:$offset,
                       OptionalAttr<TypeAttr>:$file_element_type,
                       OptionalAttr<DenseI64ArrayAttr>:$file_shape,
                       OptionalAttr<DenseI64ArrayAttr>:$region_starts,
                       OptionalAttr<PP_ShardingAttr>:$sharding);
  let results = (outs PP_Tensor:$result);
  let assemblyFormat = [{
    $name `from` $file `offset` $offset attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Checks that the region of shape `global` lies inside file_shape.
    ::mlir::LogicalResult verifyRegion(::llvm::ArrayRef<int64_t> global);
    /// The shape of the whole weight (of the region, for a region): the
    /// result shape, times the axis sizes of the sharding's mesh for a
    /// sharded weight. Reports through emitOpError when the mesh or an
    /// axis is missing or the sharding's rank is wrong.
    ::mlir::FailureOr<::llvm::SmallVector<int64_t>>
    getGlobalShape(::mlir::SymbolTableCollection &tables);
  }];
}

def PP_ConstantOp : PP_Op<"constant", [ConstantLike, Pure, PP_DimRulesInterface,
    AllTypesMatch<["value", "result"]>]> {
  let summary = "A small tensor whose values are in the IR";
  let description = [{
    Shape tensors, scalars and other initializers below the import
    threshold, and everything that constant folding produces.

    Example: `%c = pp.constant dense<[8, 16, 4, 16]> : tensor<4xi64>`
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs PP_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class PP_UnaryOp<string mnemonic, string doc, list<Trait> traits = []>
    : PP_Op<mnemonic, traits # [Pure, SameOperandsAndResultType,
                                 PP_Elementwise, PP_DimRulesInterface,
                                 PP_Gradient]> {
  let summary = doc;
  let description = "Applies `" # mnemonic # "` to every element.";
  let arguments = (ins PP_Tensor:$input);
  let results = (outs PP_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasFolder = 1;
}

def PP_NegOp : PP_UnaryOp<"neg", "Negation">;
def PP_AbsOp : PP_UnaryOp<"abs", "Absolute value">;
def PP_ExpOp : PP_UnaryOp<"exp", "Natural exponential">;
def PP_LogOp : PP_UnaryOp<"log", "Natural logarithm">;
def PP_SqrtOp : PP_UnaryOp<"sqrt", "Square root">;
def PP_ReciprocalOp : PP_UnaryOp<"reciprocal", "1 / x">;
def PP_ErfOp : PP_UnaryOp<"erf", "Gauss error function">;
def PP_TanhOp : PP_UnaryOp<"tanh", "Hyperbolic tangent">;
def PP_SigmoidOp : PP_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def PP_ReluOp : PP_UnaryOp<"relu", "max(x, 0)">;
def PP_SinOp : PP_UnaryOp<"sin", "Sine">;
def PP_CosOp : PP_UnaryOp<"cos", "Cosine">;
def PP_FloorOp : PP_UnaryOp<"floor", "Round down">;
def PP_CeilOp : PP_UnaryOp<"ceil", "Round up">;
def PP_NotOp : PP_UnaryOp<"not", "Logical not of booleans (i1)">;

def PP_CastOp : PP_Op<"cast", [Pure,
    PP_Elementwise, PP_DimRulesInterface, PP_Gradient]> {
  let summary = "Converts every element to another element type";
  let description = [{
    Float to integer truncates toward zero; anything to i1 is `x != 0`.

    Example: `%f = pp.cast %mask : tensor<8x16xi64> -> tensor<8x16xf32>`
  }];
  let arguments = (ins PP_Tensor:$input);
  let results = (outs PP_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

class PP_BinaryOp<string mnemonic, string doc, list<Trait> traits = []>
    : PP_Op<mnemonic, traits # [Pure,
        PP_Elementwise, PP_DimRulesInterface, PP_Gradient]> {
  let summary = doc;
  let description = [{
    Elementwise with numpy broadcasting: shapes align on the right and a
    dim of 1 stretches. Comparisons and logic ops produce `i1`.
  }];
  let arguments = (ins PP_Tensor:$lhs, PP_Tensor:$rhs);
  let results = (outs PP_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->`
    type($result)
  }];
  let hasFolder = 1;
}

def PP_AddOp : PP_BinaryOp<"add", "a + b", [Commutative]>;
def PP_SubOp : PP_BinaryOp<"sub", "a - b">;
def PP_MulOp : PP_BinaryOp<"mul", "a * b", [Commutative]>;
def PP_DivOp : PP_BinaryOp<"div", "a / b (integers truncate toward zero)">;
def PP_PowOp : PP_BinaryOp<"pow", "a raised to b">;
def PP_MaxOp : PP_BinaryOp<"max", "Larger of a and b", [Commutative]>;
def PP_MinOp : PP_BinaryOp<"min", "Smaller of a and b", [Commutative]>;
def PP_EqualOp : PP_BinaryOp<"equal", "a == b, as i1", [Commutative]>;
def PP_LessOp : PP_BinaryOp<"less", "a < b, as i1">;
def PP_GreaterOp : PP_BinaryOp<"greater", "a > b, as i1">;
def PP_AndOp : PP_BinaryOp<"and", "Logical and of booleans", [Commutative]>;
def PP_OrOp : PP_BinaryOp<"or", "Logical or of booleans", [Commutative]>;

def PP_SelectOp : PP_Op<"select", [Pure,
    PP_Elementwise, PP_DimRulesInterface, PP_Gradient]> {
  let summary = "Picks from a where the condition holds, else from b";
  let description = [{
    ONNX Where, with numpy broadcasting across all three operands.

    Example:

    ```mlir
    %y = pp.select %causal, %scores, %neg_inf
        : (tensor<1x1x16x16xi1>, tensor<8x4x16x16xf32>, tensor<f32>)
        -> tensor<8x4x16x16xf32>
    ```
  }];
  let arguments = (ins PP_Tensor:$condition, PP_Tensor:$lhs, PP_Tensor:$rhs);
  let results = (outs PP_Tensor:$result);
  let assemblyFormat = [{
    $condition `,` $lhs `,` $rhs attr-dict `:` `(` type($condition) `,`
    type($lhs) `,` type($rhs) `)` `->` type($result)
  }];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra and normalisation
//===----------------------------------------------------------------------===//

def PP_MatMulOp : PP_Op<"matmul", [Pure, PP_DimRules, PP_Gradient]> {
  let summary = "Batched matrix product with numpy broadcasting of batch dims";
  let description = [{
    Both operands have rank >= 2 (the importer reshapes ONNX's 1-D
    cases). The last two dims multiply; leading dims broadcast.

    Example:

    ```mlir
    %y = pp.matmul %x, %w : (tensor<8x16x64xf32>, tensor<64x256xf32>)
        -> tensor<8x16x256xf32>
    ```
  }];
  let arguments = (ins PP_Tensor:$lhs, PP_Tensor:$rhs);
  let results = (outs PP_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def PP_SoftmaxOp : PP_Op<"softmax", [Pure, PP_DimRules, PP_Gradient, SameOperandsAndResultType]> {
  let summary = "Softmax (or log-softmax) along one dim";
  let description = [{
    Numerically careful: the max along `dim` is subtracted first.

    Example: `%p = pp.softmax %s dim 3 : tensor<8x4x16x16xf32>`
  }];
  let arguments = (ins PP_Tensor:$input, I64Attr:$dim, UnitAttr:$log);
  let results = (outs PP_Tensor:$result);
  let assemblyFormat = "$input `dim` $dim (`log` $log^)? attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def PP_LayerNormOp : PP_Op<"layer_norm", [Pure, PP_DimRules, PP_Gradient]> {
  let summary = "Normalises over the trailing dims starting at `dim`";
  let description = [{
    y = (x - mean) / sqrt(var + epsilon) * scale + bias, with mean and
    variance over dims `dim..rank-1`; `scale` and `bias` have the shape of
    those dims. `bias` is optional. Input, scale, bias and result have one
    element type.

    Example:

    ```mlir
    %y = pp.layer_norm %x, %g, %b dim 2 epsilon 1.0e-05
        : (tensor<8x16x64xf32>, tensor<64xf32>, tensor<64xf32>)
        -> tensor<8x16x64xf32>
    ```
  }];
  let arguments = (ins PP_Tensor:$input, PP_Tensor:$scale,
                       Optional<PP_Tensor>:$bias, I64Attr:$dim,
                       F32Attr:$epsilon);
  let results = (outs PP_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? `dim` $dim `epsilon` $epsilon attr-dict
    `:` `(` type(operands) `)` `->` type($result)
  }];
  let hasVerifier = 1;
}

def PP_RmsNormOp : PP_Op<"rms_norm", [Pure, PP_DimRules, PP_Gradient]> {
  let summary = "Root-mean-square normalisation over the last dim";
  let description = [{
    y = x / sqrt(mean(x^2) + epsilon) * scale over the last dim; `scale`
    has the shape of that dim. ONNX before opset 23 has no RMSNorm op, so
    exporters write it out as Pow/ReduceMean/Add/Sqrt/Div/Mul;
    `pp-fuse-norms` recognises that chain and turns it into this op, which
    both targets run as one kernel.

    Example:

    ```mlir
    %y = pp.rms_norm %x, %g epsilon 1.0e-06
        : (tensor<8x16x64xf32>, tensor<64xf32>) -> tensor<8x16x64xf32>
    ```
  }];
  let arguments = (ins PP_Tensor:$input, PP_Tensor:$scale, F32Attr:$epsilon);
  let results = (outs PP_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `epsilon` $epsilon attr-dict `:` `(` type(operands) `)`
    `->` type($result)
  }];
  let hasVerifier = 1;
}

def PP_ReduceOp : PP_Op<"reduce", [Pure, PP_DimRules, PP_Gradient]> {
  let summary = "Reduces a tensor along some dims";
  let description = [{
    `dims` are sorted and unique. With `keepdims` the reduced dims stay as
    size 1.

    Example:

    ```mlir
    %m = pp.reduce mean %x dims [2] keepdims
        : tensor<8x16x64xf32> -> tensor<8x16x1xf32>
    ```
  }];
  let arguments = (ins PP_ReduceKind:$kind, PP_Tensor:$input,
                       DenseI64ArrayAttr:$dims, UnitAttr:$keepdims);
  let results = (outs PP_Tensor:$result);
  let assemblyFormat = [{
    $kind $input `dims` $dims (`keepdims` $keepdims^)? attr-dict `:`
    type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def PP_ReshapeOp : PP_Op<"reshape", [Pure, PP_DimRules, PP_Gradient]> {
  let summary = "Same elements, another shape";
  let description = [{
    Example: `%y = pp.reshape %x : tensor<8x16x64xf32> -> tensor<8x16x4x16xf32>`
  }];
  let arguments = (ins PP_Tensor:$input);
  let results = (outs PP_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def PP_TransposeOp : PP_Op<"transpose", [Pure, PP_DimRules, PP_Gradient]> {
  let summary = "Permutes dims: result dim i is input dim perm[i]";
  let description = [{
    Example:

    ```mlir
    %y = pp.transpose %x perm [0, 2, 1, 3]
        : tensor<8x16x4x16xf32> -> tensor<8x4x16x16xf32>
    ```
  }];
  let arguments = (ins PP_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs PP_Tensor:$result);
  let assemblyFormat = [{
    $input `perm` $perm attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def PP_SliceOp : PP_Op<"slice", [Pure, PP_DimRules, PP_Gradient]> {
  let summary = "A strided window of a tensor";
  let description = [{
    Result element `i` along dim `d` is input element
    `starts[d] + i * steps[d]`; the result type gives the sizes. Steps may
    be negative. The importer normalises ONNX's clamped, negative and
    axis-selected forms into this one.

    Example:

    ```mlir
    %y = pp.slice %x starts [0, 32] steps [1, 1]
        : tensor<16x64xf32> -> tensor<16x32xf32>
    ```
  }];
  let arguments = (ins PP_Tensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$steps);
  let results = (outs PP_Tensor:$result);
  let assemblyFormat = [{
    $input `starts` $starts `steps` $steps attr-dict `:` type($input) `->`
    type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def PP_ConcatOp : PP_Op<"concat", [Pure, PP_DimRules, PP_Gradient]> {
  let summary = "Joins tensors along one dim";
  let description = [{
    The inputs (at least one) agree on every dim but `dim` and have the
    result's element type.

    Example:

    ```mlir
    %y = pp.concat %a, %b dim 3
        : (tensor<8x4x16x8xf32>, tensor<8x4x16x8xf32>) -> tensor<8x4x16x16xf32>
    ```
  }];
  let arguments = (ins Variadic<PP_Tensor>:$inputs, I64Attr:$dim);
  let results = (outs PP_Tensor:$result);
  let assemblyFormat = [{
    $inputs `dim` $dim attr-dict `:` `(` type($inputs) `)` `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def PP_GatherOp : PP_Op<"gather", [Pure, PP_DimRules, PP_Gradient]> {
  let summary = "Picks slices along one dim by index (embedding lookup)";
  let description = [{
    The result shape is `input[:dim] ++ indices ++ input[dim+1:]`. Indices
    are i64; negative ones count from the end.

    Example:

    ```mlir
    %e = pp.gather %wte[%ids] dim 0
        : (tensor<128x64xf32>, tensor<8x16xi64>) -> tensor<8x16x64xf32>
    ```
  }];
  let arguments = (ins PP_Tensor:$input, PP_Tensor:$indices, I64Attr:$dim);
  let results = (outs PP_Tensor:$result);
  let assemblyFormat = [{
    $input `[` $indices `]` `dim` $dim attr-dict `:` `(` type($input) `,`
    type($indices) `)` `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def PP_BroadcastOp : PP_Op<"broadcast", [Pure, PP_DimRulesInterface,
    PP_Gradient]> {
  let summary = "Stretches a tensor to a larger shape, numpy style";
  let description = [{
    ONNX Expand. Shapes align on the right; dims of 1 stretch.

    Example: `%y = pp.broadcast %x : tensor<1x16xf32> -> tensor<8x16xf32>`
  }];
  let arguments = (ins PP_Tensor:$input);
  let results = (outs PP_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def PP_TriluOp : PP_Op<"trilu", [Pure, PP_DimRules, PP_Gradient, SameOperandsAndResultType]> {
  let summary = "Keeps the upper or lower triangle of the last two dims";
  let description = [{
    Elements above (`upper`: below) diagonal `k` become zero.

    Example: `%m = pp.trilu %ones lower k 0 : tensor<16x16xf32>`
  }];
  let arguments = (ins PP_Tensor:$input, UnitAttr:$upper, I64Attr:$k);
  let results = (outs PP_Tensor:$result);
  let assemblyFormat = [{
    $input custom<TriangleKind>($upper) `k` $k attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def PP_ScatterAddOp : PP_Op<"scatter_add", [Pure, PP_DimRules, PP_Gradient]> {
  let summary = "Adds slices into a zero tensor at indices along one dim";
  let description = [{
    The adjoint of `pp.gather`: starts from zeros of the result type and
    adds each slice of `updates` at the index that `indices` gives along
    `dim`; repeated indices accumulate. `updates` has the shape
    `result[:dim] ++ indices ++ result[dim+1:]`. Indices are i64; negative
    ones count from the end. pp-autodiff builds it for the gradient of an
    embedding table and of a slice.

    Example:

    ```mlir
    %dwte = pp.scatter_add %dy[%ids] dim 0
        : (tensor<8x16x64xf32>, tensor<8x16xi64>) -> tensor<128x64xf32>
    ```
  }];
  let arguments = (ins PP_Tensor:$updates, PP_Tensor:$indices, I64Attr:$dim);
  let results = (outs PP_Tensor:$result);
  let assemblyFormat = [{
    $updates `[` $indices `]` `dim` $dim attr-dict `:` `(` type($updates) `,`
    type($indices) `)` `->` type($result)
  }];
  let hasVerifier = 1;
}

def PP_CrossEntropyOp : PP_Op<"cross_entropy", [Pure, PP_DimRules,
    PP_Gradient]> {
  let summary = "Mean token cross-entropy of logits against integer labels";
  let description = [{
    `logits` is `[..., V]` (float), `labels` is `[...]` (i64). The result
    is the scalar mean, over the positions whose label is not
    `ignore_index`, of `logsumexp(logits) - logits[label]`; 0 when every
    label is ignored. Labels outside `[0, V)` other than `ignore_index`
    are a runtime error. pp-add-loss appends it to a model's output.

    With `mesh` and `axes` (vocab-parallel, from pp-shard-tensor-parallel)
    the class dim is split over that group: `logits` holds this rank's
    block of V / n classes, the block at the rank's group index, and
    `labels` are ids into the whole vocabulary. The max, the sum of
    exponentials and the target logit are each reduced over the group,
    so the full-vocab logits are never gathered, and every rank gets the
    whole loss. pp-legalize-for-kernels expands this form into graph ops
    and collectives; it does not check the label range.

    Example:

    ```mlir
    %loss = pp.cross_entropy %logits, %labels ignore_index -100
        : (tensor<8x16x128xf32>, tensor<8x16xi64>) -> tensor<f32>
    ```
  }];
  let arguments = (ins PP_Tensor:$logits, PP_Tensor:$labels,
                       DefaultValuedAttr<I64Attr, "-100">:$ignore_index,
                       OptionalAttr<FlatSymbolRefAttr>:$mesh,
                       OptionalAttr<StrArrayAttr>:$axes);
  let results = (outs PP_Tensor:$result);
  let assemblyFormat = [{
    $logits `,` $labels `ignore_index` $ignore_index attr-dict `:` `(`
    type($logits) `,` type($labels) `)` `->` type($result)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Whether the classes are split over a group (vocab-parallel).
    bool isVocabParallel() { return getMesh().has_value(); }
    /// The shared pieces of the loss and its gradient, built at `b`, as
    /// floats of the logits' type: 1 where each position's label is this
    /// rank's class ([..., V_local]); 1 where the label counts ([..., 1]);
    /// the number that count (a scalar, at least 1); the softmax over the
    /// whole vocabulary ([..., V_local]) and, vocab-parallel only, its
    /// log-normalizer ([..., 1]), reduced over the group.
    ::mlir::Value buildOnehot(::mlir::OpBuilder &b);
    ::mlir::Value buildValid(::mlir::OpBuilder &b);
    ::mlir::Value buildCount(::mlir::OpBuilder &b, ::mlir::Value valid);
    std::pair<::mlir::Value, ::mlir::Value>
    buildSoftmax(::mlir::OpBuilder &b);
  }];
}

#endif // PP_DIALECT_PP_IR_PPGRAPHOPS_TD
