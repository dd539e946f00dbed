// The server is Boost.Beast over Asio with one io_context per thread: the acceptor hands each new
// connection to the next context in turn, and all of a connection's handlers run on that
// context's one thread. No strands and no scheduler lock shared between threads: under load a
// shared io_context spent more time in futex calls than in the handlers.
//
// A connection's life: [TLS handshake] -> read a request (parser with header/body limits, under
// request_timeout) -> handle -> write -> either wait for the next request (idle_timeout) or
// close. Error answers always close the connection afterwards, with a short "lingering close"
// so the client can read the answer before the socket goes away. An accepted WebSocket upgrade
// hands the socket to a WebSocket connection (websocket.cc) instead.
#include "http/server.h"
#include "base/ascii.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <map>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <openssl/ssl.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "http/forwarded_for.h"
#include "http/internal/server_core.h"
#include "http/wiping_allocator.h"

namespace keywarden::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using internal::BeastRequest;
using internal::Clock;
using internal::PlainStream;
using internal::ServerCore;
using internal::SessionBase;
using internal::TlsStream;
using RequestParser = bhttp::request_parser<bhttp::string_body, WipingAllocator<char>>;
using ReadBuffer = beast::basic_flat_buffer<WipingAllocator<char>>;

constexpr std::size_t kIdleReadBytes = 4096;
constexpr std::size_t kMaxLingerBytes = std::size_t{1024} * 1024;
constexpr std::chrono::milliseconds kMaxLinger{1000};
constexpr std::string_view kDefaultContentType = "text/plain; charset=utf-8";

// What a failed read means for the client.
enum class ReadFailure { kClose, kBadRequest, kBodyTooLarge, kHeaderTooLarge };

ReadFailure Classify(const beast::error_code& ec) {
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return ReadFailure::kClose;
  if (ec == bhttp::error::body_limit) return ReadFailure::kBodyTooLarge;
  if (ec == bhttp::error::header_limit) return ReadFailure::kHeaderTooLarge;
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) return ReadFailure::kBadRequest;
  return ReadFailure::kClose;  // timeout, reset, TLS failure: nobody to answer
}

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), IsTokenChar); }

bool IsSafeValue(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

// Copies a parsed request's method, target and fields into the plain type; false when the target is not a path
// ("origin-form"): absolute URLs and "*" have no meaning for this server.
bool CopyHeader(const BeastRequest& in, HttpRequest& out) {
  std::string_view target = in.target();
  if (target.empty() || target.front() != '/') return false;
  out.method = std::string(in.method_string());
  auto question = target.find('?');
  out.target = std::string(target.substr(0, question));
  out.query = question == std::string_view::npos ? std::string() : std::string(target.substr(question + 1));
  for (const auto& field : in) {
    auto [it, inserted] = out.headers.emplace(std::string(field.name_string()), std::string(field.value()));
    if (!inserted) {
      it->second += ", ";
      it->second += field.value();
    }
  }
  return true;
}

// CopyHeader, then the body moved across.
bool ToHttpRequest(BeastRequest& in, HttpRequest& out) {
  if (!CopyHeader(in, out)) return false;
  out.body = std::move(in.body());
  return true;
}

// The checks a request's header must pass before its body is read (RFC 9112): an error to
// answer with, or nullopt. `chunked` is the parser's view of the framing.
struct HeaderRefusal {
  int status;
  std::string_view message;
};

std::optional<HeaderRefusal> CheckHeader(const BeastRequest& header, bool chunked) {
  // Exactly one Host in HTTP/1.1, at most one in HTTP/1.0 (section 3.2): two Hosts let a proxy
  // and this server disagree about which site a request is for.
  std::size_t hosts = header.count(bhttp::field::host);
  if (hosts > 1 || (hosts == 0 && header.version() >= 11)) {
    return HeaderRefusal{400, "a request must carry exactly one Host field"};
  }
  // A final transfer coding other than chunked leaves the body's length unknown (section 6.3):
  // refuse and close rather than guess where the next request starts.
  if (header.count(bhttp::field::transfer_encoding) != 0 && !chunked) {
    return HeaderRefusal{400, "unsupported transfer coding"};
  }
  if (header.count(bhttp::field::expect) != 0 && header.version() >= 11) {
    if (header.count(bhttp::field::expect) > 1 ||
        !EqualsIgnoreAsciiCase(header[bhttp::field::expect], "100-continue")) {
      return HeaderRefusal{417, "unsupported expectation"};
    }
  }
  return std::nullopt;
}

// Whether the client waits for "100 Continue" before it sends the body.
bool ExpectsContinue(const BeastRequest& header) {
  return header.version() >= 11 && header.count(bhttp::field::expect) == 1 &&
         EqualsIgnoreAsciiCase(header[bhttp::field::expect], "100-continue");
}

// The fields of a request's header, recorded before the body is read: a chunked trailer adds to
// them (Beast inserts a repeated name next to its first occurrence, so only identity tells
// trailer fields apart).
using HeaderFieldSet = std::vector<const void*>;

HeaderFieldSet RecordHeaderFields(const BeastRequest& request) {
  HeaderFieldSet fields;
  for (const auto& field : request) fields.push_back(&field);
  std::sort(fields.begin(), fields.end());
  return fields;
}

// Drops the fields a chunked body's trailer added: a trailer arrives after the body, outside what
// a proxy in front inspected, so nothing in it (an Authorization, a Host) may count (RFC 9110
// section 6.5.1 lets a recipient ignore them).
void DropTrailerFields(BeastRequest& request, const HeaderFieldSet& header_fields) {
  if (static_cast<std::size_t>(std::distance(request.begin(), request.end())) == header_fields.size()) return;
  for (auto it = request.begin(); it != request.end();) {
    if (std::binary_search(header_fields.begin(), header_fields.end(), static_cast<const void*>(&*it))) {
      ++it;
    } else {
      it = request.erase(it);
    }
  }
}

std::string LowerReason(const beast::error_code& ec) {
  if (ec == asio::error::address_in_use) return "address in use";
  std::string reason = ec.message();
  std::transform(reason.begin(), reason.end(), reason.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return reason;
}

std::string HostPort(const std::string& host, std::uint16_t port) {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

namespace internal {

bool IsHandlerField(std::string_view name, std::string_view value) {
  if (!IsToken(name) || !IsSafeValue(value)) return false;
  return !EqualsIgnoreAsciiCase(name, "Content-Length") && !EqualsIgnoreAsciiCase(name, "Transfer-Encoding") &&
         !EqualsIgnoreAsciiCase(name, "Connection") && !EqualsIgnoreAsciiCase(name, "Server") &&
         !EqualsIgnoreAsciiCase(name, "Content-Type");
}

HttpResponse ServerCore::Respond(HttpRequest& request, Router::Match match) const {
  bool cors_match = !cors_origin.empty() && request.header("Origin") == cors_origin;
  HttpResponse response;
  if (cors_match && request.method == "OPTIONS" && !request.header("Access-Control-Request-Method").empty()) {
    response.status = 204;
    response.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
    std::string_view requested = request.header("Access-Control-Request-Headers");
    bool plain_list = std::all_of(requested.begin(), requested.end(),
                                  [](char c) { return IsTokenChar(c) || c == ',' || c == ' ' || c == '\t'; });
    if (!requested.empty() && plain_list) {
      response.headers.emplace_back("Access-Control-Allow-Headers", std::string(requested));
    }
    response.headers.emplace_back("Access-Control-Max-Age", "600");
  } else {
    try {
      response = router->Dispatch(request, std::move(match));
    } catch (...) {
      response = JsonError(500, "internal server error");
    }
  }
  // Vary on every response when CORS is on: caches must not hand one origin's answer to another.
  if (!cors_origin.empty()) response.headers.emplace_back("Vary", "Origin");
  if (cors_match) {
    response.headers.emplace_back("Access-Control-Allow-Origin", cors_origin);
    response.headers.emplace_back("Access-Control-Allow-Credentials", "true");
  }
  return response;
}

}  // namespace internal

namespace {

// Bodies up to this size are copied after the header into one buffer, which the connection keeps
// for its next answer; larger ones are sent from their own string, freed once sent.
constexpr std::size_t kMaxKeptWireBytes = std::size_t{64} * 1024;

// The answer to a request that waited for its route's ConcurrencyLimit longer than max_wait.
HttpResponse Busy() {
  HttpResponse response = JsonError(503, "the server is busy; try again shortly");
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

// Appends "Name: value\r\n".
void AppendField(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

// Writes the response's bytes into `out` (replacing what it held): status line, fields, body.
// Handler-supplied fields that would corrupt framing are dropped. Written by hand rather than
// with Beast's serializer: a response here is a few short fields and one small body, and the
// serializer's buffer sequences cost more than the bytes. A body larger than kMaxKeptWireBytes
// (a sync of megabytes) is not copied: it is moved to `large_body`, to be sent after `out`.
void SerializeResponse(HttpResponse response, bool keep_alive, unsigned version, std::string& out,
                       std::string& large_body) {
  out.clear();
  large_body.clear();
  const bool http10 = version == 10;
  const int status = response.status >= 200 && response.status <= 599 ? response.status : 500;
  const bool has_body = status != 204 && status != 304;
  out.append(http10 ? "HTTP/1.0 " : "HTTP/1.1 ").append(std::to_string(status)).append(" ");
  // Beast's table of reason phrases (never empty: an unlisted code gets "<unknown-status>").
  out.append(bhttp::obsolete_reason(static_cast<bhttp::status>(status))).append("\r\n");
  AppendField(out, "Server", "keywarden");
  std::string_view type = response.content_type.empty() || !IsSafeValue(response.content_type)
                              ? kDefaultContentType
                              : std::string_view(response.content_type);
  AppendField(out, "Content-Type", type);
  bool upgrade = false;  // a 426 names the protocol to upgrade to
  for (const auto& [name, value] : response.headers) {
    if (!internal::IsHandlerField(name, value)) continue;
    upgrade = upgrade || EqualsIgnoreAsciiCase(name, "Upgrade");
    AppendField(out, name, value);
  }
  if (has_body) AppendField(out, "Content-Length", std::to_string(response.body.size()));
  // `Upgrade` must be listed in Connection (RFC 9110 section 7.8), so that proxies drop it.
  if (http10 && keep_alive) AppendField(out, "Connection", upgrade ? "upgrade, keep-alive" : "keep-alive");
  if (!http10 && !keep_alive) AppendField(out, "Connection", upgrade ? "upgrade, close" : "close");
  if (!http10 && keep_alive && upgrade) AppendField(out, "Connection", "upgrade");
  out.append("\r\n");
  if (has_body && response.body.size() > kMaxKeptWireBytes) {
    large_body = std::move(response.body);  // wiped once sent, like `out`
    return;
  }
  if (has_body) out.append(response.body);
  // A GET's key: this copy now, the one in `out` once sent.
  OPENSSL_cleanse(response.body.data(), response.body.size());
}

template <typename Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  Session(std::shared_ptr<ServerCore> core, tcp::socket socket, std::string client_address, bool counted,
          std::uint64_t id)
      : core_(std::move(core)),
        stream_(MakeStream(std::move(socket), *core_)),
        executor_(stream_.get_executor()),
        client_address_(std::move(client_address)),
        counted_(counted),
        id_(id) {}

  ~Session() override {
    OPENSSL_cleanse(wire_.data(), wire_.size());  // an answer never sent (the server stopped)
    OPENSSL_cleanse(large_body_.data(), large_body_.size());
    if (counted_) core_->Unregister(id_);
  }

  // Why the connection was not admitted (answered with 503 once its TLS handshake is done).
  void set_refusal(std::string_view message) { refusal_ = message; }

  void Run() {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->Begin(); });
  }

  void Drain() override {
    asio::post(executor_, [self = this->shared_from_this()] { self->OnDrain(); });
  }

  void Evict() override {
    asio::post(executor_, [self = this->shared_from_this()] {
      self->evicted_ = true;  // a request that arrived meanwhile is answered, then the connection closes
      if (self->state_ == State::kIdle) self->Close();
    });
  }

 private:
  // kUpgraded: the stream now belongs to a WebSocket connection; this session only ends.
  enum class State { kStarting, kIdle, kReading, kBusy, kClosing, kClosed, kUpgraded };

  static Stream MakeStream(tcp::socket&& socket, ServerCore& core) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *core.tls);
    } else {
      return Stream(std::move(socket));
    }
  }

  const HttpServerOptions& options() const { return core_->options; }
  beast::tcp_stream& tcp_layer() { return beast::get_lowest_layer(stream_); }

  void Begin() {
    // One deadline for a new connection's TLS handshake and its whole first request.
    tcp_layer().expires_after(options().request_timeout);
    if constexpr (kTls) {
      stream_.async_handshake(asio::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (ec) return self->Close();
        self->AfterHandshake();
      });
    } else {
      AfterHandshake();
    }
  }

  void AfterHandshake() {
    if (!counted_) return SendError(503, refusal_);
    ReadRequest();
  }

  void ReadRequest() {
    if (core_->stopping || evicted_) return Close();
    if (buffer_.size() == 0) {
      // Wait for the first byte, idle (evictable) meanwhile: up to idle_timeout between kept-alive
      // requests; a new connection is still under the deadline Begin set for its first request.
      state_ = State::kIdle;
      idle.store(true);
      if (!first_) tcp_layer().expires_after(options().idle_timeout);
      stream_.async_read_some(buffer_.prepare(kIdleReadBytes),
                              [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                                self->idle.store(false);
                                if (ec || self->state_ == State::kClosed) return self->Close();
                                self->buffer_.commit(n);
                                self->ParseRequest();
                              });
      return;
    }
    ParseRequest();
  }

  void ParseRequest() {
    state_ = State::kReading;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(options().max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    parser_->body_limit(static_cast<std::uint64_t>(options().max_body_bytes));
    // A kept-alive request's clock starts at its first byte; a new connection's first request
    // keeps the deadline Begin set.
    if (!first_) tcp_layer().expires_after(options().request_timeout);
    // The header first: it is checked (and a 100-continue answered) before any body is read.
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->OnHeader(ec); });
  }

  // Answers a failed read, if there is anyone to answer; false when `ec` is no failure.
  bool Failed(beast::error_code ec) {
    if (!ec) return false;
    switch (Classify(ec)) {
      case ReadFailure::kClose: Close(); break;
      case ReadFailure::kBadRequest: SendError(400, "malformed request"); break;
      case ReadFailure::kBodyTooLarge: SendError(413, "request body too large"); break;
      case ReadFailure::kHeaderTooLarge: SendError(431, "request headers too large"); break;
    }
    return true;
  }

  void OnHeader(beast::error_code ec) {
    if (state_ == State::kClosed || Failed(ec)) return;
    const BeastRequest& header = parser_->get();
    if (auto refusal = CheckHeader(header, parser_->chunked())) return SendError(refusal->status, refusal->message);
    // Only a chunked body can end in a trailer: other requests skip the bookkeeping.
    chunked_ = parser_->chunked();
    if (chunked_) header_fields_ = RecordHeaderFields(header);
    if (parser_->is_done()) return OnRead({});
    if (RefusedBeforeBody()) return;
    auto read_body = [self = this->shared_from_this()] {
      bhttp::async_read(self->stream_, self->buffer_, *self->parser_,
                        [self](beast::error_code read_ec, std::size_t) { self->OnRead(read_ec); });
    };
    // A client that expects 100-continue and has not started its body waits for our word.
    if (!ExpectsContinue(header) || buffer_.size() != 0) return read_body();
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                      [self = this->shared_from_this(), read_body](beast::error_code write_ec, std::size_t) {
                        if (write_ec || self->state_ == State::kClosed) return self->Close();
                        read_body();
                      });
  }

  // Runs the matched route's body gate on the header alone (router.h); true when it refused the
  // request, whose answer then closes the connection: the body was never read.
  bool RefusedBeforeBody() {
    HttpRequest header;
    const BeastRequest& raw = parser_->get();
    if (!CopyHeader(raw, header)) return false;  // OnRead refuses the target
    header.client_address = ClientAddress(header);
    Router::Match match = core_->router->Find(header);
    const BodyGate* gate = match.body_gate();
    if (gate == nullptr) return false;
    Clock::time_point start = Clock::now();
    std::optional<HttpResponse> refusal;
    try {
      refusal = (*gate)(header);
    } catch (...) {
      refusal = JsonError(500, "internal server error");
    }
    if (!refusal) return false;
    const std::string_view label = match.label();
    Send(header, std::move(*refusal), label, start, /*keep_alive=*/false, raw.version());
    return true;
  }

  void OnRead(beast::error_code ec) {
    if (state_ == State::kClosed || Failed(ec)) return;
    state_ = State::kBusy;
    Clock::time_point start = Clock::now();
    BeastRequest& raw = parser_->get();
    if (chunked_) DropTrailerFields(raw, header_fields_);
    bool keep_alive = raw.keep_alive();
    unsigned version = raw.version();
    HttpRequest request;
    request.client_address = client_address_;
    if (!ToHttpRequest(raw, request)) return SendError(400, "malformed request target");
    request.client_address = ClientAddress(request);
    Router::Match match = core_->router->Find(request);
    const std::string_view label = match.label();  // points into the router, which outlives the session
    websocket_ = match.websocket();
    if (websocket_) {
      // The handshake is checked before the route's middleware: nothing to authenticate yet.
      std::optional<HttpResponse> refusal = internal::CheckWebSocketUpgrade(raw, buffer_.size() != 0);
      if (!refusal && core_->stopping) refusal = JsonError(503, "the server is stopping");
      if (refusal) return Finish(request, std::move(*refusal), label, start, keep_alive, version);
    }
    if (core_->blocking_pool != nullptr && match.execution() == Execution::kBlocking) {
      // Off the I/O thread: its other connections keep moving, and concurrent writes can meet
      // in one group commit. The answer is sent back on this connection's own thread. A limited
      // route's request may first wait for a slot (http/concurrency_limit.h), holding no thread.
      ConcurrencyLimit* limit = match.limit(request);
      auto run = [self = this->shared_from_this(), request = std::move(request), match = std::move(match), label, start,
                  keep_alive, version, limit]() mutable {
        asio::post(*self->core_->blocking_pool, [self, request = std::move(request), match = std::move(match), label,
                                                 start, keep_alive, version, limit]() mutable {
          HttpResponse response = limit != nullptr && Clock::now() - start > limit->max_wait()
                                      ? Busy()
                                      : self->core_->Respond(request, std::move(match));
          if (limit != nullptr) limit->Leave();
          asio::post(self->stream_.get_executor(), [self, request = std::move(request), response = std::move(response),
                                                    label, start, keep_alive, version]() mutable {
            self->Finish(request, std::move(response), label, start, keep_alive, version);
          });
        });
      };
      if (limit != nullptr) {
        limit->Enter(std::move(run));
      } else {
        run();
      }
      return;
    }
    HttpResponse response = core_->Respond(request, std::move(match));
    Finish(request, std::move(response), label, start, keep_alive, version);
  }

  void Finish(HttpRequest& request, HttpResponse response, std::string_view label, Clock::time_point start,
              bool keep_alive, unsigned version) {
    OPENSSL_cleanse(request.body.data(), request.body.size());  // a PUT's key
    if (state_ == State::kClosed) return;
    if (websocket_ && response.status == 101 && response.websocket != nullptr) {
      return Upgrade(request, std::move(response), label, start);
    }
    Send(request, std::move(response), label, start, keep_alive && !core_->stopping && !evicted_, version);
  }

  // Hands the stream, with this connection's slot and registry entry, to a WebSocket connection.
  // The request was checked by CheckWebSocketUpgrade and nothing follows it in buffer_.
  void Upgrade(const HttpRequest& request, HttpResponse accept, std::string_view label, Clock::time_point start) {
    state_ = State::kUpgraded;
    core_->Observe(request, accept, start, label);
    internal::Upgrade upgrade{parser_->release(), std::move(accept), client_address_, label, counted_, id_};
    counted_ = false;
    parser_.reset();
    internal::StartWebSocket(core_, std::move(stream_), std::move(upgrade));
  }

  // The client's address for `request`, whose headers are read: the peer, or who the trusted
  // proxies say they forwarded it for.
  std::string ClientAddress(const HttpRequest& request) const {
    return ForwardedClientAddress(client_address_, request.header("x-forwarded-for"), core_->options.trusted_proxies);
  }

  // Answers with a JSON error the server made itself, then closes.
  void SendError(int status, std::string_view message) {
    HttpRequest request;
    request.client_address = client_address_;
    if (parser_ && parser_->is_header_done()) {
      request.method = std::string(parser_->get().method_string());
      std::string_view target = parser_->get().target();
      request.target = std::string(target.substr(0, target.find('?')));
    }
    Send(request, JsonError(status, message), "other", Clock::now(), /*keep_alive=*/false, 11);
  }

  void Send(const HttpRequest& request, HttpResponse response, std::string_view label, Clock::time_point start,
            bool keep_alive, unsigned version) {
    state_ = State::kBusy;
    core_->Observe(request, response, start, label);
    try {
      SerializeResponse(std::move(response), keep_alive, version, wire_, large_body_);
    } catch (...) {
      keep_alive = false;
      SerializeResponse(JsonError(500, "internal server error"), false, version, wire_, large_body_);
    }
    close_after_write_ = !keep_alive;
    tcp_layer().expires_after(options().request_timeout);
    auto done = [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->OnWrite(ec); };
    if (large_body_.empty()) {
      asio::async_write(stream_, asio::buffer(wire_), std::move(done));
    } else {
      // Not a std::array of two buffers: Asio's special case for it hands the stream an empty
      // first buffer once the header is out, and Beast's TLS stream then writes nothing and
      // reports success, so the body was never sent. A generic sequence skips written buffers.
      asio::async_write(stream_, beast::buffers_cat(asio::buffer(wire_), asio::buffer(large_body_)), std::move(done));
    }
  }

  void OnWrite(beast::error_code ec) {
    OPENSSL_cleanse(wire_.data(), wire_.size());  // a GET's key
    wire_.clear();                                // keeps the capacity for the next answer on this connection
    // A large body is freed at once: a connection may stay idle for a minute, and a thousand of
    // them must not each keep megabytes.
    OPENSSL_cleanse(large_body_.data(), large_body_.size());
    std::string().swap(large_body_);
    if (ec || state_ == State::kClosed) return Close();
    if (close_after_write_) return GracefulClose();
    first_ = false;
    ReadRequest();
  }

  // Lets the client read our last answer: TLS close_notify, or for plain TCP a half-close
  // followed by discarding what the client still sends, so the kernel sends FIN rather than RST.
  void GracefulClose() {
    state_ = State::kClosing;
    tcp_layer().expires_after(std::min<std::chrono::milliseconds>(kMaxLinger, options().request_timeout));
    if constexpr (kTls) {
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->Close(); });
    } else {
      beast::error_code ignored;
      tcp_layer().socket().shutdown(tcp::socket::shutdown_send, ignored);
      buffer_.consume(buffer_.size());
      Linger();
    }
  }

  void Linger() {
    tcp_layer().async_read_some(buffer_.prepare(kIdleReadBytes),
                                [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                                  self->lingered_ += n;
                                  if (ec || self->lingered_ > kMaxLingerBytes) return self->Close();
                                  self->Linger();
                                });
  }

  void OnDrain() {
    // A lingering close has already delivered its answer; only requests in progress must finish.
    bool quiet = state_ == State::kIdle || state_ == State::kStarting || state_ == State::kClosing ||
                 (state_ == State::kReading && buffer_.size() == 0 && parser_ && !parser_->got_some());
    if (quiet) Close();
  }

  void Close() {
    state_ = State::kClosed;
    beast::error_code ignored;
    tcp_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp_layer().close();
  }

  std::shared_ptr<ServerCore> core_;
  Stream stream_;
  const asio::any_io_executor executor_;  // the stream's, kept for Drain() once an upgrade has moved the stream
  std::string client_address_;
  bool counted_;
  std::uint64_t id_;
  State state_ = State::kStarting;
  bool first_ = true;
  bool close_after_write_ = false;
  bool websocket_ = false;                             // the request being handled is for a WebSocket route
  bool evicted_ = false;                               // closes after the request in progress, if any
  std::string_view refusal_ = "too many connections";  // the 503's message when not counted
  std::size_t lingered_ = 0;
  bool chunked_ = false;          // the request being read has a chunked body
  HeaderFieldSet header_fields_;  // when chunked_: its header fields, before any trailer
  ReadBuffer buffer_;
  std::optional<RequestParser> parser_;
  std::string wire_;        // the answer being sent, wiped once sent
  std::string large_body_;  // its body, when too large to copy into wire_ (sent after it, then wiped and freed)
};

}  // namespace

struct HttpServer::Impl {
  std::shared_ptr<ServerCore> core = std::make_shared<ServerCore>();
  using WorkGuard = asio::executor_work_guard<asio::io_context::executor_type>;
  std::vector<std::unique_ptr<asio::io_context>> ios;  // one per thread; ios[0] also accepts
  std::vector<WorkGuard> keep_running;                 // a context without connections must not return
  std::size_t next_io = 0;                             // round-robin, touched only on ios[0]'s thread
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<asio::steady_timer> retry_timer;  // backs off after accept errors (EMFILE)
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  Mutex lifecycle_mu;  // serialises Start and Stop
  bool running KW_GUARDED_BY(lifecycle_mu) = false;

  void Accept() {
    asio::io_context& target = *ios[next_io++ % ios.size()];
    acceptor->async_accept(target,
                           [this](beast::error_code ec, tcp::socket socket) { OnAccept(ec, std::move(socket)); });
  }

  void OnAccept(beast::error_code ec, tcp::socket socket) {
    if (core->stopping || !acceptor->is_open()) return;
    if (ec) {
      if (ec == asio::error::no_descriptors || ec == boost::system::errc::too_many_files_open_in_system) {
        // Closing the longest-idle connection frees a descriptor for the clients waiting in the backlog.
        if (auto idle = core->TakeOldestIdle()) idle->Evict();
        core->warnings.Warning("descriptors", "out of file descriptors: new connections wait until one is freed (" +
                                                  LowerReason(ec) +
                                                  "); raise the open-file limit or lower "
                                                  "limits.max_connections");
      }
      retry_timer->expires_after(std::chrono::milliseconds(50));
      retry_timer->async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && !core->stopping) Accept();
      });
      return;
    }
    // Each answer is one write: send it at once rather than let Nagle's algorithm hold a short
    // one back while an earlier segment is unacknowledged (pipelined requests).
    beast::error_code option_ec;
    socket.set_option(tcp::no_delay(true), option_ec);
    beast::error_code peer_ec;
    asio::ip::address peer = socket.remote_endpoint(peer_ec).address();
    if (peer.is_v6() && peer.to_v6().is_v4_mapped())
      peer = asio::ip::make_address_v4(asio::ip::v4_mapped, peer.to_v6());
    std::string client = peer_ec ? std::string() : peer.to_string();

    ServerCore::Admitted admitted = core->Admit(client);
    const bool counted = admitted.admission == ServerCore::Admission::kAdmitted;
    if (admitted.evict) admitted.evict->Evict();
    std::string_view refusal = admitted.admission == ServerCore::Admission::kTooManyFromAddress
                                   ? "too many connections from this address"
                                   : "too many connections";
    // Registered before it runs: an upgrade, on another thread, replaces the entry.
    if (core->tls) {
      Launch(std::make_shared<Session<TlsStream>>(core, std::move(socket), std::move(client), counted, admitted.id),
             counted, admitted.id, refusal);
    } else {
      Launch(std::make_shared<Session<PlainStream>>(core, std::move(socket), std::move(client), counted, admitted.id),
             counted, admitted.id, refusal);
    }
    Accept();
  }

  template <typename SessionType>
  void Launch(const std::shared_ptr<SessionType>& session, bool counted, std::uint64_t id, std::string_view refusal) {
    if (counted) {
      core->Register(id, session);
    } else {
      session->set_refusal(refusal);
    }
    session->Run();
  }

  void Teardown() {
    // Blocking handlers still running finish first; what they post back lands on stopped
    // contexts and is destroyed with them.
    if (core->blocking_pool) {
      core->blocking_pool->join();
      core->blocking_pool.reset();
    }
    for (auto& thread : threads) thread.join();
    threads.clear();
    // Other threads may still hold connections through WebSocket handles: the last of those
    // references must go while the contexts exist.
    core->handle_gate->CloseAndWait();
    retry_timer.reset();
    acceptor.reset();
    keep_running.clear();
    ios.clear();  // destroys pending handlers, and with them the remaining connections
  }
};

HttpServer::HttpServer(HttpServerOptions options, std::shared_ptr<const Router> router, RequestObserver observer,
                       WebSocketObserver websocket_observer)
    : impl_(std::make_unique<Impl>()) {
  ServerCore& core = *impl_->core;
  core.options = std::move(options);
  if (core.options.cors) {
    core.cors_origin = core.options.cors->allowed_origin;
    while (!core.cors_origin.empty() && core.cors_origin.back() == '/') core.cors_origin.pop_back();
  }
  core.router = router ? std::move(router) : std::make_shared<const Router>();
  core.observer = std::move(observer);
  core.websocket_observer = std::move(websocket_observer);
}

HttpServer::~HttpServer() { Stop(std::chrono::milliseconds(0)); }

std::uint16_t HttpServer::port() const { return impl_->port; }

std::size_t HttpServer::open_websockets() const { return impl_->core->open_websockets.load(); }

Status HttpServer::Start() {
  MutexLock lifecycle(impl_->lifecycle_mu);
  if (impl_->running) return InvalidArgumentError("the server is already running");
  ServerCore& core = *impl_->core;
  const HttpServerOptions& o = core.options;
  std::string where = HostPort(o.address, o.port);
  const WebSocketOptions& ws = o.websocket;
  if (o.max_header_bytes == 0 || o.max_connections == 0 || o.request_timeout.count() <= 0 ||
      o.idle_timeout.count() <= 0 || ws.max_message_bytes == 0 || ws.max_queued_messages == 0 ||
      ws.max_queued_bytes == 0 || ws.idle_timeout.count() <= 0) {
    return InvalidArgumentError("cannot listen on " + where + ": limits and timeouts must be positive");
  }

  if (o.tls) {
    auto tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
    tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression |
                     asio::ssl::context::single_dh_use);
    beast::error_code ec;
    tls->use_certificate_chain_file(o.tls->cert_file, ec);
    if (ec) return InvalidArgumentError("cannot load TLS certificate " + o.tls->cert_file + ": " + LowerReason(ec));
    tls->use_private_key_file(o.tls->key_file, asio::ssl::context::pem, ec);
    if (ec) return InvalidArgumentError("cannot load TLS private key " + o.tls->key_file + ": " + LowerReason(ec));
    if (SSL_CTX_check_private_key(tls->native_handle()) != 1) {
      return InvalidArgumentError("the TLS private key does not match the certificate");
    }
    core.tls = std::move(tls);
  }

  // One per core: two per core served reused tokens faster but, with every request verifying a
  // new token, doubled the p99 (threads sharing a core wait out each other's time slices).
  unsigned threads = o.threads != 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  if (o.blocking_threads > 0) core.blocking_pool = std::make_unique<asio::thread_pool>(o.blocking_threads);
  for (unsigned i = 0; i < threads; ++i) {
    impl_->ios.push_back(std::make_unique<asio::io_context>(1));
    impl_->keep_running.push_back(asio::make_work_guard(*impl_->ios.back()));
  }
  auto discard_contexts = [this, &core] {
    core.blocking_pool.reset();
    impl_->keep_running.clear();
    impl_->ios.clear();
  };
  beast::error_code ec;
  tcp::resolver resolver(*impl_->ios[0]);
  auto results =
      resolver.resolve(o.address, std::to_string(o.port), tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (!ec && results.empty()) ec = asio::error::host_not_found;
  if (ec) {
    discard_contexts();
    return UnavailableError("cannot listen on " + where + ": " + LowerReason(ec));
  }
  tcp::endpoint endpoint = results.begin()->endpoint();
  impl_->acceptor = std::make_unique<tcp::acceptor>(impl_->ios[0]->get_executor());
  tcp::acceptor& acceptor = *impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    impl_->acceptor.reset();
    discard_contexts();
    return UnavailableError("cannot listen on " + where + ": " + LowerReason(ec));
  }
  impl_->port = acceptor.local_endpoint().port();
  impl_->retry_timer = std::make_unique<asio::steady_timer>(acceptor.get_executor());
  core.stopping = false;
  core.handle_gate->Open();
  impl_->Accept();
  for (unsigned i = 0; i < threads; ++i) {
    impl_->threads.emplace_back([io = impl_->ios[i].get()] {
      for (;;) {
        try {
          io->run();
          return;
        } catch (...) {
          // A handler let an exception escape; keep the pool serving.
        }
      }
    });
  }
  impl_->running = true;
  return OkStatus();
}

void HttpServer::Stop(std::chrono::milliseconds drain) {
  MutexLock lifecycle(impl_->lifecycle_mu);
  if (!impl_->running) return;
  Clock::time_point deadline = Clock::now() + drain;
  ServerCore& core = *impl_->core;
  core.stopping = true;
  asio::post(impl_->acceptor->get_executor(), [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor->close(ignored);
    impl->retry_timer->cancel();
  });

  std::vector<std::shared_ptr<SessionBase>> live;
  {
    MutexLock lock(core.mu);
    for (auto& [id, entry] : core.sessions) {
      if (auto session = entry.session.lock()) live.push_back(std::move(session));
    }
  }
  for (auto& session : live) session->Drain();
  live.clear();  // outside the lock: dropping the last reference unregisters

  {
    MutexLock lock(core.mu);
    while (core.active != 0 && core.cv.wait_until(lock.unique_lock(), deadline) != std::cv_status::timeout) {
    }
  }
  for (auto& io : impl_->ios) io->stop();
  impl_->Teardown();
  impl_->running = false;
}

Result<HttpRequest> ParseRequestForTest(std::string_view raw, std::size_t max_header_bytes,
                                        std::size_t max_body_bytes) {
  RequestParser parser;
  parser.header_limit(
      static_cast<std::uint32_t>(std::min<std::size_t>(max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  parser.body_limit(static_cast<std::uint64_t>(max_body_bytes));
  parser.eager(false);  // stop after the header, which is checked before the body as the server does
  beast::error_code ec;
  std::size_t offset = 0;
  std::optional<HeaderFieldSet> header_fields;
  while (!parser.is_done()) {
    std::size_t used = parser.put(asio::buffer(raw.data() + offset, raw.size() - offset), ec);
    offset += used;
    if (ec == bhttp::error::need_more || (!ec && used == 0)) {
      return InvalidArgumentError("incomplete request");
    }
    if (ec) break;
    if (parser.is_header_done() && !header_fields) {
      if (auto refusal = CheckHeader(parser.get(), parser.chunked())) {
        return InvalidArgumentError(std::string(refusal->message));
      }
      header_fields = RecordHeaderFields(parser.get());
      parser.eager(true);
    }
  }
  if (ec) {
    switch (Classify(ec)) {
      case ReadFailure::kBodyTooLarge: return InvalidArgumentError("request body too large");
      case ReadFailure::kHeaderTooLarge: return InvalidArgumentError("request headers too large");
      case ReadFailure::kBadRequest:
      case ReadFailure::kClose: return InvalidArgumentError("malformed request: " + ec.message());
    }
  }
  HttpRequest request;
  BeastRequest message = parser.release();
  if (!header_fields) {
    if (auto refusal = CheckHeader(message, parser.chunked()))
      return InvalidArgumentError(std::string(refusal->message));
    header_fields = RecordHeaderFields(message);
  }
  DropTrailerFields(message, *header_fields);
  if (!ToHttpRequest(message, request)) return InvalidArgumentError("malformed request target");
  return request;
}

}  // namespace keywarden::http
