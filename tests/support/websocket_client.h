// Test support: a WebSocket client over plain TCP on 127.0.0.1 (Beast), for tests of the
// server's WebSocket routes. Every operation ends by its deadline (beast::error::timeout then).
// Not thread-safe: one test thread drives it.
#ifndef KEYWARDEN_TESTS_SUPPORT_WEBSOCKET_CLIENT_H_
#define KEYWARDEN_TESTS_SUPPORT_WEBSOCKET_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace keywarden::testing {

class WebSocketClient {
 public:
  using Fields = std::vector<std::pair<std::string, std::string>>;
  static constexpr std::chrono::seconds kDeadline{5};

  struct Message {
    bool binary = false;
    std::string data;
  };

  WebSocketClient() : ws_(io_) {}

  // Connects and asks to upgrade `target` with `headers`. The answer is in response() either way
  // (101 when upgraded, else boost::beast::websocket::error::upgrade_declined).
  boost::beast::error_code Connect(std::uint16_t port, const std::string& target, const Fields& headers = {}) {
    boost::beast::tcp_stream& tcp = boost::beast::get_lowest_layer(ws_);
    const boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), port);
    boost::beast::error_code ec = Run([&](auto done) { tcp.async_connect(endpoint, done); });
    if (ec) return ec;
    ws_.set_option(
        boost::beast::websocket::stream_base::decorator([headers](boost::beast::websocket::request_type& request) {
          for (const auto& [name, value] : headers) request.set(name, value);
        }));
    return Run([&](auto done) { ws_.async_handshake(response_, "localhost", target, done); });
  }

  boost::beast::error_code Write(std::string_view data, bool binary) {
    ws_.binary(binary);
    return Run([&](auto done) { ws_.async_write(boost::asio::buffer(data.data(), data.size()), done); });
  }

  // The next message, or an error: boost::beast::websocket::error::closed after the server's
  // close (close_reason() says why), boost::beast::error::timeout when none came by `deadline`.
  boost::beast::error_code Read(Message& message, std::chrono::steady_clock::duration deadline = kDeadline) {
    boost::beast::flat_buffer buffer;
    boost::beast::error_code ec = Run([&](auto done) { ws_.async_read(buffer, done); }, deadline);
    message.binary = ws_.got_binary();
    message.data = boost::beast::buffers_to_string(buffer.data());
    return ec;
  }

  const boost::beast::websocket::response_type& response() const { return response_; }
  const boost::beast::websocket::close_reason& close_reason() const { return ws_.reason(); }

 private:
  template <typename Initiate>
  boost::beast::error_code Run(Initiate initiate, std::chrono::steady_clock::duration deadline = kDeadline) {
    boost::beast::get_lowest_layer(ws_).expires_after(deadline);
    boost::beast::error_code result = boost::asio::error::timed_out;
    initiate([&result](boost::beast::error_code ec, auto&&...) { result = ec; });
    io_.restart();
    io_.run();
    return result;
  }

  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::websocket::response_type response_;
};

}  // namespace keywarden::testing

#endif  // KEYWARDEN_TESTS_SUPPORT_WEBSOCKET_CLIENT_H_
