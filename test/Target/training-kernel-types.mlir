// RUN: rm -rf %t && split-file %s %t
// RUN: %expect-exit 1 pp-opt %t/int-scatter.mlir --target=cpu -o %t/a 2>&1 | FileCheck %s --check-prefix=INT
// RUN: %expect-exit 1 pp-opt %t/int-scatter.mlir --target=cuda -o %t/b 2>&1 | FileCheck %s --check-prefix=INT-CUDA
// RUN: %expect-exit 1 pp-opt %t/f64-loss.mlir --target=cuda -o %t/c 2>&1 | FileCheck %s --check-prefix=F64
// RUN: pp-opt %t/f64-loss.mlir --target=cpu --emit=source -o %t/d
// RUN: FileCheck %s --check-prefix=F64-CPU < %t/d/src/program.cpp

// scatterAdd adds, so it takes floats only, unlike gather; crossEntropy
// takes the float types of each target's other compute kernels.

// INT: error: node 'int_scatter': the cpu target has no scatterAdd kernel for element type 'i64'
// INT-CUDA: error: node 'int_scatter': the cuda target has no scatterAdd kernel for element type 'i64'
// F64: error: node 'loss': the cuda target has no crossEntropy kernel for element type 'f64'
// F64-CPU: pprt::cpu::crossEntropy(ctx, (double *)outputs[0], (const double *)inputs[0], (const int64_t *)inputs[1], (float *)(arena + 0), 2, 3, -100);

//--- int-scatter.mlir
func.func @main(%u: tensor<3xi64> {pp.name = "u"}, %idx: tensor<3xi64> {pp.name = "idx"}) -> (tensor<4xi64> {pp.name = "out"}) {
  %0 = pp.scatter_add %u[%idx] dim 0 : (tensor<3xi64>, tensor<3xi64>) -> tensor<4xi64> loc("int_scatter")
  return %0 : tensor<4xi64>
}

//--- f64-loss.mlir
func.func @main(%x: tensor<2x3xf64> {pp.name = "x"}, %labels: tensor<2xi64> {pp.name = "labels"}) -> (tensor<f64> {pp.name = "loss"}) {
  %0 = pp.cross_entropy %x, %labels ignore_index -100 : (tensor<2x3xf64>, tensor<2xi64>) -> tensor<f64> loc("loss")
  return %0 : tensor<f64>
}
