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
//===----------------------------------------------------------------------===//

#include "Toolchain.h"

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
  return std::string(PP_CXX) + common + PP_CPU_SYSTEM_LIBS;
}

bool mlir::pp::runBuild(StringRef command, StringRef log) {
  std::string full = "(" + command.str() + ") > '" + log.str() + "' 2>&1";
  return std::system(full.c_str()) == 0;
}
