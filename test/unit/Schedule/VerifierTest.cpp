//===- VerifierTest.cpp - the verifier rejects broken schedules -----------===//

#include "ScheduleTestUtil.h"

#include "pp/Schedule/Verifier.h"

using namespace pp::schedule;
using namespace pp::schedule::test;

namespace {

std::string firstProblem(const std::string &text) {
  std::vector<std::string> problems = verifySchedule(parseOrDie(text));
  return problems.empty() ? "" : problems.front();
}

const char *header2x2 = "schedule ranks=2 microbatches=2\n";

TEST(Verifier, AcceptsA1F1BWrittenByHand) {
  EXPECT_EQ(firstProblem(std::string(header2x2) +
                         "rank 0: F0 SEND F0->1 F1 SEND F1->1 RECV B0<-1 B0 "
                         "W0 RECV B1<-1 B1 W1\n"
                         "rank 1: RECV F0<-0 F0 B0 W0 RECV F1<-0 SEND B0->0 "
                         "F1 B1 W1 SEND B1->0\n"),
            "");
}

TEST(Verifier, SwappedSendAndRecvDeadlockWithTheCycle) {
  EXPECT_EQ(firstProblem(std::string(header2x2) +
                         "rank 0: F0 SEND F0->1 F1 SEND F1->1 RECV B0<-1 B0 "
                         "W0 RECV B1<-1 B1 W1\n"
                         "rank 1: RECV F0<-0 F0 B0 W0 SEND B0->0 RECV F1<-0 "
                         "F1 B1 W1 SEND B1->0\n"),
            "deadlock: rank 0 waits in SEND F1.0->1 for rank 1, rank 1 waits "
            "in SEND B0.0->0 for rank 0");
}

TEST(Verifier, DeadlockCycleOverThreeRanksStartsAtTheLowestRank) {
  // Stages 0..5 loop over three ranks, so stage 2 (rank 2) feeds stage 3
  // (rank 0). Rank 0 waits for that before sending stage 0's output on:
  // every rank receives first.
  std::string ranks = "schedule ranks=3 microbatches=1 chunks=2\n"
                      "rank 1: RECV F0.0<-0 F0.0 SEND F0.0->2 RECV F0.1<-0 "
                      "F0.1 SEND F0.1->2\n"
                      "rank 2: RECV F0.0<-1 F0.0 SEND F0.0->0 RECV F0.1<-1 "
                      "F0.1\n";
  EXPECT_EQ(firstProblem(ranks + "rank 0: F0.0 SEND F0.0->1 RECV F0.0<-2 "
                                 "F0.1 SEND F0.1->1\n"),
            "");
  EXPECT_EQ(firstProblem(ranks + "rank 0: F0.0 RECV F0.0<-2 SEND F0.0->1 "
                                 "F0.1 SEND F0.1->1\n"),
            "deadlock: rank 0 waits in RECV F0.0<-2 for rank 2, rank 2 waits "
            "in RECV F0.0<-1 for rank 1, rank 1 waits in RECV F0.0<-0 for "
            "rank 0");
}

TEST(Verifier, MissingRecv) {
  EXPECT_EQ(firstProblem("schedule ranks=2 microbatches=1\n"
                         "rank 0: F0 SEND F0->1\n"
                         "rank 1: F0\n"),
            "rank 0: SEND F0.0->1 has no matching RECV on rank 1");
}

TEST(Verifier, MessagesBetweenAPairMatchInOrder) {
  EXPECT_EQ(firstProblem("schedule ranks=2 microbatches=2\n"
                         "rank 0: F0 SEND F0->1 F1 SEND F1->1\n"
                         "rank 1: RECV F1<-0 RECV F0<-0 F0 F1\n"),
            "the 1st message from rank 0 to rank 1 is F0.0 on the sending "
            "side but F1.0 on the receiving side (messages between a pair "
            "match in order)");
}

TEST(Verifier, ForwardNeedsThePreviousStagesOutput) {
  EXPECT_EQ(firstProblem("schedule ranks=2 microbatches=1\n"
                         "rank 0: F0\n"
                         "rank 1: F0\n"),
            "F0.0 on rank 1 needs F0.0 of rank 0, but no message carries it");
}

TEST(Verifier, RecvMustComeBeforeItsConsumer) {
  EXPECT_EQ(firstProblem("schedule ranks=2 microbatches=1\n"
                         "rank 0: F0 SEND F0->1\n"
                         "rank 1: F0 RECV F0<-0\n"),
            "rank 1: RECV F0.0<-0 comes after F0.0, which needs it");
}

TEST(Verifier, SendMustComeAfterItsProducer) {
  EXPECT_EQ(firstProblem("schedule ranks=2 microbatches=1\n"
                         "rank 0: SEND F0->1 F0\n"
                         "rank 1: RECV F0<-0 F0\n"),
            "rank 0: SEND F0.0->1 comes before F0.0 produces it");
}

TEST(Verifier, SendMustGoToTheConsumer) {
  EXPECT_EQ(firstProblem("schedule ranks=3 microbatches=1\n"
                         "rank 0: F0 SEND F0->2\n"
                         "rank 1: F0\n"
                         "rank 2: RECV F0<-0 F0\n"),
            "rank 0: SEND F0.0->2: F0.0 of rank 0 is needed by stage 1 on "
            "rank 1, not rank 2");
}

TEST(Verifier, WeightGradAfterInputGradOnOneRank) {
  EXPECT_EQ(firstProblem("schedule ranks=1 microbatches=1\n"
                         "rank 0: F0 W0 B0\n"),
            "rank 0 runs W0.0 before B0.0, whose output it needs");
}

TEST(Verifier, BackwardNeedsTheNextStagesGradient) {
  // Rank 0 runs B0 before the gradient from rank 1 arrives.
  EXPECT_EQ(firstProblem("schedule ranks=2 microbatches=1\n"
                         "rank 0: F0 SEND F0->1 B0 RECV B0<-1 W0\n"
                         "rank 1: RECV F0<-0 F0 B0 SEND B0->0 W0\n"),
            "rank 0: RECV B0.0<-1 comes after B0.0, which needs it");
}

TEST(Verifier, TrainingNeedsEveryPass) {
  EXPECT_EQ(firstProblem("schedule ranks=1 microbatches=2\n"
                         "rank 0: F0 F1 B0 W0 B1\n"),
            "rank 0 never runs W1.0 (a training schedule runs F, B and W "
            "for every micro-batch and chunk)");
}

TEST(Verifier, PassesRunOnce) {
  EXPECT_EQ(firstProblem("schedule ranks=1 microbatches=1\n"
                         "rank 0: F0 F0\n"),
            "rank 0 runs F0.0 twice");
}

TEST(Verifier, LastStageOutputGoesNowhere) {
  EXPECT_EQ(firstProblem("schedule ranks=2 microbatches=1\n"
                         "rank 0: F0 SEND F0->1\n"
                         "rank 1: RECV F0<-0 F0 SEND F0->0\n"),
            "rank 1: SEND F0.0->0: stage 1 is the last; its output goes "
            "nowhere");
}

TEST(Verifier, CollectivesMatchAcrossTheGroup) {
  EXPECT_EQ(firstProblem("schedule ranks=2 microbatches=1\n"
                         "rank 0: F0 SEND F0->1 COLL loss COLL grads\n"
                         "rank 1: RECV F0<-0 F0 COLL grads COLL loss\n"),
            "the 1st collective of the group of rank 0 differs: rank 0 "
            "calls 'loss', rank 1 calls 'grads'");
  EXPECT_EQ(firstProblem("schedule ranks=2 microbatches=1\n"
                         "rank 0: F0 SEND F0->1 COLL grads\n"
                         "rank 1: RECV F0<-0 F0 COLL grads\n"),
            "");
}

TEST(Verifier, CollectiveDeadlockNamesTheRankItWaitsFor) {
  EXPECT_EQ(firstProblem("schedule ranks=2 microbatches=1\n"
                         "rank 0: F0 COLL sync@0,1 SEND F0->1\n"
                         "rank 1: RECV F0<-0 F0 COLL sync@0,1\n"),
            "deadlock: rank 0 waits in COLL sync@0,1 for rank 1, rank 1 "
            "waits in RECV F0.0<-0 for rank 0");
}

TEST(Verifier, ReportsOutOfRangeActionsOfABuiltSchedule) {
  Schedule schedule = parseOrDie("schedule ranks=2 microbatches=1\n"
                                 "rank 0: F0 SEND F0->1\n"
                                 "rank 1: RECV F0<-0 F0\n");
  schedule.ranks[1].push_back(Action::forward(5, 0));
  EXPECT_EQ(verifySchedule(schedule).front(),
            "rank 1: F5.0 names micro-batch 5, but the schedule has 1");
}

} // namespace
