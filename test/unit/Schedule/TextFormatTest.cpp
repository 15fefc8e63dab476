//===- TextFormatTest.cpp - parse and print the schedule text format ------===//

#include "ScheduleTestUtil.h"

using namespace pp::schedule;
using namespace pp::schedule::test;

namespace {

std::string parseError(const std::string &text) {
  ParseError error;
  EXPECT_FALSE(parseSchedule(text, error).has_value()) << text;
  return error.format();
}

TEST(TextFormat, GeneratedSchedulesRoundTrip) {
  for (ScheduleKind kind :
       {ScheduleKind::GPipe, ScheduleKind::OneFOneB, ScheduleKind::Interleaved,
        ScheduleKind::ZeroBubbleH1, ScheduleKind::ZeroBubbleV})
    for (bool forwardOnly : {false, true})
      for (auto [p, m] : {std::pair{1, 1}, {2, 4}, {4, 8}, {8, 16}}) {
        Schedule schedule = generate(options(kind, p, m, 0, forwardOnly));
        std::string text = printSchedule(schedule);
        ParseError error;
        std::optional<Schedule> parsed = parseSchedule(text, error);
        ASSERT_TRUE(parsed.has_value()) << error.format() << "\n" << text;
        EXPECT_EQ(*parsed, schedule) << text;
        EXPECT_EQ(printSchedule(*parsed), text);
      }
}

TEST(TextFormat, PrinterWrapsLongListsOntoContinuationLines) {
  std::string text =
      printSchedule(generate(options(ScheduleKind::OneFOneB, 4, 32)));
  size_t start = 0;
  int continuations = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    EXPECT_LE(end - start, 110u);
    continuations += text.compare(start, 2, "  ") == 0;
    start = end + 1;
  }
  EXPECT_GT(continuations, 4);
}

TEST(TextFormat, ReadsShorthandCommentsAndContinuations) {
  Schedule schedule = parseOrDie(
      "# two ranks\n"
      "schedule ranks=2 microbatches=1 chunks=2 placement=v name=mine\n"
      "rank 0: F0 SEND F0->1   # chunk 0 is implied\n"
      "\n"
      "        RECV F0.1<-1 F0.1 COLL done@0,1\r\n"
      "rank 1: RECV F0<-0 F0 F0.1 SEND F0.1->0 COLL done@0,1\n");
  EXPECT_EQ(schedule.name, "mine");
  EXPECT_EQ(schedule.stages.placement(), Placement::V);
  EXPECT_EQ(schedule.stages.numChunks(), 2);
  std::vector<Action> rank0 = {
      Action::forward(0, 0), Action::send(1, {TensorKind::Activation, 0, 0}),
      Action::recv(1, {TensorKind::Activation, 0, 1}), Action::forward(0, 1),
      Action::coll("done", {0, 1})};
  EXPECT_EQ(schedule.ranks[0], rank0);
  EXPECT_EQ(printSchedule(schedule),
            "schedule name=mine ranks=2 microbatches=1 chunks=2 "
            "placement=v\n"
            "rank 0: F0.0 SEND F0.0->1 RECV F0.1<-1 F0.1 COLL done@0,1\n"
            "rank 1: RECV F0.0<-0 F0.0 F0.1 SEND F0.1->0 COLL done@0,1\n");
}

TEST(TextFormat, EmptyRankLinesAreAllowed) {
  Schedule schedule = parseOrDie("schedule ranks=2 microbatches=1\n"
                                 "rank 1:\n"
                                 "rank 0: F0\n");
  EXPECT_TRUE(schedule.ranks[1].empty());
  EXPECT_EQ(schedule.ranks[0].size(), 1u);
}

TEST(TextFormat, ParseErrorsPointAtTheProblem) {
  EXPECT_EQ(parseError(""),
            "1:1: expected a 'schedule ranks=N microbatches=M' header");
  EXPECT_EQ(parseError("rank 0: F0\n"),
            "1:1: expected the 'schedule ranks=N microbatches=M' header "
            "before the first rank");
  EXPECT_EQ(parseError("schedule ranks=2\n"),
            "1:1: the header needs microbatches=M");
  EXPECT_EQ(parseError("schedule ranks=2 microbatches=2 stages=4\n"),
            "1:33: unknown key 'stages' (expected ranks, microbatches, "
            "chunks, placement or name)");
  EXPECT_EQ(parseError("schedule ranks=2 microbatches=2 placement=zigzag\n"),
            "1:43: placement must be 'loop' or 'v'");
  EXPECT_EQ(parseError("schedule ranks=0 microbatches=2\n"),
            "1:16: ranks must be between 1 and 4096");

  std::string header = "schedule ranks=2 microbatches=2\n";
  EXPECT_EQ(parseError(header + "rank 0: F0 X1\n"),
            "2:12: unknown action 'X' (expected F, B, W, SEND, RECV or COLL)");
  EXPECT_EQ(parseError(header + "rank 0: F5\n"),
            "2:10: micro-batch 5 out of range (the schedule has 2)");
  EXPECT_EQ(parseError(header + "rank 0: F1.1\n"),
            "2:12: chunk 1 out of range (each rank has 1)");
  EXPECT_EQ(parseError(header + "rank 0: F\n"),
            "2:10: expected a micro-batch number");
  EXPECT_EQ(parseError(header + "rank 0: F0F1\n"),
            "2:11: expected a space between actions");
  EXPECT_EQ(parseError(header + "rank 0: SEND F0 1\n"),
            "2:17: expected '->' and the receiving rank after the tensor");
  EXPECT_EQ(parseError(header + "rank 0: SEND W0->1\n"),
            "2:14: expected a tensor: F<mb>.<chunk> (an activation) or "
            "B<mb>.<chunk> (a gradient)");
  EXPECT_EQ(parseError(header + "rank 0: SEND F0->0\n"),
            "2:18: rank 0 cannot exchange messages with itself");
  EXPECT_EQ(parseError(header + "rank 0: RECV F0<-7\n"),
            "2:18: peer 7 out of range (the schedule has 2 ranks)");
  EXPECT_EQ(parseError(header + "rank 0: COLL\n"),
            "2:13: expected the collective's name after COLL");
  EXPECT_EQ(parseError(header + "rank 2: F0\n"),
            "2:6: rank 2 out of range (the schedule has 2 ranks)");
  EXPECT_EQ(parseError(header + "rank 0: F0\nrank 0: F1\n"),
            "3:6: rank 0 listed twice");
  EXPECT_EQ(parseError(header + "rank 0 F0\n"),
            "2:8: expected ':' after the rank number");
  EXPECT_EQ(parseError(header + "  F0\n"),
            "2:3: expected 'rank N:' before the actions");
  EXPECT_EQ(parseError(header + "rank 0: F0\n"),
            "3:1: rank 1 is missing (every rank needs a 'rank N:' line, even "
            "an empty one)");
  EXPECT_EQ(parseError(header + "rank 0: F0\n" + header),
            "3:1: a second 'schedule' header");
}

} // namespace
