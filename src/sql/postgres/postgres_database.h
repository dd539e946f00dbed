// PostgresDatabase: the sql::Database on a PostgreSQL server, shared by any number of processes.
//
// Calls borrow a connection from a pool, opened on demand up to the pool size, statements are
// prepared once per connection. Every call has a deadline: the connection string's command
// timeout plus a second, so that the server's own statement_timeout normally fires first (a clean
// error, connection kept). A server that is down makes calls fail kUnavailable within that time;
// broken connections are dropped and the next call opens a new one, so the pool recovers by
// itself when the server is back.
//
// Retries (sql/database.h): a conflict (SQLSTATE 40001, 40P01) means the server rolled the work
// back; a pooled connection found closed means nothing of the call ran. Either is run again, at
// most three attempts in all and never past the deadline.
#ifndef KEYWARDEN_SQL_POSTGRES_POSTGRES_DATABASE_H_
#define KEYWARDEN_SQL_POSTGRES_POSTGRES_DATABASE_H_

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "base/mutex.h"
#include "sql/database.h"
#include "sql/migrations.h"
#include "sql/postgres/postgres_options.h"

namespace keywarden::sql {

class PgConnection;  // sql/postgres/postgres_connection.h

class PostgresDatabase final : public Database {
 public:
  // Connects, and brings the schema up to the last of `migrations` (sql/postgres/
  // postgres_migrations.h). kUnavailable when the server cannot be reached (the reason names host
  // and port), kInvalidArgument for bad options or a schema newer than the steps know.
  // `default_pool_size` applies when options.max_pool_size is unset.
  static Result<std::unique_ptr<PostgresDatabase>> Open(const PostgresOptions& options, std::size_t default_pool_size,
                                                        std::span<const MigrationStep> migrations);

  // No call may be in flight on another thread.
  ~PostgresDatabase() override;
  PostgresDatabase(const PostgresDatabase&) = delete;
  PostgresDatabase& operator=(const PostgresDatabase&) = delete;

  Dialect dialect() const override { return Dialect::kPostgres; }
  using Database::Read;
  Status Read(const Work& work, Freshness freshness) override;
  Status Transact(const Work& work) override;
  std::size_t open_connections() const override;
  std::size_t pool_size() const override { return pool_size_; }

 private:
  class PooledSession;
  using Deadline = std::chrono::steady_clock::time_point;

  PostgresDatabase(const PostgresOptions& options, std::size_t pool_size);

  // Transact's mechanism: runs `body` on a pooled connection between BEGIN and COMMIT, with the
  // retries of sql/database.h. Open uses it directly, since the migrations need the connection.
  using ConnectionWork = std::function<Status(PgConnection&, Deadline)>;
  Status TransactOnConnection(const ConnectionWork& body);

  Deadline NewDeadline() const;
  Result<std::unique_ptr<PgConnection>> Acquire(Deadline deadline, bool* reused) KW_EXCLUDES(mu_);
  void Release(std::unique_ptr<PgConnection> connection) KW_EXCLUDES(mu_);

  const PostgresOptions options_;
  const std::size_t pool_size_;

  mutable Mutex mu_;
  std::condition_variable idle_cv_;
  std::vector<std::unique_ptr<PgConnection>> idle_ KW_GUARDED_BY(mu_);
  std::size_t open_ KW_GUARDED_BY(mu_) = 0;  // idle + borrowed + being opened
};

}  // namespace keywarden::sql

#endif  // KEYWARDEN_SQL_POSTGRES_POSTGRES_DATABASE_H_
