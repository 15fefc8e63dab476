//===- Toolchain.cpp - building OUT/run from the generated source --------===//
//
// The runtime's headers and static libraries are found where the pp build
// put them (paths baked in by CMake). The same command is written to
// OUT/src/build.sh so a program can be rebuilt by hand, for instance on a
// GPU machine that has nvcc but no MLIR.
//
//===----------------------------------------------------------------------===//

#include "Toolchain.h"

#include "llvm/Support/Program.h"

#include <cstdlib>

using namespace mlir;

std::string mlir::pp::buildCommand(bool cuda, StringRef source,
                                   StringRef binary) {
  std::string libs = std::string(cuda ? PP_LIB_PPRT_CUDA : PP_LIB_PPRT_CPU);
  std::string common = " -std=c++17 -O2 -I" PP_RUNTIME_INCLUDE_DIR " " +
                       source.str() + " -o " + binary.str() + " " +
                       PP_LIB_PPRT_MAIN " " + libs + " " PP_LIB_PPRT
                       " " PP_LIB_PPSUPPORT;
  if (cuda)
    return std::string(PP_NVCC) + " -arch=sm_90" + common + " -lcublas";
  return std::string(PP_CXX) + common + " -lopenblas -lpthread";
}

bool mlir::pp::runBuild(StringRef command, StringRef log) {
  std::string full = "(" + command.str() + ") > '" + log.str() + "' 2>&1";
  return std::system(full.c_str()) == 0;
}
