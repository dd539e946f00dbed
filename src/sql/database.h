// Database: a pool of connections to a PostgreSQL or MariaDB/MySQL server, with the rules for
// running work on it, so that a store is written once over both.
//
// A store names each statement once (Statement), with its SQL in each dialect where they differ,
// binds Params and reads Rows. Placeholders are $1, $2, ... in both dialects; the MariaDB side
// rewrites them to `?` and binds the values in the order the text uses them, so a value may be
// used twice ("... ON DUPLICATE KEY UPDATE sealed = $2").
//
// The two ways to run work (RunRepeatable, Transact) carry the retry rules that are easy to get
// wrong and the same for every store: which failures mean "nothing happened, run it again" and
// which leave the outcome unknown. Implementations: sql/postgres/postgres_database.h and
// sql/mariadb/mariadb_database.h. SQLite has its own single-writer store design and no Database.
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

#include "keywarden/status.h"

namespace keywarden::sql {

enum class Dialect { kPostgres, kMariaDb };

// One statement a store runs. `mariadb` is null when the PostgreSQL text serves both.
struct Statement {
  const char* name;      // unique within the program; names the prepared form on PostgreSQL
  const char* postgres;  // $n placeholders
  const char* mariadb;   // $n placeholders, or nullptr
  const char* what;      // "to read a user key": for error messages

  const char* SqlFor(Dialect dialect) const {
    return dialect == Dialect::kMariaDb && mariadb != nullptr ? mariadb : postgres;
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
  // PostgreSQL only (text[] and bigint[]): MariaDB refuses a statement that binds one.
  struct TextArrayValue {
    std::vector<std::string> texts;
  };
  struct IntArrayValue {
    std::vector<std::int64_t> values;
  };
  using Value = std::variant<Null, std::int64_t, TextValue, BytesValue, TextArrayValue, IntArrayValue>;

  // Text is PostgreSQL's `text`; MariaDB binds it as bytes (the key stores' ids are VARBINARY).
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
  std::vector<std::uint8_t> Bytes(std::size_t row, std::size_t column) const;

 private:
  const Cell* Find(std::size_t row, std::size_t column) const;

  std::vector<std::vector<Cell>> rows_;
  std::uint64_t affected_ = 0;
};

// One connection lent to a unit of work; valid only inside it.
class Session {
 public:
  virtual ~Session() = default;
  virtual Result<Rows> Execute(const Statement& statement, const Params& params) = 0;
  Result<Rows> Execute(const Statement& statement) { return Execute(statement, Params()); }
};

class Database {
 public:
  // Returns OK or an error; may run more than once (see below), so it must reset what it fills.
  using Work = std::function<Status(Session&)>;

  virtual ~Database() = default;

  virtual Dialect dialect() const = 0;

  // Runs `work` outside a transaction, each statement committing on its own: for reads and for
  // work that leaves the same state when repeated. Run again on a fresh connection when a
  // connection that had sat in the pool turned out to be dead, and when the server rolled a
  // statement back to break a conflict.
  virtual Status RunRepeatable(const Work& work) = 0;

  // Runs `work` in one transaction: all of it or none. Run again when the server rolled it back
  // to break a deadlock or serialization conflict, or when a pooled connection turned out to be
  // dead before COMMIT was sent. When the connection is lost after COMMIT was sent, the result is
  // kUnavailable saying the write may or may not have been stored; it is never repeated then.
  virtual Status Transact(const Work& work) = 0;

  // Connections open now (idle and in use), and the most the pool opens.
  virtual std::size_t open_connections() const = 0;
  virtual std::size_t pool_size() const = 0;
};

// Appended to a failure whose COMMIT was sent before the connection was lost.
inline constexpr std::string_view kOutcomeUnknown = "; the write may or may not have been stored";

}  // namespace keywarden::sql

#endif  // KEYWARDEN_SQL_DATABASE_H_
