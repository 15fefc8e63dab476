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
/// dtypes and converts. A training program's data inputs may hold k times
/// the program's batch (trainingBatchDim); its step and state inputs are
/// zeros. False with a one-line `error`.
bool readRunData(const Program &program, const RunOptions &options,
                 RunData &data, std::string &error);

/// Prints "error: MESSAGE" on stderr; returns exit status 1.
int failWith(const std::string &message);

/// Creates `dir` and its parents.
bool prepareDir(const std::string &dir, std::string &error);
/// Creates --output-dir if given.
bool prepareOutputDir(const RunOptions &options, std::string &error);

/// Writes --output-dir files and compares with the references; returns the
/// exit status (1 when an output is outside tolerance or a write fails).
int finishOutputs(const Program &program, const RunOptions &options,
                  const RunData &data, const std::vector<HostArray> &outputs);

/// Whether the program is a training step (it updates weights).
bool isTrainingProgram(const Program &program);
/// The dim of a training input whose file may hold several batches.
int trainingBatchDim(const TensorSpec &spec);

/// "<name>.npy" with characters outside [A-Za-z0-9._-] mapped to '_'.
std::string fileNameFor(const char *name);
/// Writes `array` as .npy (f16 and bf16 as f32).
bool writeArrayNpy(const std::string &path, const HostArray &array,
                   std::string &error);

/// Bytes of the whole tensor.
size_t byteSize(const TensorSpec &spec);
/// "[2,3]"
std::string shapeString(const int64_t *shape, size_t rank);

} // namespace pprt

#endif // PPRT_LIB_RUNIO_H
