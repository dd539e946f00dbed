// Waiting for a service started as a child process (`connector serve`, `server serve`) to be
// ready: its /health answers 200.
#ifndef KEYWARDEN_TESTS_E2E_SERVICE_HEALTH_H_
#define KEYWARDEN_TESTS_E2E_SERVICE_HEALTH_H_

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>

#include "e2e/child_process.h"
#include "support/http_test_client.h"
#include "support/wait.h"

namespace keywarden::testing {

// Success once GET /health on loopback `port` answers 200 within `deadline` (30 s by default:
// ASan builds start slowly); a failure with the process's stderr as soon as it exits, or at the
// deadline.
inline ::testing::AssertionResult ServesHealth(ChildProcess& process, std::uint16_t port,
                                               std::chrono::seconds deadline = std::chrono::seconds(30)) {
  bool exited = false;
  const bool healthy = WaitUntil(
      [&] {
        if (SendRequest(port, "GET", "/health").status == 200) return true;
        exited = process.WaitExit(std::chrono::milliseconds(0)).has_value();
        return exited;
      },
      deadline, std::chrono::milliseconds(20));
  if (healthy && !exited) return ::testing::AssertionSuccess();
  if (exited) return ::testing::AssertionFailure() << "the service on " << port << " exited: " << process.err();
  return ::testing::AssertionFailure() << "no healthy /health on " << port << " within " << deadline.count()
                                       << " s: " << process.err();
}

}  // namespace keywarden::testing

#endif  // KEYWARDEN_TESTS_E2E_SERVICE_HEALTH_H_
