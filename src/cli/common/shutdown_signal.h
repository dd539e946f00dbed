// ShutdownSignal: how a serving verb waits for SIGTERM or SIGINT.
//
// Construct it first thing, on the main thread: it blocks both signals there (and so in every
// thread started afterwards), so that no server thread sees them and the shutdown runs on the
// main thread, in order, after Wait() returns.
#ifndef KEYWARDEN_CLI_COMMON_SHUTDOWN_SIGNAL_H_
#define KEYWARDEN_CLI_COMMON_SHUTDOWN_SIGNAL_H_

#include <pthread.h>
#include <signal.h>

namespace keywarden::cli {

class ShutdownSignal {
 public:
  ShutdownSignal() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }
  // The signal that arrived.
  int Wait() {
    int signal_number = 0;
    sigwait(&set_, &signal_number);
    return signal_number;
  }

 private:
  sigset_t set_{};
};

}  // namespace keywarden::cli

#endif  // KEYWARDEN_CLI_COMMON_SHUTDOWN_SIGNAL_H_
