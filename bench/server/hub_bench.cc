// The notification hubs' benchmarks (issue 18), against running servers on 127.0.0.1; run by
// bench/server/hub.sh.
//
//   keywarden_hub_bench latency PORT_A PORT_B [ROUNDS=200]
//     Registers an account on A and signs it in from a second device. Each round, device-2 asks
//     A for a login with device, opens B's anonymous hub for the request (B == A for one
//     instance) and completes the MessagePack handshake; device-1 then reads the request back
//     (GET /api/auth-requests/{id}: the reference, an authenticated round trip on the same
//     keep-alive connection) and approves it (PUT). Measured: from just before the PUT is sent
//     until AuthRequestResponseRecieved arrives on the hub ("notified"), the PUT's own answer,
//     and the GET. Prints p50, p99 and max of each, the ratios to the GET, and when the
//     notification arrived relative to the PUT's answer (the hub's own share). 10 rounds first
//     warm the connections and caches and are not counted.
//   keywarden_hub_bench idle PORT SERVER_PID [CONNECTIONS=10000] [HOLD_SECONDS=40]
//     Opens CONNECTIONS anonymous-hub WebSockets and handshakes each, from source addresses
//     127.0.0.2, .3, ... (500 each, under the server's default per-address cap), sending a
//     SignalR Ping every 15 s as the clients do; holds them HOLD_SECONDS (past the clients' 30 s
//     server timeout) while GET /alive is timed on a fresh connection every 2 s. Prints the
//     server's VmRSS (/proc/SERVER_PID/status) before, once all are open and at the end, KiB per
//     connection, how many are still open at the end and how many got the server's Pings.
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "bench/server/bench_client.h"
#include "keywarden/crypto/asymmetric_enc_string.h"
#include "keywarden/keys/auth_request.h"
#include "support/signalr_frames.h"
#include "support/websocket_client.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using keywarden::bench::Account;
using keywarden::bench::Client;
using keywarden::bench::Die;
using keywarden::bench::Must;
using keywarden::testing::WebSocketClient;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

const std::string& kHandshake = keywarden::testing::kMessagePackHandshake;
const std::string kHandshakeAnswer = "{}\x1e";
// A SignalR Ping ([6]) in the MessagePack protocol, with its varint length prefix.
const std::string kPing = std::string("\x02\x91\x06", 3);
constexpr int kPingType = 6;
constexpr int kInvocationType = 1;

// The SignalR messages of one binary WebSocket message (length-prefixed MessagePack arrays).
std::vector<json> HubMessages(const std::string& data) {
  auto messages = keywarden::testing::UnframeMessagePack(data);
  if (!messages) Die("a truncated hub message");
  return *std::move(messages);
}

double Milliseconds(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// "name p50 p99 max" in ms over `samples` (sorted here).
struct Summary {
  double p50, p99, max;
};
Summary Summarize(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  const auto at = [&](double q) {
    return samples[static_cast<std::size_t>(q * static_cast<double>(samples.size() - 1))];
  };
  return {at(0.5), at(0.99), samples.back()};
}

void OpenAnonymousHub(WebSocketClient& client, std::uint16_t port, const std::string& token) {
  if (auto ec = client.Connect(port, "/notifications/anonymous-hub?Token=" + token)) {
    Die("anonymous hub: " + ec.message() + " (HTTP " + std::to_string(client.response().result_int()) + ")");
  }
  if (auto ec = client.Write(kHandshake, false)) Die("hub handshake: " + ec.message());
  WebSocketClient::Message answer;
  if (auto ec = client.Read(answer)) Die("hub handshake answer: " + ec.message());
  if (answer.data != kHandshakeAnswer) Die("hub handshake refused: " + answer.data);
}

// When the next Invocation arrives (skipping Pings); dies after 10 s without one.
Clock::time_point AwaitInvocation(WebSocketClient& client, std::string& target) {
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    WebSocketClient::Message message;
    if (auto ec = client.Read(message, std::chrono::seconds(10))) Die("waiting for the answer: " + ec.message());
    const Clock::time_point arrived = Clock::now();
    for (const json& m : HubMessages(message.data)) {
      if (m.is_array() && !m.empty() && m[0] == kInvocationType) {
        target = m.at(3).get<std::string>();
        return arrived;
      }
    }
  }
  Die("no AuthRequestResponseRecieved within 10 s");
}

int Latency(std::uint16_t port_a, std::uint16_t port_b, int rounds) {
  Client setup(port_a);
  // A new address each run: runs on one PostgreSQL database share its accounts.
  const std::string email =
      "hub-" + std::to_string(std::time(nullptr)) + "-" + std::to_string(getpid()) + "@bench.example";
  const Account account = keywarden::bench::Register(setup, email);
  const std::string requester_device = "bench-device-2-" + email;
  keywarden::bench::LogIn(setup, account, requester_device);

  Client approver(port_a);
  // `after_answer`: when the notification arrived relative to the PUT's answer (negative: before
  // it), the hub's own share of `notified`.
  std::vector<double> notified, put, get, after_answer;
  // The first rounds warm the connections and the database's caches and are not counted.
  constexpr int kWarmUp = 10;
  for (int round = -kWarmUp; round < rounds; ++round) {
    const keywarden::AuthRequest keys = Must(keywarden::NewAuthRequest(email), "auth request keys");
    const std::string access_code =
        ("BenchAccessCode" + std::to_string(round + kWarmUp) + "abcdefghijklmnopq").substr(0, 25);
    Client requester(port_a);
    const json made = requester.PostJson("/api/auth-requests/", {{"email", email},
                                                                 {"publicKey", keys.public_key.ToBase64()},
                                                                 {"deviceIdentifier", requester_device},
                                                                 {"accessCode", access_code},
                                                                 {"type", 0}});
    const std::string id = made.at("id");
    WebSocketClient waiting;
    OpenAnonymousHub(waiting, port_b, id);
    const json approval = {
        {"key", Must(keywarden::ApproveAuthRequest(keys.public_key, account.user_key), "approval").ToString()},
        {"masterPasswordHash", nullptr},
        {"deviceIdentifier", keywarden::bench::FirstDevice(email)},
        {"requestApproved", true}};
    const std::string body = approval.dump();

    Clock::time_point start = Clock::now();
    approver.Send(http::verb::get, "/api/auth-requests/" + id, "", "", account.access_token);
    const double got = Milliseconds(Clock::now() - start);

    std::string target;
    Clock::time_point arrived;
    std::thread reader([&] { arrived = AwaitInvocation(waiting, target); });
    start = Clock::now();
    approver.Send(http::verb::put, "/api/auth-requests/" + id, body, "application/json; charset=utf-8",
                  account.access_token);
    const Clock::time_point answer = Clock::now();
    const double answered = Milliseconds(answer - start);
    reader.join();
    if (target != "AuthRequestResponseRecieved") Die("unexpected invocation " + target);
    if (round < 0) continue;
    get.push_back(got);
    put.push_back(answered);
    notified.push_back(Milliseconds(arrived - start));
    after_answer.push_back(Milliseconds(arrived - answer));
  }

  const Summary reference = Summarize(get);
  std::printf(
      "| measure | p50 ms | p99 ms | max ms | p50 / GET p50 | p99 / GET p99 |\n|---|---:|---:|---:|---:|---:|\n");
  const auto row = [&](const char* name, const std::vector<double>& samples) {
    const Summary s = Summarize(samples);
    std::printf("| %s | %.2f | %.2f | %.2f | %.2f | %.2f |\n", name, s.p50, s.p99, s.max, s.p50 / reference.p50,
                s.p99 / reference.p99);
  };
  row("approval PUT -> AuthRequestResponseRecieved", notified);
  row("approval PUT answered", put);
  row("GET /api/auth-requests/{id} (reference)", get);
  const Summary hub = Summarize(after_answer);
  std::printf("notification after the PUT's answer: p50 %.2f ms, p99 %.2f ms, max %.2f ms (negative: before it)\n",
              hub.p50, hub.p99, hub.max);
  std::printf("(%d rounds after %d not counted; requests to 127.0.0.1:%u, hub on 127.0.0.1:%u)\n", rounds, kWarmUp,
              port_a, port_b);
  return 0;
}

// ---- idle mode ----

long ResidentKiB(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  Die("no VmRSS for pid " + std::to_string(pid));
}

// One held hub connection, driven by callbacks on the single I/O thread.
struct HubConnection : std::enable_shared_from_this<HubConnection> {
  explicit HubConnection(asio::io_context& io) : ws(io) {}
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  bool open = false;    // handshake answered, no error since
  bool failed = false;  // an error ended it
  int pings = 0;        // SignalR Pings from the server
  std::string error;
};

class IdleHolder {
 public:
  IdleHolder(std::uint16_t port, int count) : port_(port), count_(count), ping_timer_(io_) {}

  // Opens the connections, at most kInFlight at a time so the listen backlog never overflows.
  void Start() {
    for (int i = 0; i < std::min(kInFlight, count_); ++i) OpenNext();
    SchedulePings();
  }
  asio::io_context& io() { return io_; }
  int opened() const { return opened_.load(); }
  // Connections whose opening has ended, either way.
  int settled() const { return settled_.load(); }

  struct Counts {
    int open = 0, failed = 0, pinged = 0, pinged_twice = 0;
    std::string first_error;
  };
  Counts Count() const {  // call from the I/O thread, or after it stopped
    Counts counts;
    for (const auto& c : connections_) {
      counts.open += c->open ? 1 : 0;
      counts.failed += c->failed ? 1 : 0;
      counts.pinged += c->pings >= 1 ? 1 : 0;
      counts.pinged_twice += c->pings >= 2 ? 1 : 0;
      if (c->failed && counts.first_error.empty()) counts.first_error = c->error;
    }
    return counts;
  }

 private:
  static constexpr int kInFlight = 128;
  static constexpr int kPerAddress = 500;  // the server allows 1,000 from one address by default

  void OpenNext() {
    if (next_ >= count_) return;
    const int index = next_++;
    auto c = std::make_shared<HubConnection>(io_);
    connections_.push_back(c);
    beast::tcp_stream& tcp = beast::get_lowest_layer(c->ws);
    asio::ip::tcp::socket& socket = tcp.socket();
    socket.open(asio::ip::tcp::v4());
    const auto source = asio::ip::make_address_v4(0x7f000002u + static_cast<unsigned>(index / kPerAddress));
    socket.bind(asio::ip::tcp::endpoint(source, 0));
    tcp.expires_after(std::chrono::seconds(30));
    tcp.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_),
                      [this, c, index](beast::error_code ec) {
                        if (ec) return Fail(c, "connect: " + ec.message(), true);
                        char token[40];
                        std::snprintf(token, sizeof token, "00000000-0000-4000-8000-%012d", index);
                        c->ws.async_handshake("127.0.0.1", std::string("/notifications/anonymous-hub?Token=") + token,
                                              [this, c](beast::error_code upgrade) {
                                                if (upgrade) return Fail(c, "upgrade: " + upgrade.message(), true);
                                                SendHandshake(c);
                                              });
                      });
  }

  void SendHandshake(const std::shared_ptr<HubConnection>& c) {
    c->ws.text(true);
    c->ws.async_write(asio::buffer(kHandshake), [this, c](beast::error_code ec, std::size_t) {
      if (ec) return Fail(c, "handshake: " + ec.message(), true);
      c->ws.async_read(c->buffer, [this, c](beast::error_code answer, std::size_t) {
        if (answer) return Fail(c, "handshake answer: " + answer.message(), true);
        if (beast::buffers_to_string(c->buffer.data()) != kHandshakeAnswer) return Fail(c, "handshake refused", true);
        c->buffer.clear();
        // Held from now on: the stream's own timeout would end it; the server's pings keep it.
        beast::get_lowest_layer(c->ws).expires_never();
        c->ws.binary(true);
        c->open = true;
        ++opened_;
        ++settled_;
        OpenNext();
        Read(c);
      });
    });
  }

  void Read(const std::shared_ptr<HubConnection>& c) {
    c->ws.async_read(c->buffer, [this, c](beast::error_code ec, std::size_t) {
      if (ec) return Fail(c, "read: " + ec.message(), false);
      for (const json& m : HubMessages(beast::buffers_to_string(c->buffer.data()))) {
        if (m.is_array() && !m.empty() && m[0] == kPingType) ++c->pings;
      }
      c->buffer.clear();
      Read(c);
    });
  }

  // Every 15 s each open connection sends a Ping, as the clients' keep-alive does.
  void SchedulePings() {
    ping_timer_.expires_after(std::chrono::seconds(15));
    ping_timer_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      for (const auto& c : connections_) {
        if (!c->open) continue;
        c->ws.async_write(asio::buffer(kPing), [this, c](beast::error_code written, std::size_t) {
          if (written) Fail(c, "ping: " + written.message(), false);
        });
      }
      SchedulePings();
    });
  }

  void Fail(const std::shared_ptr<HubConnection>& c, std::string what, bool opening) {
    if (c->failed) return;
    c->open = false;
    c->failed = true;
    c->error = std::move(what);
    if (opening) {
      ++settled_;
      OpenNext();
    }
  }

  std::uint16_t port_;
  int count_;
  int next_ = 0;
  std::atomic<int> opened_{0};
  std::atomic<int> settled_{0};  // opened, or failed while opening
  asio::io_context io_;
  asio::steady_timer ping_timer_;
  std::vector<std::shared_ptr<HubConnection>> connections_;
};

int Idle(std::uint16_t port, int server_pid, int count, int hold_seconds) {
  const long before_kib = ResidentKiB(server_pid);
  IdleHolder holder(port, count);
  holder.Start();
  std::thread io([&] { holder.io().run(); });

  const Clock::time_point opening = Clock::now();
  while (holder.settled() < count && Clock::now() - opening < std::chrono::seconds(120)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const double open_seconds = std::chrono::duration<double>(Clock::now() - opening).count();
  const int opened = holder.opened();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const long held_kib = ResidentKiB(server_pid);

  // /alive on a fresh connection every 2 s while they are held.
  std::vector<double> alive;
  const Clock::time_point holding = Clock::now();
  while (Clock::now() - holding < std::chrono::seconds(hold_seconds)) {
    Client probe(port);
    const Clock::time_point start = Clock::now();
    probe.Send(http::verb::get, "/alive", "", "");
    alive.push_back(Milliseconds(Clock::now() - start));
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
  const long end_kib = ResidentKiB(server_pid);

  IdleHolder::Counts counts;
  asio::post(holder.io(), [&] {
    counts = holder.Count();
    holder.io().stop();
  });
  io.join();
  const Summary a = Summarize(alive);
  std::printf("| idle hub connections | %d asked, %d opened in %.1f s, %d still open after %d s, %d failed |\n", count,
              opened, open_seconds, counts.open, hold_seconds, counts.failed);
  std::printf("| got server Pings | %d at least one, %d at least two |\n", counts.pinged, counts.pinged_twice);
  std::printf("| server VmRSS | %.1f MiB before, %.1f MiB with them open, %.1f MiB after %d s |\n", before_kib / 1024.0,
              held_kib / 1024.0, end_kib / 1024.0, hold_seconds);
  if (opened > 0) {
    std::printf("| per connection | %.1f KiB (open), %.1f KiB (end of hold) |\n",
                static_cast<double>(held_kib - before_kib) / opened,
                static_cast<double>(end_kib - before_kib) / opened);
  }
  std::printf("| GET /alive while held (fresh connection) | p50 %.2f ms, max %.2f ms, %zu probes |\n", a.p50, a.max,
              alive.size());
  if (!counts.first_error.empty()) std::printf("first failure: %s\n", counts.first_error.c_str());
  return counts.open == count ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  keywarden::bench::program_name = "keywarden_hub_bench";
  const std::string mode = argc > 1 ? argv[1] : "";
  const auto port = [&](int i) { return static_cast<std::uint16_t>(std::strtoul(argv[i], nullptr, 10)); };
  try {
    if (mode == "latency" && (argc == 4 || argc == 5)) {
      return Latency(port(2), port(3), argc == 5 ? std::atoi(argv[4]) : 200);
    }
    if (mode == "idle" && argc >= 4 && argc <= 6) {
      return Idle(port(2), std::atoi(argv[3]), argc >= 5 ? std::atoi(argv[4]) : 10000,
                  argc == 6 ? std::atoi(argv[5]) : 40);
    }
  } catch (const std::exception& e) {
    Die(e.what());
  }
  std::fprintf(stderr,
               "usage: keywarden_hub_bench latency PORT_A PORT_B [ROUNDS]\n"
               "       keywarden_hub_bench idle PORT SERVER_PID [CONNECTIONS] [HOLD_SECONDS]\n");
  return 2;
}
