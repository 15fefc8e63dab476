//===- OpsTransformer.cpp - opset-23 transformer ops as pp ops -----------===//
//
// RMSNormalization, RotaryEmbedding and Attention arrived in opset 23 as
// ONNX functions of simpler ops; pp expands them the same way at import:
// RMSNormalization into pp.rms_norm (or its reductions when it normalises
// more than the last dim), RotaryEmbedding into slices, a gather of the
// cos/sin caches and concats, and Attention into matmuls, masks and a
// softmax, so the sharding passes and both targets see ops they know.
//
//===----------------------------------------------------------------------===//

#include "Compose.h"

#include <cmath>

using namespace mlir;
using namespace mlir::pp;

namespace {

RankedTensorType typeOf(Value v) {
  return llvm::cast<RankedTensorType>(v.getType());
}

/// y = x / sqrt(mean(x^2 over dims axis..) + epsilon) * scale, computed in
/// f32 (stash_type 1) or the input type (stash_type 0).
LogicalResult importRmsNorm(NodeImporter &n) {
  Math m{n};
  RankedTensorType type = n.inputType(0);
  if (!isFloat(n.input(0)))
    return n.error() << "RMSNormalization needs a floating-point input, got "
                     << type.getElementType();
  FailureOr<int64_t> axis =
      n.normalizeAxis(n.intAttr("axis", -1), type.getRank());
  if (failed(axis))
    return failure();
  float epsilon = n.floatAttr("epsilon", 1e-5f);
  int64_t stash = n.intAttr("stash_type", 1);
  RankedTensorType scaleType = n.inputType(1);
  if (scaleType.getElementType() != type.getElementType())
    return n.error() << "operand element types differ: "
                     << type.getElementType() << " and "
                     << scaleType.getElementType();
  ArrayRef<int64_t> normalized = type.getShape().drop_front(*axis);
  auto merged = broadcastShapes(normalized, scaleType.getShape());
  if (!merged || ArrayRef<int64_t>(*merged) != normalized)
    return n.error() << "scale of shape " << shapeToString(scaleType.getShape())
                     << " does not broadcast to the normalised shape "
                     << shapeToString(normalized);
  Type compute = stash == 1 ? Type(n.builder.getF32Type())
                            : type.getElementType();
  if (*axis == type.getRank() - 1 && compute == type.getElementType()) {
    Value scale = n.create<BroadcastOp>(
        n.tensorType(normalized, type.getElementType()), n.input(1));
    n.setOutput(0, n.create<RmsNormOp>(type, n.input(0), scale,
                                       n.builder.getF32FloatAttr(epsilon)));
    return success();
  }
  Value x = n.cast(n.input(0), compute);
  SmallVector<int64_t> dims;
  for (int64_t d = *axis; d < type.getRank(); ++d)
    dims.push_back(d);
  Value meanSquare = m.reduce(ReduceKind::mean, m.mul(x, x), dims);
  Value rms = m.un<SqrtOp>(m.add(meanSquare, m.c(meanSquare, epsilon)));
  Value normal = n.cast(m.bin<DivOp>(x, rms), type.getElementType());
  n.setOutput(0, m.mul(normal, n.input(1)));
  return success();
}

/// A strided slice of the last dim: `count` elements from `start`, `step`
/// apart.
Value sliceLast(NodeImporter &n, Value v, int64_t start, int64_t count,
                int64_t step) {
  RankedTensorType type = typeOf(v);
  SmallVector<int64_t> starts(type.getRank(), 0), steps(type.getRank(), 1),
      shape(type.getShape());
  starts.back() = start;
  steps.back() = step;
  shape.back() = count;
  return n.create<SliceOp>(n.tensorType(shape, type.getElementType()), v,
                           n.builder.getDenseI64ArrayAttr(starts),
                           n.builder.getDenseI64ArrayAttr(steps));
}

Value concatLast(NodeImporter &n, ArrayRef<Value> parts) {
  RankedTensorType type = typeOf(parts.front());
  SmallVector<int64_t> shape(type.getShape());
  shape.back() = 0;
  for (Value p : parts)
    shape.back() += typeOf(p).getShape().back();
  return n.create<ConcatOp>(n.tensorType(shape, type.getElementType()), parts,
                            n.builder.getI64IntegerAttr(shape.size() - 1));
}

/// Rotates pairs of the first rotary_embedding_dim channels of each head by
/// the angle of the token's position: halves (x[:d/2], x[d/2:]) or, with
/// interleaved, neighbours (x[0::2], x[1::2]).
LogicalResult importRotaryEmbedding(NodeImporter &n) {
  Math m{n};
  RankedTensorType type = n.inputType(0);
  int64_t rank = type.getRank();
  if (rank != 3 && rank != 4)
    return n.error() << "RotaryEmbedding input must have rank 3 or 4, got "
                     << shapeToString(type.getShape());
  Value x = n.input(0);
  int64_t batch = type.getDimSize(0), seq, heads, head;
  if (rank == 4) {
    heads = type.getDimSize(1);
    seq = type.getDimSize(2);
    head = type.getDimSize(3);
    x = n.transpose(x, {0, 2, 1, 3});
  } else {
    seq = type.getDimSize(1);
    heads = n.intAttr("num_heads", 0);
    if (heads <= 0 || type.getDimSize(2) % heads != 0)
      return n.error() << "RotaryEmbedding of a 3-d input needs num_heads "
                          "dividing the hidden size "
                       << type.getDimSize(2) << ", got " << heads;
    head = type.getDimSize(2) / heads;
    x = n.reshape(x, {batch, seq, heads, head});
  }
  int64_t rotary = n.intAttr("rotary_embedding_dim", 0);
  if (rotary == 0)
    rotary = head;
  if (rotary < 0 || rotary > head || rotary % 2 != 0)
    return n.error() << "rotary_embedding_dim " << rotary
                     << " must be even and at most the head size " << head;
  int64_t half = rotary / 2;
  SmallVector<int64_t> cacheShape = {batch, seq, half};
  auto lookup = [&](size_t i) -> FailureOr<Value> {
    Value cache = n.input(i);
    RankedTensorType t = typeOf(cache);
    if (t.getElementType() != type.getElementType())
      return n.error() << "operand element types differ: "
                       << type.getElementType() << " and "
                       << t.getElementType();
    if (n.hasInput(3)) {
      RankedTensorType ids = n.inputType(3);
      if (t.getRank() != 2 || t.getDimSize(1) != half ||
          ids.getShape() != ArrayRef<int64_t>{batch, seq})
        return n.error() << "RotaryEmbedding with position_ids needs caches "
                            "of shape [positions, "
                         << half << "] and ids of shape "
                         << shapeToString({batch, seq});
      cache = n.create<GatherOp>(n.tensorType(cacheShape, t.getElementType()),
                                 cache, n.cast(n.input(3),
                                               n.builder.getI64Type()),
                                 n.builder.getI64IntegerAttr(0));
    } else if (t.getShape() != ArrayRef(cacheShape)) {
      return n.error() << "RotaryEmbedding without position_ids needs caches "
                          "of shape "
                       << shapeToString(cacheShape) << ", got "
                       << shapeToString(t.getShape());
    }
    return n.reshape(cache, {batch, seq, 1, half});
  };
  FailureOr<Value> cos = lookup(1);
  if (failed(cos))
    return failure();
  FailureOr<Value> sin = lookup(2);
  if (failed(sin))
    return failure();
  bool interleaved = n.intAttr("interleaved", 0) != 0;
  Value x1 = interleaved ? sliceLast(n, x, 0, half, 2)
                         : sliceLast(n, x, 0, half, 1);
  Value x2 = interleaved ? sliceLast(n, x, 1, half, 2)
                         : sliceLast(n, x, half, half, 1);
  Value real = m.sub(m.mul(*cos, x1), m.mul(*sin, x2));
  Value imag = m.add(m.mul(*sin, x1), m.mul(*cos, x2));
  Value rotated;
  if (interleaved) {
    SmallVector<int64_t> pairShape = {batch, seq, heads, half, 1};
    rotated = n.reshape(
        concatLast(n, {n.reshape(real, pairShape), n.reshape(imag, pairShape)}),
        {batch, seq, heads, rotary});
  } else {
    rotated = concatLast(n, {real, imag});
  }
  if (rotary < head)
    rotated = concatLast(n, {rotated, sliceLast(n, x, rotary, head - rotary, 1)});
  n.setOutput(0, rank == 4 ? n.transpose(rotated, {0, 2, 1, 3})
                           : n.reshape(rotated, type.getShape()));
  return success();
}

/// [B, S, H*D] -> [B, H, S, D], or a 4-d input as it is.
FailureOr<Value> toHeads(NodeImporter &n, Value v, int64_t heads,
                         StringRef what) {
  RankedTensorType t = typeOf(v);
  if (t.getRank() == 4)
    return v;
  if (heads <= 0 || t.getDimSize(2) % heads != 0)
    return n.error() << "Attention's 3-d " << what << " of hidden size "
                     << t.getDimSize(2) << " needs " << (what == "Q" ? "q" : "kv")
                     << "_num_heads dividing it, got " << heads;
  Value split = n.reshape(v, {t.getDimSize(0), t.getDimSize(1), heads,
                              t.getDimSize(2) / heads});
  return n.transpose(split, {0, 2, 1, 3});
}

/// softmax(Q K^T * scale [softcapped] + mask) V with grouped kv heads
/// repeated, past keys and values prepended, and a causal mask that lets
/// query i see keys up to i + the past length.
LogicalResult importAttention(NodeImporter &n) {
  Math m{n};
  RankedTensorType qType = n.inputType(0);
  int64_t rank = qType.getRank();
  if (rank != 3 && rank != 4)
    return n.error() << "Attention's Q must have rank 3 or 4, got "
                     << shapeToString(qType.getShape());
  for (size_t i : {1, 2})
    if (n.inputType(i).getRank() != rank ||
        n.inputType(i).getElementType() != qType.getElementType())
      return n.error() << "Attention's Q, K and V must have one rank and "
                          "element type";
  if (n.hasInput(6))
    return n.error() << "Attention's nonpad_kv_seqlen input is not supported";
  if (n.wantsOutput(3))
    return n.error()
           << "Attention's qk_matmul_output (output 3) is not supported";
  if (n.hasInput(4) != n.hasInput(5))
    return n.error() << "Attention needs past_key and past_value together";
  FailureOr<Value> q = toHeads(n, n.input(0), n.intAttr("q_num_heads", 0), "Q");
  if (failed(q))
    return failure();
  FailureOr<Value> k = toHeads(n, n.input(1), n.intAttr("kv_num_heads", 0), "K");
  if (failed(k))
    return failure();
  FailureOr<Value> v = toHeads(n, n.input(2), n.intAttr("kv_num_heads", 0), "V");
  if (failed(v))
    return failure();
  auto concatSeq = [&](Value past, Value now) -> FailureOr<Value> {
    RankedTensorType a = typeOf(past), b = typeOf(now);
    if (a.getRank() != 4 || a.getDimSize(0) != b.getDimSize(0) ||
        a.getDimSize(1) != b.getDimSize(1) ||
        a.getDimSize(3) != b.getDimSize(3) ||
        a.getElementType() != b.getElementType())
      return n.error() << "Attention's past of shape "
                       << shapeToString(a.getShape())
                       << " does not extend the present "
                       << shapeToString(b.getShape());
    SmallVector<int64_t> shape(b.getShape());
    shape[2] += a.getDimSize(2);
    return n.create<ConcatOp>(n.tensorType(shape, b.getElementType()),
                              ValueRange{past, now},
                              n.builder.getI64IntegerAttr(2));
  };
  int64_t past = 0;
  if (n.hasInput(4)) {
    past = n.inputType(4).getRank() == 4 ? n.inputType(4).getDimSize(2) : 0;
    FailureOr<Value> key = concatSeq(n.input(4), *k);
    if (failed(key))
      return failure();
    FailureOr<Value> value = concatSeq(n.input(5), *v);
    if (failed(value))
      return failure();
    k = key;
    v = value;
  }
  n.setOutput(1, *k);
  n.setOutput(2, *v);
  RankedTensorType qh = typeOf(*q), kh = typeOf(*k), vh = typeOf(*v);
  int64_t batch = qh.getDimSize(0), qHeads = qh.getDimSize(1),
          qLen = qh.getDimSize(2), headSize = qh.getDimSize(3);
  int64_t kvHeads = kh.getDimSize(1), kvLen = kh.getDimSize(2);
  if (kh.getDimSize(3) != headSize || vh.getDimSize(1) != kvHeads ||
      vh.getDimSize(2) != kvLen || kh.getDimSize(0) != batch ||
      vh.getDimSize(0) != batch || qHeads % kvHeads != 0)
    return n.error() << "Attention's Q " << shapeToString(qh.getShape())
                     << ", K " << shapeToString(kh.getShape()) << " and V "
                     << shapeToString(vh.getShape())
                     << " (as [batch, heads, seq, head]) do not agree";
  // Grouped-query attention: kv head h serves q heads h*r .. h*r+r-1.
  auto repeat = [&](Value kv) {
    int64_t r = qHeads / kvHeads;
    if (r == 1)
      return kv;
    RankedTensorType t = typeOf(kv);
    SmallVector<int64_t> shape(t.getShape());
    shape.insert(shape.begin() + 2, 1);
    Value lifted = n.reshape(kv, shape);
    shape[2] = r;
    Value wide = n.create<BroadcastOp>(n.tensorType(shape, t.getElementType()),
                                       lifted);
    return n.reshape(wide, {batch, qHeads, t.getDimSize(2), t.getDimSize(3)});
  };
  Value keys = repeat(*k), values = repeat(*v);
  double scale = 1.0 / std::sqrt(double(headSize));
  if (n.attr("scale"))
    scale = n.floatAttr("scale", 1.0f);
  FailureOr<Value> scores =
      buildMatMul(n, m.mul(*q, m.c(*q, scale)),
                  n.transpose(keys, {0, 1, 3, 2}));
  if (failed(scores))
    return failure();
  Value s = *scores;
  float softcap = n.floatAttr("softcap", 0.0f);
  if (softcap > 0)
    s = m.mul(m.un<TanhOp>(m.mul(s, m.c(s, 1.0 / softcap))), m.c(s, softcap));
  Value negInf = n.extremeLike(s, false);
  if (n.hasInput(3)) {
    RankedTensorType maskType = n.inputType(3);
    auto merged = broadcastShapes(maskType.getShape(), typeOf(s).getShape());
    if (!merged || ArrayRef<int64_t>(*merged) != typeOf(s).getShape())
      return n.error() << "Attention's attn_mask of shape "
                       << shapeToString(maskType.getShape())
                       << " does not broadcast to the scores' shape "
                       << shapeToString(typeOf(s).getShape());
    if (maskType.getElementType().isInteger(1))
      s = m.select(n.input(3), s, negInf);
    else if (maskType.getElementType() == qType.getElementType())
      s = m.add(s, n.input(3));
    else
      return n.error() << "Attention's attn_mask must be bool or "
                       << qType.getElementType() << ", got "
                       << maskType.getElementType();
  }
  if (n.intAttr("is_causal", 0) != 0) {
    SmallVector<bool> visible;
    for (int64_t i = 0; i < qLen; ++i)
      for (int64_t j = 0; j < kvLen; ++j)
        visible.push_back(j <= i + past);
    Value causal = n.constant(DenseElementsAttr::get(
        n.tensorType({qLen, kvLen}, n.builder.getI1Type()), ArrayRef(visible)));
    s = m.select(causal, s, negInf);
  }
  Value probs = n.create<SoftmaxOp>(s.getType(), s,
                                    n.builder.getI64IntegerAttr(3), UnitAttr());
  FailureOr<Value> out = buildMatMul(n, probs, values);
  if (failed(out))
    return failure();
  Value y = *out;
  if (rank == 3) {
    int64_t vSize = typeOf(y).getDimSize(3);
    y = n.reshape(n.transpose(y, {0, 2, 1, 3}),
                  {batch, qLen, qHeads * vSize});
  }
  n.setOutput(0, y);
  return success();
}

} // namespace

void mlir::pp::registerTransformerImporters(OpImporterTable &t) {
  t["RMSNormalization"] = requireInputs(2, importRmsNorm);
  t["RotaryEmbedding"] = requireInputs(3, importRotaryEmbedding);
  t["Attention"] = requireInputs(3, importAttention);
}
