//===- ImportContext.h - state while importing one ONNX graph ---*- C++ -*-===//
//
// What an op importer sees: the node, its inputs as pp values (or folded
// constants), its attributes with ONNX defaults, and a builder whose
// locations point at the node. One small importer function per ONNX op
// family lives in lib/Import/Ops*.cpp and registers in an OpImporterTable.
//
//===----------------------------------------------------------------------===//

#ifndef PP_LIB_IMPORT_IMPORTCONTEXT_H
#define PP_LIB_IMPORT_IMPORTCONTEXT_H

#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Support/OnnxModel.h"

#include "llvm/ADT/StringMap.h"

#include <functional>

namespace mlir::pp {

/// The decoded ONNX structs (plain C++, shared with the runtime).
namespace onnx = ::pp::onnx;

class NodeImporter;
using OpImporter = std::function<LogicalResult(NodeImporter &)>;
/// ONNX op type -> importer (default domain).
using OpImporterTable = llvm::StringMap<OpImporter>;

void registerElementwiseImporters(OpImporterTable &table);
void registerLinalgImporters(OpImporterTable &table);
void registerShapeImporters(OpImporterTable &table);
void registerReductionImporters(OpImporterTable &table);
void registerEinsumImporter(OpImporterTable &table);
void registerMathImporters(OpImporterTable &table);
void registerIndexImporters(OpImporterTable &table);
void registerTransformerImporters(OpImporterTable &table);

/// The element type for an ONNX data type, or null when pp has none.
Type convertDataType(MLIRContext *context, onnx::DataType type);

/// Reads a small tensor (an initializer, a Constant's value) into an
/// attribute; emits a diagnostic at `loc` on failure.
FailureOr<DenseElementsAttr> loadConstant(MLIRContext *context,
                                          const onnx::TensorRef &tensor,
                                          Location loc);

/// The value of graph input `info` read from the .npy file `path`
/// (`--const-input`); `boundShape` is its --input-shape binding, if any.
/// Emits a diagnostic at `loc` naming the input when the file is unreadable
/// or its dtype or shape disagrees with the input.
FailureOr<DenseElementsAttr>
loadConstInput(MLIRContext *context, const onnx::ValueInfo &info,
               const std::string &path, const std::vector<int64_t> *boundShape,
               Location loc);

class NodeImporter;
/// a x b with numpy matmul semantics (OpsLinalg.cpp).
FailureOr<Value> buildMatMul(NodeImporter &n, Value a, Value b);

/// Wraps an importer with a check that the node has at least `count`
/// inputs present, reported against the node.
OpImporter requireInputs(size_t count, OpImporter importer);

/// Importing one node: access to its inputs and attributes, and helpers that
/// build pp ops (folding constants as they go) at the node's location.
class NodeImporter {
public:
  NodeImporter(const onnx::Node &node, int64_t opset, OpBuilder &builder,
               Location loc, llvm::StringMap<Value> &values)
      : node(node), opset(opset), builder(builder), loc(loc), values(values) {}

  const onnx::Node &node;
  const int64_t opset;
  OpBuilder &builder;
  const Location loc;

  //--- Diagnostics ---------------------------------------------------------
  /// An error at the node; the driver prefixes the node name and op type.
  InFlightDiagnostic error() { return emitError(loc); }

  //--- Inputs --------------------------------------------------------------
  size_t numInputs() const;
  /// True when input `i` is present (not omitted, not "").
  bool hasInput(size_t i) const;
  Value input(size_t i) const;
  RankedTensorType inputType(size_t i) const;
  /// The input's values when it is a constant after folding.
  DenseElementsAttr constantInput(size_t i) const;
  /// Integer values of a constant input; fails with a diagnostic that names
  /// the input when it is computed at run time.
  FailureOr<SmallVector<int64_t>> intsInput(size_t i, StringRef what);
  /// A scalar float of a constant input.
  FailureOr<double> floatInput(size_t i, StringRef what);

  //--- Attributes ----------------------------------------------------------
  const onnx::Attribute *attr(StringRef name) const;
  int64_t intAttr(StringRef name, int64_t fallback) const;
  float floatAttr(StringRef name, float fallback) const;
  std::string stringAttr(StringRef name, StringRef fallback) const;
  std::optional<SmallVector<int64_t>> intsAttr(StringRef name) const;

  //--- Outputs -------------------------------------------------------------
  size_t numOutputs() const { return node.outputs.size(); }
  /// True when output `i` is consumed by name (non-empty).
  bool wantsOutput(size_t i) const;
  void setOutput(size_t i, Value value);

  //--- Building ------------------------------------------------------------
  template <typename OpTy, typename... Args>
  Value create(Type resultType, Args &&...args) {
    return builder.createOrFold<OpTy>(loc, resultType,
                                      std::forward<Args>(args)...);
  }
  RankedTensorType tensorType(ArrayRef<int64_t> shape, Type element) const {
    return RankedTensorType::get(shape, element);
  }
  Value constant(DenseElementsAttr value);
  Value scalarLike(Value like, double value);
  /// The largest (or, with `largest` false, smallest) value of `like`'s
  /// element type as a scalar: +-inf for floats, the integer limits else.
  Value extremeLike(Value like, bool largest);
  /// A constant of `rank` dims, all 1 but `axis` of `size`, holding
  /// 0..size-1 along `axis` in `element` (an index grid for compares).
  Value iota(int64_t rank, int64_t axis, int64_t size, Type element);
  Value reshape(Value value, ArrayRef<int64_t> shape);
  Value transpose(Value value, ArrayRef<int64_t> perm);
  Value cast(Value value, Type element);
  /// A slice of `count` elements of dim `axis` starting at `start`, step 1.
  Value sliceDim(Value value, int64_t axis, int64_t start, int64_t count);
  /// A broadcasting elementwise binary op; fails with a diagnostic when the
  /// operand shapes or element types do not agree.
  template <typename OpTy> FailureOr<Value> binary(Value lhs, Value rhs);

  /// Normalises a possibly negative axis; fails with a diagnostic when out
  /// of range for `rank`.
  FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank,
                                   StringRef what = "axis");

private:
  void appendConstInputHint(InFlightDiagnostic &diag, Value value) const;
  FailureOr<Type> binaryResultType(Value lhs, Value rhs, bool predicate);
  llvm::StringMap<Value> &values;
};

template <typename OpTy>
FailureOr<Value> NodeImporter::binary(Value lhs, Value rhs) {
  constexpr bool predicate =
      std::is_same_v<OpTy, EqualOp> || std::is_same_v<OpTy, LessOp> ||
      std::is_same_v<OpTy, GreaterOp>;
  FailureOr<Type> type = binaryResultType(lhs, rhs, predicate);
  if (failed(type))
    return failure();
  return create<OpTy>(*type, lhs, rhs);
}

} // namespace mlir::pp

#endif // PP_LIB_IMPORT_IMPORTCONTEXT_H
