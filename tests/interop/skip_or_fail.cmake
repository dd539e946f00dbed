# cmake -DREASON=... -P skip_or_fail.cmake: the suite's skip policy (tests/support/skip.h) for a
# test whose prerequisite is missing. Prints "skipped: REASON" (the test's
# SKIP_REGULAR_EXPRESSION), or fails with REASON when the CI environment variable is set and not
# empty.
if(NOT "$ENV{CI}" STREQUAL "")
  message(FATAL_ERROR "FAIL: ${REASON} (required in CI: the CI environment variable is set)")
endif()
message("skipped: ${REASON}")
