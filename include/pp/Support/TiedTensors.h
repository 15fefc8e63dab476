//===- TiedTensors.h - initializers that hold the same values ---*- C++ -*-===//
//
// torch's constant folding unties a tied parameter: a GPT's LM head shares
// the token embedding, but the export holds the embedding for the lookup and
// a folded transpose of it (`onnx::MatMul_N`) for the head. Training must
// treat the two as one weight with one summed gradient, so `pp-opt --train`
// finds initializers whose bytes are equal, as they are or transposed (2-d),
// and ties each such copy to one of them.
//
//===----------------------------------------------------------------------===//

#ifndef PP_SUPPORT_TIEDTENSORS_H
#define PP_SUPPORT_TIEDTENSORS_H

#include "pp/Support/OnnxModel.h"

#include <string>
#include <vector>

namespace pp {

/// `copy` holds the values of `of` (indices into the candidates), as they
/// are or, when `transposed`, as the transpose of the 2-d tensor `of`.
struct TiedTensor {
  size_t copy;
  size_t of;
  bool transposed;
};

/// The copies among `candidates` (tensors whose bytes are in files). Each
/// group of equal tensors keeps one: a named parameter before an anonymous
/// `onnx::` constant, then the first. Tensors whose elements are all equal
/// (zero biases, unit norm scales) are never tied: equal values there say
/// nothing about shared parameters. False with `error` when a file cannot
/// be read.
bool findTiedTensors(const std::vector<const onnx::TensorRef *> &candidates,
                     std::vector<TiedTensor> &ties, std::string &error);

} // namespace pp

#endif // PP_SUPPORT_TIEDTENSORS_H
