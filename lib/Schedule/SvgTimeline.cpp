//===- SvgTimeline.cpp - timelines as an SVG picture ----------------------===//
//
// Layout, top to bottom: a title, one row per rank (a <g class="rank"> with a
// label and one <rect> per action, its micro-batch number inside when it
// fits), a time axis with round ticks, and a legend. The horizontal scale is
// chosen so the shortest compute box is wide enough for its number.
//
//===----------------------------------------------------------------------===//

#include "pp/Schedule/SvgTimeline.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pp::schedule {

namespace {

constexpr double leftMargin = 70, rightMargin = 20, titleHeight = 34;
constexpr double rowHeight = 26, rowGap = 8, axisHeight = 34;
constexpr double legendHeight = 30, minPlotWidth = 900, maxPlotWidth = 6000;
constexpr double minBoxWidth = 22;

struct Rgb {
  int r, g, b;
};

Rgb kindColour(ActionKind kind) {
  switch (kind) {
  case ActionKind::Forward:
    return {0x4e, 0x79, 0xa7};
  case ActionKind::InputGrad:
    return {0xf2, 0x8e, 0x2b};
  case ActionKind::WeightGrad:
    return {0x59, 0xa1, 0x4f};
  case ActionKind::Send:
  case ActionKind::Recv:
    return {0xb0, 0x7a, 0xa1};
  case ActionKind::Collective:
    return {0x9c, 0x75, 0x5f};
  }
  return {0x80, 0x80, 0x80};
}

/// Later chunks are drawn in lighter tints of their kind's colour.
double tintOf(int chunk, int numChunks) {
  if (chunk <= 0 || numChunks <= 1)
    return 0;
  return 0.55 * chunk / (numChunks - 1);
}

std::string hexColour(Rgb colour, double tint) {
  auto mix = [&](int channel) {
    return (int)std::lround(channel + (255 - channel) * tint);
  };
  char text[8];
  std::snprintf(text, sizeof text, "#%02x%02x%02x", mix(colour.r),
                mix(colour.g), mix(colour.b));
  return text;
}

std::string num(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value);
  std::string s = text;
  while (s.back() == '0')
    s.pop_back();
  if (s.back() == '.')
    s.pop_back();
  return s;
}

std::string xmlEscape(const std::string &text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
    case '<':
      escaped += "&lt;";
      break;
    case '>':
      escaped += "&gt;";
      break;
    case '&':
      escaped += "&amp;";
      break;
    case '"':
      escaped += "&quot;";
      break;
    default:
      escaped += c;
    }
  }
  return escaped;
}

/// A tick spacing of 1, 2 or 5 times a power of ten giving about ten ticks.
double tickSpacing(double span) {
  double raw = span / 10;
  double power = std::pow(10, std::floor(std::log10(raw)));
  for (double factor : {1.0, 2.0, 5.0, 10.0})
    if (raw <= factor * power)
      return factor * power;
  return 10 * power;
}

const char *kindClass(ActionKind kind) {
  switch (kind) {
  case ActionKind::Forward:
    return "F";
  case ActionKind::InputGrad:
    return "B";
  case ActionKind::WeightGrad:
    return "W";
  case ActionKind::Send:
  case ActionKind::Recv:
    return "comm";
  case ActionKind::Collective:
    return "coll";
  }
  return "other";
}

} // namespace

std::string renderTimelineSvg(const std::vector<TimelineEvent> &events,
                              const SvgOptions &options) {
  int numRanks = options.numRanks;
  double end = 0, shortest = 0;
  bool present[6] = {};
  for (const TimelineEvent &event : events) {
    numRanks = std::max(numRanks, event.rank + 1);
    end = std::max(end, event.start + event.duration);
    if (event.duration <= 0)
      continue;
    present[(int)event.kind] = true;
    if (isCompute(event.kind) && (shortest == 0 || event.duration < shortest))
      shortest = event.duration;
  }
  if (end <= 0)
    end = 1;
  double scale = minPlotWidth / end;
  if (shortest > 0)
    scale = std::max(scale, minBoxWidth / shortest);
  scale = std::min(scale, maxPlotWidth / end);
  double plotWidth = end * scale;
  double width = leftMargin + plotWidth + rightMargin;
  double rowsTop = titleHeight;
  double axisTop = rowsTop + numRanks * (rowHeight + rowGap);
  double legendTop = axisTop + axisHeight;
  double height = legendTop + legendHeight;

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                    num(width) + "\" height=\"" + num(height) +
                    "\" viewBox=\"0 0 " + num(width) + " " + num(height) +
                    "\" font-family=\"DejaVu Sans, Helvetica, Arial, "
                    "sans-serif\" font-size=\"11\">\n";
  svg += "<rect class=\"background\" width=\"100%\" height=\"100%\" "
         "fill=\"#ffffff\"/>\n";
  svg += "<text class=\"title\" x=\"" + num(leftMargin) +
         "\" y=\"21\" font-size=\"14\" font-weight=\"bold\">" +
         xmlEscape(options.title) + "</text>\n";

  // Rows.
  std::vector<std::vector<const TimelineEvent *>> byRank(numRanks);
  for (const TimelineEvent &event : events)
    if (event.duration > 0 && event.rank >= 0)
      byRank[event.rank].push_back(&event);
  for (int rank = 0; rank < numRanks; ++rank) {
    double top = rowsTop + rank * (rowHeight + rowGap);
    svg += "<g class=\"rank\" id=\"rank-" + std::to_string(rank) + "\">\n";
    svg += "<text class=\"rank-label\" x=\"" + num(leftMargin - 10) +
           "\" y=\"" + num(top + rowHeight / 2 + 4) +
           "\" text-anchor=\"end\">rank " + std::to_string(rank) + "</text>\n";
    svg += "<rect class=\"lane\" x=\"" + num(leftMargin) + "\" y=\"" +
           num(top) + "\" width=\"" + num(plotWidth) + "\" height=\"" +
           num(rowHeight) + "\" fill=\"#f3f3f3\"/>\n";
    for (const TimelineEvent *event : byRank[rank]) {
      double x = leftMargin + event->start * scale;
      double w = event->duration * scale;
      double tint = tintOf(event->chunk, options.numChunks);
      svg += "<rect class=\"" + std::string(kindClass(event->kind)) +
             "\" x=\"" + num(x) + "\" y=\"" + num(top) + "\" width=\"" +
             num(w) + "\" height=\"" + num(rowHeight) + "\" fill=\"" +
             hexColour(kindColour(event->kind), tint) +
             "\" stroke=\"#ffffff\" stroke-width=\"1\"><title>" +
             xmlEscape(event->name) + " on rank " + std::to_string(rank) +
             ": " + num(event->start) + " to " +
             num(event->start + event->duration) + "</title></rect>\n";
      if (event->microbatch < 0)
        continue;
      std::string label = std::to_string(event->microbatch);
      if (w < 7.0 * label.size() + 4)
        continue; // does not fit; the tooltip still names it
      svg += "<text class=\"mb\" x=\"" + num(x + w / 2) + "\" y=\"" +
             num(top + rowHeight / 2 + 4) +
             "\" text-anchor=\"middle\" fill=\"" +
             (tint > 0.3 ? "#1b1b1b" : "#ffffff") + "\">" + label + "</text>\n";
    }
    svg += "</g>\n";
  }

  // Time axis.
  double spacing = tickSpacing(end);
  svg += "<g class=\"axis\" stroke=\"#555555\">\n";
  svg += "<line x1=\"" + num(leftMargin) + "\" y1=\"" + num(axisTop) +
         "\" x2=\"" + num(leftMargin + plotWidth) + "\" y2=\"" + num(axisTop) +
         "\"/>\n";
  for (int i = 0; i * spacing <= end + 1e-9; ++i) {
    double t = i * spacing;
    double x = leftMargin + t * scale;
    svg += "<line x1=\"" + num(x) + "\" y1=\"" + num(axisTop) + "\" x2=\"" +
           num(x) + "\" y2=\"" + num(axisTop + 5) + "\"/>";
    svg += "<text x=\"" + num(x) + "\" y=\"" + num(axisTop + 17) +
           "\" text-anchor=\"middle\" stroke=\"none\" fill=\"#333333\">" +
           num(t) + "</text>\n";
  }
  svg +=
      "<text x=\"" + num(leftMargin - 10) + "\" y=\"" + num(axisTop + 17) +
      "\" text-anchor=\"end\" stroke=\"none\" fill=\"#333333\">time</text>\n";
  svg += "</g>\n";

  // Legend.
  struct Entry {
    ActionKind kind;
    const char *text;
  };
  const Entry entries[] = {
      {ActionKind::Forward, "F forward"},
      {ActionKind::InputGrad, "B input gradient"},
      {ActionKind::WeightGrad, "W weight gradient"},
      {ActionKind::Send, "SEND/RECV message"},
      {ActionKind::Collective, "COLL collective"},
  };
  svg += "<g class=\"legend\">\n";
  double x = leftMargin;
  for (const Entry &entry : entries) {
    bool shown = present[(int)entry.kind] || (entry.kind == ActionKind::Send &&
                                              present[(int)ActionKind::Recv]);
    if (!shown)
      continue;
    svg += "<rect class=\"key " + std::string(kindClass(entry.kind)) +
           "\" x=\"" + num(x) + "\" y=\"" + num(legendTop) +
           "\" width=\"14\" height=\"14\" fill=\"" +
           hexColour(kindColour(entry.kind), 0) + "\"/>";
    svg += "<text x=\"" + num(x + 19) + "\" y=\"" + num(legendTop + 11) +
           "\">" + entry.text + "</text>\n";
    x += 150;
  }
  if (options.numChunks > 1) {
    svg += "<text x=\"" + num(x) + "\" y=\"" + num(legendTop + 11) +
           "\">lighter tint: later chunk; numbers: micro-batch</text>\n";
  } else {
    svg += "<text x=\"" + num(x) + "\" y=\"" + num(legendTop + 11) +
           "\">numbers: micro-batch</text>\n";
  }
  svg += "</g>\n</svg>\n";
  return svg;
}

} // namespace pp::schedule
