// Every error of pp-apply-optimizer.
// RUN: pp-opt %s --split-input-file -verify-diagnostics --pp-apply-optimizer
// Bad options are reported on @main before anything else.
// RUN: %expect-exit 1 pp-opt %s --split-input-file --pp-apply-optimizer=optimizer=adam 2>&1 | FileCheck %s --check-prefix=NAME
// RUN: %expect-exit 1 pp-opt %s --split-input-file --pp-apply-optimizer=lr=0 2>&1 | FileCheck %s --check-prefix=LR
// NAME: unknown optimizer 'adam'; expected sgd or adamw
// LR: pp-apply-optimizer needs lr > 0

// expected-error @+1 {{pp-apply-optimizer needs func.func @main}}
module {
  func.func @other() {
    return
  }
}

// -----

// expected-error @+1 {{@main returns no gradient (pp.weight_gradient); run pp-gradient-program first}}
func.func @main(%x: tensor<f32>) -> tensor<f32> {
  return %x : tensor<f32>
}

// -----

// expected-error @+1 {{gradient 'w' has no f32 pp.weight of its type in @main}}
func.func @main(%x: tensor<f32>, %g: tensor<4xf32>) -> (tensor<f32>, tensor<4xf32> {pp.weight_gradient = "w"}) {
  return %x, %g : tensor<f32>, tensor<4xf32>
}
