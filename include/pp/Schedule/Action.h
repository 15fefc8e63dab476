//===- Action.h - one step of a rank's pipeline schedule --------*- C++ -*-===//
//
// A schedule is, per rank, an ordered list of actions: compute passes
// (F, B, W) over one micro-batch and one of the rank's model chunks,
// point-to-point SEND/RECV of one tensor, and collectives. This is the
// vocabulary shared by the generators, the text format, the verifier, the
// simulator and, later, the runtime that executes the lists.
//
// Plain C++17, no MLIR: the generated programs and the runtime link it too.
//
//===----------------------------------------------------------------------===//

#ifndef PP_SCHEDULE_ACTION_H
#define PP_SCHEDULE_ACTION_H

#include <string>
#include <vector>

namespace pp::schedule {

enum class ActionKind {
  Forward,    ///< F: forward pass of a chunk.
  InputGrad,  ///< B: gradient with respect to the chunk's input.
  WeightGrad, ///< W: gradient with respect to the chunk's weights.
  Send,       ///< blocking point-to-point send of one tensor.
  Recv,       ///< blocking point-to-point receive of one tensor.
  Collective, ///< a collective over a group of ranks (placeholder).
};

/// The short name used in the text format, traces and pictures:
/// F, B, W, SEND, RECV, COLL.
const char *actionKindName(ActionKind kind);
bool isCompute(ActionKind kind);

/// What crosses a stage boundary: a forward output (activation) travels to
/// the next stage, an input gradient to the previous one.
enum class TensorKind { Activation, Gradient };

/// Names a tensor by the pass that produced it on the sending rank: the
/// output of F(microbatch, chunk) or of B(microbatch, chunk) there. Both the
/// SEND and its RECV carry the same id, so they can be matched.
struct TensorId {
  TensorKind kind = TensorKind::Activation;
  int microbatch = 0;
  int chunk = 0;

  bool operator==(const TensorId &other) const {
    return kind == other.kind && microbatch == other.microbatch &&
           chunk == other.chunk;
  }
  bool operator!=(const TensorId &other) const { return !(*this == other); }
};

/// "F3.0" for the activation of F(3, chunk 0), "B3.0" for the gradient.
std::string formatTensor(const TensorId &tensor);

struct Action {
  ActionKind kind = ActionKind::Forward;
  /// F/B/W: the micro-batch and the rank-local chunk it runs.
  int microbatch = 0;
  int chunk = 0;
  /// SEND/RECV: the other rank and the tensor.
  int peer = -1;
  TensorId tensor;
  /// COLL: a name that all members use for the same collective, and the
  /// ranks taking part (sorted; empty means every rank).
  std::string collective;
  std::vector<int> group;

  static Action forward(int microbatch, int chunk);
  static Action inputGrad(int microbatch, int chunk);
  static Action weightGrad(int microbatch, int chunk);
  static Action compute(ActionKind kind, int microbatch, int chunk);
  static Action send(int peer, TensorId tensor);
  static Action recv(int peer, TensorId tensor);
  static Action coll(std::string name, std::vector<int> group = {});

  bool operator==(const Action &other) const;
  bool operator!=(const Action &other) const { return !(*this == other); }
};

/// The action as the text format writes it: "F3.0", "SEND F3.0->1",
/// "RECV B2.1<-3", "COLL grads" or "COLL grads@0,1".
std::string formatAction(const Action &action);

} // namespace pp::schedule

#endif // PP_SCHEDULE_ACTION_H
