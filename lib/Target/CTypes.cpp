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

std::optional<pprt::DType> mlir::pp::runtimeDType(Type t) {
  using pprt::DType;
  if (t.isF32())
    return DType::F32;
  if (t.isF64())
    return DType::F64;
  if (t.isF16())
    return DType::F16;
  if (t.isBF16())
    return DType::BF16;
  if (t.isInteger(1))
    return DType::Bool;
  auto i = llvm::dyn_cast<IntegerType>(t);
  if (!i || i.isSigned())
    return std::nullopt;
  bool u = i.isUnsigned();
  switch (i.getWidth()) {
  case 8:
    return u ? DType::U8 : DType::I8;
  case 16:
    return u ? DType::U16 : DType::I16;
  case 32:
    return u ? DType::U32 : DType::I32;
  case 64:
    return u ? DType::U64 : DType::I64;
  }
  return std::nullopt;
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
