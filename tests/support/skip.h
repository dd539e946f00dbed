// The one skip policy of the test suite, for a prerequisite that is missing on this machine: a
// database server (PostgreSQL, MariaDB), the shared test vectors, SoftHSM2, a reference
// package. Outside CI the test is skipped with the reason, so that a developer without them can
// still run the rest; in CI (the environment variable CI set to anything non-empty), which
// installs all of them, it fails with the reason instead, so that nothing is silently left out.
//
// Every helper that can skip goes through here: KW_REQUIRE_VECTORS (support/vectors.h),
// KW_SHARED_POSTGRES_OR_SKIP and KW_OWN_POSTGRES_OR_SKIP (support/postgres_server.h),
// KW_REQUIRE_MARIADB (support/mariadb_server.h), KW_SOFTHSM_TOKEN_OR_SKIP
// (support/softhsm_token.h). The interop test (tests/interop, node) applies the same rule.
//
// Free of GoogleTest (the SoftHSM helper, which the benchmarks use too, includes it); the macro
// needs <gtest/gtest.h> where it is used.
#ifndef KEYWARDEN_TESTS_SUPPORT_SKIP_H_
#define KEYWARDEN_TESTS_SUPPORT_SKIP_H_

#include <cstdlib>

namespace keywarden::testing {

// Whether the tests run in CI: the environment variable CI is set and not empty.
inline bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && *ci != '\0';
}

}  // namespace keywarden::testing

// In a test body, a fixture's SetUp or any void function it calls: skips the test with `reason`
// (anything that streams into a GoogleTest message), or fails it with `reason` when InCi().
// Returns from the current function either way.
#define KW_SKIP_OR_FAIL_IN_CI(reason)                                              \
  do {                                                                             \
    if (::keywarden::testing::InCi()) {                                            \
      FAIL() << "required in CI (the CI environment variable is set): " << reason; \
    }                                                                              \
    GTEST_SKIP() << reason;                                                        \
  } while (0)

#endif  // KEYWARDEN_TESTS_SUPPORT_SKIP_H_
