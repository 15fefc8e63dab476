// RUN: pp-opt %s | pp-opt | FileCheck %s

// A schedule (forward-only interleaved, 2 ranks x 2 chunks, 2 micro-batches,
// as pp-schedule prints it) survives a print/parse round trip.

// CHECK: pp.schedule "interleaved" microbatches 2 chunks 2 placement "loop" ranks
// CHECK-SAME: "F0.0", "SEND F0.0->1", "F1.0", "SEND F1.0->1", "RECV F0.0<-1", "F0.1", "SEND F0.1->1", "RECV F1.0<-1", "F1.1", "SEND F1.1->1"]
// CHECK-SAME: "RECV F0.0<-0", "F0.0", "RECV F1.0<-0", "SEND F0.0->0", "F1.0", "RECV F0.1<-0", "SEND F1.0->0", "F0.1", "RECV F1.1<-0", "F1.1"]]
pp.schedule "interleaved" microbatches 2 chunks 2 placement "loop" ranks [
  ["F0.0", "SEND F0.0->1", "F1.0", "SEND F1.0->1", "RECV F0.0<-1", "F0.1", "SEND F0.1->1", "RECV F1.0<-1", "F1.1", "SEND F1.1->1"],
  ["RECV F0.0<-0", "F0.0", "RECV F1.0<-0", "SEND F0.0->0", "F1.0", "RECV F0.1<-0", "SEND F1.0->0", "F0.1", "RECV F1.1<-0", "F1.1"]]
