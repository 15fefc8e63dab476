//===- fuzz_onnx.cpp - libFuzzer entry point for the ONNX reader ----------===//
//
// Feeds arbitrary bytes to parseModel and, when they decode, walks every
// tensor ref so that the sanitizers see the decoded structures used. Built
// and run by scripts/fuzz.sh; ReplayMain.cpp replays test/fuzz-corpus in ctest.
//
// The model path names a folder that does not exist, so external data
// locations in the input never reach real files.
//
//===----------------------------------------------------------------------===//

#include "pp/Support/OnnxModel.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace pp::onnx;

namespace {

uint64_t touch(const TensorRef &tensor) {
  uint64_t sum = tensor.length + tensor.offset + tensor.dims.size();
  for (char byte : tensor.decoded)
    sum += static_cast<unsigned char>(byte);
  for (const std::string &text : tensor.strings)
    sum += text.size();
  // The reader promises consistent refs; anything else is a bug.
  if (tensor.numElements() < 0)
    abort();
  if (tensor.dtype != DataType::String &&
      tensor.length != static_cast<uint64_t>(tensor.numElements()) *
                           elementSize(tensor.dtype))
    abort();
  return sum;
}

uint64_t touch(const Graph &graph) {
  uint64_t sum = graph.inputs.size() + graph.outputs.size();
  for (const TensorRef &tensor : graph.initializers)
    sum += touch(tensor);
  for (const Node &node : graph.nodes)
    for (const Attribute &attribute : node.attributes) {
      sum += touch(attribute.t);
      for (const TensorRef &tensor : attribute.tensors)
        sum += touch(tensor);
      if (attribute.g)
        sum += touch(*attribute.g);
      for (const auto &body : attribute.graphs)
        sum += touch(*body);
    }
  return sum;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Model model;
  std::string error;
  if (parseModel(reinterpret_cast<const char *>(data), size,
                 "/nonexistent-pp-fuzz/model.onnx", model, error)) {
    volatile uint64_t sink = touch(model.graph);
    (void)sink;
  } else if (error.empty() || error.find('\n') != std::string::npos) {
    abort(); // every failure must carry a one-line message
  }
  return 0;
}
