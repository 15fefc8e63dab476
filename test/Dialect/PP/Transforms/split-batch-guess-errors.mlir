// Errors when nobody says where the batch is (no batch-size, batch-dim or
// dim names): the batch is guessed as dim 0 of the first argument.
// RUN: pp-opt %s -split-input-file -verify-diagnostics --pp-split-batch=factor=4

// expected-error @+1 {{cannot split the batch: batch size 6 is not divisible by factor 4}}
func.func @main(%x: tensor<6x16xf32>) -> tensor<6x16xf32> {
  return %x : tensor<6x16xf32>
}

// -----

// expected-error @+1 {{@main's first argument has no dim 0 to take the batch size from; set batch-size}}
func.func @main(%s: tensor<f32>, %x: tensor<8x16xf32>) -> tensor<8x16xf32> {
  return %x : tensor<8x16xf32>
}

// -----

// No dim of the first argument can be cut (each is read across by a
// softmax): dim 0's error stands, and says that dim 0 was a guess and how
// to name the batch.
func.func @main(%x: tensor<24x8x16xf32> {pp.name = "src", pp.dim_names = ["seq", "", ""]}) -> tensor<24x8x16xf32> {
  // expected-error @+1 {{cannot split the batch: softmax over dim 0, which holds the batch; the batch was taken to be dim 0 of the arguments of extent 24 (the model names the first argument's dim 0 'seq'); if the batch is another dim, say so with --batch-dim=NAME:AXIS}}
  %a = pp.softmax %x dim 0 : tensor<24x8x16xf32>
  %b = pp.softmax %a dim 1 : tensor<24x8x16xf32>
  %c = pp.softmax %b dim 2 : tensor<24x8x16xf32>
  return %c : tensor<24x8x16xf32>
}
