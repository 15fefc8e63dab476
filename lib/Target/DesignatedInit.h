//===- DesignatedInit.h - runtime table rows, field by field ----*- C++ -*-===//
//
// The generated program fills the runtime's tables (pprt/Program.h) with
// C++20 designated initialisers, `{.name = "wte", .offset = 0, ...}`, and
// this class prints them from the runtime's own structs:
//
// - every field is named through a pointer to the member (PPRT_FIELD), so a
//   field the runtime renames or retypes breaks the compiler's build;
// - str() fails unless every field of the struct was given, and
//   fieldCount() stops compiling when the runtime adds or drops a field;
// - the C++ compiler that builds the generated program rejects fields
//   given out of declaration order, so a swap of two same-typed fields
//   (offset/length, recvBytes/sendBytes) in either place fails to build.
//
// The generated program is therefore C++20 (Toolchain.cpp passes -std=c++20
// to g++ and nvcc); the runtime itself stays C++17.
//
//===----------------------------------------------------------------------===//

#ifndef PP_LIB_TARGET_DESIGNATEDINIT_H
#define PP_LIB_TARGET_DESIGNATEDINIT_H

#include "pprt/Kernels.h"
#include "pprt/Program.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/ErrorHandling.h"

#include <string>
#include <type_traits>
#include <vector>

/// `&pprt::Struct::field, "field"`: the member and its name, written once.
#define PPRT_FIELD(Struct, field) &pprt::Struct::field, #field

namespace mlir::pp {

/// The enumerator's C++ spelling ("pprt::DType::F32"). Exhaustive switches:
/// a new enumerator in the runtime breaks the build (-Werror=switch).
const char *spelling(pprt::DType type);
const char *spelling(pprt::ActionKind kind);
const char *spelling(pprt::TensorRole role);
const char *spelling(::pp::schedule::Placement placement);

/// How many fields each runtime struct has; each stops compiling when the
/// runtime adds or removes one.
template <typename S> int fieldCount();
template <> int fieldCount<pprt::MeshSpec>();
template <> int fieldCount<pprt::TensorSpec>();
template <> int fieldCount<pprt::WeightSpec>();
template <> int fieldCount<pprt::TiedCopy>();
template <> int fieldCount<pprt::StageSpec>();
template <> int fieldCount<pprt::Action>();
template <> int fieldCount<pprt::RankSchedule>();
template <> int fieldCount<pprt::Program>();
template <> int fieldCount<pprt::AttentionShape>();

/// A C string literal for `s` (quotes and backslashes escaped).
std::string cString(llvm::StringRef s);

template <typename S> class DesignatedInit {
  template <typename T> struct Identity {
    using type = T;
  };

public:
  /// An integer or an enum of the runtime.
  template <typename T>
  DesignatedInit &set(T S::*, const char *name,
                      typename Identity<T>::type value) {
    static_assert(std::is_integral_v<T> || std::is_enum_v<T>,
                  "pointer fields take setString or setSymbol");
    if constexpr (std::is_enum_v<T>)
      return add(name, spelling(value));
    else
      return add(name, std::to_string(value));
  }
  /// A `const char *` field holding `value`.
  DesignatedInit &setString(const char *S::*, const char *name,
                            llvm::StringRef value) {
    return add(name, cString(value));
  }
  /// A pointer field: the name of a file-scope table or function of the
  /// generated program, or "nullptr".
  template <typename T>
  DesignatedInit &setSymbol(T S::*, const char *name, llvm::StringRef symbol) {
    static_assert(std::is_pointer_v<T>, "setSymbol takes pointer fields");
    return add(name, symbol.str());
  }
  /// An array field; the caller checked that `values` fits.
  template <typename T, size_t N>
  DesignatedInit &setArray(T (S::*)[N], const char *name,
                           llvm::ArrayRef<T> values) {
    if (values.size() > N)
      llvm::report_fatal_error("the emitter overfills a runtime array");
    std::string s = "{";
    for (size_t i = 0; i < values.size(); ++i)
      s += (i ? ", " : "") + std::to_string(values[i]);
    return add(name, s + "}");
  }
  /// An array of strings.
  template <size_t N>
  DesignatedInit &setStrings(const char *(S::*)[N], const char *name,
                             llvm::ArrayRef<std::string> values) {
    if (values.size() > N)
      llvm::report_fatal_error("the emitter overfills a runtime array");
    std::string s = "{";
    for (size_t i = 0; i < values.size(); ++i)
      s += (i ? ", " : "") + cString(values[i]);
    return add(name, s + "}");
  }
  /// A struct field, itself printed field by field.
  template <typename T>
  DesignatedInit &setInit(T S::*, const char *name,
                          const DesignatedInit<T> &value) {
    return add(name, value.str());
  }

  /// `{.a = 1, .b = 2}` on one line.
  std::string str() const { return join(", ", ""); }
  /// The same, one field per line starting with `indent`; the closing
  /// brace is two spaces less indented.
  std::string block(llvm::StringRef indent) const {
    return join(",\n", indent);
  }

private:
  DesignatedInit &add(const char *name, std::string value) {
    fields.push_back("." + std::string(name) + " = " + value);
    return *this;
  }
  std::string join(llvm::StringRef separator, llvm::StringRef indent) const {
    if (int(fields.size()) != fieldCount<S>())
      llvm::report_fatal_error("the emitter leaves out a field of a runtime "
                               "table");
    std::string s = indent.empty() ? "{" : "{\n";
    for (size_t i = 0; i < fields.size(); ++i)
      s += (i ? separator.str() : "") + indent.str() + fields[i];
    if (indent.empty())
      return s + "}";
    return s + "\n" + indent.drop_back(std::min<size_t>(2, indent.size())).str() + "}";
  }

  std::vector<std::string> fields;
};

} // namespace mlir::pp

#endif // PP_LIB_TARGET_DESIGNATEDINIT_H
