#include "sql/postgres/postgres_database.h"

#include <algorithm>
#include <string>
#include <utility>

#include "sql/postgres/postgres_connection.h"
#include "sql/postgres/postgres_migrations.h"

namespace keywarden::sql {
namespace {

PgParams ToPgParams(const Params& params) {
  PgParams pg;
  for (const Params::Value& value : params.values()) {
    if (std::holds_alternative<Params::Null>(value)) {
      pg.Int(std::optional<std::int64_t>());
    } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
      pg.Int(*integer);
    } else if (const auto* text = std::get_if<Params::TextValue>(&value)) {
      pg.Text(text->text);
    } else if (const auto* bytes = std::get_if<Params::BytesValue>(&value)) {
      pg.Bytes(bytes->bytes);
    } else if (const auto* texts = std::get_if<Params::TextArrayValue>(&value)) {
      const std::vector<std::string_view> views(texts->texts.begin(), texts->texts.end());
      pg.TextArray(views);
    } else {
      pg.IntArray(std::get<Params::IntArrayValue>(value).values);
    }
  }
  return pg;
}

// Integers as integers (int2/4/8 columns), NULL as NULL, everything else as its bytes.
Result<Rows> ToRows(const PgResult& result, std::size_t columns) {
  std::vector<bool> integer(columns);
  for (std::size_t column = 0; column < columns; ++column) {
    integer[column] = result.IsIntegerColumn(static_cast<int>(column));
  }
  std::vector<std::vector<Rows::Cell>> rows(static_cast<std::size_t>(result.rows()));
  for (int row = 0; row < result.rows(); ++row) {
    auto& cells = rows[static_cast<std::size_t>(row)];
    cells.resize(columns);
    for (std::size_t column = 0; column < columns; ++column) {
      const int c = static_cast<int>(column);
      if (result.IsNull(row, c)) continue;
      if (integer[column]) {
        KW_ASSIGN_OR_RETURN(cells[column], result.Int(row, c));
      } else {
        cells[column] = result.Text(row, c);
      }
    }
  }
  return Rows(std::move(rows), result.affected());
}

}  // namespace

// The session a unit of work sees: one pooled connection and the call's deadline.
class PostgresDatabase::PooledSession final : public Session {
 public:
  PooledSession(PgConnection& connection, Deadline deadline) : connection_(connection), deadline_(deadline) {}
  Result<Rows> Execute(const Statement& statement, const Params& params) override {
    const PgStatement pg{statement.name, statement.SqlFor(Dialect::kPostgres), statement.what};
    Result<PgResult> result = connection_.Execute(pg, ToPgParams(params), deadline_);
    if (!result.ok()) {
      if (connection_.LastFailureWasUniqueViolation()) return AlreadyExistsError(result.status().message());
      return result.status();
    }
    return ToRows(*result, result->columns());
  }

 private:
  PgConnection& connection_;
  const Deadline deadline_;
};

Result<std::unique_ptr<PostgresDatabase>> PostgresDatabase::Open(const PostgresOptions& options,
                                                                 std::size_t default_pool_size,
                                                                 std::span<const MigrationStep> migrations) {
  if (options.hosts.empty()) return InvalidArgumentError("PostgreSQL options name no host");
  const std::size_t pool_size = options.max_pool_size.value_or(default_pool_size);
  if (pool_size < 1) return InvalidArgumentError("the PostgreSQL pool needs at least one connection");
  std::unique_ptr<PostgresDatabase> database(new PostgresDatabase(options, pool_size));

  // Instances starting together queue on the migrations' advisory lock, which ends with this
  // transaction (sql/postgres/postgres_migrations.h).
  KW_RETURN_IF_ERROR(database->TransactOnConnection([&](PgConnection& connection, Deadline deadline) -> Status {
    return MigratePostgres(connection, migrations, deadline);
  }));

  // Warm the pool up to its minimum.
  std::vector<std::unique_ptr<PgConnection>> extra;
  for (std::size_t i = database->open_connections(); i < std::min(options.min_pool_size, pool_size); ++i) {
    bool reused = false;
    KW_ASSIGN_OR_RETURN(auto connection, database->Acquire(database->NewDeadline(), &reused));
    extra.push_back(std::move(connection));
  }
  for (auto& connection : extra) database->Release(std::move(connection));
  return database;
}

PostgresDatabase::PostgresDatabase(const PostgresOptions& options, std::size_t pool_size)
    : options_(options), pool_size_(pool_size) {}

PostgresDatabase::~PostgresDatabase() = default;

std::size_t PostgresDatabase::open_connections() const {
  MutexLock lock(mu_);
  return open_;
}

PostgresDatabase::Deadline PostgresDatabase::NewDeadline() const {
  return std::chrono::steady_clock::now() + options_.command_timeout + std::chrono::seconds(1);
}

Result<std::unique_ptr<PgConnection>> PostgresDatabase::Acquire(Deadline deadline, bool* reused) {
  std::vector<std::unique_ptr<PgConnection>> stale;  // closed after the lock is released
  MutexLock lock(mu_);
  while (true) {
    while (!idle_.empty()) {
      std::unique_ptr<PgConnection> connection = std::move(idle_.back());
      idle_.pop_back();
      if (connection->StillUsable()) {
        *reused = true;
        return connection;
      }
      --open_;
      stale.push_back(std::move(connection));
    }
    if (open_ < pool_size_) {
      ++open_;
      lock.Unlock();
      stale.clear();
      auto connection = PgConnection::Connect(options_);
      lock.Lock();
      if (!connection.ok()) {
        --open_;
        idle_cv_.notify_one();
        return connection.status();
      }
      *reused = false;
      return std::move(connection).value();
    }
    if (idle_cv_.wait_until(lock.unique_lock(), deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= pool_size_) {
      return UnavailableError("all " + std::to_string(pool_size_) + " PostgreSQL connections stayed busy");
    }
  }
}

void PostgresDatabase::Release(std::unique_ptr<PgConnection> connection) {
  if (connection->broken() || connection->InTransaction()) {
    connection.reset();
    MutexLock lock(mu_);
    --open_;
  } else {
    MutexLock lock(mu_);
    idle_.push_back(std::move(connection));
  }
  idle_cv_.notify_one();
}

Status PostgresDatabase::Read(const Work& work, Freshness /*freshness: always the latest*/) {
  const Deadline deadline = NewDeadline();
  for (int attempt = 0;; ++attempt) {
    bool reused = false;
    KW_ASSIGN_OR_RETURN(auto connection, Acquire(deadline, &reused));
    PooledSession session(*connection, deadline);
    Status status = work(session);
    // A conflict rolled the statement back, so running it again is always safe.
    const bool conflict = connection->LastFailureWasConflict();
    const bool stale = connection->broken() && reused;
    Release(std::move(connection));
    if (status.ok()) NotifyCommitted();
    if (status.ok() || attempt >= 2 || std::chrono::steady_clock::now() >= deadline || !(conflict || stale)) {
      return status;
    }
  }
}

Status PostgresDatabase::Transact(const Work& work) {
  return TransactOnConnection([&](PgConnection& connection, Deadline deadline) -> Status {
    PooledSession session(connection, deadline);
    return work(session);
  });
}

Status PostgresDatabase::TransactOnConnection(const ConnectionWork& body) {
  const Deadline deadline = NewDeadline();
  for (int attempt = 0;; ++attempt) {
    bool reused = false;
    KW_ASSIGN_OR_RETURN(auto connection, Acquire(deadline, &reused));
    bool committing = false;
    Status status = [&]() -> Status {
      KW_RETURN_IF_ERROR(connection->ExecuteText("BEGIN", "to start a transaction", deadline).status());
      KW_RETURN_IF_ERROR(body(*connection, deadline));
      committing = true;
      return connection->ExecuteText("COMMIT", "to commit", deadline).status();
    }();
    const bool conflict = connection->LastFailureWasConflict();
    if (!status.ok() && !connection->broken() && connection->InTransaction()) {
      (void)connection->ExecuteText("ROLLBACK", "to roll back", deadline);
    }
    // Before COMMIT was sent, a lost connection means the server rolled the transaction back.
    const bool lost = connection->broken();
    const bool stale = lost && reused && !committing;
    Release(std::move(connection));
    if (!status.ok() && lost && committing) {
      return UnavailableError(status.message() + std::string(kOutcomeUnknown));
    }
    if (status.ok()) NotifyCommitted();
    if (status.ok() || attempt >= 2 || std::chrono::steady_clock::now() >= deadline || !(conflict || stale)) {
      return status;
    }
  }
}

}  // namespace keywarden::sql
