//===- RunIO.h - inputs, references and outputs on the host -----*- C++ -*-===//
//
// What runMain does before and after the device work, shared by single-rank
// and multi-rank runs: reading and checking inputs (.npy or an ONNX
// test_data_set) and references, and writing and comparing whole outputs.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_LIB_RUNIO_H
#define PPRT_LIB_RUNIO_H

#include "RunOptions.h"
#include "pprt/Npy.h"
#include "pprt/Program.h"

#include <string>
#include <vector>

namespace pprt {

/// Every input, whole and in the program's dtype, and the test data's
/// references (empty without --test-data-dir).
struct RunData {
  std::vector<HostArray> inputs;
  std::vector<HostArray> references;
};

/// Reads --input files, then test data for the rest; checks shapes and
/// dtypes and converts. False with a one-line `error`.
bool readRunData(const Program &program, const RunOptions &options,
                 RunData &data, std::string &error);

/// Creates --output-dir if given.
bool prepareOutputDir(const RunOptions &options, std::string &error);

/// Writes --output-dir files and compares with the references; returns the
/// exit status (1 when an output is outside tolerance or a write fails).
int finishOutputs(const Program &program, const RunOptions &options,
                  const RunData &data, const std::vector<HostArray> &outputs);

/// Bytes of the whole tensor.
size_t byteSize(const TensorSpec &spec);
/// "[2,3]"
std::string shapeString(const int64_t *shape, size_t rank);

} // namespace pprt

#endif // PPRT_LIB_RUNIO_H
