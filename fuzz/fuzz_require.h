// What every fuzz target checks beyond "does not crash": a property that does not hold aborts
// with its name, which libFuzzer reports as a crash, keeping the input that broke it.
#ifndef KEYWARDEN_FUZZ_FUZZ_REQUIRE_H_
#define KEYWARDEN_FUZZ_FUZZ_REQUIRE_H_

#include <cstdio>
#include <cstdlib>

namespace keywarden::fuzz {

inline void Require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "violation: %s\n", what);
  std::abort();
}

}  // namespace keywarden::fuzz

#endif  // KEYWARDEN_FUZZ_FUZZ_REQUIRE_H_
