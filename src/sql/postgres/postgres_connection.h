// One libpq connection, for the connector's PostgreSQL key store and the reference import.
//
// Every call has a deadline: the connection is non-blocking and waits with poll(), so a server
// that stops answering costs a caller at most its deadline, never a hang. Parameters and results
// travel in binary (bytea as raw bytes, integers as big-endian), statements are prepared once per
// connection on first use. A connection that failed in a way that leaves its state unknown
// (lost socket, timeout mid-statement, protocol error) marks itself broken: the pool closes it
// and opens a new one on the next call.
//
// Error messages carry the SQLSTATE and, for the classes that cannot quote row data, the
// server's primary message; never a row value or the connection string.
#ifndef KEYWARDEN_SQL_POSTGRES_POSTGRES_CONNECTION_H_
#define KEYWARDEN_SQL_POSTGRES_POSTGRES_CONNECTION_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "keywarden/status.h"
#include "sql/postgres/postgres_options.h"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace keywarden::sql {

using PgClock = std::chrono::steady_clock;
using PgDeadline = PgClock::time_point;

// A statement the store runs. `name` identifies its prepared form on each connection.
struct PgStatement {
  const char* name;
  const char* sql;
  const char* what;  // "to read a user key": for error messages
};

// Positional parameters ($1, $2, ...), all sent in binary; their types are declared when the
// statement is prepared.
class PgParams {
 public:
  PgParams& Text(std::string_view text);
  PgParams& Bytes(std::span<const std::uint8_t> bytes);
  PgParams& Int(std::int64_t value);
  PgParams& Int(std::optional<std::int64_t> value);  // NULL when empty
  PgParams& TextArray(std::span<const std::string_view> texts);
  PgParams& IntArray(std::span<const std::int64_t> values);

  int size() const { return static_cast<int>(values_.size()); }
  const unsigned int* types() const { return types_.data(); }
  // Pointers into this object: valid until it changes.
  std::vector<const char*> ValuePointers() const;
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  void Add(unsigned int type, std::string value, bool is_null = false);
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
  std::vector<unsigned int> types_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// A query's rows (binary format), owned.
class PgResult {
 public:
  explicit PgResult(PGresult* result);
  ~PgResult();
  PgResult(PgResult&& other) noexcept;
  PgResult& operator=(PgResult&& other) noexcept;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;

  int rows() const;
  std::size_t columns() const;
  // Rows an INSERT/UPDATE/DELETE changed.
  std::uint64_t affected() const;
  bool IsNull(int row, int column) const;
  // The column is int2, int4 or int8 (what Int reads).
  bool IsIntegerColumn(int column) const;
  // int2, int4 or int8 columns.
  Result<std::int64_t> Int(int row, int column) const;
  std::optional<std::int64_t> OptionalInt(int row, int column) const;
  std::string Text(int row, int column) const;
  std::vector<std::uint8_t> Bytes(int row, int column) const;

 private:
  PGresult* result_;
};

class PgConnection {
 public:
  // Connects to the first host of `options` that answers (libpq's connect_timeout per host).
  // kUnavailable with libpq's first line of explanation (host, port, reason; no password).
  static Result<std::unique_ptr<PgConnection>> Connect(const PostgresOptions& options);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs `statement` with `params`, preparing it first if this connection has not yet.
  Result<PgResult> Execute(const PgStatement& statement, const PgParams& params, PgDeadline deadline);
  // Runs SQL text without parameters (transaction control, migrations); text results.
  Result<PgResult> ExecuteText(std::string_view sql, std::string_view what, PgDeadline deadline);

  // For a connection that has run LISTEN: the payloads of the notifications that arrived, in the
  // order the server sent them (commit order), waiting until `deadline` for the first. Empty when
  // none came in time; an error (and broken()) when the connection was lost.
  Result<std::vector<std::string>> WaitForNotifications(PgDeadline deadline);

  // True when the connection must not be used again.
  bool broken() const { return broken_; }
  // For an idle pooled connection: false if the server has closed it meanwhile (restart,
  // admin shutdown). Does not block.
  bool StillUsable();
  // True inside a transaction block (also a failed one).
  bool InTransaction() const;
  // True when the last failure was a serialization failure or deadlock (SQLSTATE 40001, 40P01):
  // the transaction was rolled back and may simply be run again.
  bool LastFailureWasConflict() const { return last_sqlstate_ == "40001" || last_sqlstate_ == "40P01"; }
  // True when the last failure was a unique-key violation (SQLSTATE 23505).
  bool LastFailureWasUniqueViolation() const { return last_sqlstate_ == "23505"; }

 private:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  Status Wait(bool for_write, PgDeadline deadline, std::string_view what);
  Result<PgResult> Collect(PgDeadline deadline, std::string_view what);
  Status Broken(std::string_view what);

  PGconn* conn_;
  bool broken_ = false;
  std::string last_sqlstate_;
  std::unordered_set<std::string> prepared_;
};

}  // namespace keywarden::sql

#endif  // KEYWARDEN_SQL_POSTGRES_POSTGRES_CONNECTION_H_
