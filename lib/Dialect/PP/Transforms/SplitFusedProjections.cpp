//===- SplitFusedProjections.cpp - one matmul per slice of a fused one ---===//
//
// GPT-2 computes Q, K and V with one matmul x·W[h, 3h] (+ b[3h]) and slices
// the last dim three ways. Splitting W's columns into T contiguous blocks
// would give a rank some Q columns and some K columns, so the fused form
// cannot be column-parallel. Rewritten as one matmul per slice against a
// region of W (a `pp.weight` with file_shape/region_starts), each slice is
// an ordinary projection, and the runtime still reads each rank's columns
// straight from the fused tensor in the file.
//
//===----------------------------------------------------------------------===//

#include "TensorParallelRewrites.h"

#include "pp/Dialect/PP/IR/DimRules.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::pp;

namespace {

ArrayRef<int64_t> shapeOf(Value v) {
  return llvm::cast<RankedTensorType>(v.getType()).getShape();
}

RankedTensorType withLastDim(Value v, int64_t size) {
  auto type = llvm::cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape.back() = size;
  return RankedTensorType::get(shape, type.getElementType());
}

/// A slice that keeps every dim but the last whole, with unit steps.
bool isLastDimSlice(SliceOp slice) {
  ArrayRef<int64_t> in = shapeOf(slice.getInput());
  ArrayRef<int64_t> out = shapeOf(slice.getResult());
  for (size_t d = 0; d + 1 < in.size(); ++d)
    if (slice.getStarts()[d] != 0 || in[d] != out[d])
      return false;
  return llvm::all_of(slice.getSteps(), [](int64_t s) { return s == 1; });
}

/// The other operand of `add` when it only adds along the last dim of
/// `product` (a bias of shape [n] or [1, ..., 1, n]).
Value biasOf(AddOp add, Value product) {
  Value bias = add.getLhs() == product ? add.getRhs() : add.getLhs();
  if (bias == product || !llvm::isa<RankedTensorType>(bias.getType()))
    return {};
  ArrayRef<int64_t> shape = shapeOf(bias);
  if (shape.empty() || shape.back() != shapeOf(product).back() ||
      shape.size() > shapeOf(product).size() ||
      !llvm::all_of(shape.drop_back(), [](int64_t d) { return d == 1; }))
    return {};
  return bias;
}

/// A weight for the part [start, start + size) of `w`'s last dim, inserted
/// after `after`. Regions compose: a region of a region reads the file.
/// The region is a parameter of its own, named after the file tensor and
/// the part in numpy's notation ("c_attn.weight[:, 64:128]"): training
/// updates it, and plan.txt lists it, apart from the other parts.
WeightOp weightRegion(OpBuilder &b, WeightOp w, Operation *after, int64_t start,
                      int64_t size) {
  ArrayRef<int64_t> shape = shapeOf(w.getResult());
  SmallVector<int64_t> fileShape(w.getFileShape().value_or(shape));
  SmallVector<int64_t> starts(shape.size(), 0);
  StringRef tensor = w.getName();
  if (std::optional<ArrayRef<int64_t>> old = w.getRegionStarts()) {
    starts.assign(old->begin(), old->end());
    tensor = tensor.rsplit('[').first; // named here
  }
  starts.back() += start;
  SmallVector<int64_t> sizes(shape);
  sizes.back() = size;
  std::string name = (tensor + "[").str();
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (d)
      name += ", ";
    if (starts[d] == 0 && sizes[d] == fileShape[d])
      name += ":";
    else
      name += std::to_string(starts[d]) + ":" +
              std::to_string(starts[d] + sizes[d]);
  }
  name += "]";
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointAfter(after);
  auto region = llvm::cast<WeightOp>(b.clone(*w));
  region.getResult().setType(withLastDim(w.getResult(), size));
  region.setName(name);
  region.setFileShapeAttr(b.getDenseI64ArrayAttr(fileShape));
  region.setRegionStartsAttr(b.getDenseI64ArrayAttr(starts));
  return region;
}

/// The part [start, start + size) of the bias's last dim: a region (after
/// `lastRegion`) when it is a weight, a folded constant when it is small,
/// else a pp.slice.
Value biasPart(OpBuilder &b, Value bias, Operation *&lastRegion, int64_t start,
               int64_t size) {
  if (auto w = bias.getDefiningOp<WeightOp>()) {
    lastRegion = weightRegion(b, w, lastRegion ? lastRegion : w, start, size);
    return lastRegion->getResult(0);
  }
  size_t rank = shapeOf(bias).size();
  SmallVector<int64_t> starts(rank, 0), steps(rank, 1);
  starts.back() = start;
  return b.createOrFold<SliceOp>(bias.getLoc(), withLastDim(bias, size), bias,
                                 b.getDenseI64ArrayAttr(starts),
                                 b.getDenseI64ArrayAttr(steps));
}

void eraseIfDead(Value v) {
  Operation *def = v.getDefiningOp();
  if (def && def->use_empty() && isa<WeightOp, ConstantOp>(def))
    def->erase();
}

/// The only dim that `slice` cuts (a proper part, unit steps), or -1 when it
/// cuts none or more than one.
int64_t onlyCutDim(SliceOp slice) {
  ArrayRef<int64_t> in = shapeOf(slice.getInput());
  ArrayRef<int64_t> out = shapeOf(slice.getResult());
  if (!llvm::all_of(slice.getSteps(), [](int64_t s) { return s == 1; }))
    return -1;
  int64_t cut = -1;
  for (size_t d = 0; d < in.size(); ++d) {
    if (in[d] == out[d])
      continue;
    if (cut >= 0)
      return -1;
    cut = d;
  }
  return cut;
}

SliceOp createSlice(OpBuilder &b, Location loc, Value input,
                    ArrayRef<int64_t> shape, ArrayRef<int64_t> starts,
                    ArrayRef<int64_t> steps) {
  auto type = llvm::cast<RankedTensorType>(input.getType());
  return SliceOp::create(b, loc,
                         RankedTensorType::get(shape, type.getElementType()),
                         input, b.getDenseI64ArrayAttr(starts),
                         b.getDenseI64ArrayAttr(steps));
}

/// `slice(transpose(x))` as `transpose(slice(x))`: the same cut on the dims
/// the permutation came from.
Value sliceBefore(OpBuilder &b, SliceOp slice, TransposeOp transpose) {
  ArrayRef<int64_t> perm = transpose.getPerm();
  ArrayRef<int64_t> out = shapeOf(slice.getResult());
  SmallVector<int64_t> starts(perm.size()), steps(perm.size()),
      shape(perm.size());
  for (auto [i, from] : llvm::enumerate(perm)) {
    starts[from] = slice.getStarts()[i];
    steps[from] = slice.getSteps()[i];
    shape[from] = out[i];
  }
  SliceOp cut = createSlice(b, slice.getLoc(), transpose.getInput(), shape,
                            starts, steps);
  return TransposeOp::create(b, transpose.getLoc(), slice.getResult().getType(),
                             cut.getResult(), transpose.getPermAttr());
}

/// `slice(reshape(x))` as `reshape(slice(x))` when the slice cuts one dim
/// that is one factor, the major factor of the dim of x it comes from (the
/// 3 of timm's (B, S, 3C) -> (B, S, 3, heads, d)): that part of x is then a
/// contiguous range of its dim. Null when it is not.
Value sliceBefore(OpBuilder &b, SliceOp slice, ReshapeOp reshape) {
  int64_t cut = onlyCutDim(slice);
  if (cut < 0)
    return {};
  DimRules rules = cast<DimRulesInterface>(*reshape).getDimRules();
  const DimFactors &factors = rules.results[0][cut];
  if (factors.size() != 1)
    return {};
  std::optional<FactorPosition> at =
      rules.find(rules.operands[0], factors.front());
  if (!at || !at->isMajor())
    return {};
  ArrayRef<int64_t> in = shapeOf(reshape.getInput());
  int64_t inner = in[at->dim] / rules.factor(factors.front()).extent;
  SmallVector<int64_t> starts(in.size(), 0), steps(in.size(), 1),
      shape(in);
  starts[at->dim] = slice.getStarts()[cut] * inner;
  shape[at->dim] = shapeOf(slice.getResult())[cut] * inner;
  SliceOp part =
      createSlice(b, slice.getLoc(), reshape.getInput(), shape, starts, steps);
  return ReshapeOp::create(b, reshape.getLoc(), slice.getResult().getType(),
                           part.getResult());
}

/// Moves the slices below a view of `value` (reshapes and transposes whose
/// only readers are slices) above it, so that `value` itself is sliced.
/// Code in the timm style views the fused QKV projection as
/// (B, S, 3, heads, d), permutes the 3 to the front and takes q, k and v
/// from it; after this they are last-dim slices of the projection, as in
/// GPT-2, and split the same way.
void hoistSlicesAboveViews(Value value) {
  for (Operation *view : llvm::to_vector(value.getUsers())) {
    if (!isa<ReshapeOp, TransposeOp>(view))
      continue;
    Value viewed = view->getResult(0);
    hoistSlicesAboveViews(viewed);
    if (viewed.use_empty() || !llvm::all_of(viewed.getUsers(), [](Operation *u) {
          return isa<SliceOp>(u);
        }))
      continue;
    SmallVector<std::pair<SliceOp, Value>> moved;
    for (Operation *user : viewed.getUsers()) {
      auto slice = cast<SliceOp>(user);
      OpBuilder b(slice);
      Value before = TypeSwitch<Operation *, Value>(view)
                         .Case([&](TransposeOp t) { return sliceBefore(b, slice, t); })
                         .Case([&](ReshapeOp r) { return sliceBefore(b, slice, r); });
      if (!before)
        break;
      moved.push_back({slice, before});
    }
    // All or nothing: a view that keeps one reader keeps the fused value
    // whole, so moving the others would only add ops.
    if (moved.size() != size_t(llvm::range_size(viewed.getUsers()))) {
      for (auto &[slice, before] : moved) {
        Operation *outer = before.getDefiningOp();
        Operation *inner = outer->getOperand(0).getDefiningOp();
        outer->erase();
        inner->erase();
      }
      continue;
    }
    for (auto &[slice, before] : moved) {
      slice.getResult().replaceAllUsesWith(before);
      slice.erase();
    }
    view->erase();
  }
}

void splitProjection(MatMulOp matmul) {
  auto w = matmul.getRhs().getDefiningOp<WeightOp>();
  if (!w || shapeOf(w.getResult()).size() != 2 || w.getSharding())
    return;
  Value fused = matmul.getResult();
  AddOp add;
  Value bias;
  if (fused.hasOneUse())
    if (auto user = dyn_cast<AddOp>(*fused.getUsers().begin()))
      if ((bias = biasOf(user, fused))) {
        add = user;
        fused = user.getResult();
      }
  hoistSlicesAboveViews(fused);
  SmallVector<SliceOp> slices;
  for (Operation *user : fused.getUsers()) {
    auto slice = dyn_cast<SliceOp>(user);
    if (!slice || !isLastDimSlice(slice))
      return;
    slices.push_back(slice);
  }
  if (slices.empty())
    return;
  // Use lists run newest first; keep Q, K, V in column order.
  llvm::sort(slices, [](SliceOp a, SliceOp b) {
    return a.getStarts().back() < b.getStarts().back();
  });

  OpBuilder b(matmul);
  Operation *lastRegion = w; // keeps the regions in slice order
  Operation *lastBiasRegion = nullptr;
  for (SliceOp slice : slices) {
    int64_t start = slice.getStarts().back();
    int64_t size = shapeOf(slice.getResult()).back();
    WeightOp region = weightRegion(b, w, lastRegion, start, size);
    lastRegion = region;
    b.setInsertionPoint(slice);
    auto product =
        MatMulOp::create(b, matmul.getLoc(), withLastDim(fused, size),
                         matmul.getLhs(), region.getResult());
    product->setDiscardableAttrs(matmul->getDiscardableAttrDictionary());
    Value part = product.getResult();
    if (add) {
      Value biasSlice = biasPart(b, bias, lastBiasRegion, start, size);
      bool biasFirst = add.getLhs() == bias;
      auto sum = AddOp::create(b, add.getLoc(), withLastDim(fused, size),
                               biasFirst ? biasSlice : part,
                               biasFirst ? part : biasSlice);
      sum->setDiscardableAttrs(add->getDiscardableAttrDictionary());
      part = sum.getResult();
    }
    slice.getResult().replaceAllUsesWith(part);
    slice.erase();
  }
  if (add)
    add.erase();
  matmul.erase();
  eraseIfDead(w.getResult());
  if (bias)
    eraseIfDead(bias);
}

} // namespace

void mlir::pp::splitFusedProjections(func::FuncOp func) {
  SmallVector<MatMulOp> matmuls;
  func.walk([&](MatMulOp op) { matmuls.push_back(op); });
  for (MatMulOp op : matmuls)
    splitProjection(op);
}
