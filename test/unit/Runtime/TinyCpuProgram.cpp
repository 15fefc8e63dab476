//===- TinyCpuProgram.cpp - a generated cpu program in miniature ----------===//
//
// What pp-opt emits for the cpu target, reduced to y = x^T through the
// runtime's copyStrided. Built with pprt_main so that the link line and
// main() are those of a real program.
//
//===----------------------------------------------------------------------===//

#include "pprt/Kernels.h"

namespace {

void run(pprt::Context &ctx, void *const *inputs, void *const *outputs,
         void *const *, char *) {
  const int64_t shape[2] = {3, 2};
  const int64_t dstStrides[2] = {2, 1};
  const int64_t srcStrides[2] = {1, 3};
  pprt::cpu::copyStrided(ctx, outputs[0], dstStrides, inputs[0], srcStrides,
                         shape, 2, sizeof(float));
}

const pprt::TensorSpec kInputs[] = {{"x", pprt::DType::F32, 2, {2, 3}}};
const pprt::TensorSpec kOutputs[] = {{"y", pprt::DType::F32, 2, {3, 2}}};

} // namespace

const pprt::Program &pprt::program() {
  static const Program p = {"tiny",   "cpu", ".",     1, kInputs, 1,
                            kOutputs, 0,     nullptr, 0, run};
  return p;
}
