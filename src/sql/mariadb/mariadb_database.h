// MariaDbDatabase: the sql::Database on a MariaDB (10.6 and later) or MySQL (8.0 and later)
// server, through MariaDB Connector/C. Several processes may share one database.
//
//  - A pool of up to pool_size() slots. A slot's connection is opened when a call needs one and
//    none is open; a connection that fails at the connection level (lost, timed out, server
//    restarted) is dropped with every idle one, since a restarted or failed-over server took
//    them all, so the pool recovers by itself when the server returns.
//  - Retries (sql/database.h): a deadlock (1213) rolled the whole transaction back, so it runs
//    again, up to three more times. A call that failed at once on a connection that had sat idle
//    runs once more on a fresh one, unless COMMIT was sent. (One that timed out met a stalled
//    server; another try would only wait again.)
//  - While the server cannot be reached, every call returns kUnavailable within about the
//    connect, read or write timeout.
#ifndef KEYWARDEN_SQL_MARIADB_MARIADB_DATABASE_H_
#define KEYWARDEN_SQL_MARIADB_MARIADB_DATABASE_H_

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "base/mutex.h"
#include "sql/database.h"
#include "sql/mariadb/mariadb_options.h"
#include "sql/migrations.h"

namespace keywarden::sql {

class MariaDbConnection;  // sql/mariadb/mariadb_connection.h

class MariaDbDatabase final : public Database {
 public:
  // Connects, and brings the schema up to the last of `migrations` under GET_LOCK()
  // (sql/mariadb/mariadb_migrations.h). kInvalidArgument for bad options or a schema newer than
  // the steps know; kUnavailable when the server cannot be reached or refuses the login.
  // `default_pool_size` applies when options.max_pool_size is unset.
  static Result<std::unique_ptr<MariaDbDatabase>> Open(const MariaDbOptions& options, int default_pool_size,
                                                       std::span<const MigrationStep> migrations);

  // No call may be in flight on another thread.
  ~MariaDbDatabase() override;
  MariaDbDatabase(const MariaDbDatabase&) = delete;
  MariaDbDatabase& operator=(const MariaDbDatabase&) = delete;

  Dialect dialect() const override { return Dialect::kMariaDb; }
  using Database::Read;
  Status Read(const Work& work, Freshness freshness) override;
  Status Transact(const Work& work) override;
  std::size_t open_connections() const override;
  std::size_t pool_size() const override { return static_cast<std::size_t>(pool_size_); }

 private:
  class Lease;          // borrows a pool slot for one call
  class PooledSession;  // what the work sees

  MariaDbDatabase(MariaDbOptions options, int pool_size, std::unique_ptr<MariaDbConnection> first);

  Status Run(bool in_transaction, const Work& work);

  const MariaDbOptions options_;
  const int pool_size_;
  mutable Mutex mu_;
  std::condition_variable idle_cv_;
  // Idle slots; a null slot has no open connection yet (or its last one was dropped).
  std::vector<std::unique_ptr<MariaDbConnection>> idle_ KW_GUARDED_BY(mu_);
  std::size_t lent_open_ KW_GUARDED_BY(mu_) = 0;  // lent slots that hold a connection
};

}  // namespace keywarden::sql

#endif  // KEYWARDEN_SQL_MARIADB_MARIADB_DATABASE_H_
