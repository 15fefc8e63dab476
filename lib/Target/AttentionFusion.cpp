//===- AttentionFusion.cpp - the attention pattern, matched ---------------===//

#include "AttentionFusion.h"

#include "ElementwiseFusion.h"
#include "ValueShapes.h"
#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/ShapeUtils.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::pp;

namespace {

constexpr double kDeadScore = pprt::kDeadAttentionScore;

StridedView identityView(Value v) {
  StridedView view;
  view.base = v;
  view.shape.assign(shapeOf(v).begin(), shapeOf(v).end());
  view.strides = rowMajorStrides(view.shape);
  view.groups.assign(view.shape.size(), 1);
  return view;
}

StridedView transposeView(const StridedView &in, ArrayRef<int64_t> perm) {
  StridedView out{in.base, in.offset, {}, {}, {}};
  for (int64_t p : perm) {
    out.shape.push_back(in.shape[p]);
    out.strides.push_back(in.strides[p]);
    out.groups.push_back(in.groups[p]);
  }
  return out;
}

/// Numpy broadcasting: shapes align on the right, dims of 1 stretch.
StridedView broadcastView(const StridedView &in, ArrayRef<int64_t> shape) {
  StridedView out{in.base, in.offset, llvm::to_vector(shape), {}, {}};
  int64_t lead = shape.size() - in.shape.size();
  for (int64_t d = 0; d < int64_t(shape.size()); ++d) {
    bool kept = d >= lead && in.shape[d - lead] == shape[d];
    out.strides.push_back(kept ? in.strides[d - lead] : 0);
    out.groups.push_back(kept ? in.groups[d - lead] : 1);
  }
  return out;
}

std::optional<StridedView> sliceView(const StridedView &in,
                                     ArrayRef<int64_t> starts,
                                     ArrayRef<int64_t> steps,
                                     ArrayRef<int64_t> shape) {
  StridedView out = in;
  out.shape.assign(shape.begin(), shape.end());
  for (size_t d = 0; d < shape.size(); ++d) {
    if (in.groups[d] != 1 && (starts[d] != 0 || steps[d] != 1))
      return std::nullopt;
    out.offset += starts[d] * in.strides[d];
    out.strides[d] *= steps[d];
  }
  return out;
}

std::optional<double> splatValue(Value v) {
  DenseElementsAttr value;
  if (!isInlinedConstant(v) || !matchPattern(v, m_Constant(&value)) ||
      !isa<FloatType>(value.getElementType()))
    return std::nullopt;
  return value.getSplatValue<APFloat>().convertToDouble();
}

/// A leaf the kernel reads from memory, one of its shape per score or
/// broadcast to them.
bool isMaskLeaf(Value leaf, Type element, ArrayRef<int64_t> scores,
                const llvm::DenseSet<Value> &fused) {
  ArrayRef<int64_t> s = shapeOf(leaf);
  if (fused.contains(leaf) || isInlinedConstant(leaf) ||
      elementOf(leaf) != element || s.size() > scores.size())
    return false;
  for (size_t d = 0; d < s.size(); ++d)
    if (s[d] != 1 && s[d] != scores[scores.size() - s.size() + d])
      return false;
  return true;
}

class Matcher {
public:
  Matcher(const llvm::DenseSet<Value> &fused,
          function_ref<bool(Type)> hasKernel,
          function_ref<bool(Operation *)> isAlias)
      : fused(fused), hasKernel(hasKernel), isAlias(isAlias) {}

  std::optional<AttentionSite> match(SoftmaxOp softmax);

private:
  bool walkScores(Value cur, bool scalesOnly);
  StridedView viewOf(Value v, bool mayAbsorb);
  bool outputView();
  bool collapseBatch();
  bool isCausal() const;

  const llvm::DenseSet<Value> &fused;
  function_ref<bool(Type)> hasKernel;
  function_ref<bool(Operation *)> isAlias;

  AttentionSite site;
  MatMulOp scoresMatmul, valuesMatmul;
  SmallVector<int64_t> scoreShape;
  StridedView addendView, keepView;
};

/// The elementwise ops between the scores matmul and the softmax, outermost
/// first: scales by a constant, then (in the order applied) at most one
/// additive mask and at most one select against a constant fill.
bool Matcher::walkScores(Value cur, bool scalesOnly) {
  if (!cur.hasOneUse() || shapeOf(cur) != ArrayRef<int64_t>(scoreShape))
    return false;
  if (auto m = cur.getDefiningOp<MatMulOp>()) {
    scoresMatmul = m;
    site.absorbed.push_back(cur);
    return true;
  }
  Operation *op = cur.getDefiningOp();
  if (!op || !isElementwise(op))
    return false;
  Type element = elementOf(cur);
  AttentionSite saved = site;
  site.absorbed.push_back(cur);
  if (isa<MulOp, DivOp>(op)) {
    for (unsigned i : {0u, 1u}) {
      if (i == 1 && isa<DivOp>(op))
        break;
      std::optional<double> factor = splatValue(op->getOperand(1 - i));
      if (!factor)
        continue;
      site.scale *= isa<DivOp>(op) ? 1 / *factor : *factor;
      if (walkScores(op->getOperand(i), true))
        return true;
      site = saved;
      site.absorbed.push_back(cur);
    }
    site = saved;
    return false;
  }
  if (scalesOnly)
    return false;
  if (isa<AddOp>(op) && !site.addend) {
    for (unsigned i : {0u, 1u}) {
      Value leaf = op->getOperand(1 - i);
      if (!isMaskLeaf(leaf, element, scoreShape, fused))
        continue;
      site.addend = leaf;
      if (walkScores(op->getOperand(i), false))
        return true;
      site = saved;
      site.absorbed.push_back(cur);
    }
  }
  auto s = dyn_cast<SelectOp>(op);
  if (s && !site.keep &&
      isMaskLeaf(s.getCondition(), elementOf(s.getCondition()), scoreShape,
                 fused) &&
      elementOf(s.getCondition()).isInteger(1)) {
    // The scores on either side, the fill on the other.
    for (bool inverted : {false, true}) {
      std::optional<double> fill =
          splatValue(inverted ? s.getLhs() : s.getRhs());
      if (!fill)
        continue;
      site.keep = s.getCondition();
      site.fill = *fill;
      site.shape.invertKeep = inverted;
      // Walking outside in: an add seen before is applied after.
      site.shape.selectFirst = bool(site.addend);
      if (walkScores(inverted ? s.getRhs() : s.getLhs(), false))
        return true;
      site = saved;
      site.absorbed.push_back(cur);
    }
  }
  site = saved;
  return false;
}

/// Reads `v` through the view ops that lead to it. An op whose result only
/// the kernel reads is absorbed (neither emitted nor given memory); below
/// an op that stays, only aliases (reshapes, folded transposes) are read
/// through, since an absorbed op would leave the kept one without input.
StridedView Matcher::viewOf(Value v, bool mayAbsorb) {
  Operation *def = v.getDefiningOp();
  if (!def || !isa<TransposeOp, ReshapeOp, BroadcastOp, SliceOp>(def))
    return identityView(v);
  bool absorb = mayAbsorb && v.hasOneUse();
  if (!absorb && !isAlias(def))
    return identityView(v);
  size_t mark = site.absorbed.size();
  std::optional<StridedView> view;
  if (auto t = dyn_cast<TransposeOp>(def))
    view = transposeView(viewOf(t.getInput(), absorb), t.getPerm());
  else if (auto r = dyn_cast<ReshapeOp>(def))
    view = reshapeView(viewOf(r.getInput(), absorb), shapeOf(v));
  else if (auto b = dyn_cast<BroadcastOp>(def))
    view = broadcastView(viewOf(b.getInput(), absorb), shapeOf(v));
  else if (auto s = dyn_cast<SliceOp>(def))
    view = sliceView(viewOf(s.getInput(), absorb), s.getStarts(), s.getSteps(),
                     shapeOf(v));
  if (!view) {
    // The op stays; so must what it reads.
    site.absorbed.truncate(mark);
    return identityView(v);
  }
  if (absorb)
    site.absorbed.push_back(v);
  return *view;
}

/// Writes through the transpose that merges the heads (after reshapes),
/// when the product with V has no other reader.
bool Matcher::outputView() {
  Value product = valuesMatmul.getResult();
  site.root = valuesMatmul;
  site.out = identityView(product);
  SmallVector<Value> chain{product};
  while (chain.back().hasOneUse() &&
         isa<ReshapeOp>(*chain.back().getUsers().begin()))
    chain.push_back(chain.back().getUsers().begin()->getResult(0));
  if (!chain.back().hasOneUse())
    return true;
  auto t = dyn_cast<TransposeOp>(*chain.back().getUsers().begin());
  if (!t || isAlias(t))
    return true;
  // Element x of the transpose's input lands at result index perm^-1(x).
  StridedView result = identityView(t.getResult());
  StridedView view = result;
  for (auto [d, p] : llvm::enumerate(t.getPerm())) {
    view.shape[p] = result.shape[d];
    view.strides[p] = result.strides[d];
  }
  for (size_t i = chain.size() - 1; i > 0; --i) {
    std::optional<StridedView> inner = reshapeView(view, shapeOf(chain[i - 1]));
    if (!inner)
      return true;
    view = *inner;
  }
  site.root = t;
  site.out = view;
  site.absorbed.append(chain.begin(), chain.end());
  return true;
}

/// Folds the score's batch dims into the kernel's (batch, head) pair: the
/// last one is the head, the others merge where every operand steps
/// through them evenly.
bool Matcher::collapseBatch() {
  ArrayRef<int64_t> batchShape = ArrayRef<int64_t>(scoreShape).drop_back(2);
  struct Operand {
    const StridedView *view;
    /// Its strides in pprt::AttentionShape: (batch, head, row, column).
    int64_t *strides;
    bool mayRepeat;
  };
  SmallVector<Operand> operands = {{&site.q, site.shape.q, false},
                                   {&site.k, site.shape.k, true},
                                   {&site.v, site.shape.v, true},
                                   {&site.out, site.shape.out, false}};
  if (site.addend)
    operands.push_back({&addendView, site.shape.addend, false});
  if (site.keep)
    operands.push_back({&keepView, site.shape.keep, false});
  SmallVector<int64_t> dims;
  for (auto [d, size] : llvm::enumerate(batchShape))
    if (size != 1)
      dims.push_back(d);
  int64_t groups[2] = {1, 1};
  for (auto [i, operand] : llvm::enumerate(operands)) {
    // Its batch dims aligned on the right with the score's.
    StridedView b = broadcastView(
        [&] {
          StridedView v = *operand.view;
          v.shape.resize(v.shape.size() - 2);
          v.strides.resize(v.shape.size());
          v.groups.resize(v.shape.size());
          return v;
        }(),
        batchShape);
    int64_t *s = operand.strides;
    std::fill(s, s + 4, 0);
    const StridedView &full = *operand.view;
    size_t rank = full.shape.size();
    if (full.groups[rank - 1] != 1 || full.groups[rank - 2] != 1)
      return false;
    s[2] = full.strides[rank - 2];
    s[3] = full.strides[rank - 1];
    if (dims.empty())
      continue;
    int64_t head = dims.back();
    s[1] = b.strides[head];
    int64_t group = b.strides[head] == 0 ? 0 : b.groups[head];
    if (!operand.mayRepeat && group > 1)
      return false;
    if (operand.mayRepeat)
      groups[i - 1] = group;
    for (size_t j = 0; j + 1 < dims.size(); ++j) {
      int64_t d = dims[j];
      if (b.groups[d] != 1)
        return false;
      if (j + 2 < dims.size() &&
          b.strides[d] != b.strides[dims[j + 1]] * batchShape[dims[j + 1]])
        return false;
    }
    if (dims.size() > 1)
      s[0] = b.strides[dims[dims.size() - 2]];
  }
  // K and V repeat their heads alike (a dim of stride 0 repeats any way).
  if (groups[0] && groups[1] && groups[0] != groups[1])
    return false;
  site.shape.kvGroup = std::max<int64_t>({groups[0], groups[1], 1});
  site.shape.heads = dims.empty() ? 1 : batchShape[dims.back()];
  site.shape.batch = 1;
  for (size_t j = 0; j + 1 < dims.size(); ++j)
    site.shape.batch *= batchShape[dims[j]];
  return site.shape.heads % site.shape.kvGroup == 0;
}

/// Whether constant masks hide exactly the keys after each query's
/// diagonal (their scores <= kDeadScore) and leave every query a key on or
/// before it.
bool Matcher::isCausal() const {
  int64_t shift = site.shape.keys - site.shape.queries;
  if (shift < 0 || (!site.addend && !site.keep))
    return false;
  auto lastTwo = [&](Value v, DenseElementsAttr &attr) {
    ArrayRef<int64_t> s = shapeOf(v);
    return s.size() >= 2 && s[s.size() - 2] == site.shape.queries &&
           s.back() == site.shape.keys && matchPattern(v, m_Constant(&attr));
  };
  DenseElementsAttr addend, keep;
  bool addendKnown = site.addend && lastTwo(site.addend, addend);
  bool keepKnown = site.keep && lastTwo(site.keep, keep);
  if ((site.addend && !addendKnown && !site.keep) ||
      (site.keep && !keepKnown && !site.addend))
    return false;
  // Per element of the masks: does it kill the score?
  SmallVector<double> adds;
  SmallVector<bool> keeps;
  if (addendKnown)
    for (APFloat x : addend.getValues<APFloat>())
      adds.push_back(x.convertToDouble());
  if (keepKnown)
    keeps.assign(keep.getValues<bool>().begin(), keep.getValues<bool>().end());
  if (addendKnown && keepKnown && adds.size() != keeps.size())
    return false;
  int64_t matrix = site.shape.queries * site.shape.keys;
  int64_t copies = std::max(adds.size(), keeps.size()) / matrix;
  for (int64_t c = 0; c < copies; ++c)
    for (int64_t i = 0; i < site.shape.queries; ++i) {
      bool rowLives = false;
      for (int64_t j = 0; j < site.shape.keys; ++j) {
        int64_t at = c * matrix + i * site.shape.keys + j;
        bool addDead = addendKnown && adds[at] <= kDeadScore;
        bool keepDead = keepKnown && keeps[at] == site.shape.invertKeep &&
                        site.fill <= kDeadScore;
        // (keep ? s + a : fill) dies with keep; (keep ? s : fill) + a with
        // the addend; either dies where both do.
        bool dead = site.shape.selectFirst
                        ? addDead || (keepDead && !site.addend)
                        : keepDead || (addDead &&
                                       (!site.keep || site.fill <= kDeadScore));
        if (dead != (j > i + shift))
          return false;
        rowLives |= !dead;
      }
      if (!rowLives)
        return false;
    }
  return true;
}

std::optional<AttentionSite> Matcher::match(SoftmaxOp softmax) {
  site = AttentionSite();
  Value probs = softmax.getResult();
  ArrayRef<int64_t> shape = shapeOf(probs);
  if (softmax.getLog() || shape.size() < 2 ||
      int64_t(softmax.getDim()) != int64_t(shape.size()) - 1 ||
      !probs.hasOneUse() || !hasKernel(elementOf(probs)))
    return std::nullopt;
  valuesMatmul = dyn_cast<MatMulOp>(*probs.getUsers().begin());
  if (!valuesMatmul || valuesMatmul.getLhs() != probs ||
      valuesMatmul.getRhs() == probs)
    return std::nullopt;
  scoreShape.assign(shape.begin(), shape.end());
  site.absorbed.push_back(probs);
  if (!walkScores(softmax.getInput(), false))
    return std::nullopt;
  Value query = scoresMatmul.getLhs(), keysT = scoresMatmul.getRhs(),
        values = valuesMatmul.getRhs();
  Type element = elementOf(probs);
  ArrayRef<int64_t> out = shapeOf(valuesMatmul.getResult());
  if (elementOf(query) != element || elementOf(keysT) != element ||
      elementOf(values) != element ||
      ArrayRef<int64_t>(out).drop_back(2) !=
          ArrayRef<int64_t>(scoreShape).drop_back(2) ||
      shapeOf(query).size() < 2 || shapeOf(keysT).size() < 2 ||
      shapeOf(values).size() < 2)
    return std::nullopt;
  site.shape.queries = shape[shape.size() - 2];
  site.shape.keys = shape.back();
  site.shape.depth = shapeOf(query).back();
  site.shape.valueDepth = out.back();

  site.q = viewOf(query, true);
  site.k = viewOf(keysT, true);
  // The kernel reads K by (key, depth): swap K^T's last two dims.
  std::swap(site.k.shape[site.k.shape.size() - 1],
            site.k.shape[site.k.shape.size() - 2]);
  std::swap(site.k.strides[site.k.strides.size() - 1],
            site.k.strides[site.k.strides.size() - 2]);
  std::swap(site.k.groups[site.k.groups.size() - 1],
            site.k.groups[site.k.groups.size() - 2]);
  site.v = viewOf(values, true);
  if (site.addend)
    addendView = broadcastView(identityView(site.addend), scoreShape);
  if (site.keep)
    keepView = broadcastView(identityView(site.keep), scoreShape);
  if (!outputView() || !collapseBatch())
    return std::nullopt;
  site.shape.causal = isCausal();
  return site;
}

} // namespace

std::optional<StridedView> mlir::pp::reshapeView(const StridedView &in,
                                                 ArrayRef<int64_t> shape) {
  if (int64_t(numElements(in.shape)) != int64_t(numElements(shape)))
    return std::nullopt;
  StridedView out{in.base, in.offset, llvm::to_vector(shape),
                  SmallVector<int64_t>(shape.size(), 0),
                  SmallVector<int64_t>(shape.size(), 1)};
  // Dims of size 1 step nowhere: matched without them.
  SmallVector<int64_t> ins, outs;
  for (auto [d, size] : llvm::enumerate(in.shape))
    if (size != 1)
      ins.push_back(d);
  for (auto [d, size] : llvm::enumerate(shape))
    if (size != 1)
      outs.push_back(d);
  size_t i = 0, o = 0;
  while (i < ins.size() && o < outs.size()) {
    // The smallest runs of dims on both sides with the same product.
    size_t i1 = i + 1, o1 = o + 1;
    int64_t inSize = in.shape[ins[i]], outSize = shape[outs[o]];
    while (inSize != outSize) {
      if (inSize < outSize) {
        if (i1 == ins.size())
          return std::nullopt;
        inSize *= in.shape[ins[i1++]];
      } else {
        if (o1 == outs.size())
          return std::nullopt;
        outSize *= shape[outs[o1++]];
      }
    }
    // A repeated last dim merged into one: indices repeat in groups.
    int64_t last = ins[i1 - 1];
    bool repeats = i1 - i >= 2 && o1 - o == 1 && in.strides[last] == 0 &&
                   in.groups[last] == 1;
    size_t mergeEnd = repeats ? i1 - 1 : i1;
    int64_t group = repeats ? in.shape[last] : 1;
    if (mergeEnd - i == 1 && o1 - o == 1 && !repeats)
      group = in.groups[ins[i]];
    else
      for (size_t k = i; k < mergeEnd; ++k)
        if (in.groups[ins[k]] != 1)
          return std::nullopt;
    for (size_t k = i; k + 1 < mergeEnd; ++k)
      if (in.strides[ins[k]] != in.strides[ins[k + 1]] * in.shape[ins[k + 1]])
        return std::nullopt;
    int64_t stride = in.strides[ins[mergeEnd - 1]];
    for (size_t k = o1; k-- > o;) {
      out.strides[outs[k]] = stride;
      stride *= shape[outs[k]];
    }
    out.groups[outs[o]] = o1 - o == 1 ? group : 1;
    i = i1;
    o = o1;
  }
  if (i != ins.size() || o != outs.size())
    return std::nullopt;
  return out;
}

std::vector<AttentionSite>
mlir::pp::findAttentions(ArrayRef<Operation *> ops,
                         const llvm::DenseSet<Value> &fused,
                         function_ref<bool(Type)> hasKernel,
                         function_ref<bool(Operation *)> isAlias) {
  std::vector<AttentionSite> sites;
  Matcher matcher(fused, hasKernel, isAlias);
  for (Operation *op : ops)
    if (auto softmax = dyn_cast<SoftmaxOp>(op))
      if (std::optional<AttentionSite> site = matcher.match(softmax))
        sites.push_back(std::move(*site));
  return sites;
}
