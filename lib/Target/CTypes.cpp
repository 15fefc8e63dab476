//===- CTypes.cpp - C spelling of pp element types and literals ----------===//

#include "CTypes.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mlir::pp;

std::string mlir::pp::storageCType(Type t) {
  if (t.isF32())
    return "float";
  if (t.isF64())
    return "double";
  if (t.isF16())
    return "__half";
  if (t.isBF16())
    return "__nv_bfloat16";
  if (t.isInteger(1))
    return "bool";
  if (auto i = llvm::dyn_cast<IntegerType>(t)) {
    unsigned w = i.getWidth();
    if (w != 8 && w != 16 && w != 32 && w != 64)
      return "";
    return (i.isUnsigned() ? "uint" : "int") + std::to_string(w) + "_t";
  }
  return "";
}

std::string mlir::pp::computeCType(Type t) {
  return t.isF16() || t.isBF16() ? "float" : storageCType(t);
}

std::string mlir::pp::runtimeDType(Type t) {
  if (t.isF32())
    return "pprt::DType::F32";
  if (t.isF64())
    return "pprt::DType::F64";
  if (t.isF16())
    return "pprt::DType::F16";
  if (t.isBF16())
    return "pprt::DType::BF16";
  if (t.isInteger(1))
    return "pprt::DType::Bool";
  if (t.isSignlessInteger(64))
    return "pprt::DType::I64";
  if (t.isSignlessInteger(32))
    return "pprt::DType::I32";
  if (t.isSignlessInteger(16))
    return "pprt::DType::I16";
  if (t.isUnsignedInteger(16))
    return "pprt::DType::U16";
  if (t.isUnsignedInteger(32))
    return "pprt::DType::U32";
  if (t.isUnsignedInteger(64))
    return "pprt::DType::U64";
  if (t.isSignlessInteger(8))
    return "pprt::DType::I8";
  if (t.isUnsignedInteger(8))
    return "pprt::DType::U8";
  return "";
}

unsigned mlir::pp::elementBytes(Type t) {
  unsigned bits = t.getIntOrFloatBitWidth();
  return bits == 1 ? 1 : bits / 8;
}

std::string mlir::pp::literal(double v, Type element) {
  if (!llvm::isa<FloatType>(element)) {
    if (element.isInteger(1))
      return v != 0 ? "true" : "false";
    int64_t i = int64_t(v);
    if (i == INT64_MIN)
      return "INT64_MIN";
    return "(" + storageCType(element) + ")" + std::to_string(i) +
           (element.getIntOrFloatBitWidth() == 64 ? "LL" : "");
  }
  if (std::isnan(v))
    return "NAN";
  if (std::isinf(v))
    return v > 0 ? "INFINITY" : "-INFINITY";
  std::string s;
  llvm::raw_string_ostream os(s);
  if (element.isF64()) {
    os << llvm::format("%.17g", v);
    if (s.find_first_of(".e") == std::string::npos)
      s += ".0";
    return s;
  }
  os << llvm::format("%.9g", v);
  if (s.find_first_of(".e") == std::string::npos)
    s += ".0";
  return s + "f";
}

std::string mlir::pp::literal(DenseElementsAttr value, int64_t index) {
  Type element = value.getElementType();
  if (auto floatType = llvm::dyn_cast<FloatType>(element)) {
    APFloat v = value.isSplat() ? value.getSplatValue<APFloat>()
                                : value.getValues<APFloat>()[index];
    bool lost;
    v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
    return literal(v.convertToDouble(), element);
  }
  APInt v = value.isSplat() ? value.getSplatValue<APInt>()
                            : value.getValues<APInt>()[index];
  if (element.isInteger(1))
    return v.isZero() ? "false" : "true";
  if (element.isUnsignedInteger())
    return "(" + storageCType(element) + ")" +
           std::to_string(v.getZExtValue()) + "ULL";
  return literal(double(0), element).empty()
             ? ""
             : (v.getSExtValue() == INT64_MIN
                    ? std::string("INT64_MIN")
                    : "(" + storageCType(element) + ")" +
                          std::to_string(v.getSExtValue()) + "LL");
}
