#include "sql/mariadb/mariadb_database.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "sql/mariadb/mariadb_connection.h"
#include "sql/mariadb/mariadb_migrations.h"

namespace keywarden::sql {
namespace {

Status ValidateOptions(const MariaDbOptions& options, int pool_size) {
  if (options.database.empty()) return InvalidArgumentError("MariaDB database name is empty");
  if (options.user.empty()) return InvalidArgumentError("MariaDB user name is empty");
  if (pool_size < 1 || pool_size > 1000) {
    return InvalidArgumentError("MariaDB pool size must be from 1 to 1000");
  }
  for (auto timeout : {options.connect_timeout, options.read_timeout, options.write_timeout}) {
    if (timeout < std::chrono::seconds(1) || timeout > std::chrono::hours(24)) {
      return InvalidArgumentError("MariaDB timeouts must be from 1 second to 24 hours");
    }
  }
  if (options.read_timeout < std::chrono::seconds(2)) {
    return InvalidArgumentError("MariaDB read timeout must be at least 2 seconds (lock waits end a second sooner)");
  }
  return OkStatus();
}

// A statement's text with $n placeholders rewritten to `?`, and which parameter each `?` takes.
struct Translated {
  std::string sql;
  std::vector<std::size_t> order;  // 0-based parameter indexes, in the order of the `?`s
};

// Translations live for the whole process: their text's address keys each connection's cache of
// prepared statements (MariaDbConnection::Prepare).
const Translated& Translate(const char* sql) {
  static Mutex mu;
  static std::unordered_map<const char*, Translated>* cache = new std::unordered_map<const char*, Translated>();
  MutexLock lock(mu);
  auto [it, inserted] = cache->try_emplace(sql);
  if (!inserted) return it->second;
  Translated& out = it->second;
  for (const char* p = sql; *p != '\0'; ++p) {
    if (*p == '$' && p[1] >= '1' && p[1] <= '9') {
      std::size_t n = 0;
      while (p[1] >= '0' && p[1] <= '9') n = n * 10 + static_cast<std::size_t>(*++p - '0');
      out.sql += '?';
      out.order.push_back(n - 1);
    } else {
      out.sql += *p;
    }
  }
  return out;
}

Status Bind(MariaDbStatement& statement, const Params::Value& value) {
  if (std::holds_alternative<Params::Null>(value)) {
    statement.Int(std::optional<std::int64_t>());
  } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    statement.Int(*integer);
  } else if (const auto* text = std::get_if<Params::TextValue>(&value)) {
    statement.Bytes(std::string_view(text->text));
  } else if (const auto* bytes = std::get_if<Params::BytesValue>(&value)) {
    statement.Bytes(std::span<const std::uint8_t>(bytes->bytes));
  } else {
    return InternalError("MariaDB has no array parameters");
  }
  return OkStatus();
}

}  // namespace

// A pool slot held for one call. Prefers an open connection; opens one when the slot has none.
class MariaDbDatabase::Lease {
 public:
  explicit Lease(MariaDbDatabase& database) : database_(database) {}
  ~Lease() {
    if (!has_slot_) return;
    const bool broken = connection_ != nullptr && connection_->broken();
    {
      MutexLock lock(database_.mu_);
      if (counted_) --database_.lent_open_;
      if (broken) {
        connection_.reset();
        for (auto& idle : database_.idle_) idle.reset();
      }
      database_.idle_.push_back(std::move(connection_));
    }
    database_.idle_cv_.notify_one();
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  Status Acquire() {
    {
      MutexLock lock(database_.mu_);
      const auto timeout = database_.options_.connect_timeout;
      auto& idle = database_.idle_;
      if (!database_.idle_cv_.wait_for(lock.unique_lock(), timeout,
                                       [&]() KW_REQUIRES(database_.mu_) { return !idle.empty(); })) {
        return UnavailableError("all " + std::to_string(database_.pool_size_) +
                                " MariaDB connections stayed busy for " + std::to_string(timeout.count()) + " s");
      }
      auto open = std::find_if(idle.rbegin(), idle.rend(), [](const auto& c) { return c != nullptr; });
      if (open != idle.rend()) std::iter_swap(open, idle.rbegin());
      connection_ = std::move(idle.back());
      idle.pop_back();
      has_slot_ = true;
      if (connection_ != nullptr) {
        ++database_.lent_open_;
        counted_ = true;
      }
    }
    reused_ = connection_ != nullptr;
    if (!reused_) {
      KW_ASSIGN_OR_RETURN(connection_, MariaDbConnection::Connect(database_.options_));
      MutexLock lock(database_.mu_);
      ++database_.lent_open_;
      counted_ = true;
    }
    return OkStatus();
  }

  MariaDbConnection& connection() { return *connection_; }
  // The connection was open before this call (it may have gone stale meanwhile).
  bool reused() const { return reused_; }

 private:
  MariaDbDatabase& database_;
  std::unique_ptr<MariaDbConnection> connection_;
  bool has_slot_ = false;
  bool counted_ = false;
  bool reused_ = false;
};

class MariaDbDatabase::PooledSession final : public Session {
 public:
  explicit PooledSession(MariaDbConnection& connection) : connection_(connection) {}
  Result<Rows> Execute(const Statement& statement, const Params& params) override {
    const Translated& translated = Translate(statement.SqlFor(Dialect::kMariaDb));
    MariaDbStatement query(connection_, translated.sql.c_str(), statement.what);
    for (std::size_t index : translated.order) {
      if (index >= params.values().size()) return InternalError("statement parameter count mismatch");
      KW_RETURN_IF_ERROR(Bind(query, params.values()[index]));
    }
    if (Status status = query.Run(); !status.ok()) {
      if (connection_.last_error() == kErrDuplicateEntry) return AlreadyExistsError(status.message());
      return status;
    }
    std::vector<std::vector<Rows::Cell>> rows;
    while (true) {
      KW_ASSIGN_OR_RETURN(bool row, query.Next());
      if (!row) break;
      auto& cells = rows.emplace_back(query.columns());
      for (std::size_t column = 0; column < cells.size(); ++column) {
        if (query.ColumnIsNull(column)) continue;
        if (query.ColumnIsInt(column)) {
          cells[column] = query.ColumnInt(column);
        } else {
          cells[column] = query.ColumnText(column);
        }
      }
    }
    return Rows(std::move(rows), query.affected_rows());
  }

 private:
  MariaDbConnection& connection_;
};

Result<std::unique_ptr<MariaDbDatabase>> MariaDbDatabase::Open(const MariaDbOptions& options, int default_pool_size,
                                                               std::span<const MigrationStep> migrations) {
  const int pool_size = options.max_pool_size.value_or(default_pool_size);
  KW_RETURN_IF_ERROR(ValidateOptions(options, pool_size));
  // Connector/C's global set-up is not thread-safe; do it once, before any connection.
  static std::once_flag library_once;
  static bool library_ready = false;
  std::call_once(library_once, [] { library_ready = mysql_library_init(0, nullptr, nullptr) == 0; });
  if (!library_ready) return InternalError("MariaDB client library failed to initialise");

  KW_ASSIGN_OR_RETURN(auto first, MariaDbConnection::Connect(options));
  KW_RETURN_IF_ERROR(MigrateMariaDb(*first, migrations, options.migration_lock_timeout));
  return std::unique_ptr<MariaDbDatabase>(new MariaDbDatabase(options.Clone(), pool_size, std::move(first)));
}

MariaDbDatabase::MariaDbDatabase(MariaDbOptions options, int pool_size, std::unique_ptr<MariaDbConnection> first)
    : options_(std::move(options)), pool_size_(pool_size) {
  MutexLock lock(mu_);
  idle_.resize(static_cast<std::size_t>(pool_size_ - 1));
  idle_.push_back(std::move(first));
}

MariaDbDatabase::~MariaDbDatabase() = default;

std::size_t MariaDbDatabase::open_connections() const {
  MutexLock lock(mu_);
  const auto idle_open = std::count_if(idle_.begin(), idle_.end(), [](const auto& c) { return c != nullptr; });
  return static_cast<std::size_t>(idle_open) + lent_open_;
}

Status MariaDbDatabase::Read(const Work& work, Freshness /*freshness: always the latest*/) {
  return Run(/*in_transaction=*/false, work);
}

Status MariaDbDatabase::Transact(const Work& work) { return Run(/*in_transaction=*/true, work); }

Status MariaDbDatabase::Run(bool in_transaction, const Work& work) {
  constexpr int kMaxDeadlockRetries = 3;
  for (int attempt = 0;; ++attempt) {
    Lease lease(*this);
    KW_RETURN_IF_ERROR(lease.Acquire());
    const auto started = std::chrono::steady_clock::now();
    MariaDbConnection& connection = lease.connection();
    connection.set_commit_sent(false);
    connection.clear_last_error();
    PooledSession session(connection);

    Status status;
    if (!in_transaction) {
      status = work(session);
    } else {
      status = connection.Execute("START TRANSACTION", "to start a transaction");
      if (status.ok()) {
        status = work(session);
        if (!status.ok()) {
          if (!connection.broken() && !connection.Execute("ROLLBACK", "to roll back").ok()) connection.Discard();
        } else {
          connection.set_commit_sent(true);
          status = connection.Execute("COMMIT", "to commit");
          if (!status.ok() && connection.broken()) {
            return UnavailableError(status.message() + std::string(kOutcomeUnknown));
          }
        }
      }
    }
    if (status.ok()) return status;

    const bool failed_at_once = std::chrono::steady_clock::now() - started < options_.connect_timeout;
    const bool stale =
        connection.broken() && lease.reused() && !connection.commit_sent() && failed_at_once && attempt == 0;
    // InnoDB rolled the whole transaction back to break a deadlock; running it again is safe.
    const bool deadlock =
        !connection.broken() && connection.last_error() == kErrDeadlock && attempt < kMaxDeadlockRetries;
    if (!stale && !deadlock) return status;
  }
}

}  // namespace keywarden::sql
