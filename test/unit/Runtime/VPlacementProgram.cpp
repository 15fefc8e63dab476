//===- VPlacementProgram.cpp - 4 stages on 2 pipeline ranks in a V --------===//
//
// The "vstages" program (VirtualStagesProgram.cpp: stage s computes
// a = 10 a + (s + 1), so y = 10000 x + 1234 says every stage ran once, in
// order) with Program::placement = V: stages 0 and 3 run on pipeline rank 0,
// stages 1 and 2 on rank 1. The activation goes from rank 0 to 1, stays on
// rank 1 from stage 1 to stage 2 (the turn of the V: no message, the
// runtime hands the buffer over), and goes back to rank 0.
//
//   vstages-v          zbv's forward-only order (pp-schedule --schedule=zbv
//                      --pp=2 --microbatches=2 --forward-only --print)
//   vstages-v-default  no table: each micro-batch through the rank's stages
//   bad-v-turn-send    rank 1 sends stage 1's activation, which stays on
//                      rank 1: runMain rejects it
//   bad-v-turn-bytes   stage 2 expects fewer bytes than stage 1 leaves it
//                      (they share the buffer): an invalid program
//
//===----------------------------------------------------------------------===//

#include "PipelinePrograms.h"

namespace pprt::test {

namespace {

using K = ActionKind;
// rank 0: F0.0 SEND F0.0->1 F1.0 SEND F1.0->1 RECV F0.1<-1 F0.1
//         RECV F1.1<-1 F1.1
const Action kRank0[] = {{K::Forward, 0, 0}, {K::Send, 0, 0},
                         {K::Forward, 0, 1}, {K::Send, 0, 1},
                         {K::Recv, 3, 0},    {K::Forward, 3, 0},
                         {K::Recv, 3, 1},    {K::Forward, 3, 1}};
// rank 1: RECV F0.0<-0 F0.0 RECV F1.0<-0 F0.1 SEND F0.1->0 F1.0 F1.1
//         SEND F1.1->0
const Action kRank1[] = {
    {K::Recv, 1, 0}, {K::Forward, 1, 0}, {K::Recv, 1, 1},    {K::Forward, 2, 0},
    {K::Send, 2, 0}, {K::Forward, 1, 1}, {K::Forward, 2, 1}, {K::Send, 2, 1}};
const RankSchedule kZbv[] = {{8, kRank0}, {8, kRank1}};

// rank 1 as above, with a SEND of stage 1's micro-batch 0 after its forward.
const Action kTurnSendRank1[] = {
    {K::Recv, 1, 0},    {K::Forward, 1, 0}, {K::Send, 1, 0},
    {K::Recv, 1, 1},    {K::Forward, 2, 0}, {K::Send, 2, 0},
    {K::Forward, 1, 1}, {K::Forward, 2, 1}, {K::Send, 2, 1}};
const RankSchedule kTurnSend[] = {{8, kRank0}, {9, kTurnSendRank1}};

StageSpec stageOf(int s) { return virtualStagesTest().program().stages[s]; }

StageSpec shrunk(StageSpec stage) {
  stage.recvBytes /= 2;
  return stage;
}

Program vProgram(const char *name, const RankSchedule *schedule) {
  Program p = virtualStagesTest().program();
  p.modelName = name;
  p.placement = ::pp::schedule::Placement::V;
  p.schedule = schedule;
  return p;
}

const Program &zbv() {
  static const Program p = vProgram("vstages-v", kZbv);
  return p;
}

const Program &defaultOrder() {
  static const Program p = vProgram("vstages-v-default", nullptr);
  return p;
}

const Program &turnSend() {
  static const Program p = vProgram("bad-v-turn-send", kTurnSend);
  return p;
}

const Program &turnBytes() {
  static const StageSpec stages[] = {stageOf(0), stageOf(1), shrunk(stageOf(2)),
                                     stageOf(3)};
  static const Program p = [] {
    Program p = vProgram("bad-v-turn-bytes", kZbv);
    p.stages = stages;
    return p;
  }();
  return p;
}

std::vector<HostArray> noOutputs() { return {}; }

} // namespace

std::vector<const TestProgram *> vPlacementTests() {
  const TestProgram &base = virtualStagesTest();
  static const TestProgram zbvTest = {"vstages-v", zbv, base.writeFixture,
                                      base.expected};
  static const TestProgram defaultTest = {"vstages-v-default", defaultOrder,
                                          base.writeFixture, base.expected};
  static const TestProgram badTest = {"bad-v-turn-send", turnSend,
                                      base.writeFixture, noOutputs};
  static const TestProgram bytesTest = {"bad-v-turn-bytes", turnBytes,
                                        base.writeFixture, noOutputs};
  return {&zbvTest, &defaultTest, &badTest, &bytesTest};
}

} // namespace pprt::test
