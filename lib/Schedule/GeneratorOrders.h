//===- GeneratorOrders.h - the training order of each generator -*- C++ -*-===//
//
// Internal to lib/Schedule: one function per generator, each in its own
// file, returning the F/B/W order of every rank for training. Generators.cpp
// validates options, derives the forward-only orders and adds messages.
//
//===----------------------------------------------------------------------===//

#ifndef PP_LIB_SCHEDULE_GENERATORORDERS_H
#define PP_LIB_SCHEDULE_GENERATORORDERS_H

#include "pp/Schedule/Action.h"

#include <vector>

namespace pp::schedule {

using RankOrders = std::vector<std::vector<Action>>;

RankOrders gpipeOrder(int ranks, int microbatches);
RankOrders oneFOneBOrder(int ranks, int microbatches);
RankOrders interleavedOrder(int ranks, int microbatches, int chunks);
RankOrders zeroBubbleH1Order(int ranks, int microbatches);
RankOrders zeroBubbleVOrder(int ranks, int microbatches);

} // namespace pp::schedule

#endif // PP_LIB_SCHEDULE_GENERATORORDERS_H
