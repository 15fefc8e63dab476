// RUN: pp-opt %s -split-input-file -verify-diagnostics

// Every verifier error of pp.schedule.

// Swapped sends: the first message rank 0 sends is not the first rank 1
// receives.
// expected-error @+1 {{'pp.schedule' op is not a valid schedule: the 1st message from rank 0 to rank 1 is F1.0 on the sending side but F0.0 on the receiving side}}
pp.schedule "swapped" microbatches 2 chunks 1 placement "loop" ranks [
  ["F0.0", "F1.0", "SEND F1.0->1", "SEND F0.0->1"],
  ["RECV F0.0<-0", "F0.0", "RECV F1.0<-0", "F1.0"]]

// -----

// Both ranks send first: under blocking sends they wait for each other.
// expected-error @+1 {{deadlock: rank 0 waits in SEND F1.0->1 for rank 1, rank 1 waits in SEND F0.0->0 for rank 0}}
pp.schedule "crossed" microbatches 2 chunks 2 placement "loop" ranks [
  ["F0.0", "SEND F0.0->1", "F1.0", "SEND F1.0->1", "RECV F0.0<-1", "F0.1", "SEND F0.1->1", "RECV F1.0<-1", "F1.1", "SEND F1.1->1"],
  ["RECV F0.0<-0", "F0.0", "SEND F0.0->0", "RECV F1.0<-0", "F1.0", "RECV F0.1<-0", "SEND F1.0->0", "F0.1", "RECV F1.1<-0", "F1.1"]]

// -----

// expected-error @+1 {{'pp.schedule' op is not a valid schedule:}}
pp.schedule "bad" microbatches 1 chunks 1 placement "loop" ranks [["F0.0", "JUMP"], []]

// -----

// expected-error @+1 {{'pp.schedule' op name 'two words' must be one word}}
pp.schedule "two words" microbatches 1 chunks 1 placement "loop" ranks [["F0.0"]]

// -----

// expected-error @+1 {{'pp.schedule' op needs at least one rank}}
pp.schedule "none" microbatches 1 chunks 1 placement "loop" ranks []

// -----

// Rank 1 runs micro-batch 0 before receiving its input.
// expected-error @+1 {{'pp.schedule' op is not a valid schedule:}}
pp.schedule "early" microbatches 1 chunks 1 placement "loop" ranks [
  ["F0.0", "SEND F0.0->1"], ["F0.0", "RECV F0.0<-0"]]
