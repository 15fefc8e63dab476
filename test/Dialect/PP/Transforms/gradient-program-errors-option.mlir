// pp-gradient-program's option error.
// RUN: pp-opt %s -verify-diagnostics --pp-gradient-program="recompute=some"

// expected-error @below {{pp-gradient-program: recompute must be none, full or selective, got 'some'}}
module {
}
