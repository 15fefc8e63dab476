//===- ElementwiseFusion.cpp - chains of elementwise ops as loops --------===//
//
// Each op's scalar semantics are spelled here once, in C that compiles both
// as host C++ and as CUDA device code.
//
//===----------------------------------------------------------------------===//

#include "ElementwiseFusion.h"

#include "CTypes.h"
#include "pp/Dialect/PP/IR/PPDialect.h"

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

Type elementOf(Value v) {
  return llvm::cast<ShapedType>(v.getType()).getElementType();
}

/// `name` for float, `name` without the f suffix for double.
std::string mathFn(StringRef floatName, Type element) {
  if (element.isF64())
    return floatName.drop_back().str();
  return floatName.str();
}

class LoopBuilder {
public:
  LoopBuilder(const llvm::DenseSet<Value> &fused, FusedLoop &loop)
      : fused(fused), loop(loop), os(loop.body) {}

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
            .Case([&](ExpOp) { return mathFn("expf", element) + "(" + a + ")"; })
            .Case([&](LogOp) { return mathFn("logf", element) + "(" + a + ")"; })
            .Case([&](SqrtOp) { return mathFn("sqrtf", element) + "(" + a + ")"; })
            .Case([&](ReciprocalOp) { return "(" + ct + ")1 / " + a; })
            .Case([&](ErfOp) { return mathFn("erff", element) + "(" + a + ")"; })
            .Case([&](TanhOp) { return mathFn("tanhf", element) + "(" + a + ")"; })
            .Case([&](SigmoidOp) {
              return "(" + ct + ")1 / ((" + ct + ")1 + " +
                     mathFn("expf", element) + "(-" + a + "))";
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
            .Case([&](PowOp) {
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
};

} // namespace

FusedLoop mlir::pp::buildFusedLoop(Operation *root,
                                   const llvm::DenseSet<Value> &fused) {
  FusedLoop loop;
  loop.root = root;
  LoopBuilder builder(fused, loop);
  std::string result = builder.emitOp(root);
  loop.body += "result = " + result + ";\n";
  return loop;
}
