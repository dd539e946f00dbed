#include "server/notifications/push_feed.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "sql/postgres/postgres_connection.h"
#include "telemetry/log.h"

namespace keywarden::server::notifications {
namespace {

constexpr std::int64_t kBatch = 256;
// How long a PostgreSQL listener waits for notifications before it looks at its stop flag.
constexpr std::chrono::milliseconds kListenSlice{200};
// A listener that reconnects re-reads this much before the moment it lost its connection: the
// rows' creation dates come from the instances' clocks, which may differ a little.
constexpr TimeMs kCatchUpMarginMs = 5000;

void DeliverSafely(PushSink& sink, const PushNotification& notification) {
  try {
    sink.Deliver(notification);
  } catch (const std::exception& e) {
    telemetry::LogWarning(std::string("a push notification was not delivered: ") + e.what());
  }
}

// What the feed thread waits on: a stop request, or (SQLite) a commit. Shared with the
// database's commit listener, which may outlive the feed.
struct Signal {
  std::mutex mu;
  std::condition_variable cv;
  bool woken = false;
  bool stopping = false;

  void Wake() {
    {
      std::lock_guard lock(mu);
      woken = true;
    }
    cv.notify_all();
  }
  // True when stopping; otherwise returns after a wake or `timeout`.
  bool WaitFor(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu);
    cv.wait_for(lock, timeout, [this] { return woken || stopping; });
    woken = false;
    return stopping;
  }
  bool stopping_requested() {
    std::lock_guard lock(mu);
    return stopping;
  }
  void Stop() {
    {
      std::lock_guard lock(mu);
      stopping = true;
    }
    cv.notify_all();
  }
};

class FeedBase : public PushFeed {
 protected:
  FeedBase(sql::Database& database, PushSink& sink, const Clock& clock, PushFeedOptions options)
      : database_(database), sink_(sink), clock_(clock), options_(options), signal_(std::make_shared<Signal>()) {}

  void StopThread() {
    signal_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  // Removes old rows once per cleanup_interval; any instance may, and each does.
  void CleanUpWhenDue() {
    const auto now = std::chrono::steady_clock::now();
    if (now < next_cleanup_) return;
    next_cleanup_ = now + options_.cleanup_interval;
    const TimeMs cutoff = clock_.NowMs() - options_.retention.count();
    const Status removed =
        database_.Transact([cutoff](sql::Session& session) { return DeleteQueuedBefore(session, cutoff).status(); });
    if (!removed.ok()) telemetry::LogWarning("old push notifications not removed: " + removed.message());
  }

  sql::Database& database_;
  PushSink& sink_;
  const Clock& clock_;
  const PushFeedOptions options_;
  std::shared_ptr<Signal> signal_;
  std::chrono::steady_clock::time_point next_cleanup_ = std::chrono::steady_clock::now();
  std::thread thread_;
};

// SQLite: one writer, so rows become visible in sequence order and a cursor misses none.
class PollingFeed final : public FeedBase {
 public:
  PollingFeed(sql::Database& database, PushSink& sink, const Clock& clock, PushFeedOptions options, std::int64_t start)
      : FeedBase(database, sink, clock, options), cursor_(start) {
    database.SetCommitListener([signal = std::weak_ptr<Signal>(signal_)] {
      if (auto alive = signal.lock()) alive->Wake();
    });
    thread_ = std::thread([this] { Run(); });
  }
  ~PollingFeed() override { StopThread(); }
  bool listening() const override { return true; }

 private:
  void Run() {
    while (!signal_->WaitFor(options_.poll_interval)) {
      ReadNew();
      CleanUpWhenDue();
    }
  }

  void ReadNew() {
    while (true) {
      std::vector<PushNotification> rows;
      const Status read = database_.Read([&](sql::Session& session) {
        KW_ASSIGN_OR_RETURN(rows, ReadFeedAfter(session, cursor_, kBatch));
        return OkStatus();
      });
      if (!read.ok()) {
        telemetry::LogWarning("the push feed was not read: " + read.message());
        return;
      }
      for (const PushNotification& row : rows) {
        DeliverSafely(sink_, row);
        cursor_ = row.sequence;
      }
      if (static_cast<std::int64_t>(rows.size()) < kBatch) return;
    }
  }

  std::int64_t cursor_;  // the feed thread's alone
};

// PostgreSQL: NOTIFY carries each row to every listening instance.
class ListeningFeed final : public FeedBase {
 public:
  ListeningFeed(sql::Database& database, sql::PostgresOptions postgres, PushSink& sink, const Clock& clock,
                PushFeedOptions options, std::unique_ptr<sql::PgConnection> connection)
      : FeedBase(database, sink, clock, options), postgres_(std::move(postgres)), connection_(std::move(connection)) {
    listening_.store(true);
    thread_ = std::thread([this] { Run(); });
  }
  ~ListeningFeed() override { StopThread(); }
  bool listening() const override { return listening_.load(); }

  static Result<std::unique_ptr<sql::PgConnection>> Listen(const sql::PostgresOptions& postgres) {
    KW_ASSIGN_OR_RETURN(auto connection, sql::PgConnection::Connect(postgres));
    const auto deadline = sql::PgClock::now() + std::chrono::seconds(10);
    KW_RETURN_IF_ERROR(
        connection->ExecuteText("LISTEN " + std::string(kPushChannel), "to listen for push notifications", deadline)
            .status());
    return connection;
  }

 private:
  void Run() {
    TimeMs lost_at = 0;
    while (!signal_->stopping_requested()) {
      if (connection_ == nullptr) {
        auto reopened = Listen(postgres_);
        if (!reopened.ok()) {
          if (signal_->WaitFor(options_.reconnect_delay)) return;
          continue;
        }
        connection_ = *std::move(reopened);
        listening_.store(true);
        telemetry::LogInfo("push feed listening again");
        CatchUp(lost_at - kCatchUpMarginMs);
      }
      auto payloads = connection_->WaitForNotifications(sql::PgClock::now() + kListenSlice);
      if (!payloads.ok()) {
        telemetry::LogWarning("push feed stopped listening: " + payloads.status().message());
        listening_.store(false);
        connection_.reset();
        lost_at = clock_.NowMs();
        if (signal_->WaitFor(options_.reconnect_delay)) return;
        continue;
      }
      for (const std::string& payload : *payloads) {
        auto notification = FromJson(payload);
        if (!notification.ok()) {
          telemetry::LogWarning("a push announcement was not understood: " + notification.status().message());
          continue;
        }
        if (notification->id.empty() && !ReadAnnounced(*notification)) continue;
        Deliver(*notification);
      }
      CleanUpWhenDue();
    }
  }

  // A notification too large for its announcement: read from the table. False when gone.
  bool ReadAnnounced(PushNotification& notification) {
    std::optional<PushNotification> stored;
    const Status read = database_.Read([&](sql::Session& session) {
      KW_ASSIGN_OR_RETURN(stored, ReadFeedAt(session, notification.sequence));
      return OkStatus();
    });
    if (!read.ok()) telemetry::LogWarning("an announced push notification was not read: " + read.message());
    if (!stored) return false;
    notification = *std::move(stored);
    return true;
  }

  void CatchUp(TimeMs since) {
    std::vector<PushNotification> rows;
    const Status read = database_.Read([&](sql::Session& session) {
      KW_ASSIGN_OR_RETURN(rows, ReadFeedSince(session, since, 10 * kBatch));
      return OkStatus();
    });
    if (!read.ok()) telemetry::LogWarning("push notifications missed while not listening: " + read.message());
    for (const PushNotification& row : rows) {
      if (!delivered_.contains(row.sequence)) Deliver(row);
    }
  }

  // Remembers the last sequences delivered, so that a catch-up sends none twice.
  void Deliver(const PushNotification& notification) {
    DeliverSafely(sink_, notification);
    delivered_.insert(notification.sequence);
    recent_.push_back(notification.sequence);
    if (recent_.size() > kRemembered) {
      delivered_.erase(recent_.front());
      recent_.pop_front();
    }
  }

  static constexpr std::size_t kRemembered = 4096;
  const sql::PostgresOptions postgres_;
  std::unique_ptr<sql::PgConnection> connection_;  // the feed thread's alone
  std::atomic<bool> listening_{false};
  std::unordered_set<std::int64_t> delivered_;
  std::deque<std::int64_t> recent_;
};

}  // namespace

Result<std::unique_ptr<PushFeed>> PushFeed::Start(sql::Database& database, std::optional<sql::PostgresOptions> postgres,
                                                  PushSink& sink, const Clock& clock, PushFeedOptions options) {
  if (postgres.has_value()) {
    auto connection = ListeningFeed::Listen(*postgres);
    if (!connection.ok()) return connection.status().WithContext("push feed");
    return std::unique_ptr<PushFeed>(
        std::make_unique<ListeningFeed>(database, *std::move(postgres), sink, clock, options, *std::move(connection)));
  }
  std::int64_t start = 0;
  KW_RETURN_IF_ERROR(database.Read([&](sql::Session& session) {
    KW_ASSIGN_OR_RETURN(start, LatestSequence(session));
    return OkStatus();
  }));
  return std::unique_ptr<PushFeed>(std::make_unique<PollingFeed>(database, sink, clock, options, start));
}

}  // namespace keywarden::server::notifications
