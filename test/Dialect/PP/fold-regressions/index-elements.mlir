// RUN: pp-opt %s --canonicalize | FileCheck %s

// Regression: a folder bug, now fixed (PPFolders.cpp, readScalars/writeScalars): readScalars
// accepts `index` elements (isIntOrIndex) but writeScalars calls
// getIntOrFloatBitWidth(), which is not defined for index, and pp-opt
// crashes. Either fold index with its 64-bit storage width or refuse to
// fold it.

// Either outcome is fine; pp-opt must not crash.
// CHECK-LABEL: func.func @neg_of_index
// CHECK: return %{{.*}} : tensor<2xindex>
func.func @neg_of_index() -> tensor<2xindex> {
  %c = pp.constant dense<[1, 2]> : tensor<2xindex>
  %0 = pp.neg %c : tensor<2xindex>
  return %0 : tensor<2xindex>
}
