//===- CommChecks.h - a rank's share of a Comm check run --------*- C++ -*-===//
//
// Every rank of a mesh calls checkComm with its own Comm; it exercises
// send/recv and every collective over every axis mask of the mesh (single
// axes, several axes, none) and returns what went wrong on this rank. The
// GoogleTest suite runs it with LocalComm threads, pprt-comm-check with MPI
// processes, so both backends pass the same checks.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_TEST_COMMCHECKS_H
#define PPRT_TEST_COMMCHECKS_H

#include "pprt/Comm.h"

#include <string>
#include <vector>

namespace pprt::test {

/// Host buffers only (cpu device). Returns one line per failed check.
std::vector<std::string> checkComm(Context &ctx, Comm &comm,
                                   const MeshSpec &mesh);

} // namespace pprt::test

#endif // PPRT_TEST_COMMCHECKS_H
