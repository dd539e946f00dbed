// One MariaDB Connector/C connection with its prepared statements,
// and a statement helper, for the connector's MariaDB key store and the reference import.
//
// Errors become Status without ever quoting a value: client errors (2000-2999: cannot connect,
// lost connection, timeouts) and a few server errors about the login or the server's state keep
// their text, which names hosts and users only; any other server error is reported by number,
// since its text can quote row content ("Duplicate entry '...'").
#ifndef KEYWARDEN_SQL_MARIADB_MARIADB_CONNECTION_H_
#define KEYWARDEN_SQL_MARIADB_MARIADB_CONNECTION_H_

#include <mysql.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "keywarden/status.h"
#include "sql/mariadb/mariadb_options.h"

namespace keywarden::sql {

// Server error numbers the store acts on (mysqld_error.h names them ER_...).
inline constexpr unsigned kErrDuplicateEntry = 1062;
inline constexpr unsigned kErrLockWaitTimeout = 1205;
inline constexpr unsigned kErrDeadlock = 1213;

// One MYSQL handle, used by one thread at a time. After a connection-level failure it is
// broken() and the pool drops it; a new one is made on the next call.
class MariaDbConnection {
 public:
  // Connects, checks TLS as the options demand, and sets the session up (strict SQL mode,
  // utf8mb4, lock waits shorter than the read timeout). Failures are kUnavailable.
  static Result<std::unique_ptr<MariaDbConnection>> Connect(const MariaDbOptions& options);

  ~MariaDbConnection();
  MariaDbConnection(const MariaDbConnection&) = delete;
  MariaDbConnection& operator=(const MariaDbConnection&) = delete;

  // `sql` must be a string literal: its address keys the cache.
  Result<MYSQL_STMT*> Prepare(const char* sql, std::string_view what);
  // Runs one statement that returns no rows, over the text protocol (transactions, locks, DDL).
  Status Execute(std::string_view sql, std::string_view what);

  // The Status for the handle's (or `stmt`'s) last error; marks the connection broken when the
  // error means the connection is gone or unusable. Records the error number.
  Status Fail(std::string_view what);
  Status FailStatement(MYSQL_STMT* stmt, std::string_view what);

  bool broken() const { return broken_; }
  // The server or client error number of the last failure (0 when none).
  unsigned last_error() const { return last_error_; }
  // Set once COMMIT has been sent in the current call: from then on a lost connection leaves the
  // outcome unknown, and the call must not be repeated.
  bool commit_sent() const { return commit_sent_; }
  void set_commit_sent(bool sent) { commit_sent_ = sent; }
  void clear_last_error() { last_error_ = 0; }
  // Marks the connection unusable (its transaction state is unknown); the pool drops it.
  void Discard() { broken_ = true; }

 private:
  explicit MariaDbConnection(MYSQL* mysql) : mysql_(mysql) {}
  Status Classify(unsigned code, const char* sqlstate, const char* text, std::string_view what);

  MYSQL* mysql_;
  std::unordered_map<const char*, MYSQL_STMT*> statements_;
  bool broken_ = false;
  bool commit_sent_ = false;
  unsigned last_error_ = 0;
};

// One use of a cached prepared statement: bind parameters in order, Run(), then Next() through
// the rows. Parameter values are not copied: they must outlive the statement.
class MariaDbStatement {
 public:
  MariaDbStatement(MariaDbConnection& connection, const char* sql, std::string_view what);
  ~MariaDbStatement();
  MariaDbStatement(const MariaDbStatement&) = delete;
  MariaDbStatement& operator=(const MariaDbStatement&) = delete;

  MariaDbStatement& Bytes(std::span<const std::uint8_t> bytes);
  MariaDbStatement& Bytes(std::string_view bytes);
  MariaDbStatement& Int(std::int64_t value);
  MariaDbStatement& Int(std::optional<std::int64_t> value);

  // Executes; for a query, buffers its rows on the client.
  Status Run();
  // true: a row is ready; false: no more rows.
  Result<bool> Next();
  // Rows matched by the last Run() (the connection uses CLIENT_FOUND_ROWS, as SQLite counts).
  std::uint64_t affected_rows() const;

  std::size_t columns() const { return columns_.size(); }
  bool ColumnIsNull(std::size_t column) const { return columns_.at(column).is_null != 0; }
  bool ColumnIsInt(std::size_t column) const { return columns_.at(column).is_int; }
  std::int64_t ColumnInt(std::size_t column) const;
  std::optional<std::int64_t> ColumnOptionalInt(std::size_t column) const;
  std::string ColumnText(std::size_t column) const;
  std::vector<std::uint8_t> ColumnBlob(std::size_t column) const;

 private:
  static constexpr std::size_t kMaxParams = 12;
  struct Column {
    bool is_int = false;
    long long int_value = 0;
    std::vector<std::uint8_t> bytes;
    unsigned long length = 0;
    my_bool is_null = 0;
    my_bool error = 0;
  };
  MariaDbStatement& Param(enum_field_types type, const void* buffer, unsigned long length, bool is_null);

  MariaDbConnection& connection_;
  std::string_view what_;
  MYSQL_STMT* stmt_ = nullptr;
  Status status_;
  std::size_t param_count_ = 0;
  std::array<MYSQL_BIND, kMaxParams> params_{};
  std::array<long long, kMaxParams> ints_{};
  std::array<my_bool, kMaxParams> nulls_{};
  std::array<unsigned long, kMaxParams> lengths_{};
  std::vector<MYSQL_BIND> result_binds_;
  std::vector<Column> columns_;
  bool has_result_ = false;
};

}  // namespace keywarden::sql

#endif  // KEYWARDEN_SQL_MARIADB_MARIADB_CONNECTION_H_
