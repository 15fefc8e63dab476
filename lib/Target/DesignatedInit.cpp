//===- DesignatedInit.cpp - runtime table rows, field by field -----------===//
//
// The enumerators' spellings and the field counts of the runtime's structs.
// The counts come from structured bindings, which must name exactly as many
// variables as the struct has fields: when the runtime adds a field, the
// matching line below stops compiling, and whoever adds it also teaches the
// emitter to fill it.
//
//===----------------------------------------------------------------------===//

#include "DesignatedInit.h"

using namespace mlir;
using namespace mlir::pp;

std::string mlir::pp::cString(llvm::StringRef s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += '?'; // control characters have no business in a name
      continue;
    }
    out += c;
  }
  return out + "\"";
}

const char *mlir::pp::spelling(pprt::DType type) {
  switch (type) {
  case pprt::DType::F32:
    return "pprt::DType::F32";
  case pprt::DType::U8:
    return "pprt::DType::U8";
  case pprt::DType::I8:
    return "pprt::DType::I8";
  case pprt::DType::U16:
    return "pprt::DType::U16";
  case pprt::DType::I16:
    return "pprt::DType::I16";
  case pprt::DType::I32:
    return "pprt::DType::I32";
  case pprt::DType::I64:
    return "pprt::DType::I64";
  case pprt::DType::Bool:
    return "pprt::DType::Bool";
  case pprt::DType::F16:
    return "pprt::DType::F16";
  case pprt::DType::F64:
    return "pprt::DType::F64";
  case pprt::DType::U32:
    return "pprt::DType::U32";
  case pprt::DType::U64:
    return "pprt::DType::U64";
  case pprt::DType::BF16:
    return "pprt::DType::BF16";
  }
  llvm_unreachable("not a pprt::DType");
}

const char *mlir::pp::spelling(::pp::schedule::Placement placement) {
  switch (placement) {
  case ::pp::schedule::Placement::Loop:
    return "::pp::schedule::Placement::Loop";
  case ::pp::schedule::Placement::V:
    return "::pp::schedule::Placement::V";
  }
  llvm_unreachable("every placement is spelled above");
}

const char *mlir::pp::spelling(pprt::TensorRole role) {
  switch (role) {
  case pprt::TensorRole::Data:
    return "pprt::TensorRole::Data";
  case pprt::TensorRole::Loss:
    return "pprt::TensorRole::Loss";
  case pprt::TensorRole::Gradient:
    return "pprt::TensorRole::Gradient";
  case pprt::TensorRole::Update:
    return "pprt::TensorRole::Update";
  case pprt::TensorRole::Step:
    return "pprt::TensorRole::Step";
  case pprt::TensorRole::State:
    return "pprt::TensorRole::State";
  case pprt::TensorRole::LossScale:
    return "pprt::TensorRole::LossScale";
  case pprt::TensorRole::GradNorm:
    return "pprt::TensorRole::GradNorm";
  case pprt::TensorRole::PrefillIds:
    return "pprt::TensorRole::PrefillIds";
  case pprt::TensorRole::DecodeIds:
    return "pprt::TensorRole::DecodeIds";
  case pprt::TensorRole::KvCache:
    return "pprt::TensorRole::KvCache";
  case pprt::TensorRole::PrefillLogits:
    return "pprt::TensorRole::PrefillLogits";
  case pprt::TensorRole::DecodeLogits:
    return "pprt::TensorRole::DecodeLogits";
  }
  llvm_unreachable("every role is spelled above");
}

const char *mlir::pp::spelling(pprt::ActionKind kind) {
  switch (kind) {
  case pprt::ActionKind::Forward:
    return "pprt::ActionKind::Forward";
  case pprt::ActionKind::BackwardInput:
    return "pprt::ActionKind::BackwardInput";
  case pprt::ActionKind::BackwardWeight:
    return "pprt::ActionKind::BackwardWeight";
  case pprt::ActionKind::Send:
    return "pprt::ActionKind::Send";
  case pprt::ActionKind::Recv:
    return "pprt::ActionKind::Recv";
  case pprt::ActionKind::SendGradient:
    return "pprt::ActionKind::SendGradient";
  case pprt::ActionKind::RecvGradient:
    return "pprt::ActionKind::RecvGradient";
  }
  llvm_unreachable("not a pprt::ActionKind");
}

namespace mlir::pp {

template <> int fieldCount<pprt::MeshSpec>() {
  [[maybe_unused]] const auto &[numAxes, axisNames, axisSizes] =
      pprt::MeshSpec{};
  return 3;
}

template <> int fieldCount<pprt::TensorSpec>() {
  [[maybe_unused]] const auto &[name, dtype, rank, shape, shardAxes,
                                batchDim, role, of] = pprt::TensorSpec{};
  return 8;
}

template <> int fieldCount<pprt::WeightSpec>() {
  [[maybe_unused]] const auto &[name, file, offset, length, fileDtype, dtype,
                                rank, shape, shardAxes, regionStarts,
                                regionSizes, numTiedCopies, tiedCopies,
                                tensorName] = pprt::WeightSpec{};
  return 14;
}

template <> int fieldCount<pprt::TiedCopy>() {
  [[maybe_unused]] const auto &[name, file, offset, transposed] =
      pprt::TiedCopy{};
  return 4;
}

template <> int fieldCount<pprt::StageSpec>() {
  [[maybe_unused]] const auto &[run, arenaBytes, numWeights, weights,
                                numInputs, inputs, numOutputs, outputs,
                                recvBytes, sendBytes, backwardInput,
                                backwardWeight, update, stashBytes, decode,
                                decodeRecvBytes, decodeSendBytes] =
      pprt::StageSpec{};
  return 17;
}

template <> int fieldCount<pprt::Action>() {
  [[maybe_unused]] const auto &[kind, stage, microbatch] = pprt::Action{};
  return 3;
}

template <> int fieldCount<pprt::RankSchedule>() {
  [[maybe_unused]] const auto &[numActions, actions] = pprt::RankSchedule{};
  return 2;
}

template <> int fieldCount<pprt::AttentionShape>() {
  [[maybe_unused]] const auto &[batch, heads, kvGroup, queries, keys, depth,
                                valueDepth, q, k, v, out, addend, keep, causal,
                                selectFirst, invertKeep] =
      pprt::AttentionShape{};
  return 16;
}

template <> int fieldCount<pprt::Program>() {
  [[maybe_unused]] const auto &[modelName, target, weightsDir, numInputs,
                                inputs, numOutputs, outputs, numWeights,
                                weights, arenaBytes, run, mesh, stageAxis,
                                numStages, stages, placement,
                                numMicrobatches, schedule, maxSeq] =
      pprt::Program{};
  return 19;
}

} // namespace mlir::pp
