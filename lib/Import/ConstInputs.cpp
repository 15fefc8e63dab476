//===- ConstInputs.cpp - graph inputs bound at compile time --------------===//
//
// `--const-input NAME=FILE.npy` gives a graph input its value at compile
// time: a fixed mask, position ids, or the shape tensor of a Reshape. The
// input leaves @main's arguments and becomes a pp.constant before any node
// is imported, so the shape math that reads it folds like any constant.
// The file is read by the runtime's .npy reader (what `run --input` reads),
// and must hold exactly the input's element type and a shape that agrees
// with the declared one (or with its --input-shape binding).
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "pp/Dialect/PP/IR/ShapeUtils.h"
#include "pprt/Npy.h"

using namespace mlir;
using namespace mlir::pp;

// pprt::DType uses the ONNX numbering, so a .npy dtype compares directly
// with a graph input's data type.
static_assert(static_cast<int>(pprt::DType::F32) ==
                  static_cast<int>(onnx::DataType::Float) &&
              static_cast<int>(pprt::DType::I64) ==
                  static_cast<int>(onnx::DataType::Int64) &&
              static_cast<int>(pprt::DType::Bool) ==
                  static_cast<int>(onnx::DataType::Bool) &&
              static_cast<int>(pprt::DType::BF16) ==
                  static_cast<int>(onnx::DataType::BFloat16));

FailureOr<DenseElementsAttr>
mlir::pp::loadConstInput(MLIRContext *context, const onnx::ValueInfo &info,
                         const std::string &path,
                         const std::vector<int64_t> *boundShape,
                         Location loc) {
  std::string flag = "--const-input " + info.name;
  pprt::HostArray array;
  std::string error;
  if (!pprt::readNpy(path, array, error))
    return emitError(loc) << flag << ": " << error;
  if (static_cast<int>(array.dtype) != static_cast<int>(info.dtype))
    return emitError(loc) << flag << ": " << path << " holds "
                          << pprt::dtypeName(array.dtype)
                          << " but the graph input is "
                          << onnx::dataTypeName(info.dtype);
  ArrayRef<int64_t> shape = array.shape;
  if (boundShape) {
    if (ArrayRef<int64_t>(*boundShape) != shape)
      return emitError(loc) << flag << ": " << path << " has shape "
                            << shapeToString(shape)
                            << " but --input-shape gives "
                            << shapeToString(*boundShape);
  } else if (info.hasShape) {
    if (info.dims.size() != shape.size())
      return emitError(loc) << flag << ": " << path << " has rank "
                            << shape.size() << " but the model declares rank "
                            << info.dims.size();
    for (auto [d, dim] : llvm::enumerate(info.dims))
      if (dim.value >= 0 && dim.value != shape[d])
        return emitError(loc) << flag << ": " << path << " has dim " << d
                              << " = " << shape[d]
                              << " but the model fixes it to " << dim.value;
  }
  onnx::TensorRef tensor;
  tensor.name = info.name;
  tensor.dtype = info.dtype;
  tensor.dims = array.shape;
  tensor.length = array.data.size();
  tensor.decoded = std::move(array.data);
  return loadConstant(context, tensor, loc);
}
