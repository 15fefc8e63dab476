//===- Action.cpp - one step of a rank's pipeline schedule ----------------===//

#include "pp/Schedule/Action.h"

namespace pp::schedule {

const char *actionKindName(ActionKind kind) {
  switch (kind) {
  case ActionKind::Forward:
    return "F";
  case ActionKind::InputGrad:
    return "B";
  case ActionKind::WeightGrad:
    return "W";
  case ActionKind::Send:
    return "SEND";
  case ActionKind::Recv:
    return "RECV";
  case ActionKind::Collective:
    return "COLL";
  }
  return "?";
}

bool isCompute(ActionKind kind) {
  return kind == ActionKind::Forward || kind == ActionKind::InputGrad ||
         kind == ActionKind::WeightGrad;
}

std::string formatTensor(const TensorId &tensor) {
  return (tensor.kind == TensorKind::Activation ? "F" : "B") +
         std::to_string(tensor.microbatch) + "." + std::to_string(tensor.chunk);
}

Action Action::compute(ActionKind kind, int microbatch, int chunk) {
  Action action;
  action.kind = kind;
  action.microbatch = microbatch;
  action.chunk = chunk;
  return action;
}

Action Action::forward(int microbatch, int chunk) {
  return compute(ActionKind::Forward, microbatch, chunk);
}

Action Action::inputGrad(int microbatch, int chunk) {
  return compute(ActionKind::InputGrad, microbatch, chunk);
}

Action Action::weightGrad(int microbatch, int chunk) {
  return compute(ActionKind::WeightGrad, microbatch, chunk);
}

Action Action::send(int peer, TensorId tensor) {
  Action action;
  action.kind = ActionKind::Send;
  action.peer = peer;
  action.tensor = tensor;
  return action;
}

Action Action::recv(int peer, TensorId tensor) {
  Action action = send(peer, tensor);
  action.kind = ActionKind::Recv;
  return action;
}

Action Action::coll(std::string name, std::vector<int> group) {
  Action action;
  action.kind = ActionKind::Collective;
  action.collective = std::move(name);
  action.group = std::move(group);
  return action;
}

bool Action::operator==(const Action &other) const {
  if (kind != other.kind)
    return false;
  if (isCompute(kind))
    return microbatch == other.microbatch && chunk == other.chunk;
  if (kind == ActionKind::Collective)
    return collective == other.collective && group == other.group;
  return peer == other.peer && tensor == other.tensor;
}

std::string formatAction(const Action &action) {
  switch (action.kind) {
  case ActionKind::Forward:
  case ActionKind::InputGrad:
  case ActionKind::WeightGrad:
    return actionKindName(action.kind) + std::to_string(action.microbatch) +
           "." + std::to_string(action.chunk);
  case ActionKind::Send:
    return "SEND " + formatTensor(action.tensor) + "->" +
           std::to_string(action.peer);
  case ActionKind::Recv:
    return "RECV " + formatTensor(action.tensor) + "<-" +
           std::to_string(action.peer);
  case ActionKind::Collective: {
    std::string text = "COLL " + action.collective;
    for (size_t i = 0; i < action.group.size(); ++i)
      text += (i == 0 ? "@" : ",") + std::to_string(action.group[i]);
    return text;
  }
  }
  return "?";
}

} // namespace pp::schedule
