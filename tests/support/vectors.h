// Access to ../shared/vectors/bitwarden-sdk-vectors.json for tests.
// The vectors are read at run time and never copied into the repository.
#ifndef KEYWARDEN_TESTS_SUPPORT_VECTORS_H_
#define KEYWARDEN_TESTS_SUPPORT_VECTORS_H_

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "support/skip.h"

namespace keywarden::testing {

// The path of a file in the shared vectors folder.
std::string VectorPath(std::string_view file);
// True when the vectors file is present.
bool VectorsAvailable();
// Every vector whose "kind" is `kind`: empty when the file is absent or holds none, so a test
// that loops over them asserts first that they are not empty.
std::vector<nlohmann::json> VectorsOfKind(std::string_view kind);
// The one vector with this "id"; fails the test if absent from a present file.
nlohmann::json VectorById(std::string_view id);

}  // namespace keywarden::testing

// Skips the current test with a clear message when ../shared is not beside the repository, or
// fails it in CI (support/skip.h).
#define KW_REQUIRE_VECTORS()                                                              \
  do {                                                                                    \
    if (!::keywarden::testing::VectorsAvailable()) {                                      \
      KW_SKIP_OR_FAIL_IN_CI("shared vectors not found at "                                \
                            << ::keywarden::testing::VectorPath("")                       \
                            << " (clone the project beside ../shared to run this test)"); \
    }                                                                                     \
  } while (0)

#endif  // KEYWARDEN_TESTS_SUPPORT_VECTORS_H_
