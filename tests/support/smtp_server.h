// SmtpServer: a real SMTP server for tests, on a free loopback port.
//
// Runs tests/support/smtp_server.py under Debian's python3-aiosmtpd in one of three modes (plain;
// STARTTLS offered and required before mail; TLS from the first byte) with a self-signed
// certificate for "localhost" (support/test_certificate.h), optionally with AUTH required for one
// user. Every message it accepts is kept with its envelope, its raw data, and what Python's own
// e-mail parser decodes from it, so that a test checks our encoding against an independent
// decoder. Stop() and Start() take it down and bring it back on the same port; the destructor
// stops it, and it stops by itself if the test program dies.
//
// SilentListener: a loopback port that accepts connections and never says a word, for timeouts.
#ifndef KEYWARDEN_TESTS_SUPPORT_SMTP_SERVER_H_
#define KEYWARDEN_TESTS_SUPPORT_SMTP_SERVER_H_

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "keywarden/status.h"
#include "support/skip.h"
#include "support/temp_dir.h"

namespace keywarden::testing {

struct SmtpServerOptions {
  enum class Mode { kPlain, kStartTls, kTls };
  Mode mode = Mode::kPlain;
  std::string username;  // set: AUTH is required, and only this user with `password` gets in
  std::string password;
  std::vector<std::string> refused_recipients;  // RCPT TO answered "550 No such mailbox"
};

// One message as the server received it.
struct ReceivedMail {
  std::string mail_from;  // the envelope (MAIL FROM, RCPT TO)
  std::vector<std::string> recipients;
  std::string data;            // DATA as received, CRLF line ends, dots unstuffed
  bool authenticated = false;  // the client had logged in
  // As Python's e-mail parser reads `data`: decoded headers, bodies with LF line ends (nullopt
  // when the message has no such part), and every defect it found (none for a good message).
  std::string subject;
  std::string from_name;
  std::string from_address;
  std::string to;
  std::string content_type;
  std::optional<std::string> text;
  std::optional<std::string> html;
  std::vector<std::string> defects;
};

class SmtpServer {
 public:
  // Starts a server and waits (20 s at most) until it answers. kUnavailable when python3 or its
  // aiosmtpd package is missing (KW_SMTP_SERVER_OR_SKIP skips then), kInternal with the end of
  // its log when it does not start.
  static Result<std::unique_ptr<SmtpServer>> Launch(SmtpServerOptions options);

  ~SmtpServer();
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;

  std::uint16_t port() const { return port_; }
  // The PEM certificate it serves (for "localhost"), to trust as a CA file.
  const std::string& cert_file() const { return cert_file_; }

  // Stops it (SIGTERM, then SIGKILL after 10 s) and waits for the process to end.
  Status Stop();
  // Starts it again on the same port; messages received so far are kept.
  Status Start();

  // Every message received so far, oldest first.
  std::vector<ReceivedMail> Received() const;
  // Waits until at least `count` messages have arrived, at most `deadline`; all of them, or
  // kUnavailable saying how many came.
  Result<std::vector<ReceivedMail>> WaitForMessages(std::size_t count, std::chrono::milliseconds deadline) const;

 private:
  explicit SmtpServer(SmtpServerOptions options) : options_(std::move(options)) {}

  SmtpServerOptions options_;
  TempDir dir_;
  std::string cert_file_;
  std::string key_file_;
  std::uint16_t port_ = 0;
  pid_t pid_ = 0;
};

class SilentListener {
 public:
  // Listens on a free 127.0.0.1 port; accepts every connection and keeps it open, silent.
  SilentListener();
  ~SilentListener();
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;

  std::uint16_t port() const { return port_; }
  // Connections accepted so far.
  int connections() const { return connections_.load(); }

 private:
  void Run();

  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<int> connections_{0};
  std::atomic<bool> stop_{false};
  std::vector<int> accepted_;  // touched only by the thread, then by the destructor after join
  std::thread thread_;
};

}  // namespace keywarden::testing

// In a test body: `KW_SMTP_SERVER_OR_SKIP(server, options);` declares
// `std::unique_ptr<SmtpServer> server`. Without python3-aiosmtpd the test is skipped, except in
// CI, where it fails (support/skip.h); any other start failure fails the test.
#define KW_SMTP_SERVER_OR_SKIP(server, options)                                                \
  auto server##_launched_ = ::keywarden::testing::SmtpServer::Launch(options);                 \
  if (!server##_launched_.ok()) {                                                              \
    if (server##_launched_.status().code() == ::keywarden::ErrorCode::kUnavailable) {          \
      KW_SKIP_OR_FAIL_IN_CI(server##_launched_.status().message());                            \
    }                                                                                          \
    FAIL() << "the test SMTP server did not start: " << server##_launched_.status().message(); \
  }                                                                                            \
  std::unique_ptr<::keywarden::testing::SmtpServer> server = std::move(server##_launched_).value()

#endif  // KEYWARDEN_TESTS_SUPPORT_SMTP_SERVER_H_
