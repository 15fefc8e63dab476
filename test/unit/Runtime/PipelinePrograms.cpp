//===- PipelinePrograms.cpp - the registry and fixture helpers ------------===//

#include "PipelinePrograms.h"
#include "pprt/DType.h"

#include <cstdio>

namespace pprt::test {

std::vector<const TestProgram *> testPrograms() {
  std::vector<const TestProgram *> all = {
      &virtualStagesTest(), &virtualStagesBatchedTest(),
      &virtualStagesDefaultOrderTest(), &dpMicrobatchTest(),
      &weightRegionTest()};
  for (const TestProgram *bad : badScheduleTests())
    all.push_back(bad);
  for (const TestProgram *v : vPlacementTests())
    all.push_back(v);
  return all;
}

const TestProgram *findTestProgram(const std::string &name) {
  for (const TestProgram *p : testPrograms())
    if (name == p->name)
      return p;
  return nullptr;
}

HostArray makeArray(DType dtype, std::vector<int64_t> shape,
                    const std::vector<double> &values) {
  HostArray array;
  array.dtype = dtype;
  array.shape = std::move(shape);
  array.data.resize(values.size() * dtypeSize(dtype));
  convertElements(array.data.data(), dtype, values.data(), DType::F64,
                  values.size());
  return array;
}

bool writeArray(const std::string &path, const HostArray &array,
                std::string &error) {
  return writeNpy(path, array.dtype, array.shape.data(),
                  int(array.shape.size()), array.data.data(), error);
}

bool writeFile(const std::string &path, const std::string &bytes,
               std::string &error) {
  FILE *f = std::fopen(path.c_str(), "wb");
  bool ok = f && std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  if (f && std::fclose(f) != 0)
    ok = false;
  if (!ok)
    error = "cannot write " + path;
  return ok;
}

} // namespace pprt::test
