//===- OpsEinsum.cpp - ONNX Einsum as transposes and one matmul ----------===//
//
// The equations transformers use ("bhqd,bhkd->bhqk", "bij,bjk->bik",
// "bid,jd->bij", ...) are batched matmuls in disguise. Letters are sorted
// into batch (in both operands and the output), contracted (both operands
// only), and free (one operand and the output); letters in one operand only
// are summed first. Each operand is then transposed to [batch, free,
// contracted] order and reshaped to 3-D, multiplied, and the product is
// reshaped and transposed into the output order. A letter repeated in one
// term takes a diagonal first, and "..." stands for as many dims as the
// operand has beyond its letters.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "pp/Dialect/PP/IR/ShapeUtils.h"

using namespace mlir;
using namespace mlir::pp;

namespace {

struct Operand {
  std::string letters;
  Value value;
  int64_t dimOf(char c) const {
    return llvm::cast<ShapedType>(value.getType())
        .getDimSize(letters.find(c));
  }
};

/// Sums away the letters of `op` that appear nowhere else.
void sumPrivateLetters(NodeImporter &n, Operand &op, StringRef others) {
  SmallVector<int64_t> dims;
  std::string kept;
  auto type = llvm::cast<RankedTensorType>(op.value.getType());
  SmallVector<int64_t> shape;
  for (auto [d, c] : llvm::enumerate(op.letters)) {
    if (others.contains(c)) {
      kept += c;
      shape.push_back(type.getDimSize(d));
    } else {
      dims.push_back(d);
    }
  }
  if (dims.empty())
    return;
  op.value = n.create<ReduceOp>(n.tensorType(shape, type.getElementType()),
                                ReduceKind::sum, op.value, dims,
                                /*keepdims=*/false);
  op.letters = kept;
}

/// Transposes `op` so its letters read `order`.
Value arrange(NodeImporter &n, const Operand &op, StringRef order) {
  SmallVector<int64_t> perm;
  for (char c : order)
    perm.push_back(op.letters.find(c));
  return n.transpose(op.value, perm);
}

int64_t product(const Operand &op, StringRef letters) {
  int64_t p = 1;
  for (char c : letters)
    p *= op.dimOf(c);
  return p;
}

/// Takes the diagonal of every letter `op` repeats ("ii" -> "i"): the two
/// dims move to the end, flatten to n*n elements, and a slice with step
/// n + 1 reads the diagonal.
LogicalResult takeDiagonals(NodeImporter &n, Operand &op) {
  for (size_t p = 0; p < op.letters.size(); ++p) {
    size_t q = op.letters.find(op.letters[p], p + 1);
    if (q == std::string::npos)
      continue;
    char c = op.letters[p];
    int64_t size = op.dimOf(c);
    int64_t other = llvm::cast<ShapedType>(op.value.getType()).getDimSize(q);
    if (other != size)
      return n.error() << "letter '" << c << "' has sizes " << size << " and "
                       << other << " in one operand";
    std::string rest;
    SmallVector<int64_t> perm, shape;
    for (size_t d = 0; d < op.letters.size(); ++d)
      if (d != p && d != q) {
        rest += op.letters[d];
        perm.push_back(d);
        shape.push_back(op.dimOf(op.letters[d]));
      }
    perm.append({int64_t(p), int64_t(q)});
    Value moved = n.transpose(op.value, perm);
    SmallVector<int64_t> flat(shape);
    flat.push_back(size * size);
    moved = n.reshape(moved, flat);
    auto type = llvm::cast<RankedTensorType>(moved.getType());
    SmallVector<int64_t> starts(type.getRank(), 0), steps(type.getRank(), 1);
    steps.back() = size + 1;
    shape.push_back(size);
    op.value = n.create<SliceOp>(n.tensorType(shape, type.getElementType()),
                                 moved, n.builder.getDenseI64ArrayAttr(starts),
                                 n.builder.getDenseI64ArrayAttr(steps));
    op.letters = rest + c;
    p = size_t(-1); // letters moved: start over
  }
  return success();
}

/// Spells "..." in `term` as the trailing `count` of `ellipsis` (digits,
/// which ONNX equations never use), numpy-aligned from the right.
std::string expandEllipsis(StringRef term, StringRef ellipsis,
                           int64_t count) {
  auto [before, after] = term.split("...");
  return (before + ellipsis.take_back(count) + after).str();
}

LogicalResult importEinsum(NodeImporter &n) {
  std::string equation;
  for (char c : n.stringAttr("equation", ""))
    if (c != ' ')
      equation += c;
  StringRef eq = equation, inputs, output;
  bool explicitOutput = eq.contains("->");
  std::tie(inputs, output) = eq.split("->");
  SmallVector<StringRef> terms;
  inputs.split(terms, ',');
  if (terms.size() != n.numInputs() || terms.size() > 2)
    return n.error() << "Einsum '" << equation << "' with " << n.numInputs()
                     << " inputs is not supported (one or two operands)";

  // Ellipsis dims get letters of their own.
  const StringRef ellipsis = "0123456789";
  int64_t ellipsisRank = 0;
  SmallVector<int64_t> ellipsisCounts;
  for (auto [i, term] : llvm::enumerate(terms)) {
    int64_t count = 0;
    if (term.contains("...")) {
      count = n.inputType(i).getRank() - (int64_t(term.size()) - 3);
      if (count < 0 || StringRef(term).split("...").second.contains("..."))
        return n.error() << "Einsum term '" << term
                         << "' does not match rank "
                         << n.inputType(i).getRank();
    }
    ellipsisCounts.push_back(count);
    ellipsisRank = std::max(ellipsisRank, count);
  }

  SmallVector<Operand> ops;
  std::string all;
  for (auto [i, term] : llvm::enumerate(terms)) {
    std::string letters =
        expandEllipsis(term, ellipsis.take_front(ellipsisRank),
                       ellipsisCounts[i]);
    if (int64_t(letters.size()) != n.inputType(i).getRank())
      return n.error() << "Einsum term '" << term << "' does not match rank "
                       << n.inputType(i).getRank();
    all += letters; // before diagonals: "ii" alone is a trace
    ops.push_back({letters, n.input(i)});
    if (failed(takeDiagonals(n, ops.back())))
      return failure();
  }
  std::string out;
  if (explicitOutput) {
    if (output.contains("...") && !inputs.contains("..."))
      return n.error() << "Einsum output '" << output
                       << "' has '...' but no input does";
    out = expandEllipsis(output, ellipsis.take_front(ellipsisRank),
                         ellipsisRank);
  } else {
    // Implicit output: the ellipsis dims, then the letters that appear
    // once, alphabetically.
    out = ellipsis.take_front(ellipsisRank).str();
    for (char c = 'A'; c <= 'z'; ++c)
      if (std::count(all.begin(), all.end(), c) == 1)
        out += c;
  }
  for (char c : out)
    if (std::count(out.begin(), out.end(), c) != 1)
      return n.error() << "output letter '" << c << "' appears twice";

  if (ops.size() == 1) {
    sumPrivateLetters(n, ops[0], out);
    n.setOutput(0, arrange(n, ops[0], out));
    return success();
  }

  Operand &a = ops[0], &b = ops[1];
  sumPrivateLetters(n, a, b.letters + out);
  sumPrivateLetters(n, b, a.letters + out);
  std::string batch, contracted, freeA, freeB;
  for (char c : out) {
    bool inA = a.letters.find(c) != std::string::npos;
    bool inB = b.letters.find(c) != std::string::npos;
    if (inA && inB)
      batch += c;
    else if (inA)
      freeA += c;
    else if (inB)
      freeB += c;
    else
      return n.error() << "output letter '" << c << "' is in no operand";
  }
  for (char c : a.letters)
    if (b.letters.find(c) != std::string::npos &&
        out.find(c) == std::string::npos)
      contracted += c;
  for (char c : batch + contracted)
    if (a.dimOf(c) != b.dimOf(c))
      return n.error() << "letter '" << c << "' has size " << a.dimOf(c)
                       << " in one operand and " << b.dimOf(c)
                       << " in the other";

  int64_t batchSize = product(a, batch), k = product(a, contracted);
  Value lhs = n.reshape(arrange(n, a, batch + freeA + contracted),
                        {batchSize, product(a, freeA), k});
  Value rhs = n.reshape(arrange(n, b, batch + contracted + freeB),
                        {batchSize, k, product(b, freeB)});
  FailureOr<Value> product3 = buildMatMul(n, lhs, rhs);
  if (failed(product3))
    return failure();
  Operand result{batch + freeA + freeB, Value()};
  SmallVector<int64_t> shape;
  for (char c : batch + freeA)
    shape.push_back(a.dimOf(c));
  for (char c : freeB)
    shape.push_back(b.dimOf(c));
  result.value = n.reshape(*product3, shape);
  n.setOutput(0, arrange(n, result, out));
  return success();
}

} // namespace

void mlir::pp::registerEinsumImporter(OpImporterTable &t) {
  t["Einsum"] = requireInputs(1, importEinsum);
}
