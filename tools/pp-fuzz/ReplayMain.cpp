//===- ReplayMain.cpp - run a fuzz target over a committed corpus ---------===//
//
// Linked with one fuzz target instead of libFuzzer: calls the target once
// per file under the folders given on the command line, so the committed
// regression corpus (test/fuzz-corpus) runs in ctest with the ordinary build.
// A crash fails the test; the file being replayed is printed first.
//
//===----------------------------------------------------------------------===//

#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
  namespace fs = std::filesystem;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR...\n", argv[0]);
    return 2;
  }
  int replayed = 0;
  for (int i = 1; i < argc; ++i) {
    std::vector<fs::path> files;
    std::error_code error;
    for (fs::recursive_directory_iterator it(argv[i], error), end;
         !error && it != end; it.increment(error))
      if (it->is_regular_file())
        files.push_back(it->path());
    if (error) {
      std::fprintf(stderr, "%s: %s\n", argv[i], error.message().c_str());
      return 1;
    }
    std::sort(files.begin(), files.end());
    for (const fs::path &path : files) {
      std::ifstream in(path, std::ios::binary);
      std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      std::fprintf(stderr, "replaying %s\n", path.c_str());
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(bytes.data()),
                             bytes.size());
      ++replayed;
    }
  }
  // An empty corpus would make the test pass without replaying anything.
  if (replayed == 0) {
    std::fprintf(stderr, "no corpus files under the given folders\n");
    return 1;
  }
  std::printf("replayed %d inputs\n", replayed);
  return 0;
}
