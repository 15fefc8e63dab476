//===- PPOps.td - all pp ops --------------------------------*- tablegen -*-===//
//
// The single entry for ODS generation and the dialect doc: graph ops (what
// the importer builds), communication ops (what the partitioner adds),
// schedules, and a generation step's ops.
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_IR_PPOPS_TD
#define PP_DIALECT_PP_IR_PPOPS_TD

include "pp/Dialect/PP/IR/PPGraphOps.td"
include "pp/Dialect/PP/IR/PPCommOps.td"
include "pp/Dialect/PP/IR/PPScheduleOps.td"
include "pp/Dialect/PP/IR/PPGenerationOps.td"

#endif // PP_DIALECT_PP_IR_PPOPS_TD
