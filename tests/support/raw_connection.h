// RawConnection: a deliberately dumb HTTP/1.1 client over a blocking TCP socket to 127.0.0.1, so
// tests see exactly the bytes a server sends and can send any bytes at all (malformed requests,
// trickled headers, connections held open). Every read waits at most kSafetyMs.
#ifndef KEYWARDEN_TESTS_SUPPORT_RAW_CONNECTION_H_
#define KEYWARDEN_TESTS_SUPPORT_RAW_CONNECTION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "http/http_types.h"

namespace keywarden::http {

// A generous bound so a broken server fails a test instead of hanging it; never asserted on.
constexpr int kSafetyMs = 5000;

struct RawResponse {
  std::string status_line;  // e.g. "HTTP/1.1 200 OK"
  int status = 0;
  HeaderMap headers;
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false); }
};

class RawConnection {
 public:
  // Connects to 127.0.0.1:`port` at once (see connected()), from `source_address` when given
  // (another loopback address such as "127.0.0.2" plays a second client machine).
  explicit RawConnection(std::uint16_t port, const char* source_address = nullptr);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  void Close();

  // Sends all of `data`; false if the connection failed.
  bool Send(std::string_view data);

  // One response (Content-Length framing; a 1xx interim answer is returned like any other);
  // nullopt if the connection closed or stayed silent for kSafetyMs first.
  std::optional<RawResponse> Read();

  // True once the server has closed the connection (EOF or reset).
  bool WaitClosed();

 private:
  bool Fill();

  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  std::string pending_;
};

}  // namespace keywarden::http

#endif  // KEYWARDEN_TESTS_SUPPORT_RAW_CONNECTION_H_
