//===- TextParser.cpp - read the schedule text format ---------------------===//
//
// A hand-written scanner over one line at a time, so every error carries the
// line and column of the offending character. Grammar (docs/schedules.md):
//
//   file     := { line }                       '#' starts a comment
//   line     := header | rank-line | continuation
//   header   := 'schedule' { key '=' value }   ranks, microbatches, chunks,
//                                              placement (loop|v), name
//   rank-line:= 'rank' INT ':' { action }
//   continuation := action { action }          more actions for the rank above
//   action   := ('F'|'B'|'W') MB ['.' CHUNK]
//             | 'SEND' tensor '->' PEER | 'RECV' tensor '<-' PEER
//             | 'COLL' NAME ['@' RANK {',' RANK}]
//   tensor   := ('F'|'B') MB ['.' CHUNK]
//
//===----------------------------------------------------------------------===//

#include "pp/Schedule/TextFormat.h"

#include <algorithm>
#include <cctype>

namespace pp::schedule {

std::string ParseError::format() const {
  return std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

namespace {

// Limits that no real pipeline reaches; they keep a typo from allocating
// gigabytes.
constexpr long maxRanks = 4096;
constexpr long maxChunks = 64;
constexpr long maxMicrobatches = 1'000'000;

bool isNameChar(char c) {
  return std::isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' ||
         c == '/' || c == '+';
}

class Parser {
public:
  explicit Parser(ParseError &error) : error(error) {}

  std::optional<Schedule> parse(std::string_view text);

private:
  // Errors -------------------------------------------------------------------
  bool fail(size_t at, std::string message) {
    error.line = lineNumber;
    error.column = (int)at + 1;
    error.message = std::move(message);
    return false;
  }
  bool failHere(std::string message) { return fail(pos, std::move(message)); }

  // Scanning the current line -----------------------------------------------
  bool atEnd() const { return pos >= line.size(); }
  char peek() const { return atEnd() ? '\0' : line[pos]; }
  void skipSpaces() {
    while (!atEnd() && (line[pos] == ' ' || line[pos] == '\t'))
      ++pos;
  }
  std::string_view word() {
    size_t start = pos;
    while (!atEnd() && std::isalpha((unsigned char)line[pos]))
      ++pos;
    return line.substr(start, pos - start);
  }
  bool number(long &value, const char *what);
  bool expect(std::string_view text, const std::string &what);

  // Grammar -------------------------------------------------------------------
  bool parseLine();
  bool parseHeader(size_t keywordAt);
  bool parseRankLine(size_t keywordAt);
  bool parseActions();
  bool parseAction(Action &action);
  bool parseMicrobatchAndChunk(int &microbatch, int &chunk);
  bool parseTensor(TensorId &tensor);
  bool parsePeer(int &peer);
  bool finish();

  ParseError &error;
  std::string_view line;
  size_t pos = 0;
  int lineNumber = 0;

  bool haveHeader = false;
  long ranks = 0, microbatches = 0, chunks = 1;
  Placement placement = Placement::Loop;
  std::string name;
  int currentRank = -1;
  std::vector<bool> rankSeen;
  Schedule schedule;
};

bool Parser::number(long &value, const char *what) {
  if (!std::isdigit((unsigned char)peek()))
    return failHere(std::string("expected ") + what);
  size_t start = pos;
  value = 0;
  while (std::isdigit((unsigned char)peek())) {
    value = value * 10 + (line[pos++] - '0');
    if (value > maxMicrobatches)
      return fail(start, std::string(what) + " is too large");
  }
  return true;
}

bool Parser::expect(std::string_view text, const std::string &what) {
  if (line.substr(pos, text.size()) != text)
    return failHere("expected " + what);
  pos += text.size();
  return true;
}

bool Parser::parseHeader(size_t keywordAt) {
  if (haveHeader)
    return fail(keywordAt, "a second 'schedule' header");
  if (currentRank >= 0)
    return fail(keywordAt, "the 'schedule' header must come before the ranks");
  haveHeader = true;
  std::vector<std::string> seen;
  bool sawRanks = false, sawMicrobatches = false;
  for (skipSpaces(); !atEnd(); skipSpaces()) {
    size_t keyAt = pos;
    std::string key;
    while (!atEnd() && (std::isalpha((unsigned char)peek()) || peek() == '-'))
      key += line[pos++];
    if (key.empty())
      return failHere("expected a key such as ranks=N");
    if (std::find(seen.begin(), seen.end(), key) != seen.end())
      return fail(keyAt, "'" + key + "' given twice");
    seen.push_back(key);
    if (!expect("=", "'=' after '" + key + "'"))
      return false;
    size_t valueAt = pos;
    if (key == "ranks" || key == "microbatches" || key == "chunks") {
      long value;
      if (!number(value, (key + " count").c_str()))
        return false;
      long limit = key == "ranks"    ? maxRanks
                   : key == "chunks" ? maxChunks
                                     : maxMicrobatches;
      if (value < 1 || value > limit)
        return fail(valueAt,
                    key + " must be between 1 and " + std::to_string(limit));
      (key == "ranks"    ? ranks
       : key == "chunks" ? chunks
                         : microbatches) = value;
      sawRanks = sawRanks || key == "ranks";
      sawMicrobatches = sawMicrobatches || key == "microbatches";
    } else if (key == "placement") {
      std::optional<Placement> value = parsePlacement(word());
      if (!value)
        return fail(valueAt, "placement must be 'loop' or 'v'");
      placement = *value;
    } else if (key == "name") {
      while (!atEnd() && isNameChar(peek()))
        name += line[pos++];
      if (name.empty())
        return fail(valueAt, "expected a name");
    } else {
      return fail(keyAt, "unknown key '" + key +
                             "' (expected ranks, microbatches, chunks, "
                             "placement or name)");
    }
    if (!atEnd() && peek() != ' ' && peek() != '\t')
      return failHere("expected a space after the value of '" + key + "'");
  }
  if (!sawRanks)
    return fail(keywordAt, "the header needs ranks=N");
  if (!sawMicrobatches)
    return fail(keywordAt, "the header needs microbatches=M");
  schedule.name = name;
  schedule.microbatches = (int)microbatches;
  schedule.stages = StageMap((int)ranks, (int)chunks, placement);
  schedule.ranks.assign(ranks, {});
  rankSeen.assign(ranks, false);
  return true;
}

bool Parser::parseRankLine(size_t keywordAt) {
  if (!haveHeader)
    return fail(keywordAt, "expected the 'schedule ranks=N microbatches=M' "
                           "header before the first rank");
  skipSpaces();
  size_t rankAt = pos;
  long rank;
  if (!number(rank, "a rank number after 'rank'"))
    return false;
  if (rank >= ranks)
    return fail(rankAt, "rank " + std::to_string(rank) +
                            " out of range (the schedule has " +
                            std::to_string(ranks) + " ranks)");
  if (rankSeen[rank])
    return fail(rankAt, "rank " + std::to_string(rank) + " listed twice");
  rankSeen[rank] = true;
  currentRank = (int)rank;
  skipSpaces();
  if (!expect(":", "':' after the rank number"))
    return false;
  return parseActions();
}

bool Parser::parseMicrobatchAndChunk(int &microbatch, int &chunk) {
  size_t at = pos;
  long value;
  if (!number(value, "a micro-batch number"))
    return false;
  if (value >= microbatches)
    return fail(at, "micro-batch " + std::to_string(value) +
                        " out of range (the schedule has " +
                        std::to_string(microbatches) + ")");
  microbatch = (int)value;
  chunk = 0;
  if (peek() != '.')
    return true;
  ++pos;
  at = pos;
  if (!number(value, "a chunk number after '.'"))
    return false;
  if (value >= chunks)
    return fail(at, "chunk " + std::to_string(value) +
                        " out of range (each rank has " +
                        std::to_string(chunks) + ")");
  chunk = (int)value;
  return true;
}

bool Parser::parseTensor(TensorId &tensor) {
  char letter = peek();
  if (letter != 'F' && letter != 'B')
    return failHere("expected a tensor: F<mb>.<chunk> (an activation) or "
                    "B<mb>.<chunk> (a gradient)");
  ++pos;
  tensor.kind = letter == 'F' ? TensorKind::Activation : TensorKind::Gradient;
  return parseMicrobatchAndChunk(tensor.microbatch, tensor.chunk);
}

bool Parser::parsePeer(int &peer) {
  skipSpaces();
  size_t at = pos;
  long value;
  if (!number(value, "a peer rank"))
    return false;
  if (value >= ranks)
    return fail(at, "peer " + std::to_string(value) +
                        " out of range (the schedule has " +
                        std::to_string(ranks) + " ranks)");
  if (value == currentRank)
    return fail(at, "rank " + std::to_string(value) +
                        " cannot exchange messages with itself");
  peer = (int)value;
  return true;
}

bool Parser::parseAction(Action &action) {
  size_t at = pos;
  std::string_view keyword = word();
  if (keyword == "F" || keyword == "B" || keyword == "W") {
    action.kind = keyword == "F"   ? ActionKind::Forward
                  : keyword == "B" ? ActionKind::InputGrad
                                   : ActionKind::WeightGrad;
    return parseMicrobatchAndChunk(action.microbatch, action.chunk);
  }
  if (keyword == "SEND" || keyword == "RECV") {
    bool send = keyword == "SEND";
    action.kind = send ? ActionKind::Send : ActionKind::Recv;
    skipSpaces();
    if (!parseTensor(action.tensor))
      return false;
    skipSpaces();
    if (!expect(send ? "->" : "<-",
                send ? "'->' and the receiving rank after the tensor"
                     : "'<-' and the sending rank after the tensor"))
      return false;
    return parsePeer(action.peer);
  }
  if (keyword == "COLL") {
    action.kind = ActionKind::Collective;
    skipSpaces();
    size_t nameAt = pos;
    while (!atEnd() && isNameChar(peek()) && peek() != '@')
      action.collective += line[pos++];
    if (action.collective.empty())
      return fail(nameAt, "expected the collective's name after COLL");
    if (peek() != '@')
      return true;
    do {
      ++pos;
      size_t memberAt = pos;
      long member;
      if (!number(member, "a rank in the collective's group"))
        return false;
      if (member >= ranks)
        return fail(memberAt, "rank " + std::to_string(member) +
                                  " out of range (the schedule has " +
                                  std::to_string(ranks) + " ranks)");
      if (!action.group.empty() && member <= action.group.back())
        return fail(memberAt, "list the group's ranks in increasing order");
      action.group.push_back((int)member);
    } while (peek() == ',');
    return true;
  }
  if (keyword.empty())
    return fail(at, std::string("unexpected '") + peek() + "'");
  return fail(at, "unknown action '" + std::string(keyword) +
                      "' (expected F, B, W, SEND, RECV or COLL)");
}

bool Parser::parseActions() {
  for (skipSpaces(); !atEnd(); skipSpaces()) {
    Action action;
    if (!parseAction(action))
      return false;
    if (!atEnd() && peek() != ' ' && peek() != '\t')
      return failHere("expected a space between actions");
    schedule.ranks[currentRank].push_back(std::move(action));
  }
  return true;
}

bool Parser::parseLine() {
  line = line.substr(0, line.find('#'));
  if (!line.empty() && line.back() == '\r')
    line.remove_suffix(1);
  pos = 0;
  skipSpaces();
  if (atEnd())
    return true;
  size_t keywordAt = pos;
  std::string_view keyword = word();
  if (keyword == "schedule")
    return parseHeader(keywordAt);
  if (keyword == "rank")
    return parseRankLine(keywordAt);
  if (currentRank < 0)
    return fail(keywordAt, haveHeader ? "expected 'rank N:' before the actions"
                                      : "expected a 'schedule ranks=N "
                                        "microbatches=M' header");
  pos = keywordAt;
  return parseActions();
}

bool Parser::finish() {
  ++lineNumber; // errors about what is missing point past the last line
  line = "";
  if (!haveHeader)
    return fail(0, "expected a 'schedule ranks=N microbatches=M' header");
  for (int rank = 0; rank < ranks; ++rank)
    if (!rankSeen[rank])
      return fail(0, "rank " + std::to_string(rank) +
                         " is missing (every rank needs a 'rank N:' line, "
                         "even an empty one)");
  return true;
}

std::optional<Schedule> Parser::parse(std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    ++lineNumber;
    line = text.substr(start, end - start);
    if (!parseLine())
      return std::nullopt;
    start = end + 1;
  }
  if (!finish())
    return std::nullopt;
  return std::move(schedule);
}

} // namespace

std::optional<Schedule> parseSchedule(std::string_view text,
                                      ParseError &error) {
  return Parser(error).parse(text);
}

} // namespace pp::schedule
