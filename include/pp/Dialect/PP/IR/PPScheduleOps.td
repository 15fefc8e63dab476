//===- PPScheduleOps.td - the micro-batch schedule ---------*- tablegen -*-===//
//
// The pipeline schedule is part of the program: which F/B/W of which
// micro-batch and chunk each pipeline rank runs, in what order, and where
// activations and gradients cross between ranks.
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_IR_PPSCHEDULEOPS_TD
#define PP_DIALECT_PP_IR_PPSCHEDULEOPS_TD

include "pp/Dialect/PP/IR/PPBase.td"

def PP_ScheduleOp : PP_Op<"schedule"> {
  let summary = "The ordered actions of every pipeline rank for one step";
  let description = [{
    One list per pipeline rank (the mesh's "pp" axis), in execution order.
    Each action is written as in the schedule text format of
    docs/schedules.md: `F3.1` (forward of micro-batch 3, chunk 1 of the
    rank), `B3.1` (input gradient), `W3.1` (weight gradient),
    `SEND F3.1->2` and `RECV F3.1<-0` (the activation of micro-batch 3,
    chunk 1, to or from pipeline rank 2 or 0; `B` tensors are gradients),
    and `COLL name@r0,r1`. `chunks` model chunks live on each rank, placed
    in a `loop` (chunk c of rank r is stage c*P + r) or a `v`.

    The verifier checks what design.md section 3 asks of a schedule: every
    F/B/W of every micro-batch and chunk appears once and after what it
    depends on, every SEND has its RECV in the same order, and a simulation
    with blocking rendezvous sends finishes. A deadlock is reported with the
    cycle of waiting ranks and actions.

    Example (forward-only 1F1B on two ranks):

    ```mlir
    pp.schedule "1f1b" microbatches 2 chunks 1 placement "loop" ranks [
      ["F0.0", "SEND F0.0->1", "F1.0", "SEND F1.0->1"],
      ["RECV F0.0<-0", "F0.0", "RECV F1.0<-0", "F1.0"]]
    ```
  }];
  let arguments = (ins StrAttr:$name, I64Attr:$microbatches, I64Attr:$chunks,
                       StrAttr:$placement,
                       TypedArrayAttrBase<StrArrayAttr,
                                          "one action list per rank">:$ranks);
  let assemblyFormat = [{
    $name `microbatches` $microbatches `chunks` $chunks `placement`
    $placement `ranks` $ranks attr-dict
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The schedule in the text format of docs/schedules.md.
    std::string getText();
  }];
}

#endif // PP_DIALECT_PP_IR_PPSCHEDULEOPS_TD
