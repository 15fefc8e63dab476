// A .mlir file with none of pp's flags goes to mlir-opt's driver; pp's flags
// send it through the compile driver, which runs either the passes named on
// the command line or the plan's pipeline, never both, and refuses import
// flags on IR. Usage errors exit 2.

// RUN: pp-opt %s --pp-fuse-norms | FileCheck %s --check-prefix=OPT
// OPT: pp.rms_norm

// The single-device pipeline (what --target runs) fuses the norm too.
// RUN: pp-opt %s --pp-parallelize | FileCheck %s --check-prefix=OPT

// RUN: sh -c 'pp-opt %s --tp=2 --pp-fuse-norms 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=MIX
// MIX: error: plan flags (--pp, --tp, ...) and pass flags do not mix; name the plan as a pass: --pp-parallelize="pp=2 tp=2 ..."
// MIX-NEXT: exit 2

// RUN: sh -c 'pp-opt %s --input-shape=x:2x4x8 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=IMPORT
// IMPORT: error: --input-shape applies to ONNX models only
// IMPORT-NEXT: exit 2

// RUN: sh -c 'pp-opt %s --target=tpu -o %t 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=TARGET
// TARGET: error: --target must be cpu or cuda, got 'tpu'
// TARGET-NEXT: exit 2

func.func @main(%x: tensor<2x4x8xf32>, %w: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %two = pp.constant dense<2.0> : tensor<f32>
  %eps = pp.constant dense<1.0e-6> : tensor<f32>
  %one = pp.constant dense<1.0> : tensor<f32>
  %p = pp.pow %x, %two : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %m = pp.reduce mean %p dims [2] keepdims : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %a = pp.add %m, %eps : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
  %s = pp.sqrt %a : tensor<2x4x1xf32>
  %r = pp.div %one, %s : (tensor<f32>, tensor<2x4x1xf32>) -> tensor<2x4x1xf32>
  %n = pp.mul %x, %r : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %y = pp.mul %n, %w : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}
