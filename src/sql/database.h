// Database: connections to a SQLite file, a PostgreSQL server or a MariaDB/MySQL server, with
// the rules for running work on them, so that a store is written once over all three.
//
// A store names each statement once (Statement), with its SQL in each dialect where they differ,
// binds Params and reads Rows. Placeholders are $1, $2, ... in every dialect; SQLite rewrites them
// to ?1, ?2, ..., MariaDB to `?` with the values bound in the order the text uses them, so a value
// may be used twice ("... ON DUPLICATE KEY UPDATE sealed = $2").
//
// The two ways to run work (Read, Transact) carry the rules that are easy to get wrong and the
// same for every store: which failures mean "nothing happened, run it again", which leave the
// outcome unknown, and (SQLite) how concurrent writers share one commit. Implementations:
// sql/sqlite/sqlite_database.h, sql/postgres/postgres_database.h, sql/mariadb/mariadb_database.h.
//
// Errors: kUnavailable for connection problems, timeouts and busy pools, kAlreadyExists for a
// unique-key violation, kInternal for the rest; messages never quote a value or a password.
#ifndef KEYWARDEN_SQL_DATABASE_H_
#define KEYWARDEN_SQL_DATABASE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/mutex.h"
#include "keywarden/status.h"

namespace keywarden::sql {

enum class Dialect { kSqlite, kPostgres, kMariaDb };

// One statement a store runs. `mariadb` and `sqlite` are null where the PostgreSQL text serves.
struct Statement {
  const char* name;      // unique within the program; names the prepared form on PostgreSQL
  const char* postgres;  // $n placeholders
  const char* mariadb;   // $n placeholders, or nullptr
  const char* sqlite;    // $n placeholders, or nullptr
  const char* what;      // "to read a user key": for error messages

  const char* SqlFor(Dialect dialect) const {
    if (dialect == Dialect::kMariaDb && mariadb != nullptr) return mariadb;
    if (dialect == Dialect::kSqlite && sqlite != nullptr) return sqlite;
    return postgres;
  }
};

// Positional parameters: the value of $n is the n-th added. Values are copied.
class Params {
 public:
  struct Null {};
  struct TextValue {
    std::string text;
  };
  struct BytesValue {
    std::vector<std::uint8_t> bytes;
  };
  // PostgreSQL only (text[] and bigint[]): the others refuse a statement that binds one.
  struct TextArrayValue {
    std::vector<std::string> texts;
  };
  struct IntArrayValue {
    std::vector<std::int64_t> values;
  };
  using Value = std::variant<Null, std::int64_t, TextValue, BytesValue, TextArrayValue, IntArrayValue>;

  // Text is PostgreSQL's and SQLite's text; MariaDB binds it as bytes (the key stores' ids are
  // VARBINARY).
  Params& Text(std::string_view text);
  Params& Bytes(std::span<const std::uint8_t> bytes);
  Params& Int(std::int64_t value);
  Params& Int(std::optional<std::int64_t> value);  // NULL when empty
  Params& TextArray(std::span<const std::string_view> texts);
  Params& IntArray(std::span<const std::int64_t> values);

  const std::vector<Value>& values() const { return values_; }

 private:
  std::vector<Value> values_;
};

// What a statement returned: its rows, read in full, and the rows it changed.
class Rows {
 public:
  // One column value: NULL, an integer (any integer column type) or bytes (text, blobs).
  using Cell = std::variant<std::monostate, std::int64_t, std::string>;

  Rows() = default;
  Rows(std::vector<std::vector<Cell>> rows, std::uint64_t affected) : rows_(std::move(rows)), affected_(affected) {}

  std::size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  // Rows an INSERT, UPDATE or DELETE matched (MariaDB connections count found rows, as
  // PostgreSQL and SQLite do, not only changed ones).
  std::uint64_t affected() const { return affected_; }

  // kInternal when the cell is NULL, not an integer, or out of range.
  Result<std::int64_t> Int(std::size_t row, std::size_t column) const;
  std::optional<std::int64_t> OptionalInt(std::size_t row, std::size_t column) const;
  std::string Text(std::size_t row, std::size_t column) const;  // "" for NULL or an integer
  // Text without a copy; valid while the Rows lives.
  std::string_view TextView(std::size_t row, std::size_t column) const;
  std::vector<std::uint8_t> Bytes(std::size_t row, std::size_t column) const;

 private:
  const Cell* Find(std::size_t row, std::size_t column) const;

  std::vector<std::vector<Cell>> rows_;
  std::uint64_t affected_ = 0;
};

// One row of a result, read where it lies: valid only inside the ForEachRow call that passes it.
class RowView {
 public:
  virtual ~RowView() = default;
  // As Rows::Int, OptionalInt and Text, for this row. Text's bytes stay valid until the visitor
  // returns.
  virtual Result<std::int64_t> Int(std::size_t column) const = 0;
  virtual std::optional<std::int64_t> OptionalInt(std::size_t column) const = 0;
  virtual std::string_view Text(std::size_t column) const = 0;  // "" for NULL or an integer
};

// One connection lent to a unit of work; valid only inside it.
class Session {
 public:
  // Called once per row, in order; an error stops the rows and is what ForEachRow returns.
  using RowVisitor = std::function<Status(const RowView&)>;

  virtual ~Session() = default;
  virtual Result<Rows> Execute(const Statement& statement, const Params& params) = 0;
  Result<Rows> Execute(const Statement& statement) { return Execute(statement, Params()); }

  // Runs a query and hands each row to `visit` without first copying the whole result into a
  // Rows: for results read once and turned into something else (a 5,000-item vault rendered to
  // JSON), where the copy would cost as much as the reading. Errors as Execute's, or visit's.
  // The default walks Execute's Rows; SQLite reads each row from the statement as it steps.
  // `visit` may run other statements on this session, but not `statement` itself: SQLite's
  // prepared copy of it is still stepping.
  virtual Status ForEachRow(const Statement& statement, const Params& params, const RowVisitor& visit);
};

class Database {
 public:
  // Returns OK or an error; may run more than once (see below), so it must reset what it fills.
  using Work = std::function<Status(Session&)>;

  virtual ~Database() = default;

  virtual Dialect dialect() const = 0;

  // How current a read must be. kRecent sees every write this Database committed before the
  // call, but other processes' writes only after up to SqliteOptions::snapshot_window (SQLite
  // keeps a read snapshot open that long, for hot lookups); kLatest sees everything committed.
  // Servers always read the latest.
  enum class Freshness { kLatest, kRecent };

  // Runs `work`, which only reads (SQLite runs it on a read-only connection). Run again on a
  // fresh connection when a pooled connection turned out to be dead, or after a conflict.
  virtual Status Read(const Work& work, Freshness freshness) = 0;
  Status Read(const Work& work) { return Read(work, Freshness::kLatest); }

  // Runs `work` in one transaction: all of it or none. Run again when the server rolled it back
  // to break a deadlock or serialization conflict, or when a pooled connection turned out to be
  // dead before COMMIT was sent. When the connection is lost after COMMIT was sent, the result is
  // kUnavailable saying the write may or may not have been stored; it is never repeated then.
  // On SQLite concurrent calls share one commit (group commit), each in its own savepoint.
  virtual Status Transact(const Work& work) = 0;

  // OK unless this Database already knows that writes cannot be trusted to it, without asking
  // the server; else why, in one line for the log (it may name files). SQLite: the path no longer
  // names the file it opened, or the last write transaction failed in the database itself (until
  // one succeeds). Cheap enough for every health check. The servers' own failures show when a
  // statement runs, so they answer OK here.
  virtual Status Health() const { return OkStatus(); }

  // Connections open now (idle and in use), and the most the pool opens.
  virtual std::size_t open_connections() const = 0;
  virtual std::size_t pool_size() const = 0;

  // `listener` runs after each commit of a write transaction by this Database (on SQLite, once
  // per group commit), on the committing thread with no lock held: so that a reader of what was
  // written (the server's push feed) wakes at once instead of polling. It must be quick and must
  // not write. Setting another replaces it.
  void SetCommitListener(std::function<void()> listener) KW_EXCLUDES(listener_mu_) {
    MutexLock lock(listener_mu_);
    commit_listener_ = std::move(listener);
  }

 protected:
  void NotifyCommitted() const KW_EXCLUDES(listener_mu_) {
    MutexLock lock(listener_mu_);
    if (commit_listener_) commit_listener_();
  }

 private:
  mutable Mutex listener_mu_;
  std::function<void()> commit_listener_ KW_GUARDED_BY(listener_mu_);
};

// Appended to a failure whose COMMIT was sent before the connection was lost.
inline constexpr std::string_view kOutcomeUnknown = "; the write may or may not have been stored";

}  // namespace keywarden::sql

#endif  // KEYWARDEN_SQL_DATABASE_H_
