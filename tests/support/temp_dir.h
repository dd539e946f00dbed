// TempDir: a fresh directory under the system temp folder, removed with everything in it when
// the object goes. Tests put their databases, key files and configurations here. The one way
// tests make a temporary folder or file: nothing else calls mkdtemp or mkstemp.
#ifndef KEYWARDEN_TESTS_SUPPORT_TEMP_DIR_H_
#define KEYWARDEN_TESTS_SUPPORT_TEMP_DIR_H_

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

namespace keywarden::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "keywarden-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();  // no test can run without it
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The path of `name` inside this directory (nothing is created).
  std::string File(const std::string& name) const { return (path_ / name).string(); }
  // Writes `content` as it is (binary) to `name` inside this directory, replacing any file of
  // that name; returns its path. Whether the write worked is for the test to check, if it
  // matters: a file that could not be written reads back short.
  std::string Write(const std::string& name, std::string_view content) const {
    const std::string path = File(name);
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(content.data(), static_cast<std::streamsize>(content.size()));
    return path;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace keywarden::testing

#endif  // KEYWARDEN_TESTS_SUPPORT_TEMP_DIR_H_
