#include "support/raw_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

namespace keywarden::http {

RawConnection::RawConnection(std::uint16_t port, const char* source_address) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (source_address != nullptr) {
    sockaddr_in source{};
    source.sin_family = AF_INET;
    if (::inet_pton(AF_INET, source_address, &source.sin_addr) != 1 ||
        ::bind(fd_, reinterpret_cast<sockaddr*>(&source), sizeof(source)) != 0) {
      return;
    }
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

void RawConnection::Close() {
  ::close(fd_);
  fd_ = -1;
}

bool RawConnection::Send(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::optional<RawResponse> RawConnection::Read() {
  std::size_t header_end;
  while ((header_end = pending_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill()) return std::nullopt;
  }
  RawResponse response;
  std::string head = pending_.substr(0, header_end);
  pending_.erase(0, header_end + 4);
  std::size_t line_end = head.find("\r\n");
  response.status_line = head.substr(0, line_end);
  const std::string& status_line = response.status_line;
  response.status = std::atoi(status_line.substr(status_line.find(' ') + 1, 3).c_str());
  while (line_end != std::string::npos) {
    std::size_t next = head.find("\r\n", line_end + 2);
    std::string line = head.substr(line_end + 2, next == std::string::npos ? std::string::npos : next - line_end - 2);
    std::size_t colon = line.find(':');
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    response.headers[line.substr(0, colon)] = value;
    line_end = next;
  }
  std::size_t length = 0;
  if (auto it = response.headers.find("Content-Length"); it != response.headers.end()) {
    length = std::stoul(it->second);
  }
  while (pending_.size() < length) {
    if (!Fill()) return std::nullopt;
  }
  response.body = pending_.substr(0, length);
  pending_.erase(0, length);
  return response;
}

bool RawConnection::WaitClosed() {
  while (Fill()) {
  }
  return closed_;
}

bool RawConnection::Fill() {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, kSafetyMs) <= 0) return false;
  char buffer[4096];
  ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
  if (n <= 0) {
    closed_ = true;
    return false;
  }
  pending_.append(buffer, static_cast<std::size_t>(n));
  return true;
}

}  // namespace keywarden::http
