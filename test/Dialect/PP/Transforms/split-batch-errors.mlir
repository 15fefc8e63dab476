// Every error of pp-split-batch: ops that mix rows of the batch are
// refused with the op and the dim named, never split wrongly. B = 8, given
// (so the batch is not guessed: split-batch-guess-errors.mlir).
// RUN: pp-opt %s -split-input-file -verify-diagnostics --pp-split-batch="factor=4 batch-size=8"

// expected-error @+1 {{pp-split-batch needs func.func @main}}
module {
  func.func @other(%x: tensor<8xf32>) -> tensor<8xf32> {
    return %x : tensor<8xf32>
  }
}

// -----

// expected-error @+1 {{the batch of this module is already split (pp.batch)}}
module attributes {pp.batch = {factor = 2 : i64, size = 16 : i64}} {
  func.func @main(%x: tensor<8xf32>) -> tensor<8xf32> {
    return %x : tensor<8xf32>
  }
}

// -----

func.func @main(%x: tensor<8x16xf32>) -> tensor<16xf32> {
  // expected-error @+1 {{cannot split the batch: reduce over dim 0, which holds the batch}}
  %s = pp.reduce mean %x dims [0] : tensor<8x16xf32> -> tensor<16xf32>
  return %s : tensor<16xf32>
}

// -----

func.func @main(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{cannot split the batch: softmax over dim 0, which holds the batch}}
  %s = pp.softmax %x dim 0 : tensor<8x16xf32>
  return %s : tensor<8x16xf32>
}

// -----

func.func @main(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %g = pp.weight "g" from "w.bin" offset 0 : tensor<8x16xf32>
  // expected-error @+1 {{cannot split the batch: layer_norm normalizes over dim 0, which holds the batch}}
  %n = pp.layer_norm %x, %g dim 0 epsilon 1.0e-05 : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  return %n : tensor<8x16xf32>
}

// -----

func.func @main(%x: tensor<8x16xf32>) -> tensor<4x8x16xf32> {
  %h = pp.weight "h" from "w.bin" offset 0 : tensor<4x8x16xf32>
  // expected-error @+1 {{cannot split the batch: layer_norm scale or bias holds the batch}}
  %n = pp.layer_norm %h, %x dim 1 epsilon 1.0e-05 : (tensor<4x8x16xf32>, tensor<8x16xf32>) -> tensor<4x8x16xf32>
  return %n : tensor<4x8x16xf32>
}

// -----

func.func @main(%x: tensor<8x16xf32>) -> tensor<16x8xf32> {
  %g = pp.constant dense<1.0> : tensor<8xf32>
  %t = pp.transpose %x perm [1, 0] : tensor<8x16xf32> -> tensor<16x8xf32>
  // expected-error @+1 {{cannot split the batch: rms_norm normalizes over dim 1, which holds the batch}}
  %n = pp.rms_norm %t, %g epsilon 1.0e-06 : (tensor<16x8xf32>, tensor<8xf32>) -> tensor<16x8xf32>
  return %n : tensor<16x8xf32>
}

// -----

func.func @main(%x: tensor<8x16xf32>) -> tensor<16x4xf32> {
  %w = pp.weight "w" from "w.bin" offset 0 : tensor<8x4xf32>
  %t = pp.transpose %x perm [1, 0] : tensor<8x16xf32> -> tensor<16x8xf32>
  // expected-error @+1 {{cannot split the batch: matmul contracts over dim 1 of its lhs, which holds the batch}}
  %y = pp.matmul %t, %w : (tensor<16x8xf32>, tensor<8x4xf32>) -> tensor<16x4xf32>
  return %y : tensor<16x4xf32>
}

// -----

func.func @main(%x: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %w = pp.weight "w" from "w.bin" offset 0 : tensor<4x8xf32>
  // expected-error @+1 {{cannot split the batch: matmul contracts over dim 0 of its rhs, which holds the batch}}
  %y = pp.matmul %w, %x : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @main(%x: tensor<8x16xf32>) -> tensor<8x8xf32> {
  %t = pp.transpose %x perm [1, 0] : tensor<8x16xf32> -> tensor<16x8xf32>
  // expected-error @+1 {{cannot split the batch: matmul operands hold the batch at different dims (0 and 1 of the result)}}
  %y = pp.matmul %x, %t : (tensor<8x16xf32>, tensor<16x8xf32>) -> tensor<8x8xf32>
  return %y : tensor<8x8xf32>
}

// -----

func.func @main(%x: tensor<8x4x16x16xf32>) -> tensor<8x4x16x16xf32> {
  %w = pp.weight "w" from "w.bin" offset 0 : tensor<8x4x16x16xf32>
  // expected-error @+1 {{cannot split the batch: operand 1 has the batch extent 8 at dim 0 but does not hold the batch; only a value equal along that dim (built from constants and broadcasts, not from inputs or weights) can be shrunk}}
  %y = pp.matmul %x, %w : (tensor<8x4x16x16xf32>, tensor<8x4x16x16xf32>) -> tensor<8x4x16x16xf32>
  return %y : tensor<8x4x16x16xf32>
}

// -----

func.func @main(%x: tensor<8x16xf32>) -> tensor<16x16xf32> {
  // expected-error @+1 {{cannot split the batch: concat along dim 0, which holds the batch}}
  %c = pp.concat %x, %x dim 0 : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<16x16xf32>
  return %c : tensor<16x16xf32>
}

// -----

func.func @main(%x: tensor<8x8xf32>) -> tensor<8x16xf32> {
  %t = pp.transpose %x perm [1, 0] : tensor<8x8xf32> -> tensor<8x8xf32>
  // %t holds the batch in the joined dim.
  // expected-error @+1 {{cannot split the batch: concat along dim 1, which holds the batch}}
  %c = pp.concat %x, %t dim 1 : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x16xf32>
  return %c : tensor<8x16xf32>
}

// -----

func.func @main(%x: tensor<8x16xf32>) -> tensor<8x32xf32> {
  %w = pp.weight "w" from "w.bin" offset 0 : tensor<8x16xf32>
  // expected-error @+1 {{cannot split the batch: operand 1 has the batch extent 8 at dim 0 but does not hold the batch}}
  %c = pp.concat %x, %w dim 1 : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x32xf32>
  return %c : tensor<8x32xf32>
}

// -----

func.func @main(%x: tensor<8x16xf32>) -> tensor<2x16xf32> {
  %i = pp.constant dense<[0, 5]> : tensor<2xi64>
  // expected-error @+1 {{cannot split the batch: gather along dim 0, which holds the batch}}
  %g = pp.gather %x[%i] dim 0 : (tensor<8x16xf32>, tensor<2xi64>) -> tensor<2x16xf32>
  return %g : tensor<2x16xf32>
}

// -----

func.func @main(%x: tensor<8x16xf32>, %ids: tensor<8x4xi64>) -> tensor<8x8x4xf32> {
  // The input and the indices each hold the batch, at different result dims.
  // expected-error @+1 {{cannot split the batch: gather operands hold the batch at different dims (0 and 1 of the result)}}
  %g = pp.gather %x[%ids] dim 1 : (tensor<8x16xf32>, tensor<8x4xi64>) -> tensor<8x8x4xf32>
  return %g : tensor<8x8x4xf32>
}

// -----

func.func @main(%x: tensor<8x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{cannot split the batch: slice of part of dim 0, which holds the batch}}
  %s = pp.slice %x starts [0, 0] steps [1, 1] : tensor<8x16xf32> -> tensor<4x16xf32>
  return %s : tensor<4x16xf32>
}

// -----

func.func @main(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // Reversing the batch moves rows between parts.
  // expected-error @+1 {{cannot split the batch: slice of part of dim 0, which holds the batch}}
  %s = pp.slice %x starts [7, 0] steps [-1, 1] : tensor<8x16xf32> -> tensor<8x16xf32>
  return %s : tensor<8x16xf32>
}

// -----

func.func @main(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{cannot split the batch: trilu over dim 0, which holds the batch}}
  %t = pp.trilu %x lower k 0 : tensor<8x16xf32>
  return %t : tensor<8x16xf32>
}

// -----

func.func @main(%x: tensor<8x16xf32>) -> tensor<4x32xf32> {
  // expected-error @+1 {{cannot split the batch: reshape 8x16 -> 4x32 mixes dim 0, which holds the batch, with other dims}}
  %r = pp.reshape %x : tensor<8x16xf32> -> tensor<4x32xf32>
  return %r : tensor<4x32xf32>
}

// -----

// A reshape that tangles the batch with another dim: 8x3 and 3x8 share no
// factor boundary inside the batch.
func.func @main(%x: tensor<8x3xf32>) -> tensor<3x8xf32> {
  // expected-error @+1 {{cannot split the batch: reshape mixes dim 0, which holds the batch}}
  %r = pp.reshape %x : tensor<8x3xf32> -> tensor<3x8xf32>
  return %r : tensor<3x8xf32>
}

// -----

// The batch merged behind another dim (a (4, 8) transpose viewed as 32)
// can be cut inside the function, but a result's parts are joined along
// its batch dim, which needs the batch outermost.
func.func @main(%x: tensor<8x4xf32>) -> tensor<32xf32> {
  %t = pp.transpose %x perm [1, 0] : tensor<8x4xf32> -> tensor<4x8xf32>
  %r = pp.reshape %t : tensor<4x8xf32> -> tensor<32xf32>
  // expected-error @+1 {{cannot split the batch: result 0 holds the batch inside dim 0 after 4 elements of other dims, so its parts cannot be joined}}
  return %r : tensor<32xf32>
}

// -----

func.func @main(%x: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %t = pp.transpose %x perm [1, 0] : tensor<8x8xf32> -> tensor<8x8xf32>
  // expected-error @+1 {{cannot split the batch: add operands hold the batch at different dims (0 and 1 of the result)}}
  %y = pp.add %x, %t : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
  return %y : tensor<8x8xf32>
}

// -----

func.func @main(%x: tensor<8x1xf32>) -> tensor<8x1xf32> {
  %c = pp.constant dense<[[1.0], [2.0], [3.0], [4.0], [5.0], [6.0], [7.0], [8.0]]> : tensor<8x1xf32>
  // expected-error @+1 {{cannot split the batch: operand 1 has the batch extent 8 at dim 0 but does not hold the batch; only a value equal along that dim (built from constants and broadcasts, not from inputs or weights) can be shrunk}}
  %y = pp.add %x, %c : (tensor<8x1xf32>, tensor<8x1xf32>) -> tensor<8x1xf32>
  return %y : tensor<8x1xf32>
}

// -----

func.func private @opaque(tensor<8x16xf32>) -> tensor<8x16xf32>

func.func @main(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{cannot split the batch: 'func.call' has no rule for an operand that holds the batch}}
  %y = func.call @opaque(%x) : (tensor<8x16xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}

// -----

// A lookup whose table has the batch extent reads different rows per batch
// row, though its ids are equal for every row.
func.func @main(%x: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %t = pp.weight "t" from "w.bin" offset 0 : tensor<8x4xf32>
  %ids = pp.constant dense<[0, 1, 2, 3]> : tensor<4xi64>
  %g = pp.gather %t[%ids] dim 1 : (tensor<8x4xf32>, tensor<4xi64>) -> tensor<8x4xf32>
  // expected-error @+1 {{cannot split the batch: operand 1 has the batch extent 8 at dim 0 but does not hold the batch}}
  %y = pp.add %x, %g : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  return %y : tensor<8x4xf32>
}
