//===- OpsLinalg.cpp - importers for matmul-like and normalising ops -----===//
//
// MatMul (numpy semantics, with ONNX's 1-D promotion), Gemm (as transposes,
// a matmul and scaled adds), Softmax/LogSoftmax (including the flattening
// semantics before opset 13) and LayerNormalization.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "pp/Dialect/PP/IR/ShapeUtils.h"

using namespace mlir;
using namespace mlir::pp;

namespace mlir::pp {

/// a x b with numpy matmul semantics; reports mismatched dims at the node.
FailureOr<Value> buildMatMul(NodeImporter &n, Value a, Value b) {
  auto ta = llvm::cast<RankedTensorType>(a.getType());
  auto tb = llvm::cast<RankedTensorType>(b.getType());
  if (ta.getRank() == 0 || tb.getRank() == 0)
    return n.error() << "MatMul operands must not be scalars";
  if (ta.getElementType() != tb.getElementType())
    return n.error() << "operand element types differ: "
                     << ta.getElementType() << " and " << tb.getElementType();
  // ONNX promotes 1-D operands to matrices and drops the added dim after.
  bool vecA = ta.getRank() == 1, vecB = tb.getRank() == 1;
  if (vecA)
    a = n.reshape(a, {1, ta.getDimSize(0)});
  if (vecB)
    b = n.reshape(b, {tb.getDimSize(0), 1});
  ArrayRef<int64_t> sa = llvm::cast<ShapedType>(a.getType()).getShape();
  ArrayRef<int64_t> sb = llvm::cast<ShapedType>(b.getType()).getShape();
  if (sa.back() != sb[sb.size() - 2])
    return n.error() << "inner dims " << sa.back() << " and "
                     << sb[sb.size() - 2] << " do not match ("
                     << shapeToString(ta.getShape()) << " x "
                     << shapeToString(tb.getShape()) << ")";
  auto batch = broadcastShapes(sa.drop_back(2), sb.drop_back(2));
  if (!batch)
    return n.error() << "batch dims of " << shapeToString(sa) << " and "
                     << shapeToString(sb) << " do not broadcast";
  SmallVector<int64_t> shape(*batch);
  shape.push_back(sa[sa.size() - 2]);
  shape.push_back(sb.back());
  Value result = n.create<MatMulOp>(
      n.tensorType(shape, ta.getElementType()), a, b);
  if (vecA || vecB) {
    SmallVector<int64_t> squeezed(*batch);
    if (!vecA)
      squeezed.push_back(sa[sa.size() - 2]);
    if (!vecB)
      squeezed.push_back(sb.back());
    result = n.reshape(result, squeezed);
  }
  return result;
}

} // namespace mlir::pp

namespace {

LogicalResult importMatMul(NodeImporter &n) {
  FailureOr<Value> result = buildMatMul(n, n.input(0), n.input(1));
  if (failed(result))
    return failure();
  n.setOutput(0, *result);
  return success();
}

LogicalResult importGemm(NodeImporter &n) {
  Value a = n.input(0), b = n.input(1);
  if (n.inputType(0).getRank() != 2 || n.inputType(1).getRank() != 2)
    return n.error() << "Gemm operands must be matrices";
  if (n.intAttr("transA", 0))
    a = n.transpose(a, {1, 0});
  if (n.intAttr("transB", 0))
    b = n.transpose(b, {1, 0});
  FailureOr<Value> product = buildMatMul(n, a, b);
  if (failed(product))
    return failure();
  Value result = *product;
  float alpha = n.floatAttr("alpha", 1.0f), beta = n.floatAttr("beta", 1.0f);
  if (alpha != 1.0f)
    result = *n.binary<MulOp>(result, n.scalarLike(result, alpha));
  if (n.hasInput(2) && beta != 0.0f) {
    Value c = n.input(2);
    if (beta != 1.0f)
      c = *n.binary<MulOp>(c, n.scalarLike(c, beta));
    FailureOr<Value> sum = n.binary<AddOp>(result, c);
    if (failed(sum))
      return failure();
    if (sum->getType() != result.getType())
      return n.error() << "Gemm's C does not broadcast to the product";
    result = *sum;
  }
  n.setOutput(0, result);
  return success();
}

template <bool Log>
LogicalResult importSoftmax(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  bool legacy = n.opset < 13;
  FailureOr<int64_t> axis =
      n.normalizeAxis(n.intAttr("axis", legacy ? 1 : -1), type.getRank());
  if (failed(axis))
    return failure();
  auto softmax = [&](Value x, int64_t dim) {
    return n.create<SoftmaxOp>(x.getType(), x, n.builder.getI64IntegerAttr(dim),
                               Log ? n.builder.getUnitAttr() : UnitAttr());
  };
  if (!legacy) {
    n.setOutput(0, softmax(n.input(0), *axis));
    return success();
  }
  // Before opset 13 the input is viewed as [prod(:axis), prod(axis:)].
  ArrayRef<int64_t> shape = type.getShape();
  Value flat = n.reshape(n.input(0), {numElements(shape.take_front(*axis)),
                                      numElements(shape.drop_front(*axis))});
  n.setOutput(0, n.reshape(softmax(flat, 1), shape));
  return success();
}

LogicalResult importLayerNorm(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  FailureOr<int64_t> axis =
      n.normalizeAxis(n.intAttr("axis", -1), type.getRank());
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> normalized = type.getShape().drop_front(*axis);
  auto toNormalized = [&](size_t i) -> FailureOr<Value> {
    RankedTensorType t = n.inputType(i);
    if (t.getElementType() != type.getElementType())
      return n.error() << "input " << i << " has element type "
                       << t.getElementType() << ", the data "
                       << type.getElementType();
    auto merged = broadcastShapes(t.getShape(), normalized);
    if (!merged || ArrayRef<int64_t>(*merged) != normalized)
      return n.error() << "input " << i << " of shape "
                       << shapeToString(t.getShape())
                       << " does not broadcast to the normalised shape "
                       << shapeToString(normalized);
    return n.create<BroadcastOp>(n.tensorType(normalized, t.getElementType()),
                                 n.input(i));
  };
  FailureOr<Value> scale = toNormalized(1);
  if (failed(scale))
    return failure();
  Value bias;
  if (n.hasInput(2)) {
    FailureOr<Value> b = toNormalized(2);
    if (failed(b))
      return failure();
    bias = *b;
  }
  float epsilon = n.floatAttr("epsilon", 1e-5f);
  n.setOutput(0, n.create<LayerNormOp>(
                     type, n.input(0), *scale, bias,
                     n.builder.getI64IntegerAttr(*axis),
                     n.builder.getF32FloatAttr(epsilon)));
  if (n.wantsOutput(1) || n.wantsOutput(2)) {
    // The optional statistics outputs (training graphs keep them) are
    // recomputed with reductions; inference graphs rarely ask for them.
    SmallVector<int64_t> dims, shape(type.getShape());
    for (int64_t d = *axis; d < type.getRank(); ++d) {
      dims.push_back(d);
      shape[d] = 1;
    }
    auto mean = [&](Value v) {
      return n.create<ReduceOp>(n.tensorType(shape, type.getElementType()),
                                ReduceKind::mean, v, dims, /*keepdims=*/true);
    };
    Value mu = mean(n.input(0));
    Value centered = *n.binary<SubOp>(n.input(0), mu);
    Value var = mean(*n.binary<MulOp>(centered, centered));
    Value std = n.create<SqrtOp>(
        var.getType(), *n.binary<AddOp>(var, n.scalarLike(var, epsilon)));
    n.setOutput(1, mu);
    n.setOutput(2, n.create<ReciprocalOp>(std.getType(), std));
  }
  return success();
}

} // namespace

void mlir::pp::registerLinalgImporters(OpImporterTable &t) {
  t["MatMul"] = requireInputs(2, importMatMul);
  t["Gemm"] = requireInputs(2, importGemm);
  t["Softmax"] = requireInputs(1, importSoftmax<false>);
  t["LogSoftmax"] = requireInputs(1, importSoftmax<true>);
  t["LayerNormalization"] = requireInputs(2, importLayerNorm);
}
