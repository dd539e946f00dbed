// The push feed's reader: every instance of the server delivers each notification queued in the
// outbox (push_outbox.h) to the hub connections it holds (a PushSink), in order, moments after
// the change that queued it commits.
//
//  - SQLite (one instance): reads the table after the last sequence it delivered, woken by each
//    commit of the database (sql::Database::SetCommitListener) and at least every poll_interval.
//  - PostgreSQL (any number of instances sharing the database): LISTENs on kPushChannel on a
//    connection of its own; each announcement carries its row, and arrives only once the
//    transaction commits, in commit order. When that connection is lost the feed reopens it and
//    then delivers what was queued meanwhile (by creation date, skipping what it delivered).
//
// A feed starts at the end: what was queued while no instance ran was for devices that were not
// connected, and a client syncs when it connects. It also removes rows older than `retention`,
// which only a listener that was cut off for that long could still want.
#ifndef KEYWARDEN_SERVER_NOTIFICATIONS_PUSH_FEED_H_
#define KEYWARDEN_SERVER_NOTIFICATIONS_PUSH_FEED_H_

#include <chrono>
#include <memory>
#include <optional>

#include "base/clock.h"
#include "keywarden/status.h"
#include "server/notifications/push_sink.h"
#include "sql/database.h"
#include "sql/postgres/postgres_options.h"

namespace keywarden::server::notifications {

struct PushFeedOptions {
  std::chrono::milliseconds poll_interval{1000};    // SQLite: the longest wait without a commit
  std::chrono::milliseconds reconnect_delay{1000};  // PostgreSQL: between attempts to listen again
  std::chrono::milliseconds retention{10 * 60 * 1000};
  std::chrono::milliseconds cleanup_interval{60 * 1000};
};

class PushFeed {
 public:
  // Starts reading `database`'s feed into `sink`, on a thread of its own. `postgres` is the
  // connection the listener opens (the database's own settings), nullopt on SQLite. `clock`
  // dates the retention; `database`, `sink` and `clock` must outlive the feed. On SQLite the
  // feed becomes the database's commit listener.
  static Result<std::unique_ptr<PushFeed>> Start(sql::Database& database, std::optional<sql::PostgresOptions> postgres,
                                                 PushSink& sink, const Clock& clock, PushFeedOptions options);
  virtual ~PushFeed() = default;  // stops the thread; a Deliver in progress finishes first

  // True while a PostgreSQL feed is listening (always true on SQLite): for health and tests.
  virtual bool listening() const = 0;

 protected:
  PushFeed() = default;
};

}  // namespace keywarden::server::notifications

#endif  // KEYWARDEN_SERVER_NOTIFICATIONS_PUSH_FEED_H_
