// A WebSocket connection is Beast's websocket::stream over the stream the HTTP session read the
// upgrade request from (TCP or TLS), on that connection's io_context thread, like the session.
//
// Reading is one loop: read a message, hand it to on_message, read the next; Beast answers pings
// and close frames meanwhile. Writing is a queue: Send and Close (any thread) append under a
// mutex and post one "pump" to the executor, which writes one item at a time; a close is an item
// too, so it follows the messages queued before it and never overlaps a write (Beast allows one
// write operation at a time). The connection ends when the read loop fails: after the closing
// handshake (error::closed), a limit, a timeout or a broken socket. Timeouts are Beast's: ping at
// half the idle timeout, disconnect after all of it, and request_timeout for the 101 and the
// closing handshake.
#include "http/websocket.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/beast/websocket.hpp>

#include "base/ascii.h"
#include "base/mutex.h"
#include "http/internal/server_core.h"

namespace keywarden::http {
namespace internal {
namespace {

namespace websocket = beast::websocket;

constexpr std::size_t kMaxCloseReasonBytes = 123;  // a close frame's payload is at most 125 bytes
// An idle WebSocket keeps at most this much read buffer: thousands of them wait for pushes.
constexpr std::size_t kKeptReadBufferBytes = 4096;

// The codes RFC 6455 allows in a close frame (7.4.1, 7.4.2), application codes included.
bool IsSendableCloseCode(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

// `reason` cut to what a close frame holds, at a UTF-8 character boundary.
std::string_view CloseReasonPrefix(std::string_view reason) {
  if (reason.size() <= kMaxCloseReasonBytes) return reason;
  std::size_t end = kMaxCloseReasonBytes;
  while (end > 0 && (static_cast<unsigned char>(reason[end]) & 0xC0) == 0x80) --end;
  return reason.substr(0, end);
}

// A Sec-WebSocket-Key: 16 bytes in base64, so 22 characters and "==".
bool IsWebSocketKey(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==") return false;
  return std::all_of(key.begin(), key.begin() + 22, [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
  });
}

// Fields of the 101 that Beast writes itself, beyond those the server always writes.
bool IsHandshakeField(std::string_view name) {
  return EqualsIgnoreAsciiCase(name, "Upgrade") || EqualsIgnoreAsciiCase(name, "Sec-WebSocket-Accept") ||
         EqualsIgnoreAsciiCase(name, "Sec-WebSocket-Extensions");
}

HttpResponse UpgradeRequired(std::string_view message) {
  HttpResponse response = JsonError(426, message);
  response.headers.emplace_back("Upgrade", "websocket");
  return response;
}

struct Outgoing {
  enum class Kind { kText, kBinary, kClose };
  Kind kind = Kind::kText;
  std::string data;        // the message, or the close frame's reason
  std::uint16_t code = 0;  // kClose only
};

template <typename Stream>
class WebSocketConnection final : public WebSocketChannel,
                                  public std::enable_shared_from_this<WebSocketConnection<Stream>> {
 public:
  WebSocketConnection(std::shared_ptr<ServerCore> core, Stream stream, Upgrade upgrade)
      : core_(std::move(core)),
        ws_(std::move(stream)),
        executor_(ws_.get_executor()),
        request_(std::move(upgrade.request)),
        headers_(std::move(upgrade.accept.headers)),
        handler_(*upgrade.accept.websocket),
        label_(upgrade.route_label),
        counted_(upgrade.counted),
        id_(upgrade.id) {}

  ~WebSocketConnection() override {
    // Open still: Stop's drain deadline passed and the server is discarding its connections.
    if (open_) Finish(WebSocketClosed{kWebSocketAbnormal, "server stopped"});
    if (counted_) core_->Unregister(id_);
  }

  // On the executor.
  void Start() {
    if (counted_) core_->Register(id_, this->weak_from_this());
    beast::get_lowest_layer(ws_).expires_never();  // the WebSocket's own timeouts take over
    const WebSocketOptions& options = core_->options.websocket;
    websocket::stream_base::timeout timeouts;
    timeouts.handshake_timeout = core_->options.request_timeout;
    timeouts.idle_timeout = options.idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.read_message_max(options.max_message_bytes);
    ws_.set_option(websocket::stream_base::decorator([headers = std::move(headers_)](websocket::response_type& res) {
      res.set(bhttp::field::server, "keywarden");
      for (const auto& [name, value] : headers) {
        if (IsHandlerField(name, value) && !IsHandshakeField(name)) res.insert(name, value);
      }
    }));
    // Stop may have collected the connections before this one registered.
    if (core_->stopping) Close(kWebSocketGoingAway, "server stopping");
    ws_.async_accept(*request_, [self = this->shared_from_this()](beast::error_code ec) { self->OnAccept(ec); });
  }

  void Drain() override { Close(kWebSocketGoingAway, "server stopping"); }

  Status Send(bool binary, std::string data) override {
    const WebSocketOptions& options = core_->options.websocket;
    if (data.size() > options.max_queued_bytes) {
      return InvalidArgumentError("the message is larger than the WebSocket's outgoing queue");
    }
    {
      MutexLock lock(mu_);
      if (!accepting_) return UnavailableError("the WebSocket is closed");
      if (queued_messages_ >= options.max_queued_messages || queued_bytes_ + data.size() > options.max_queued_bytes) {
        accepting_ = false;
        queue_.clear();
        asio::post(executor_, [self = this->shared_from_this()] { self->Abort("outgoing queue full"); });
        return UnavailableError("the WebSocket's outgoing queue is full: the client is disconnected");
      }
      queued_bytes_ += data.size();
      ++queued_messages_;
      queue_.push_back(Outgoing{binary ? Outgoing::Kind::kBinary : Outgoing::Kind::kText, std::move(data)});
      if (pump_posted_) return OkStatus();
      pump_posted_ = true;
    }
    asio::post(executor_, [self = this->shared_from_this()] { self->Pump(); });
    return OkStatus();
  }

  void Close(std::uint16_t code, std::string_view reason) override {
    {
      MutexLock lock(mu_);
      if (!accepting_) return;
      accepting_ = false;
      queue_.push_back(Outgoing{Outgoing::Kind::kClose, std::string(CloseReasonPrefix(reason)),
                                IsSendableCloseCode(code) ? code : kWebSocketNormalClosure});
      if (pump_posted_) return;
      pump_posted_ = true;
    }
    asio::post(executor_, [self = this->shared_from_this()] { self->Pump(); });
  }

 private:
  WebSocket Handle() { return WebSocket(this->weak_from_this(), core_->handle_gate, id_); }

  // Runs a handler callback; one that throws closes the connection.
  template <typename Callback, typename... Args>
  void Invoke(const Callback& callback, Args&&... args) {
    if (!callback || finished_) return;
    try {
      callback(std::forward<Args>(args)...);
    } catch (...) {
      Close(kWebSocketInternalError, "internal error");
    }
  }

  void OnAccept(beast::error_code ec) {
    request_.reset();  // the upgrade request's fields (a bearer token) are wiped when freed
    if (ec) {
      finished_ = true;
      return CloseSocket();
    }
    open_ = true;
    ++core_->open_websockets;
    core_->ObserveWebSocket(WebSocketEvent::kOpened, label_);
    Invoke(handler_.on_open, Handle());
    Read();
    Pump();
  }

  void Read() {
    ws_.async_read(read_buffer_,
                   [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec) {
      read_error_ = ec;
      return MaybeFinish();
    }
    WebSocketMessage message{ws_.got_binary(), beast::buffers_to_string(read_buffer_.data())};
    read_buffer_.consume(read_buffer_.size());
    if (read_buffer_.capacity() > kKeptReadBufferBytes) read_buffer_.shrink_to_fit();
    Invoke(handler_.on_message, Handle(), std::move(message));
    Read();
  }

  // Writes the next queued item, unless a write is in progress or the connection is not open.
  void Pump() {
    Outgoing next;
    {
      MutexLock lock(mu_);
      pump_posted_ = false;
      if (!open_ || finished_ || writing_ || queue_.empty()) return;
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    writing_ = true;
    if (next.kind == Outgoing::Kind::kClose) {
      // The read loop sees the client's answer (error::closed) and ends the connection.
      websocket::close_reason reason(next.code);
      reason.reason.assign(next.data.data(), next.data.size());  // at most 123 bytes: CloseReasonPrefix
      ws_.async_close(reason, [self = this->shared_from_this()](beast::error_code ec) {
        self->writing_ = false;
        self->close_result_ = ec;
        if (ec) self->CloseSocket();
        self->MaybeFinish();
      });
      return;
    }
    writing_data_ = std::move(next.data);
    ws_.binary(next.kind == Outgoing::Kind::kBinary);
    ws_.async_write(asio::buffer(writing_data_),
                    [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->OnWrite(ec); });
  }

  void OnWrite(beast::error_code ec) {
    writing_ = false;
    {
      MutexLock lock(mu_);
      queued_bytes_ -= writing_data_.size();
      --queued_messages_;
    }
    writing_data_ = std::string();  // not kept for an idle connection
    if (ec) CloseSocket();          // the read loop then ends the connection
    if (read_error_) return MaybeFinish();
    Pump();
  }

  // Ends the connection once the read loop has ended and no write or close is in progress (a
  // close we started reads the client's answer itself; the pending read then fails).
  void MaybeFinish() {
    if (!read_error_ || writing_ || finished_) return;
    Finish(Describe());
    CloseSocket();
  }

  // Disconnects without a closing handshake (a client that does not read could not take one).
  void Abort(std::string reason) {
    if (finished_) return;
    if (abort_reason_.empty()) abort_reason_ = std::move(reason);
    CloseSocket();
  }

  void CloseSocket() {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).close();
  }

  // What ended the connection, for on_close.
  WebSocketClosed Describe() const {
    if (!abort_reason_.empty()) return {kWebSocketAbnormal, abort_reason_};
    // A closing handshake completes the read (the client started it) or our close.
    if (read_error_ == websocket::error::closed || (close_result_ && !*close_result_)) {
      const websocket::close_reason& reason = ws_.reason();
      std::uint16_t code = reason.code;
      if (code == websocket::close_code::none) code = kWebSocketNoStatus;
      return {code, std::string(reason.reason.data(), reason.reason.size())};
    }
    // Our close failing says more (a timeout) than the read it then cancelled.
    const bool close_failed = close_result_ && *close_result_ != asio::error::operation_aborted;
    const beast::error_code& ec = close_failed ? *close_result_ : read_error_;
    if (ec == websocket::error::message_too_big) return {kWebSocketMessageTooBig, "message too big"};
    if (ec == beast::error::timeout) return {kWebSocketAbnormal, "timeout"};
    if (ec.category() == websocket::make_error_code(websocket::error::closed).category()) {
      return {kWebSocketProtocolError, "protocol error"};  // Beast failed the connection with 1002
    }
    return {kWebSocketAbnormal, "connection lost"};
  }

  // Ends the connection for the service: once, after on_open.
  void Finish(const WebSocketClosed& closed) {
    if (finished_) return;
    finished_ = true;
    {
      MutexLock lock(mu_);
      accepting_ = false;
      queue_.clear();
    }
    if (open_) {
      open_ = false;
      --core_->open_websockets;
      core_->ObserveWebSocket(WebSocketEvent::kClosed, label_);
      if (handler_.on_close) {
        try {
          handler_.on_close(closed);
        } catch (...) {
          // Nothing left to close.
        }
      }
    }
    handler_ = WebSocketHandler{};  // and with it whatever the callbacks hold
  }

  std::shared_ptr<ServerCore> core_;
  websocket::stream<Stream> ws_;
  const asio::any_io_executor executor_;                      // ws_'s, for the threads that send
  std::optional<BeastRequest> request_;                       // the upgrade request, until the 101 is sent
  std::vector<std::pair<std::string, std::string>> headers_;  // extra fields for the 101
  WebSocketHandler handler_;
  std::string_view label_;  // into the router, which outlives the connection
  bool counted_;
  std::uint64_t id_;

  // Touched on the executor only.
  bool open_ = false;      // the 101 was sent and on_close has not been called
  bool finished_ = false;  // the connection ended (or never opened)
  bool writing_ = false;   // a write or close is in progress
  std::string writing_data_;
  beast::error_code read_error_;                   // what ended the read loop, once it has
  std::optional<beast::error_code> close_result_;  // of our close, once it completed
  std::string abort_reason_;
  beast::flat_buffer read_buffer_;

  Mutex mu_;
  std::deque<Outgoing> queue_ KW_GUARDED_BY(mu_);
  std::size_t queued_messages_ KW_GUARDED_BY(mu_) = 0;  // queue_ plus the message being written
  std::size_t queued_bytes_ KW_GUARDED_BY(mu_) = 0;
  bool accepting_ KW_GUARDED_BY(mu_) = true;  // false once closing or closed
  bool pump_posted_ KW_GUARDED_BY(mu_) = false;
};

template <typename Stream>
void Start(std::shared_ptr<ServerCore> core, Stream stream, Upgrade upgrade) {
  std::make_shared<WebSocketConnection<Stream>>(std::move(core), std::move(stream), std::move(upgrade))->Start();
}

}  // namespace

std::optional<HttpResponse> CheckWebSocketUpgrade(const BeastRequest& request, bool bytes_pending) {
  if (!bhttp::token_list{request[bhttp::field::connection]}.exists("upgrade") ||
      !bhttp::token_list{request[bhttp::field::upgrade]}.exists("websocket")) {
    return UpgradeRequired("this is a WebSocket endpoint: a WebSocket upgrade is required");
  }
  if (request.version() != 11) return JsonError(400, "a WebSocket upgrade needs HTTP/1.1");
  if (request.find(bhttp::field::host) == request.end()) return JsonError(400, "a WebSocket upgrade needs a Host");
  if (request[bhttp::field::sec_websocket_version] != "13") {
    HttpResponse response = UpgradeRequired("unsupported Sec-WebSocket-Version");
    response.headers.emplace_back("Sec-WebSocket-Version", "13");
    return response;
  }
  if (!IsWebSocketKey(request[bhttp::field::sec_websocket_key])) {
    return JsonError(400, "missing or malformed Sec-WebSocket-Key");
  }
  if (bytes_pending) return JsonError(400, "data sent before the upgrade was answered");
  return std::nullopt;
}

void StartWebSocket(std::shared_ptr<ServerCore> core, PlainStream stream, Upgrade upgrade) {
  Start(std::move(core), std::move(stream), std::move(upgrade));
}

void StartWebSocket(std::shared_ptr<ServerCore> core, TlsStream stream, Upgrade upgrade) {
  Start(std::move(core), std::move(stream), std::move(upgrade));
}

}  // namespace internal

Status WebSocket::SendText(std::string text) const { return Send(false, std::move(text)); }

Status WebSocket::SendBinary(std::string data) const { return Send(true, std::move(data)); }

// The connection is held within a use of the server's handle gate: if this thread drops its
// last reference, it is destroyed before the server's teardown destroys its io_context.
Status WebSocket::Send(bool binary, std::string data) const {
  const internal::HandleGate::Use use(gate_.get());
  if (!use) return UnavailableError("the WebSocket is closed");
  std::shared_ptr<internal::WebSocketChannel> channel = channel_.lock();
  if (channel == nullptr) return UnavailableError("the WebSocket is closed");
  return channel->Send(binary, std::move(data));
}

void WebSocket::Close(std::uint16_t code, std::string_view reason) const {
  const internal::HandleGate::Use use(gate_.get());
  if (!use) return;
  if (std::shared_ptr<internal::WebSocketChannel> channel = channel_.lock()) channel->Close(code, reason);
}

HttpResponse AcceptWebSocket(WebSocketHandler handler) {
  HttpResponse response;
  response.status = 101;
  response.websocket = std::make_shared<const WebSocketHandler>(std::move(handler));
  return response;
}

}  // namespace keywarden::http
