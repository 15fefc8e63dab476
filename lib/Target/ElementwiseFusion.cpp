//===- ElementwiseFusion.cpp - chains of elementwise ops as loops --------===//
//
// Each op's scalar semantics are spelled here once, in C that compiles both
// as host C++ and as CUDA device code.
//
//===----------------------------------------------------------------------===//

#include "ElementwiseFusion.h"

#include "CTypes.h"
#include "ValueShapes.h"
#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/ShapeUtils.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::pp;

bool mlir::pp::isElementwise(Operation *op) {
  return op->hasTrait<pp::OpTrait::Elementwise>();
}

bool mlir::pp::isInlinedConstant(Value v) {
  DenseElementsAttr value;
  return matchPattern(v, m_Constant(&value)) && value.isSplat();
}

llvm::DenseSet<Value> mlir::pp::findFusedValues(ArrayRef<Operation *> ops) {
  llvm::DenseSet<Value> fused;
  for (Operation *op : ops) {
    if (!isElementwise(op) || !op->getResult(0).hasOneUse())
      continue;
    Operation *user = *op->getResult(0).getUsers().begin();
    if (isElementwise(user) && user->getBlock() == op->getBlock())
      fused.insert(op->getResult(0));
  }
  return fused;
}

namespace {

/// `name` for float, `name` without the f suffix for double.
std::string mathFn(StringRef floatName, Type element) {
  if (element.isF64())
    return floatName.drop_back().str();
  return floatName.str();
}

/// 2, 3 or 4 when `exponent` is that constant, else 0.
int64_t smallIntegerExponent(Value exponent) {
  DenseElementsAttr value;
  if (!isInlinedConstant(exponent) || !matchPattern(exponent, m_Constant(&value)))
    return 0;
  if (!llvm::isa<FloatType>(value.getElementType()))
    return 0;
  double e = value.getSplatValue<APFloat>().convertToDouble();
  return e == 2 || e == 3 || e == 4 ? int64_t(e) : 0;
}

/// exp, tanh and erf for float: pprt/VecMath.h's with `vectorMath`.
std::string vecMathFn(StringRef floatName, Type element, bool vectorMath) {
  if (vectorMath && !element.isF64())
    return "pprt::v" + floatName.str();
  return mathFn(floatName, element);
}

class LoopBuilder {
public:
  LoopBuilder(const llvm::DenseSet<Value> &fused, FusedLoop &loop,
              bool vectorMath)
      : fused(fused), loop(loop), os(loop.body), vectorMath(vectorMath) {}

  /// Emits statements computing `v` and returns the name holding it.
  std::string emit(Value v) {
    if (auto it = names.find(v); it != names.end())
      return it->second;
    std::string name;
    Operation *def = v.getDefiningOp();
    if (isInlinedConstant(v)) {
      DenseElementsAttr value;
      matchPattern(v, m_Constant(&value));
      name = literal(value, 0);
    } else if (def && fused.contains(v)) {
      name = emitOp(def);
    } else {
      loop.leaves.insert(v);
      name = "leaf" + std::to_string(loop.leaves.size() - 1);
    }
    names[v] = name;
    return name;
  }

  std::string emitOp(Operation *op) {
    SmallVector<std::string> args;
    for (Value operand : op->getOperands())
      args.push_back(emit(operand));
    Type element = elementOf(op->getResult(0));
    Type in = elementOf(op->getOperand(0));
    std::string ct = computeCType(element);
    std::string a = args[0], b = args.size() > 1 ? args[1] : "";
    std::string expr =
        llvm::TypeSwitch<Operation *, std::string>(op)
            .Case([&](NegOp) { return "-" + a; })
            .Case([&](AbsOp) {
              return llvm::isa<FloatType>(element)
                         ? mathFn("fabsf", element) + "(" + a + ")"
                         : "(" + a + " < 0 ? -" + a + " : " + a + ")";
            })
            .Case([&](ExpOp) { return vecMathFn("expf", element, vectorMath) + "(" + a + ")"; })
            .Case([&](LogOp) { return mathFn("logf", element) + "(" + a + ")"; })
            .Case([&](SqrtOp) { return mathFn("sqrtf", element) + "(" + a + ")"; })
            .Case([&](ReciprocalOp) { return "(" + ct + ")1 / " + a; })
            .Case([&](ErfOp) { return vecMathFn("erff", element, vectorMath) + "(" + a + ")"; })
            .Case([&](TanhOp) { return vecMathFn("tanhf", element, vectorMath) + "(" + a + ")"; })
            .Case([&](SigmoidOp) {
              return "(" + ct + ")1 / ((" + ct + ")1 + " +
                     vecMathFn("expf", element, vectorMath) + "(-" + a + "))";
            })
            .Case([&](ReluOp) {
              return "(" + a + " > 0 ? " + a + " : (" + ct + ")0)";
            })
            .Case([&](SinOp) { return mathFn("sinf", element) + "(" + a + ")"; })
            .Case([&](CosOp) { return mathFn("cosf", element) + "(" + a + ")"; })
            .Case([&](FloorOp) { return mathFn("floorf", element) + "(" + a + ")"; })
            .Case([&](CeilOp) { return mathFn("ceilf", element) + "(" + a + ")"; })
            .Case([&](NotOp) { return "!" + a; })
            .Case([&](CastOp) {
              if (element.isInteger(1))
                return "(" + a + " != 0)";
              (void)in;
              return "(" + ct + ")(" + a + ")";
            })
            .Case([&](AddOp) { return a + " + " + b; })
            .Case([&](SubOp) { return a + " - " + b; })
            .Case([&](MulOp) { return a + " * " + b; })
            .Case([&](DivOp) { return a + " / " + b; })
            .Case([&](PowOp pow) {
              // x^2, x^3, x^4 (GELU's tanh form cubes) as products: a powf
              // call would keep the loop from vectorising.
              if (int64_t e = smallIntegerExponent(pow.getOperand(1));
                  e && llvm::isa<FloatType>(element)) {
                std::string product = a;
                for (int64_t i = 1; i < e; ++i)
                  product += " * " + a;
                return "(" + product + ")";
              }
              if (llvm::isa<FloatType>(element))
                return mathFn("powf", element) + "(" + a + ", " + b + ")";
              return "(" + ct + ")pow((double)" + a + ", (double)" + b + ")";
            })
            // A NaN operand wins, as in numpy (a != a only for NaN).
            .Case([&](MaxOp) {
              return "(" + a + " > " + b + " || " + a + " != " + a + " ? " +
                     a + " : " + b + ")";
            })
            .Case([&](MinOp) {
              return "(" + a + " < " + b + " || " + a + " != " + a + " ? " +
                     a + " : " + b + ")";
            })
            .Case([&](EqualOp) { return a + " == " + b; })
            .Case([&](LessOp) { return a + " < " + b; })
            .Case([&](GreaterOp) { return a + " > " + b; })
            .Case([&](AndOp) { return a + " && " + b; })
            .Case([&](OrOp) { return a + " || " + b; })
            .Case([&](SelectOp) {
              return "(" + a + " ? " + b + " : " + args[2] + ")";
            })
            .Default([](Operation *) { return std::string(); });
    std::string name = "t" + std::to_string(temps++);
    os << ct << " " << name << " = " << expr << ";\n";
    return name;
  }

private:
  const llvm::DenseSet<Value> &fused;
  FusedLoop &loop;
  llvm::raw_string_ostream os;
  llvm::DenseMap<Value, std::string> names;
  int temps = 0;
  bool vectorMath;
};

} // namespace

FusedLoop mlir::pp::buildFusedLoop(Operation *root,
                                   const llvm::DenseSet<Value> &fused,
                                   bool vectorMath) {
  FusedLoop loop;
  loop.root = root;
  LoopBuilder builder(fused, loop, vectorMath);
  std::string result = builder.emitOp(root);
  loop.body += "result = " + result + ";\n";
  return loop;
}

LoopSpace
mlir::pp::coalesceLoopSpace(ArrayRef<int64_t> shape,
                            ArrayRef<SmallVector<int64_t>> leafShapes) {
  // Strides of the result (row-major) and of each leaf as read broadcast.
  SmallVector<SmallVector<int64_t>> strides{rowMajorStrides(shape)};
  for (const SmallVector<int64_t> &leaf : leafShapes)
    strides.push_back(numElements(leaf) == 1
                          ? SmallVector<int64_t>(shape.size(), 0)
                          : broadcastStrides(leaf, shape));
  LoopSpace space;
  SmallVector<SmallVector<int64_t>> merged(strides.size());
  for (auto [d, size] : llvm::enumerate(shape)) {
    if (size == 1)
      continue;
    bool contiguous =
        !space.dims.empty() && llvm::all_of(llvm::enumerate(strides), [&](
                                                auto s) {
          return merged[s.index()].back() == s.value()[d] * size;
        });
    if (contiguous) {
      space.dims.back() *= size;
      for (auto [k, s] : llvm::enumerate(strides))
        merged[k].back() = s[d];
      continue;
    }
    space.dims.push_back(size);
    for (auto [k, s] : llvm::enumerate(strides))
      merged[k].push_back(s[d]);
  }
  if (space.dims.empty()) {
    space.dims.push_back(1);
    for (SmallVector<int64_t> &m : merged)
      m.push_back(0);
  }
  space.leafStrides.assign(merged.begin() + 1, merged.end());
  return space;
}
