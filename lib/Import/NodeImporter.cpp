//===- NodeImporter.cpp - helpers for importing one ONNX node ------------===//

#include "ImportContext.h"

#include "pp/Dialect/PP/IR/ShapeUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace mlir;
using namespace mlir::pp;

Type mlir::pp::convertDataType(MLIRContext *context, onnx::DataType type) {
  using onnx::DataType;
  auto unsignedInt = [&](unsigned width) {
    return IntegerType::get(context, width, IntegerType::Unsigned);
  };
  switch (type) {
  case DataType::Float:
    return Float32Type::get(context);
  case DataType::Double:
    return Float64Type::get(context);
  case DataType::Float16:
    return Float16Type::get(context);
  case DataType::BFloat16:
    return BFloat16Type::get(context);
  case DataType::Bool:
    return IntegerType::get(context, 1);
  case DataType::Int8:
    return IntegerType::get(context, 8);
  case DataType::Int16:
    return IntegerType::get(context, 16);
  case DataType::Int32:
    return IntegerType::get(context, 32);
  case DataType::Int64:
    return IntegerType::get(context, 64);
  case DataType::UInt8:
    return unsignedInt(8);
  case DataType::UInt16:
    return unsignedInt(16);
  case DataType::UInt32:
    return unsignedInt(32);
  case DataType::UInt64:
    return unsignedInt(64);
  default:
    return {};
  }
}

FailureOr<DenseElementsAttr>
mlir::pp::loadConstant(MLIRContext *context, const onnx::TensorRef &tensor,
                       Location loc) {
  Type element = convertDataType(context, tensor.dtype);
  if (!element)
    return emitError(loc) << "tensor '" << tensor.name << "' has type "
                          << onnx::dataTypeName(tensor.dtype)
                          << ", which pp does not support";
  std::vector<char> bytes;
  std::string error;
  if (!onnx::loadTensorBytes(tensor, bytes, error))
    return emitError(loc) << error;
  auto type = RankedTensorType::get(tensor.dims, element);
  if (element.isInteger(1)) {
    // ONNX stores one byte per bool; MLIR packs bits.
    SmallVector<bool> bits;
    for (char byte : bytes)
      bits.push_back(byte != 0);
    return DenseElementsAttr::get(type, ArrayRef<bool>(bits));
  }
  return DenseElementsAttr::getFromRawBuffer(type, bytes);
}

OpImporter mlir::pp::requireInputs(size_t count, OpImporter importer) {
  return [count, importer](NodeImporter &n) -> LogicalResult {
    for (size_t i = 0; i < count; ++i)
      if (!n.hasInput(i))
        return n.error() << n.node.opType << " needs " << count
                         << " inputs; input " << i << " is missing";
    return importer(n);
  };
}

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

size_t NodeImporter::numInputs() const { return node.inputs.size(); }

bool NodeImporter::hasInput(size_t i) const {
  return i < node.inputs.size() && !node.inputs[i].empty();
}

Value NodeImporter::input(size_t i) const {
  return hasInput(i) ? values.lookup(node.inputs[i]) : Value();
}

RankedTensorType NodeImporter::inputType(size_t i) const {
  return llvm::cast<RankedTensorType>(input(i).getType());
}

DenseElementsAttr NodeImporter::constantInput(size_t i) const {
  DenseElementsAttr value;
  if (Value v = input(i); v && matchPattern(v, m_Constant(&value)))
    return value;
  return {};
}

/// Names the graph inputs `value` is computed from and suggests binding
/// them at compile time, which makes `value` fold to a constant.
void NodeImporter::appendConstInputHint(InFlightDiagnostic &diag,
                                        Value value) const {
  SmallVector<std::string> names;
  llvm::SmallPtrSet<Value, 16> seen;
  SmallVector<Value> stack = {value};
  while (!stack.empty()) {
    Value v = stack.pop_back_val();
    if (!seen.insert(v).second)
      continue;
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
      if (auto name = func ? func.getArgAttrOfType<StringAttr>(
                                 arg.getArgNumber(), "pp.name")
                           : StringAttr())
        names.push_back(name.str());
      continue;
    }
    llvm::append_range(stack, v.getDefiningOp()->getOperands());
  }
  if (names.empty())
    return;
  llvm::sort(names);
  diag << " from graph input" << (names.size() > 1 ? "s " : " ");
  for (auto [k, name] : llvm::enumerate(names))
    diag << (k ? ", '" : "'") << name << "'";
  diag << "; bind " << (names.size() > 1 ? "them" : "it")
       << " at compile time with";
  for (const std::string &name : names)
    diag << " --const-input " << name << "=FILE.npy";
}

FailureOr<SmallVector<int64_t>> NodeImporter::intsInput(size_t i,
                                                        StringRef what) {
  if (!hasInput(i)) {
    error() << "input " << i << " (" << what << ") is missing";
    return failure();
  }
  DenseElementsAttr value = constantInput(i);
  if (!value) {
    InFlightDiagnostic diag =
        error() << "input '" << node.inputs[i] << "' (" << what
                << ") must be an integer constant once shapes are folded, but "
                   "the graph computes it at run time";
    appendConstInputHint(diag, input(i));
    return failure();
  }
  if (!value.getElementType().isIntOrIndex()) {
    error() << "input '" << node.inputs[i] << "' (" << what
            << ") must have integer elements, got "
            << value.getElementType();
    return failure();
  }
  SmallVector<int64_t> result;
  for (APInt v : value.getValues<APInt>())
    result.push_back(v.getSExtValue());
  return result;
}

FailureOr<double> NodeImporter::floatInput(size_t i, StringRef what) {
  DenseElementsAttr value = constantInput(i);
  if (!value) {
    InFlightDiagnostic diag =
        error() << "input '" << node.inputs[i] << "' (" << what
                << ") must be a scalar constant once shapes are folded, but the "
                   "graph computes it at run time";
    appendConstInputHint(diag, input(i));
    return failure();
  }
  if (value.getNumElements() != 1) {
    error() << "input '" << node.inputs[i] << "' (" << what
            << ") must be a scalar, but has "
            << shapeToString(value.getType().getShape());
    return failure();
  }
  if (llvm::isa<FloatType>(value.getElementType())) {
    APFloat v = *value.getValues<APFloat>().begin();
    bool lost;
    v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
    return v.convertToDouble();
  }
  return double((*value.getValues<APInt>().begin()).getSExtValue());
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

const onnx::Attribute *NodeImporter::attr(StringRef name) const {
  return node.attr(name.str());
}

int64_t NodeImporter::intAttr(StringRef name, int64_t fallback) const {
  const onnx::Attribute *a = attr(name);
  return a ? a->i : fallback;
}

float NodeImporter::floatAttr(StringRef name, float fallback) const {
  const onnx::Attribute *a = attr(name);
  return a ? a->f : fallback;
}

std::string NodeImporter::stringAttr(StringRef name,
                                     StringRef fallback) const {
  const onnx::Attribute *a = attr(name);
  return a ? a->s : fallback.str();
}

std::optional<SmallVector<int64_t>>
NodeImporter::intsAttr(StringRef name) const {
  const onnx::Attribute *a = attr(name);
  if (!a)
    return std::nullopt;
  return SmallVector<int64_t>(a->ints.begin(), a->ints.end());
}

//===----------------------------------------------------------------------===//
// Outputs
//===----------------------------------------------------------------------===//

bool NodeImporter::wantsOutput(size_t i) const {
  return i < node.outputs.size() && !node.outputs[i].empty();
}

void NodeImporter::setOutput(size_t i, Value value) {
  if (wantsOutput(i))
    values[node.outputs[i]] = value;
}

//===----------------------------------------------------------------------===//
// Building
//===----------------------------------------------------------------------===//

Value NodeImporter::constant(DenseElementsAttr value) {
  return ConstantOp::create(builder, loc, value);
}

Value NodeImporter::scalarLike(Value like, double value) {
  Type element = llvm::cast<ShapedType>(like.getType()).getElementType();
  auto type = RankedTensorType::get({}, element);
  if (auto floatType = llvm::dyn_cast<FloatType>(element)) {
    APFloat v(value);
    bool lost;
    v.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
              &lost);
    return constant(DenseElementsAttr::get(type, v));
  }
  return constant(DenseElementsAttr::get(
      type, APInt(element.getIntOrFloatBitWidth(), int64_t(value),
                  /*isSigned=*/true, /*implicitTrunc=*/true)));
}

Value NodeImporter::extremeLike(Value like, bool largest) {
  Type element = llvm::cast<ShapedType>(like.getType()).getElementType();
  auto type = RankedTensorType::get({}, element);
  if (auto floatType = llvm::dyn_cast<FloatType>(element))
    return constant(DenseElementsAttr::get(
        type, APFloat::getInf(floatType.getFloatSemantics(), !largest)));
  unsigned width = element.getIntOrFloatBitWidth();
  bool isUnsigned = element.isUnsignedInteger() || width == 1;
  APInt v = isUnsigned ? (largest ? APInt::getMaxValue(width)
                                  : APInt::getMinValue(width))
                       : (largest ? APInt::getSignedMaxValue(width)
                                  : APInt::getSignedMinValue(width));
  return constant(DenseElementsAttr::get(type, v));
}

Value NodeImporter::iota(int64_t rank, int64_t axis, int64_t size,
                         Type element) {
  SmallVector<int64_t> shape(rank, 1);
  shape[axis] = size;
  auto type = RankedTensorType::get(shape, element);
  if (auto floatType = llvm::dyn_cast<FloatType>(element)) {
    SmallVector<APFloat> values;
    for (int64_t i = 0; i < size; ++i) {
      APFloat v(static_cast<double>(i));
      bool lost;
      v.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                &lost);
      values.push_back(v);
    }
    return constant(DenseElementsAttr::get(type, values));
  }
  SmallVector<APInt> values;
  for (int64_t i = 0; i < size; ++i)
    values.push_back(APInt(element.getIntOrFloatBitWidth(), i));
  return constant(DenseElementsAttr::get(type, values));
}

Value NodeImporter::reshape(Value value, ArrayRef<int64_t> shape) {
  Type element = llvm::cast<ShapedType>(value.getType()).getElementType();
  return create<ReshapeOp>(tensorType(shape, element), value);
}

Value NodeImporter::transpose(Value value, ArrayRef<int64_t> perm) {
  auto type = llvm::cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  return create<TransposeOp>(tensorType(shape, type.getElementType()), value,
                             builder.getDenseI64ArrayAttr(perm));
}

Value NodeImporter::cast(Value value, Type element) {
  auto type = llvm::cast<RankedTensorType>(value.getType());
  if (type.getElementType() == element)
    return value;
  return create<CastOp>(tensorType(type.getShape(), element), value);
}

Value NodeImporter::sliceDim(Value value, int64_t axis, int64_t start,
                             int64_t count) {
  auto type = llvm::cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> starts(type.getRank(), 0), steps(type.getRank(), 1);
  SmallVector<int64_t> shape(type.getShape());
  starts[axis] = start;
  shape[axis] = count;
  return create<SliceOp>(tensorType(shape, type.getElementType()), value,
                         builder.getDenseI64ArrayAttr(starts),
                         builder.getDenseI64ArrayAttr(steps));
}

FailureOr<Type> NodeImporter::binaryResultType(Value lhs, Value rhs,
                                               bool predicate) {
  auto a = llvm::cast<RankedTensorType>(lhs.getType());
  auto b = llvm::cast<RankedTensorType>(rhs.getType());
  if (a.getElementType() != b.getElementType()) {
    error() << "operand element types differ: " << a.getElementType()
            << " and " << b.getElementType();
    return failure();
  }
  auto shape = broadcastShapes(a.getShape(), b.getShape());
  if (!shape) {
    error() << "operand shapes " << shapeToString(a.getShape()) << " and "
            << shapeToString(b.getShape()) << " do not broadcast";
    return failure();
  }
  Type element = predicate ? builder.getI1Type() : a.getElementType();
  return Type(tensorType(*shape, element));
}

FailureOr<int64_t> NodeImporter::normalizeAxis(int64_t axis, int64_t rank,
                                               StringRef what) {
  int64_t normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized >= rank) {
    error() << what << " " << axis << " is out of range for rank " << rank;
    return failure();
  }
  return normalized;
}
