//===- OutputTest.cpp - SVG picture and Chrome trace ----------------------===//

#include "ScheduleTestUtil.h"

#include "pp/Schedule/ChromeTrace.h"
#include "pp/Schedule/SvgTimeline.h"

using namespace pp::schedule;
using namespace pp::schedule::test;

namespace {

int occurrences(const std::string &text, const std::string &needle) {
  int count = 0;
  for (size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + 1))
    ++count;
  return count;
}

TEST(Output, SvgHasARowPerRankBoxesLabelsLegendAndAxis) {
  Schedule schedule = generate(options(ScheduleKind::OneFOneB, 4, 8));
  SimulationResult result =
      simulateSchedule(schedule, uniformCosts(schedule, 1, 1, 1));
  SvgOptions svgOptions;
  svgOptions.title = "1f1b";
  svgOptions.numRanks = 4;
  std::string svg = renderTimelineSvg(result.timeline, svgOptions);
  EXPECT_EQ(svg.rfind("<svg ", 0), 0u);
  EXPECT_EQ(occurrences(svg, "<g class=\"rank\""), 4);
  for (int rank = 0; rank < 4; ++rank)
    EXPECT_NE(svg.find("id=\"rank-" + std::to_string(rank) + "\""),
              std::string::npos);
  // 8 micro-batches x 4 ranks of each kind; free messages are not drawn.
  EXPECT_EQ(occurrences(svg, "<rect class=\"F\" x="), 32);
  EXPECT_EQ(occurrences(svg, "<rect class=\"B\" x="), 32);
  EXPECT_EQ(occurrences(svg, "<rect class=\"W\" x="), 32);
  EXPECT_EQ(occurrences(svg, "<rect class=\"comm\" x="), 0);
  EXPECT_EQ(occurrences(svg, "class=\"mb\""), 96);
  EXPECT_EQ(occurrences(svg, ">7</text>"), 12);
  EXPECT_NE(svg.find("<g class=\"legend\">"), std::string::npos);
  EXPECT_NE(svg.find("F forward"), std::string::npos);
  EXPECT_NE(svg.find("<g class=\"axis\""), std::string::npos);
  EXPECT_NE(svg.find(">30</text>"), std::string::npos); // ticks every 5
}

TEST(Output, TraceHasACompleteEventPerActionInMicroseconds) {
  std::vector<TimelineEvent> events = {
      {0, "F3.0", ActionKind::Forward, 1.5, 2, 3, 0},
      {1, "RECV F3.0<-0", ActionKind::Recv, 3.5, 0.25, -1, -1},
  };
  TraceOptions traceOptions;
  traceOptions.numRanks = 2;
  std::string json = chromeTraceJson(events, traceOptions);
  EXPECT_NE(json.find("\"traceEvents\": ["), std::string::npos);
  EXPECT_NE(json.find("{\"name\": \"F3.0\", \"cat\": \"F\", \"ph\": \"X\", "
                      "\"pid\": 0, \"tid\": 0, \"ts\": 1500, \"dur\": 2000, "
                      "\"args\": {\"microbatch\": 3, \"chunk\": 0}}"),
            std::string::npos);
  EXPECT_NE(json.find("{\"name\": \"RECV F3.0<-0\", \"cat\": \"RECV\", "
                      "\"ph\": \"X\", \"pid\": 1, \"tid\": 1, \"ts\": 3500, "
                      "\"dur\": 250}"),
            std::string::npos);
  EXPECT_NE(json.find("\"args\": {\"name\": \"rank 1\"}"), std::string::npos);
  EXPECT_EQ(occurrences(json, "\"ph\": \"X\""), 2);
}

TEST(Output, TraceComesFromTheSimulatorsTimeline) {
  Schedule schedule = generate(options(ScheduleKind::GPipe, 2, 2));
  SimulationResult result =
      simulateSchedule(schedule, uniformCosts(schedule, 1, 1, 1));
  std::string json = chromeTraceJson(result.timeline, {});
  EXPECT_EQ(occurrences(json, "\"ph\": \"X\""), (int)result.timeline.size());
  EXPECT_NE(json.find("\"name\": \"W1.0\""), std::string::npos);
}

} // namespace
