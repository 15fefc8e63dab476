//===- TempDir.h - a scratch folder per test --------------------*- C++ -*-===//
//
// Runtime tests write .npy, weight and .pb files; each test gets a fresh
// folder, removed afterwards, so tests can run in parallel under ctest.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_TEST_TEMPDIR_H
#define PPRT_TEST_TEMPDIR_H

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace pprt::test {

class TempDir {
public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "pprt-test-XXXXXX").string();
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    const char *made = mkdtemp(buf.data());
    dir = made ? made : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;

  const std::string &path() const { return dir; }
  std::string file(const std::string &name) const { return dir + "/" + name; }

  /// Writes `bytes` to `name` and returns its path.
  std::string write(const std::string &name, const std::string &bytes) const {
    std::string p = file(name);
    FILE *f = std::fopen(p.c_str(), "wb");
    if (f) {
      std::fwrite(bytes.data(), 1, bytes.size(), f);
      std::fclose(f);
    }
    return p;
  }

private:
  std::string dir;
};

} // namespace pprt::test

#endif // PPRT_TEST_TEMPDIR_H
