//===- fuzz_schedule.cpp - libFuzzer entry point for schedule text -------===//
//
// Feeds arbitrary text to the schedule parser (`--schedule=FILE`). What
// parses must verify without crashing and print back to itself: the text
// format promises parse(print(s)) == s, so a difference is a bug.
//
//===----------------------------------------------------------------------===//

#include "pp/Schedule/TextFormat.h"
#include "pp/Schedule/Verifier.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace pp::schedule;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  ParseError error;
  std::optional<Schedule> schedule = parseSchedule(text, error);
  if (!schedule)
    return 0;
  verifySchedule(*schedule);
  std::string printed = printSchedule(*schedule);
  std::optional<Schedule> again = parseSchedule(printed, error);
  if (!again || !(*again == *schedule))
    abort();
  return 0;
}
