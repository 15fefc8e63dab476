//===- Toolchain.cpp - building OUT/run from the generated source --------===//
//
// The runtime's headers and static libraries are found where the pp build
// put them (paths baked in by CMake); pprt/Program.h also includes the
// schedule library's header-only StageMap.h, hence the repository's include
// folder. The same command is written to OUT/src/build.sh so a program can
// be rebuilt by hand, for instance on a GPU machine that has nvcc but no
// MLIR.
//
// PP_CXX_OPT in the environment replaces the optimisation flag (-O2): the
// ONNX conformance run builds hundreds of tiny programs that run once, and
// sets it to -O0.
//
// cpu programs are built for the machine that builds them (-march=native:
// the fused loops vectorise to its widest vectors), with OpenMP for their
// threads and -fno-trapping-math so that selects vectorise. PP_CXX_ARCH
// replaces the -march value, for a program carried to another machine.
//
//===----------------------------------------------------------------------===//

#include "Toolchain.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Program.h"

#include <cstdlib>

using namespace mlir;

namespace {

/// -O2 unless PP_CXX_OPT names another level (-O0, -O1, -O3, -Os, -Og).
std::string optimisationFlag() {
  const char *env = std::getenv("PP_CXX_OPT");
  if (!env || !*env)
    return "-O2";
  StringRef flag(env);
  // Only a plain -O flag: the value ends up in a shell command.
  if (flag.size() == 3 && flag.starts_with("-O") &&
      StringRef("0123sg").contains(flag[2]))
    return flag.str();
  return "-O2";
}

/// -march=native unless PP_CXX_ARCH names another architecture.
std::string archFlag() {
  const char *env = std::getenv("PP_CXX_ARCH");
  if (!env || !*env)
    return "-march=native";
  StringRef arch(env);
  // Only a plain name: the value ends up in a shell command.
  if (llvm::all_of(arch, [](char c) {
        return llvm::isAlnum(c) || c == '-' || c == '_' || c == '.';
      }))
    return "-march=" + arch.str();
  return "-march=native";
}

} // namespace

std::string mlir::pp::buildCommand(bool cuda, StringRef source,
                                   StringRef binary) {
  std::string libs = std::string(cuda ? PP_LIB_PPRT_CUDA : PP_LIB_PPRT_CPU);
  // C++20 for the designated initialisers of the runtime tables
  // (DesignatedInit.h); the runtime libraries are C++17. The schedule
  // library's headers give the runtime's StageMap.
  std::string common =
      " -std=c++20 " + optimisationFlag() +
      " -I" PP_RUNTIME_INCLUDE_DIR " -I" PP_SCHEDULE_INCLUDE_DIR " " +
      source.str() + " -o " + binary.str() + " " + PP_LIB_PPRT_MAIN " " + libs +
      " " PP_LIB_PPRT_MPI " " PP_LIB_PPRT " " PP_LIB_PPSUPPORT
      " " PP_LIB_PPSCHEDULE " ";
  if (cuda)
    return std::string(PP_NVCC) + " -arch=sm_90" + common +
           PP_CUDA_SYSTEM_LIBS;
  return std::string(PP_CXX) + " " + archFlag() +
         " -fopenmp -fno-trapping-math" + common + PP_CPU_SYSTEM_LIBS;
}

bool mlir::pp::runBuild(StringRef command, StringRef log) {
  std::string full = "(" + command.str() + ") > '" + log.str() + "' 2>&1";
  return std::system(full.c_str()) == 0;
}
