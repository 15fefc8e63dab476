// The dim rules of every graph op form (DimRulesInterface): each dim as a
// product of factors, and which factors an op contracts, reduces or reads
// across.
// RUN: pp-opt %s --pp-test-dim-rules -verify-diagnostics -o /dev/null

func.func @leaves_and_elementwise(%x: tensor<8x16xf32>, %m: tensor<1x16xi1>) {
  // expected-remark @+1 {{() -> (a, b) where a=16, b=4}}
  %w = pp.weight "w" from "w.bin" offset 0 : tensor<16x4xf32>
  // expected-remark @+1 {{() -> ()}}
  %c = pp.constant dense<1.0> : tensor<f32>
  // expected-remark @+1 {{(a, b) -> (a, b) where a=8, b=16}}
  %e = pp.exp %x : tensor<8x16xf32>
  // Broadcasting: a dim of 1 and a missing dim have no factor.
  // expected-remark @+1 {{(1, a), (b, a), () -> (b, a) where a=16, b=8}}
  %s = pp.select %m, %x, %c : (tensor<1x16xi1>, tensor<8x16xf32>, tensor<f32>) -> tensor<8x16xf32>
  // expected-remark @+1 {{(1, a) -> (b, a) where a=16, b=8}}
  %b = pp.broadcast %m : tensor<1x16xi1> -> tensor<8x16xi1>
  // expected-remark @+1 {{(a, b) -> (a, b) where a=8, b=16}}
  %i = pp.cast %x : tensor<8x16xf32> -> tensor<8x16xi64>
  return
}

func.func @linear_algebra(%x: tensor<8x16x64xf32>, %w: tensor<64x32xf32>,
                          %q: tensor<8x4x16x16xf32>, %k: tensor<1x4x16x16xf32>,
                          %g: tensor<64xf32>) {
  // expected-remark @+1 {{lhs (a, b, c), rhs (c, d) -> (a, b, d) where a=8, b=16, c=64 reduction "contracts over", d=32}}
  %y = pp.matmul %x, %w : (tensor<8x16x64xf32>, tensor<64x32xf32>) -> tensor<8x16x32xf32>
  // Batch dims broadcast; the size-1 one has no factor.
  // expected-remark @+1 {{lhs (a, b, c, d), rhs (1, b, d, e) -> (a, b, c, e) where a=8, b=4, c=16, d=16 reduction "contracts over", e=16}}
  %s = pp.matmul %q, %k : (tensor<8x4x16x16xf32>, tensor<1x4x16x16xf32>) -> tensor<8x4x16x16xf32>
  // expected-remark @+1 {{(a, b, c, d) -> (a, b, c, d) where a=8, b=4, c=16, d=16 whole "over"}}
  %p = pp.softmax %q dim 3 : tensor<8x4x16x16xf32>
  // expected-remark @+1 {{(a, b, c), scale or bias (c), scale or bias (c) -> (a, b, c) where a=8, b=16, c=64 whole "normalizes over"}}
  %n = pp.layer_norm %x, %g, %g dim 2 epsilon 1.0e-05 : (tensor<8x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<8x16x64xf32>
  // expected-remark @+1 {{(a, b, c), scale (c) -> (a, b, c) where a=8, b=16, c=64 whole "normalizes over"}}
  %r = pp.rms_norm %x, %g epsilon 1.0e-06 : (tensor<8x16x64xf32>, tensor<64xf32>) -> tensor<8x16x64xf32>
  // expected-remark @+1 {{(a, b, c) -> (a, 1, c) where a=8, b=16 reduction "over", c=64}}
  %m = pp.reduce mean %x dims [1] keepdims : tensor<8x16x64xf32> -> tensor<8x1x64xf32>
  // expected-remark @+1 {{(a, b, c) -> (b) where a=8 reduction "over", b=16, c=64 reduction "over"}}
  %t = pp.reduce sum %x dims [0, 2] : tensor<8x16x64xf32> -> tensor<16xf32>
  // expected-remark @+1 {{(a, b, c, d) -> (a, b, c, d) where a=8, b=4, c=16 whole "over", d=16 whole "over"}}
  %l = pp.trilu %q lower k 0 : tensor<8x4x16x16xf32>
  return
}

func.func @data_movement(%x: tensor<8x16x64xf32>, %ids: tensor<8x16xi64>,
                         %v: tensor<16x8x64xf32>, %w6: tensor<2x3xf32>,
                         %wte: tensor<128x64xf32>) {
  // Split dims: the 64 becomes heads (b) times head_dim (c).
  // expected-remark @+1 {{(a, b, c*d) -> (a, b, c, d) where a=8, b=16, c=4, d=16}}
  %h = pp.reshape %x : tensor<8x16x64xf32> -> tensor<8x16x4x16xf32>
  // Merged dims: (T, B, E) -> (T, B*h, d) keeps the batch b as a factor.
  // expected-remark @+1 {{(a, b, c*d) -> (a, b*c, d) where a=16, b=8, c=4, d=16}}
  %m = pp.reshape %v : tensor<16x8x64xf32> -> tensor<16x32x16xf32>
  // A factor that crosses dims ([8, 16] -> [4, 32]: 8 = 4 * 2).
  // expected-remark @+1 {{(a*b, c) -> (a, b*c) where a=4, b=2, c=16}}
  %r = pp.reshape %ids : tensor<8x16xi64> -> tensor<4x32xi64>
  // A tangle: 3 and 2 share no factor boundary.
  // expected-remark @+1 {{(a, b) -> (c, d) where a=2 whole "mixes", b=3 whole "mixes", c=3 whole "mixes", d=2 whole "mixes"}}
  %tg = pp.reshape %w6 : tensor<2x3xf32> -> tensor<3x2xf32>
  // expected-remark @+1 {{(a, b, c) -> (b, a, c) where a=8, b=16, c=64}}
  %t = pp.transpose %x perm [1, 0, 2] : tensor<8x16x64xf32> -> tensor<16x8x64xf32>
  // A dim taken whole stays parallel; a part of a dim is read across.
  // expected-remark @+1 {{(a, b, c) -> (a, b, d) where a=8, b=16, c=64 whole "of part of", d=32 whole "of part of"}}
  %s = pp.slice %x starts [0, 0, 32] steps [1, 1, 1] : tensor<8x16x64xf32> -> tensor<8x16x32xf32>
  // expected-remark @+1 {{(a, b, c), (a, b, d) -> (a, b, e) where a=8, b=16, c=64 whole "along", d=64 whole "along", e=128 whole "along"}}
  %c = pp.concat %x, %x dim 2 : (tensor<8x16x64xf32>, tensor<8x16x64xf32>) -> tensor<8x16x128xf32>
  // expected-remark @+1 {{(a, b), (c, d) -> (c, d, b) where a=128 whole "along", b=64, c=8, d=16}}
  %g = pp.gather %wte[%ids] dim 0 : (tensor<128x64xf32>, tensor<8x16xi64>) -> tensor<8x16x64xf32>
  return
}

// Collectives (the sequence analysis follows positions through sharded
// stages): an all-reduce keeps every dim; a gather, scatter or slice
// resizes its dim and keeps the others.
pp.mesh @world ["tp" = 2]
func.func @collectives(%x: tensor<8x16x64xf32>) {
  // expected-remark @+1 {{(a, b, c) -> (a, b, c) where a=8, b=16, c=64}}
  %r = pp.all_reduce sum %x over @world["tp"] : tensor<8x16x64xf32>
  // expected-remark @+1 {{(a, b, c) -> (a, b, d) where a=8, b=16, c=64 whole "gathers along", d=128 whole "gathers along"}}
  %g = pp.all_gather %x over @world["tp"] dim 2 : tensor<8x16x64xf32> -> tensor<8x16x128xf32>
  // expected-remark @+1 {{(a, b, c) -> (a, d, c) where a=8, b=16 whole "scatters along", c=64, d=8 whole "scatters along"}}
  %s = pp.reduce_scatter sum %x over @world["tp"] dim 1 : tensor<8x16x64xf32> -> tensor<8x8x64xf32>
  // expected-remark @+1 {{(a, b, c) -> (a, b, d) where a=8, b=16, c=64 whole "slices along", d=32 whole "slices along"}}
  %l = pp.all_slice %x over @world["tp"] dim 2 : tensor<8x16x64xf32> -> tensor<8x16x32xf32>
  return
}
