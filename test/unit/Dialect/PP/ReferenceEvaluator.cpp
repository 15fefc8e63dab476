//===- ReferenceEvaluator.cpp - pp graphs on f64 buffers ------------------===//

#include "ReferenceEvaluator.h"

#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/ShapeUtils.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::pp;
using mlir::pp::test::RefTensor;

namespace {

SmallVector<int64_t> shapeOfValue(Value v) {
  return llvm::to_vector(cast<ShapedType>(v.getType()).getShape());
}

bool isIntegerValue(Value v) {
  return cast<ShapedType>(v.getType()).getElementType().isIntOrIndex();
}

RefTensor zerosOf(Value v) {
  RefTensor t{shapeOfValue(v), {}};
  t.data.assign(numElements(t.shape), 0.0);
  return t;
}

/// The multi-index of row-major position `linear` in `shape`.
SmallVector<int64_t> unravel(int64_t linear, ArrayRef<int64_t> shape) {
  SmallVector<int64_t> index(shape.size());
  for (int64_t d = shape.size() - 1; d >= 0; --d) {
    index[d] = linear % shape[d];
    linear /= shape[d];
  }
  return index;
}

int64_t offsetOf(ArrayRef<int64_t> index, ArrayRef<int64_t> strides) {
  int64_t offset = 0;
  for (auto [i, s] : llvm::zip_equal(index, strides))
    offset += i * s;
  return offset;
}

/// out[i] = fn(operands read with numpy broadcasting at i).
RefTensor broadcastMap(Value result, ArrayRef<const RefTensor *> operands,
                       llvm::function_ref<double(ArrayRef<double>)> fn) {
  RefTensor out = zerosOf(result);
  SmallVector<SmallVector<int64_t>> strides;
  for (const RefTensor *t : operands)
    strides.push_back(broadcastStrides(t->shape, out.shape));
  SmallVector<double> args(operands.size());
  for (int64_t i = 0; i < int64_t(out.data.size()); ++i) {
    SmallVector<int64_t> index = unravel(i, out.shape);
    for (size_t k = 0; k < operands.size(); ++k)
      args[k] = operands[k]->data[offsetOf(index, strides[k])];
    out.data[i] = fn(args);
  }
  return out;
}

double unary(Operation *op, double x) {
  return llvm::TypeSwitch<Operation *, double>(op)
      .Case([&](NegOp) { return -x; })
      .Case([&](AbsOp) { return std::fabs(x); })
      .Case([&](ExpOp) { return std::exp(x); })
      .Case([&](LogOp) { return std::log(x); })
      .Case([&](SqrtOp) { return std::sqrt(x); })
      .Case([&](ReciprocalOp) { return 1.0 / x; })
      .Case([&](ErfOp) { return std::erf(x); })
      .Case([&](TanhOp) { return std::tanh(x); })
      .Case([&](SigmoidOp) { return 1.0 / (1.0 + std::exp(-x)); })
      .Case([&](ReluOp) { return x > 0 ? x : 0.0; })
      .Case([&](SinOp) { return std::sin(x); })
      .Case([&](CosOp) { return std::cos(x); })
      .Case([&](FloorOp) { return std::floor(x); })
      .Case([&](CeilOp) { return std::ceil(x); })
      .Case([&](NotOp) { return x == 0 ? 1.0 : 0.0; })
      .Default([](Operation *) { return NAN; });
}

double binary(Operation *op, double a, double b) {
  bool integer = isIntegerValue(op->getResult(0));
  return llvm::TypeSwitch<Operation *, double>(op)
      .Case([&](AddOp) { return a + b; })
      .Case([&](SubOp) { return a - b; })
      .Case([&](MulOp) { return a * b; })
      .Case([&](DivOp) { return integer ? std::trunc(a / b) : a / b; })
      .Case([&](PowOp) { return std::pow(a, b); })
      .Case([&](MaxOp) { return std::max(a, b); })
      .Case([&](MinOp) { return std::min(a, b); })
      .Case([&](EqualOp) { return double(a == b); })
      .Case([&](LessOp) { return double(a < b); })
      .Case([&](GreaterOp) { return double(a > b); })
      .Case([&](AndOp) { return double(a != 0 && b != 0); })
      .Case([&](OrOp) { return double(a != 0 || b != 0); })
      .Default([](Operation *) { return NAN; });
}

RefTensor constantOf(ConstantOp op) {
  RefTensor out = zerosOf(op.getResult());
  auto value = cast<DenseElementsAttr>(op.getValue());
  if (isa<FloatType>(value.getElementType())) {
    for (auto [i, v] : llvm::enumerate(value.getValues<APFloat>()))
      out.data[i] = v.convertToDouble();
  } else {
    bool isBool = value.getElementType().isInteger(1);
    for (auto [i, v] : llvm::enumerate(value.getValues<APInt>()))
      out.data[i] = isBool ? double(v.getBoolValue()) : double(v.getSExtValue());
  }
  return out;
}

/// out[..., i, ...] over `dims` combined by `kind`.
RefTensor reduce(ReduceOp op, const RefTensor &in) {
  RefTensor out = zerosOf(op.getResult());
  ArrayRef<int64_t> dims = op.getDims();
  SmallVector<int64_t> kept(in.shape);
  int64_t count = 1;
  for (int64_t d : dims) {
    count *= kept[d];
    kept[d] = 1;
  }
  std::vector<double> acc(numElements(kept));
  std::vector<bool> started(acc.size(), false);
  SmallVector<int64_t> keptStrides = rowMajorStrides(kept);
  for (int64_t i = 0; i < int64_t(in.data.size()); ++i) {
    SmallVector<int64_t> index = unravel(i, in.shape);
    for (int64_t d : dims)
      index[d] = 0;
    int64_t o = offsetOf(index, keptStrides);
    double x = in.data[i];
    if (!started[o]) {
      acc[o] = x;
      started[o] = true;
      continue;
    }
    switch (op.getKind()) {
    case ReduceKind::sum:
    case ReduceKind::mean:
      acc[o] += x;
      break;
    case ReduceKind::max:
      acc[o] = std::max(acc[o], x);
      break;
    case ReduceKind::min:
      acc[o] = std::min(acc[o], x);
      break;
    case ReduceKind::prod:
      acc[o] *= x;
      break;
    }
  }
  if (op.getKind() == ReduceKind::mean)
    for (double &v : acc)
      v /= double(count);
  out.data = acc;
  return out;
}

/// Calls fn(rowOffset, stride) for each row of `shape` along the dims from
/// `first` on, flattened: the elements rowOffset + j * stride,
/// j < product(shape[first:]).
void forEachRow(ArrayRef<int64_t> shape, int64_t first,
                llvm::function_ref<void(int64_t)> fn) {
  int64_t inner = numElements(shape.drop_front(first));
  int64_t outer = numElements(shape.take_front(first));
  for (int64_t r = 0; r < outer; ++r)
    fn(r * inner);
}

RefTensor softmax(SoftmaxOp op, const RefTensor &in) {
  RefTensor out = zerosOf(op.getResult());
  int64_t dim = op.getDim();
  int64_t n = in.shape[dim];
  int64_t stride = numElements(ArrayRef<int64_t>(in.shape).drop_front(dim + 1));
  for (int64_t i = 0; i < int64_t(in.data.size()); ++i) {
    if (unravel(i, in.shape)[dim] != 0)
      continue;
    double max = -INFINITY, sum = 0;
    for (int64_t j = 0; j < n; ++j)
      max = std::max(max, in.data[i + j * stride]);
    for (int64_t j = 0; j < n; ++j)
      sum += std::exp(in.data[i + j * stride] - max);
    for (int64_t j = 0; j < n; ++j) {
      double shifted = in.data[i + j * stride] - max;
      out.data[i + j * stride] =
          op.getLog() ? shifted - std::log(sum) : std::exp(shifted) / sum;
    }
  }
  return out;
}

/// Layer norm over dims `first..` (centered) or RMS norm over the last.
RefTensor normalize(Value result, const RefTensor &x, int64_t first,
                    bool centered, double epsilon, const RefTensor &scale,
                    const RefTensor *bias) {
  RefTensor out = zerosOf(result);
  int64_t n = numElements(ArrayRef<int64_t>(x.shape).drop_front(first));
  forEachRow(x.shape, first, [&](int64_t row) {
    double mean = 0, var = 0;
    if (centered) {
      for (int64_t j = 0; j < n; ++j)
        mean += x.data[row + j];
      mean /= n;
    }
    for (int64_t j = 0; j < n; ++j)
      var += (x.data[row + j] - mean) * (x.data[row + j] - mean);
    var /= n;
    double rstd = 1.0 / std::sqrt(var + epsilon);
    for (int64_t j = 0; j < n; ++j)
      out.data[row + j] = (x.data[row + j] - mean) * rstd * scale.data[j] +
                          (bias ? bias->data[j] : 0.0);
  });
  return out;
}

RefTensor matmul(MatMulOp op, const RefTensor &a, const RefTensor &b) {
  RefTensor out = zerosOf(op.getResult());
  ArrayRef<int64_t> shape = out.shape;
  int64_t rank = shape.size(), m = shape[rank - 2], n = shape[rank - 1];
  int64_t k = a.shape.back();
  ArrayRef<int64_t> batch = shape.drop_back(2);
  SmallVector<int64_t> aStrides = broadcastStrides(
      ArrayRef<int64_t>(a.shape).drop_back(2), batch);
  SmallVector<int64_t> bStrides = broadcastStrides(
      ArrayRef<int64_t>(b.shape).drop_back(2), batch);
  for (int64_t bi = 0; bi < numElements(batch); ++bi) {
    SmallVector<int64_t> index = unravel(bi, batch);
    int64_t aBase = offsetOf(index, aStrides) * m * k;
    int64_t bBase = offsetOf(index, bStrides) * k * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0;
        for (int64_t p = 0; p < k; ++p)
          sum += a.data[aBase + i * k + p] * b.data[bBase + p * n + j];
        out.data[(bi * m + i) * n + j] = sum;
      }
  }
  return out;
}

/// Where element `picked` of a gather's result (a scatter's updates) is in
/// the table: `picked` is table[:dim] ++ indices ++ table[dim+1:], and a
/// negative index counts from the end.
int64_t tableOffset(ArrayRef<int64_t> picked, int64_t dim,
                    const RefTensor &indices, ArrayRef<int64_t> table) {
  int64_t rankI = indices.shape.size();
  SmallVector<int64_t> at(picked.begin() + dim, picked.begin() + dim + rankI);
  int64_t index = int64_t(indices.data[offsetOf(at, rowMajorStrides(indices.shape))]);
  SmallVector<int64_t> position(picked.begin(), picked.begin() + dim);
  position.push_back(index < 0 ? index + table[dim] : index);
  position.append(picked.begin() + dim + rankI, picked.end());
  return offsetOf(position, rowMajorStrides(table));
}

RefTensor gather(GatherOp op, const RefTensor &in, const RefTensor &indices) {
  RefTensor out = zerosOf(op.getResult());
  for (int64_t i = 0; i < int64_t(out.data.size()); ++i)
    out.data[i] = in.data[tableOffset(unravel(i, out.shape), op.getDim(),
                                      indices, in.shape)];
  return out;
}

RefTensor scatterAdd(ScatterAddOp op, const RefTensor &updates,
                     const RefTensor &indices) {
  RefTensor out = zerosOf(op.getResult());
  for (int64_t i = 0; i < int64_t(updates.data.size()); ++i)
    out.data[tableOffset(unravel(i, updates.shape), op.getDim(), indices,
                         out.shape)] += updates.data[i];
  return out;
}

RefTensor crossEntropy(CrossEntropyOp op, const RefTensor &logits,
                       const RefTensor &labels) {
  RefTensor out = zerosOf(op.getResult());
  int64_t v = logits.shape.back();
  double total = 0;
  int64_t count = 0;
  for (int64_t r = 0; r < int64_t(labels.data.size()); ++r) {
    int64_t label = int64_t(labels.data[r]);
    if (label == int64_t(op.getIgnoreIndex()))
      continue;
    const double *row = &logits.data[r * v];
    double max = -INFINITY, sum = 0;
    for (int64_t j = 0; j < v; ++j)
      max = std::max(max, row[j]);
    for (int64_t j = 0; j < v; ++j)
      sum += std::exp(row[j] - max);
    total += max + std::log(sum) - row[label];
    ++count;
  }
  out.data[0] = count ? total / double(count) : 0.0;
  return out;
}

/// Evaluates one op on its operands' values.
llvm::Expected<RefTensor> evaluateOp(Operation *op,
                                     ArrayRef<const RefTensor *> in,
                                     const llvm::StringMap<RefTensor> &weights) {
  Value result = op->getResult(0);
  auto elementwise = [&](llvm::function_ref<double(ArrayRef<double>)> fn) {
    return broadcastMap(result, in, fn);
  };
  if (auto weight = dyn_cast<WeightOp>(op)) {
    auto it = weights.find(weight.getName());
    if (it == weights.end())
      return llvm::createStringError("no value for weight '" +
                                     weight.getName().str() + "'");
    return it->second;
  }
  if (auto constant = dyn_cast<ConstantOp>(op))
    return constantOf(constant);
  if (isa<CastOp>(op)) {
    Type to = cast<ShapedType>(result.getType()).getElementType();
    return elementwise([&](ArrayRef<double> x) {
      if (to.isInteger(1))
        return double(x[0] != 0);
      return to.isIntOrIndex() ? std::trunc(x[0]) : x[0];
    });
  }
  if (op->hasTrait<mlir::pp::OpTrait::Elementwise>() && op->getNumOperands() == 1)
    return elementwise([&](ArrayRef<double> x) { return unary(op, x[0]); });
  if (isa<SelectOp>(op))
    return elementwise(
        [](ArrayRef<double> x) { return x[0] != 0 ? x[1] : x[2]; });
  if (op->hasTrait<mlir::pp::OpTrait::Elementwise>() && op->getNumOperands() == 2)
    return elementwise(
        [&](ArrayRef<double> x) { return binary(op, x[0], x[1]); });
  if (auto broadcast = dyn_cast<BroadcastOp>(op))
    return elementwise([](ArrayRef<double> x) { return x[0]; });
  if (auto matmulOp = dyn_cast<MatMulOp>(op))
    return matmul(matmulOp, *in[0], *in[1]);
  if (auto softmaxOp = dyn_cast<SoftmaxOp>(op))
    return softmax(softmaxOp, *in[0]);
  if (auto norm = dyn_cast<LayerNormOp>(op))
    return normalize(result, *in[0], norm.getDim(), /*centered=*/true,
                     norm.getEpsilon().convertToDouble(), *in[1],
                     in.size() > 2 ? in[2] : nullptr);
  if (auto norm = dyn_cast<RmsNormOp>(op))
    return normalize(result, *in[0], in[0]->shape.size() - 1,
                     /*centered=*/false, norm.getEpsilon().convertToDouble(),
                     *in[1], nullptr);
  if (auto reduceOp = dyn_cast<ReduceOp>(op))
    return reduce(reduceOp, *in[0]);
  if (isa<ReshapeOp>(op)) {
    RefTensor out = *in[0];
    out.shape = shapeOfValue(result);
    return out;
  }
  if (auto transpose = dyn_cast<TransposeOp>(op)) {
    RefTensor out = zerosOf(result);
    SmallVector<int64_t> inStrides = rowMajorStrides(in[0]->shape);
    for (int64_t i = 0; i < int64_t(out.data.size()); ++i) {
      SmallVector<int64_t> index = unravel(i, out.shape), src(index.size());
      for (auto [d, p] : llvm::enumerate(transpose.getPerm()))
        src[p] = index[d];
      out.data[i] = in[0]->data[offsetOf(src, inStrides)];
    }
    return out;
  }
  if (auto slice = dyn_cast<SliceOp>(op)) {
    RefTensor out = zerosOf(result);
    SmallVector<int64_t> inStrides = rowMajorStrides(in[0]->shape);
    for (int64_t i = 0; i < int64_t(out.data.size()); ++i) {
      SmallVector<int64_t> index = unravel(i, out.shape);
      for (size_t d = 0; d < index.size(); ++d)
        index[d] = slice.getStarts()[d] + index[d] * slice.getSteps()[d];
      out.data[i] = in[0]->data[offsetOf(index, inStrides)];
    }
    return out;
  }
  if (auto concat = dyn_cast<ConcatOp>(op)) {
    RefTensor out = zerosOf(result);
    SmallVector<int64_t> outStrides = rowMajorStrides(out.shape);
    int64_t dim = concat.getDim(), offset = 0;
    for (const RefTensor *t : in) {
      for (int64_t i = 0; i < int64_t(t->data.size()); ++i) {
        SmallVector<int64_t> index = unravel(i, t->shape);
        index[dim] += offset;
        out.data[offsetOf(index, outStrides)] = t->data[i];
      }
      offset += t->shape[dim];
    }
    return out;
  }
  if (auto gatherOp = dyn_cast<GatherOp>(op))
    return gather(gatherOp, *in[0], *in[1]);
  if (auto scatter = dyn_cast<ScatterAddOp>(op))
    return scatterAdd(scatter, *in[0], *in[1]);
  if (auto trilu = dyn_cast<TriluOp>(op)) {
    RefTensor out = *in[0];
    int64_t rank = out.shape.size();
    for (int64_t i = 0; i < int64_t(out.data.size()); ++i) {
      SmallVector<int64_t> index = unravel(i, out.shape);
      int64_t row = index[rank - 2], col = index[rank - 1];
      bool keep = trilu.getUpper() ? col - row >= int64_t(trilu.getK())
                                   : col - row <= int64_t(trilu.getK());
      if (!keep)
        out.data[i] = 0;
    }
    return out;
  }
  if (auto loss = dyn_cast<CrossEntropyOp>(op))
    return crossEntropy(loss, *in[0], *in[1]);
  return llvm::createStringError("reference evaluator: no semantics for " +
                                 op->getName().getStringRef().str());
}

} // namespace

llvm::Expected<std::vector<RefTensor>>
mlir::pp::test::evaluate(func::FuncOp func, ArrayRef<RefTensor> args,
                   const llvm::StringMap<RefTensor> &weights) {
  llvm::DenseMap<Value, RefTensor> values;
  Block &body = func.getBody().front();
  if (args.size() != body.getNumArguments())
    return llvm::createStringError("wrong number of arguments");
  for (auto [arg, value] : llvm::zip_equal(body.getArguments(), args)) {
    if (value.shape != shapeOfValue(arg))
      return llvm::createStringError("argument shape mismatch");
    values[arg] = value;
  }
  for (Operation &op : body) {
    SmallVector<const RefTensor *> in;
    for (Value operand : op.getOperands()) {
      auto it = values.find(operand);
      if (it == values.end())
        return llvm::createStringError("operand of an unsupported op");
      in.push_back(&it->second);
    }
    if (isa<func::ReturnOp>(op)) {
      std::vector<RefTensor> results;
      for (const RefTensor *t : in)
        results.push_back(*t);
      return results;
    }
    llvm::Expected<RefTensor> out = evaluateOp(&op, in, weights);
    if (!out)
      return out.takeError();
    if (out->shape != shapeOfValue(op.getResult(0)))
      return llvm::createStringError(
          "result shape mismatch in " + op.getName().getStringRef().str());
    values[op.getResult(0)] = std::move(*out);
  }
  return llvm::createStringError("function has no return");
}
