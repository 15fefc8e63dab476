//===- PPDimRules.cpp - the dim rules of each graph op -------------------===//
//
// DimRulesInterface for the graph ops that are not plain broadcasting:
// which dims an op contracts, reduces or reads across, and how a
// transpose, slice, concat, gather or reshape moves the others.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/IR/PPDialect.h"

using namespace mlir;
using namespace mlir::pp;

static ArrayRef<int64_t> shapeOf(Value v) {
  return cast<ShapedType>(v.getType()).getShape();
}

/// Rules of an op with one operand and a result of the same shape, whose
/// dims in `whole` the op reads across (`verb`) and whose others are
/// parallel.
static DimRules sameShape(Value input, ArrayRef<int64_t> whole,
                          StringRef verb) {
  DimRules rules;
  TensorFactors dims(shapeOf(input).size());
  for (auto [d, extent] : llvm::enumerate(shapeOf(input))) {
    if (extent == 1)
      continue;
    bool across = llvm::is_contained(whole, int64_t(d));
    dims[d].push_back(rules.addFactor(
        extent, across ? FactorKind::Whole : FactorKind::Parallel,
        across ? verb : StringRef()));
  }
  rules.operands.push_back(dims);
  rules.results.push_back(dims);
  return rules;
}

/// The dims from `first` to the last one.
static SmallVector<int64_t> trailingDims(int64_t first, int64_t rank) {
  SmallVector<int64_t> dims;
  for (int64_t d = first; d < rank; ++d)
    dims.push_back(d);
  return dims;
}

/// Norm parameters (scale, bias) have the shape of the normalized dims and
/// share their factors.
static void addNormParameters(DimRules &rules, Operation *op, StringRef role) {
  const TensorFactors &input = rules.operands.front();
  for (Value parameter : op->getOperands().drop_front()) {
    int64_t rank = shapeOf(parameter).size();
    rules.operands.push_back(TensorFactors(
        input.end() - std::min<int64_t>(rank, input.size()), input.end()));
    rules.operandRoles.push_back(role);
  }
}

DimRules MatMulOp::getDimRules() {
  ArrayRef<int64_t> a = shapeOf(getLhs()), b = shapeOf(getRhs());
  ArrayRef<int64_t> c = shapeOf(getResult());
  DimRules rules;
  // Leading dims broadcast like an elementwise op's.
  TensorFactors result = rules.freshDims(c.drop_back(2));
  auto batchDims = [&](ArrayRef<int64_t> shape) {
    TensorFactors dims(shape.size());
    int64_t shift = result.size() - shape.size();
    for (auto [d, extent] : llvm::enumerate(shape))
      if (extent != 1)
        dims[d] = result[d + shift];
    return dims;
  };
  TensorFactors lhs = batchDims(a.drop_back(2));
  TensorFactors rhs = batchDims(b.drop_back(2));
  TensorFactors rows = rules.freshDims(a[a.size() - 2]);
  TensorFactors inner =
      rules.freshDims(a.back(), FactorKind::Reduction, "contracts over");
  TensorFactors columns = rules.freshDims(b.back());
  lhs.append({rows[0], inner[0]});
  rhs.append({inner[0], columns[0]});
  result.append({rows[0], columns[0]});
  rules.operands = {lhs, rhs};
  rules.results = {result};
  rules.operandRoles = {"lhs", "rhs"};
  return rules;
}

DimRules SoftmaxOp::getDimRules() {
  return sameShape(getInput(), {int64_t(getDim())}, "over");
}

DimRules LayerNormOp::getDimRules() {
  int64_t rank = shapeOf(getInput()).size();
  DimRules rules =
      sameShape(getInput(), trailingDims(getDim(), rank), "normalizes over");
  rules.operandRoles.push_back("");
  addNormParameters(rules, *this, "scale or bias");
  return rules;
}

DimRules RmsNormOp::getDimRules() {
  int64_t rank = shapeOf(getInput()).size();
  DimRules rules =
      sameShape(getInput(), trailingDims(rank - 1, rank), "normalizes over");
  rules.operandRoles.push_back("");
  addNormParameters(rules, *this, "scale");
  return rules;
}

DimRules ReduceOp::getDimRules() {
  DimRules rules;
  TensorFactors in, out;
  for (auto [d, extent] : llvm::enumerate(shapeOf(getInput()))) {
    bool reduced = llvm::is_contained(getDims(), int64_t(d));
    DimFactors dim;
    if (extent != 1)
      dim.push_back(rules.addFactor(
          extent, reduced ? FactorKind::Reduction : FactorKind::Parallel,
          reduced ? "over" : ""));
    in.push_back(dim);
    if (!reduced)
      out.push_back(dim);
    else if (getKeepdims())
      out.push_back({});
  }
  rules.operands.push_back(in);
  rules.results.push_back(out);
  return rules;
}

DimRules ReshapeOp::getDimRules() {
  DimRules rules;
  rules.addReshape(shapeOf(getInput()), shapeOf(getResult()));
  return rules;
}

DimRules TransposeOp::getDimRules() {
  DimRules rules;
  TensorFactors in = rules.freshDims(shapeOf(getInput()));
  TensorFactors out;
  for (int64_t p : getPerm())
    out.push_back(in[p]);
  rules.operands.push_back(in);
  rules.results.push_back(out);
  return rules;
}

DimRules SliceOp::getDimRules() {
  ArrayRef<int64_t> in = shapeOf(getInput()), out = shapeOf(getResult());
  DimRules rules;
  TensorFactors inDims(in.size()), outDims(out.size());
  for (size_t d = 0; d < in.size(); ++d) {
    // A dim taken whole and in order is the same index in and out.
    if (getStarts()[d] == 0 && getSteps()[d] == 1 && in[d] == out[d]) {
      if (in[d] != 1)
        inDims[d] = outDims[d] = {rules.addFactor(in[d])};
      continue;
    }
    if (in[d] != 1)
      inDims[d] = {rules.addFactor(in[d], FactorKind::Whole, "of part of")};
    if (out[d] != 1)
      outDims[d] = {rules.addFactor(out[d], FactorKind::Whole, "of part of")};
  }
  rules.operands.push_back(inDims);
  rules.results.push_back(outDims);
  return rules;
}

DimRules ConcatOp::getDimRules() {
  int64_t axis = getDim();
  ArrayRef<int64_t> out = shapeOf(getResult());
  DimRules rules;
  // Every dim but the joined one is shared; each input has its own part of
  // the joined dim, and the result the whole of it.
  TensorFactors result =
      rules.freshDims(out, FactorKind::Parallel, /*verb=*/{}, axis);
  for (Value input : getInputs()) {
    TensorFactors dims(result);
    dims[axis] =
        rules.freshDims(shapeOf(input)[axis], FactorKind::Whole, "along")[0];
    rules.operands.push_back(dims);
  }
  result[axis] = rules.freshDims(out[axis], FactorKind::Whole, "along")[0];
  rules.results.push_back(result);
  return rules;
}

namespace {
/// The factors of a gather (or of its adjoint, scatter_add): the table,
/// read across `axis`, the indices, and the picked slices
/// table[:axis] ++ indices ++ table[axis+1:].
struct IndexedFactors {
  TensorFactors table, indices, picked;
};
} // namespace

static IndexedFactors indexedFactors(DimRules &rules, ArrayRef<int64_t> table,
                                     ArrayRef<int64_t> indices, int64_t axis,
                                     FactorKind indexKind, StringRef indexVerb) {
  IndexedFactors f;
  f.table = rules.freshDims(table, FactorKind::Parallel, /*verb=*/{}, axis);
  f.table[axis] = rules.freshDims(table[axis], FactorKind::Whole, "along")[0];
  f.indices = rules.freshDims(indices, indexKind, indexVerb);
  f.picked.assign(f.table.begin(), f.table.begin() + axis);
  f.picked.append(f.indices.begin(), f.indices.end());
  f.picked.append(f.table.begin() + axis + 1, f.table.end());
  return f;
}

DimRules GatherOp::getDimRules() {
  DimRules rules;
  IndexedFactors f =
      indexedFactors(rules, shapeOf(getInput()), shapeOf(getIndices()),
                     getDim(), FactorKind::Parallel, /*indexVerb=*/{});
  rules.operands = {f.table, f.indices};
  rules.results = {f.picked};
  return rules;
}

DimRules TriluOp::getDimRules() {
  int64_t rank = shapeOf(getInput()).size();
  // The triangle is relative to row and column indices.
  return sameShape(getInput(), trailingDims(rank - 2, rank), "over");
}

DimRules ScatterAddOp::getDimRules() {
  // Gather's factors with the table as the result; the updates are summed
  // over the index dims.
  DimRules rules;
  IndexedFactors f =
      indexedFactors(rules, shapeOf(getResult()), shapeOf(getIndices()),
                     getDim(), FactorKind::Reduction, "sums over");
  rules.operands = {f.picked, f.indices};
  rules.results = {f.table};
  return rules;
}

DimRules CrossEntropyOp::getDimRules() {
  // A scalar from every position and every class.
  DimRules rules;
  TensorFactors labels = rules.freshDims(shapeOf(getLabels()),
                                         FactorKind::Reduction, "averages over");
  TensorFactors logits = labels;
  logits.push_back(rules.freshDims(shapeOf(getLogits()).take_back(),
                                   FactorKind::Whole, "normalizes over")[0]);
  rules.operands = {logits, labels};
  rules.results = {TensorFactors()};
  return rules;
}
