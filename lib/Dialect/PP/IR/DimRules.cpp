//===- DimRules.cpp - dims as products of factors -------------------------===//
//
// Building, querying and printing DimRules. The per-op rules are in
// PPDimRules.cpp; this file knows no op.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/IR/DimRules.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::pp;

static ArrayRef<int64_t> shapeOf(Value v) {
  return cast<ShapedType>(v.getType()).getShape();
}

unsigned DimRules::addFactor(int64_t extent, FactorKind kind, StringRef verb) {
  factors.push_back({extent, kind, verb});
  return factors.size() - 1;
}

TensorFactors DimRules::freshDims(ArrayRef<int64_t> shape, FactorKind kind,
                                  StringRef verb, int64_t skip) {
  TensorFactors dims(shape.size());
  for (auto [d, extent] : llvm::enumerate(shape))
    if (extent != 1 && int64_t(d) != skip)
      dims[d].push_back(addFactor(extent, kind, verb));
  return dims;
}

DimRules DimRules::broadcasting(Operation *op) {
  DimRules rules;
  for (Value result : op->getResults()) {
    ArrayRef<int64_t> shape = shapeOf(result);
    rules.results.push_back(rules.freshDims(shape));
    const TensorFactors &out = rules.results.back();
    for (Value operand : op->getOperands()) {
      ArrayRef<int64_t> in = shapeOf(operand);
      TensorFactors dims(in.size());
      // Shapes align on the right; a dim of 1 stretches.
      int64_t shift = shape.size() - in.size();
      for (auto [d, extent] : llvm::enumerate(in))
        if (extent != 1 && int64_t(d) + shift >= 0)
          dims[d] = out[d + shift];
      rules.operands.push_back(std::move(dims));
    }
  }
  return rules;
}

void DimRules::addReshape(ArrayRef<int64_t> in, ArrayRef<int64_t> out) {
  TensorFactors inDims(in.size()), outDims(out.size());
  bool empty = llvm::is_contained(in, 0) || llvm::is_contained(out, 0);
  // Cursor over the dims of one side, skipping dims of 1: the dim and what
  // is left of it.
  struct Cursor {
    ArrayRef<int64_t> shape;
    size_t dim = 0;
    int64_t left = 0;
    void next() {
      while (dim < shape.size() && shape[dim] == 1)
        ++dim;
      left = dim < shape.size() ? shape[dim] : 0;
    }
    bool done() const { return dim >= shape.size(); }
    void consume(int64_t extent) {
      left /= extent;
      if (left == 1) {
        ++dim;
        next();
      }
    }
  };
  Cursor a{in}, b{out};
  a.next();
  b.next();
  while (!empty && !a.done() && !b.done()) {
    if (a.left % b.left == 0 || b.left % a.left == 0) {
      // The smaller part divides the larger: one common factor.
      int64_t extent = std::min(a.left, b.left);
      unsigned f = addFactor(extent);
      inDims[a.dim].push_back(f);
      outDims[b.dim].push_back(f);
      a.consume(extent);
      b.consume(extent);
      continue;
    }
    // A tangle: take dims on either side until both cover the same
    // elements; each part is read across by the reshape.
    int64_t ea = 1, eb = 1;
    do {
      if (ea <= eb && !a.done()) {
        ea *= a.left;
        inDims[a.dim].push_back(addFactor(a.left, FactorKind::Whole, "mixes"));
        a.consume(a.left);
      } else if (!b.done()) {
        eb *= b.left;
        outDims[b.dim].push_back(addFactor(b.left, FactorKind::Whole, "mixes"));
        b.consume(b.left);
      } else {
        break; // unequal sizes: the verifier reports the reshape
      }
    } while (ea != eb && (!a.done() || !b.done()));
  }
  if (empty) {
    inDims = freshDims(in, FactorKind::Whole, "mixes");
    outDims = freshDims(out, FactorKind::Whole, "mixes");
  }
  operands.push_back(std::move(inDims));
  results.push_back(std::move(outDims));
}

std::optional<FactorPosition> DimRules::find(const TensorFactors &tensor,
                                             unsigned f) const {
  for (auto [d, dim] : llvm::enumerate(tensor)) {
    int64_t before = 1;
    for (unsigned g : dim) {
      if (g == f)
        return FactorPosition{int64_t(d), before};
      before *= factors[g].extent;
    }
  }
  return std::nullopt;
}

std::optional<std::pair<unsigned, int64_t>>
DimRules::locate(const TensorFactors &tensor, int64_t dim, int64_t before,
                 int64_t extent) const {
  int64_t start = 1;
  for (unsigned f : tensor[dim]) {
    int64_t end = start * factors[f].extent;
    if (before % start == 0 && end % (before * extent) == 0)
      return std::make_pair(f, before / start);
    start = end;
  }
  return std::nullopt;
}

bool DimRules::hasNoParallelDim(const TensorFactors &tensor) const {
  return llvm::all_of(tensor, [&](const DimFactors &dim) {
    return llvm::none_of(dim, [&](unsigned f) {
      return factors[f].kind == FactorKind::Parallel;
    });
  });
}

void DimRules::print(raw_ostream &os) const {
  // Letters in order of first appearance, so that printed rules read
  // left to right.
  llvm::DenseMap<unsigned, unsigned> names;
  SmallVector<unsigned> order;
  auto name = [&](unsigned f) {
    auto [it, inserted] = names.try_emplace(f, names.size());
    if (inserted)
      order.push_back(f);
    unsigned n = it->second;
    return n < 26 ? std::string(1, char('a' + n)) : "f" + std::to_string(n);
  };
  auto printTensor = [&](const TensorFactors &tensor) {
    os << "(";
    llvm::interleaveComma(tensor, os, [&](const DimFactors &dim) {
      if (dim.empty())
        os << "1";
      llvm::interleave(
          dim, os, [&](unsigned f) { os << name(f); }, "*");
    });
    os << ")";
  };
  if (operands.empty())
    os << "()";
  for (auto [i, tensor] : llvm::enumerate(operands)) {
    os << (i ? ", " : "");
    if (i < operandRoles.size() && !operandRoles[i].empty())
      os << operandRoles[i] << " ";
    printTensor(tensor);
  }
  os << " -> ";
  llvm::interleaveComma(results, os, printTensor);
  // Factors no tensor names are printed too, so that none goes unseen.
  for (unsigned f = 0; f < factors.size(); ++f)
    name(f);
  if (!order.empty())
    os << " where ";
  llvm::interleaveComma(order, os, [&](unsigned f) {
    const DimFactor &factor = factors[f];
    os << name(f) << "=" << factor.extent;
    if (factor.kind == FactorKind::Reduction)
      os << " reduction";
    else if (factor.kind == FactorKind::Whole)
      os << " whole";
    if (!factor.verb.empty())
      os << " \"" << factor.verb << "\"";
  });
}
