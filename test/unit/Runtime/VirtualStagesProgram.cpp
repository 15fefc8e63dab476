//===- VirtualStagesProgram.cpp - 4 stages on 2 pipeline ranks ------------===//
//
// Virtual stages and schedules. Mesh ["pp"=2], stages 0..3: stage s runs on
// pipeline rank s % 2 as its chunk s / 2, so the activation goes from rank 0
// to 1, back to 0 and to 1 again. x [4,3] is cut into 2 micro-batches of 2
// rows. Stage s computes a = 10 a + (s + 1) on what it reads (stage 0: its
// rows of x, later stages: ctx.stageInput), so y = 10000 x + 1234 says that
// each stage ran once, in order, on the right micro-batch; the last stage
// also writes ctx.microbatch into "microbatch".
//
// "vstages" runs pp-schedule's interleaved order, in which ranks post the
// RECV of micro-batch 1 before the SEND of micro-batch 0; "vstages-batched"
// receives both micro-batches of a chunk before running either and runs both
// before sending either, which is right only if the runtime keeps a receive
// and a send buffer per micro-batch; "vstages-default" has no table, so the
// runtime runs each micro-batch through the rank's stages in turn.
//
//===----------------------------------------------------------------------===//

#include "PipelinePrograms.h"

namespace pprt::test {

namespace {

constexpr int kRows = 4, kCols = 3, kMicrobatches = 2;
constexpr int kActivation = kRows / kMicrobatches * kCols; // elements
constexpr uint64_t kActivationBytes = kActivation * sizeof(float);

float xValue(int i, int j) { return float(10 * i + j); }

template <int S>
void stage(Context &ctx, void *const *inputs, void *const *outputs,
           void *const *, char *) {
  const auto *in =
      static_cast<const float *>(S == 0 ? inputs[0] : ctx.stageInput);
  auto *out = static_cast<float *>(S == 3 ? outputs[0] : ctx.stageOutput);
  for (int i = 0; i < kActivation; ++i)
    out[i] = 10 * in[i] + (S + 1);
  if (S == 3)
    *static_cast<int32_t *>(outputs[1]) = ctx.microbatch;
}

const TensorSpec kInputs[] = {
    {"x", DType::F32, 2, {kRows, kCols}, nullptr, /*batchDim=*/0}};
const TensorSpec kOutputs[] = {
    {"y", DType::F32, 2, {kRows, kCols}, nullptr, 0},
    {"microbatch", DType::I32, 1, {kMicrobatches}, nullptr, 0}};

const int kX[] = {0};
const int kLastOutputs[] = {0, 1};
// No arenas: a stage without intermediates gets a 0-byte one.
const StageSpec kStages[] = {
    {stage<0>, 0, 0, nullptr, 1, kX, 0, nullptr, 0, kActivationBytes},
    {stage<1>, 0, 0, nullptr, 0, nullptr, 0, nullptr, kActivationBytes,
     kActivationBytes},
    {stage<2>, 0, 0, nullptr, 0, nullptr, 0, nullptr, kActivationBytes,
     kActivationBytes},
    {stage<3>, 0, 0, nullptr, 0, nullptr, 2, kLastOutputs, kActivationBytes,
     0}};

using K = ActionKind;
// rank 0: F0.0 SEND F0.0->1 F1.0 SEND F1.0->1 RECV F0.0<-1 F0.1 SEND F0.1->1
//         RECV F1.0<-1 F1.1 SEND F1.1->1
const Action kRank0[] = {
    {K::Forward, 0, 0}, {K::Send, 0, 0},    {K::Forward, 0, 1}, {K::Send, 0, 1},
    {K::Recv, 2, 0},    {K::Forward, 2, 0}, {K::Send, 2, 0},    {K::Recv, 2, 1},
    {K::Forward, 2, 1}, {K::Send, 2, 1}};
// rank 1: RECV F0.0<-0 F0.0 RECV F1.0<-0 SEND F0.0->0 F1.0 RECV F0.1<-0
//         SEND F1.0->0 F0.1 RECV F1.1<-0 F1.1
const Action kRank1[] = {{K::Recv, 1, 0},   {K::Forward, 1, 0}, {K::Recv, 1, 1},
                         {K::Send, 1, 0},   {K::Forward, 1, 1}, {K::Recv, 3, 0},
                         {K::Send, 1, 1},   {K::Forward, 3, 0}, {K::Recv, 3, 1},
                         {K::Forward, 3, 1}};
const RankSchedule kInterleaved[] = {{10, kRank0}, {10, kRank1}};

// rank 0: F0.0 F1.0 SEND F0.0->1 SEND F1.0->1 RECV F0.0<-1 RECV F1.0<-1
//         F0.1 F1.1 SEND F0.1->1 SEND F1.1->1
const Action kBatchedRank0[] = {{K::Forward, 0, 0}, {K::Forward, 0, 1},
                                {K::Send, 0, 0},    {K::Send, 0, 1},
                                {K::Recv, 2, 0},    {K::Recv, 2, 1},
                                {K::Forward, 2, 0}, {K::Forward, 2, 1},
                                {K::Send, 2, 0},    {K::Send, 2, 1}};
// rank 1: RECV F0.0<-0 RECV F1.0<-0 F0.0 F1.0 SEND F0.0->0 SEND F1.0->0
//         RECV F0.1<-0 RECV F1.1<-0 F0.1 F1.1
const Action kBatchedRank1[] = {{K::Recv, 1, 0},    {K::Recv, 1, 1},
                                {K::Forward, 1, 0}, {K::Forward, 1, 1},
                                {K::Send, 1, 0},    {K::Send, 1, 1},
                                {K::Recv, 3, 0},    {K::Recv, 3, 1},
                                {K::Forward, 3, 0}, {K::Forward, 3, 1}};
const RankSchedule kBatched[] = {{10, kBatchedRank0}, {10, kBatchedRank1}};

Program makeProgram(const char *name, const RankSchedule *schedule) {
  Program p = {name,     "cpu", "",      1, kInputs, 2,
               kOutputs, 0,     nullptr, 0, nullptr};
  p.mesh.numAxes = 1;
  p.mesh.axisNames[0] = "pp";
  p.mesh.axisSizes[0] = 2;
  p.stageAxis = 0;
  p.numStages = 4;
  p.stages = kStages;
  p.numMicrobatches = kMicrobatches;
  p.schedule = schedule;
  return p;
}

const Program &scheduled() {
  static const Program p = makeProgram("vstages", kInterleaved);
  return p;
}

const Program &batched() {
  static const Program p = makeProgram("vstages-batched", kBatched);
  return p;
}

const Program &defaultOrder() {
  static const Program p = makeProgram("vstages-default", nullptr);
  return p;
}

bool writeFixture(const std::string &dir, std::string &error) {
  std::vector<double> x;
  for (int i = 0; i < kRows; ++i)
    for (int j = 0; j < kCols; ++j)
      x.push_back(xValue(i, j));
  return writeArray(dir + "/x.npy", makeArray(DType::F32, {kRows, kCols}, x),
                    error);
}

std::vector<HostArray> expected() {
  std::vector<double> y;
  for (int i = 0; i < kRows; ++i)
    for (int j = 0; j < kCols; ++j)
      y.push_back(10000.0 * xValue(i, j) + 1234);
  return {makeArray(DType::F32, {kRows, kCols}, y),
          makeArray(DType::I32, {kMicrobatches}, {0, 1})};
}

} // namespace

std::vector<Action> interleavedActions(int pipelineRank) {
  const RankSchedule &s = kInterleaved[pipelineRank];
  return std::vector<Action>(s.actions, s.actions + s.numActions);
}

const TestProgram &virtualStagesTest() {
  static const TestProgram t = {"vstages", scheduled, writeFixture, expected};
  return t;
}

const TestProgram &virtualStagesBatchedTest() {
  static const TestProgram t = {"vstages-batched", batched, writeFixture,
                                expected};
  return t;
}

const TestProgram &virtualStagesDefaultOrderTest() {
  static const TestProgram t = {"vstages-default", defaultOrder, writeFixture,
                                expected};
  return t;
}

} // namespace pprt::test
