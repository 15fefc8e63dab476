//===- ProgramChecks.h - can the runtime run this program? ------*- C++ -*-===//

#ifndef PPRT_LIB_PROGRAMCHECKS_H
#define PPRT_LIB_PROGRAMCHECKS_H

#include "pprt/Program.h"

#include <string>
#include <vector>

namespace pprt {

/// Checks the mesh, the stage table, the placement and the shardings of a
/// program with a stage table; fills `producer` (the stage of each output).
/// False with a one-line `error`.
bool checkProgram(const Program &program, std::vector<int> &producer,
                  std::string &error);

/// Which coordinate of the stage axis runs each stage: the schedule
/// library's StageMap over the axis (one rank without one), with
/// numStages / P chunks and the program's placement. Only for a program
/// whose mesh and stage count checkProgram accepted.
::pp::schedule::StageMap stageMapOf(const Program &program);

} // namespace pprt

#endif // PPRT_LIB_PROGRAMCHECKS_H
