#include "sql/postgres/postgres_connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace keywarden::sql {
namespace {

// Type OIDs from PostgreSQL's catalog (pg_type.dat); stable across versions.
constexpr unsigned int kInt2Oid = 21;
constexpr unsigned int kInt4Oid = 23;
constexpr unsigned int kInt8Oid = 20;
constexpr unsigned int kByteaOid = 17;
constexpr unsigned int kTextOid = 25;
constexpr unsigned int kTextArrayOid = 1009;
constexpr unsigned int kInt8ArrayOid = 1016;

void AppendBigEndian(std::string& out, std::uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

std::uint64_t ReadBigEndian(const char* data, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(data[i]);
  return value;
}

// A one-dimensional array in PostgreSQL's binary form: dimensions, flags, element type, then
// each element as a length and its bytes.
template <typename Encode>
std::string EncodeArray(unsigned int element_type, std::size_t count, Encode encode) {
  std::string out;
  AppendBigEndian(out, count == 0 ? 0 : 1, 4);  // dimensions
  AppendBigEndian(out, 0, 4);                   // no NULLs
  AppendBigEndian(out, element_type, 4);
  if (count == 0) return out;
  AppendBigEndian(out, count, 4);
  AppendBigEndian(out, 1, 4);  // lower bound
  for (std::size_t i = 0; i < count; ++i) {
    const std::string element = encode(i);
    AppendBigEndian(out, element.size(), 4);
    out += element;
  }
  return out;
}

std::string FirstLine(const char* text) {
  std::string line = text == nullptr ? "" : text;
  line = line.substr(0, line.find('\n'));
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
  return line.empty() ? "no reason given" : line;
}

// SQLSTATE classes whose primary message names objects or states, never row values.
bool MessageIsSafe(std::string_view sqlstate) {
  for (std::string_view cls : {"08", "0A", "25", "28", "3D", "40", "42", "53", "55", "57", "58"}) {
    if (sqlstate.starts_with(cls)) return true;
  }
  return false;
}

// Connection problems, resource limits, shutdowns, conflicts and lock timeouts pass; the rest
// (constraint violations, bad SQL, corruption) need someone to look.
bool IsTransient(std::string_view sqlstate) {
  for (std::string_view cls : {"08", "40", "53", "57", "58"}) {
    if (sqlstate.starts_with(cls)) return true;
  }
  return sqlstate == "55P03" || sqlstate == "55006";
}

Status ResultError(const PGresult* result, std::string_view what) {
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const std::string sqlstate = state == nullptr ? "XX000" : state;
  std::string message = "PostgreSQL failed " + std::string(what) + ": SQLSTATE " + sqlstate;
  if (const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
      primary != nullptr && MessageIsSafe(sqlstate)) {
    message += " (" + FirstLine(primary) + ")";
  }
  return IsTransient(sqlstate) ? UnavailableError(std::move(message)) : InternalError(std::move(message));
}

void IgnoreNotice(void*, const char*) {}

}  // namespace

// --- PgParams ---

void PgParams::Add(unsigned int type, std::string value, bool is_null) {
  types_.push_back(type);
  lengths_.push_back(static_cast<int>(value.size()));
  formats_.push_back(1);
  nulls_.push_back(is_null);
  values_.push_back(std::move(value));
}

PgParams& PgParams::Text(std::string_view text) {
  Add(kTextOid, std::string(text));
  return *this;
}

PgParams& PgParams::Bytes(std::span<const std::uint8_t> bytes) {
  Add(kByteaOid, std::string(bytes.begin(), bytes.end()));
  return *this;
}

PgParams& PgParams::Int(std::int64_t value) {
  std::string encoded;
  AppendBigEndian(encoded, static_cast<std::uint64_t>(value), 8);
  Add(kInt8Oid, std::move(encoded));
  return *this;
}

PgParams& PgParams::Int(std::optional<std::int64_t> value) {
  if (value.has_value()) return Int(*value);
  Add(kInt8Oid, std::string(), /*is_null=*/true);
  return *this;
}

PgParams& PgParams::TextArray(std::span<const std::string_view> texts) {
  Add(kTextArrayOid, EncodeArray(kTextOid, texts.size(), [&](std::size_t i) { return std::string(texts[i]); }));
  return *this;
}

PgParams& PgParams::IntArray(std::span<const std::int64_t> values) {
  Add(kInt8ArrayOid, EncodeArray(kInt8Oid, values.size(), [&](std::size_t i) {
        std::string encoded;
        AppendBigEndian(encoded, static_cast<std::uint64_t>(values[i]), 8);
        return encoded;
      }));
  return *this;
}

std::vector<const char*> PgParams::ValuePointers() const {
  std::vector<const char*> pointers;
  for (std::size_t i = 0; i < values_.size(); ++i) pointers.push_back(nulls_[i] ? nullptr : values_[i].data());
  return pointers;
}

// --- PgResult ---

PgResult::PgResult(PGresult* result) : result_(result) {}
PgResult::~PgResult() { PQclear(result_); }
PgResult::PgResult(PgResult&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
PgResult& PgResult::operator=(PgResult&& other) noexcept {
  if (this != &other) {
    PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}

int PgResult::rows() const { return PQntuples(result_); }

std::size_t PgResult::columns() const { return static_cast<std::size_t>(std::max(0, PQnfields(result_))); }

std::uint64_t PgResult::affected() const {
  const char* text = PQcmdTuples(result_);
  std::uint64_t count = 0;
  for (; text != nullptr && *text >= '0' && *text <= '9'; ++text)
    count = count * 10 + static_cast<unsigned>(*text - '0');
  return count;
}

bool PgResult::IsNull(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

bool PgResult::IsIntegerColumn(int column) const {
  const unsigned int type = PQftype(result_, column);
  return type == kInt8Oid || type == kInt4Oid || type == kInt2Oid;
}

Result<std::int64_t> PgResult::Int(int row, int column) const {
  const int length = PQgetlength(result_, row, column);
  const unsigned int type = PQftype(result_, column);
  const bool sized =
      (type == kInt8Oid && length == 8) || (type == kInt4Oid && length == 4) || (type == kInt2Oid && length == 2);
  if (PQfformat(result_, column) != 1 || !sized || IsNull(row, column)) {
    return InternalError("PostgreSQL returned an unexpected value where an integer belongs");
  }
  const std::uint64_t raw = ReadBigEndian(PQgetvalue(result_, row, column), length);
  // Sign-extend the narrower types.
  const int unused = 64 - length * 8;
  return static_cast<std::int64_t>(raw << unused) >> unused;
}

std::optional<std::int64_t> PgResult::OptionalInt(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  auto value = Int(row, column);
  return value.ok() ? std::optional<std::int64_t>(*value) : std::nullopt;
}

std::string PgResult::Text(int row, int column) const {
  return std::string(PQgetvalue(result_, row, column), static_cast<std::size_t>(PQgetlength(result_, row, column)));
}

std::vector<std::uint8_t> PgResult::Bytes(int row, int column) const {
  const auto* data = reinterpret_cast<const std::uint8_t*>(PQgetvalue(result_, row, column));
  return std::vector<std::uint8_t>(data, data + PQgetlength(result_, row, column));
}

// --- PgConnection ---

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const PostgresOptions& options) {
  std::string hosts;
  std::string ports;
  for (const PostgresHost& host : options.hosts) {
    hosts += (hosts.empty() ? "" : ",") + host.host;
    ports += (ports.empty() ? "" : ",") + std::to_string(host.port);
  }
  const auto command_ms = std::chrono::duration_cast<std::chrono::milliseconds>(options.command_timeout).count();
  std::vector<std::pair<const char*, std::string>> settings = {
      {"host", hosts},
      {"port", ports},
      {"client_encoding", "UTF8"},
      {"application_name", options.application_name},
      // libpq rounds 1 up to 2 seconds.
      {"connect_timeout", std::to_string(options.connect_timeout.count())},
      // The server gives up on a statement (or a lock wait) before the client's deadline does,
      // so a slow statement fails cleanly and the connection stays usable.
      {"options", "-c statement_timeout=" + std::to_string(command_ms)},
  };
  auto add = [&](const char* key, const std::string& value) {
    if (!value.empty()) settings.emplace_back(key, value);
  };
  add("dbname", options.database);
  add("user", options.user);
  add("password", options.password);
  add("passfile", options.passfile);
  add("sslmode", options.ssl_mode);
  add("sslrootcert", options.ssl_root_cert);
  add("sslcert", options.ssl_cert);
  add("sslkey", options.ssl_key);
  add("sslpassword", options.ssl_password);
  add("target_session_attrs", options.target_session_attrs);
  if (options.keepalive.count() > 0) {
    settings.emplace_back("keepalives", "1");
    settings.emplace_back("keepalives_idle", std::to_string(options.keepalive.count()));
    settings.emplace_back("keepalives_interval",
                          std::to_string(std::max<std::int64_t>(1, options.keepalive.count() / 2)));
    settings.emplace_back("keepalives_count", "3");
    // Unacknowledged data (a server that vanished mid-request) fails the socket too.
    settings.emplace_back("tcp_user_timeout", std::to_string(command_ms));
  } else {
    settings.emplace_back("keepalives", "0");
  }

  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [key, value] : settings) {
    keys.push_back(key);
    values.push_back(value.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);

  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), 0);
  if (conn == nullptr) return UnavailableError("cannot connect to PostgreSQL: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string reason = FirstLine(PQerrorMessage(conn));
    PQfinish(conn);
    return UnavailableError("cannot connect to PostgreSQL at " + DescribePostgresTarget(options) + ": " + reason);
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);  // libpq would print them on stderr
  if (PQsetnonblocking(conn, 1) != 0) {
    PQfinish(conn);
    return UnavailableError("cannot make the PostgreSQL connection non-blocking");
  }
  return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

PgConnection::~PgConnection() { PQfinish(conn_); }

Status PgConnection::Broken(std::string_view what) {
  broken_ = true;
  return UnavailableError("PostgreSQL connection lost " + std::string(what) + ": " + FirstLine(PQerrorMessage(conn_)));
}

Status PgConnection::Wait(bool for_write, PgDeadline deadline, std::string_view what) {
  const int fd = PQsocket(conn_);
  if (fd < 0) return Broken(what);
  while (true) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - PgClock::now()).count();
    if (left <= 0) {
      // The statement may still be running or its answer in flight: this connection's state is
      // unknown, so it goes.
      broken_ = true;
      return UnavailableError("PostgreSQL did not answer in time " + std::string(what));
    }
    pollfd entry{fd, static_cast<short>(POLLIN | (for_write ? POLLOUT : 0)), 0};
    const int ready = ::poll(&entry, 1, static_cast<int>(std::min<std::int64_t>(left, 60000)));
    if (ready > 0) return OkStatus();
    if (ready < 0 && errno != EINTR) return Broken(what);
  }
}

Result<PgResult> PgConnection::Collect(PgDeadline deadline, std::string_view what) {
  last_sqlstate_.clear();
  while (true) {
    const int flushed = PQflush(conn_);
    if (flushed == 0) break;
    if (flushed < 0) return Broken(what);
    KW_RETURN_IF_ERROR(Wait(/*for_write=*/true, deadline, what));
    if (PQconsumeInput(conn_) == 0) return Broken(what);
  }
  std::optional<PgResult> last;
  Status error;
  while (true) {
    while (PQisBusy(conn_) != 0) {
      KW_RETURN_IF_ERROR(Wait(/*for_write=*/false, deadline, what));
      if (PQconsumeInput(conn_) == 0) return Broken(what);
    }
    PGresult* result = PQgetResult(conn_);
    if (result == nullptr) break;
    switch (PQresultStatus(result)) {
      case PGRES_COMMAND_OK:
      case PGRES_TUPLES_OK:
      case PGRES_EMPTY_QUERY: last.emplace(result); break;
      case PGRES_FATAL_ERROR:
      case PGRES_NONFATAL_ERROR:
        if (error.ok()) {
          error = ResultError(result, what);
          const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
          last_sqlstate_ = state == nullptr ? "" : state;
        }
        PQclear(result);
        break;
      default:  // COPY, pipeline or a bad response: nothing we asked for
        PQclear(result);
        return Broken(what);
    }
  }
  if (PQstatus(conn_) != CONNECTION_OK) broken_ = true;
  if (!error.ok()) return error;
  if (!last.has_value()) return Broken(what);
  return *std::move(last);
}

Result<PgResult> PgConnection::Execute(const PgStatement& statement, const PgParams& params, PgDeadline deadline) {
  if (broken_) return UnavailableError("PostgreSQL connection lost " + std::string(statement.what));
  if (!prepared_.contains(statement.name)) {
    if (PQsendPrepare(conn_, statement.name, statement.sql, params.size(), params.types()) == 0) {
      return Broken(statement.what);
    }
    KW_RETURN_IF_ERROR(Collect(deadline, statement.what).status());
    prepared_.insert(statement.name);
  }
  const std::vector<const char*> values = params.ValuePointers();
  if (PQsendQueryPrepared(conn_, statement.name, params.size(), values.data(), params.lengths(), params.formats(),
                          /*resultFormat=*/1) == 0) {
    return Broken(statement.what);
  }
  return Collect(deadline, statement.what);
}

Result<PgResult> PgConnection::ExecuteText(std::string_view sql, std::string_view what, PgDeadline deadline) {
  if (broken_) return UnavailableError("PostgreSQL connection lost " + std::string(what));
  if (PQsendQuery(conn_, std::string(sql).c_str()) == 0) return Broken(what);
  return Collect(deadline, what);
}

Result<std::vector<std::string>> PgConnection::WaitForNotifications(PgDeadline deadline) {
  constexpr std::string_view kWhat = "while waiting for notifications";
  std::vector<std::string> payloads;
  const auto take = [&] {
    while (PGnotify* notify = PQnotifies(conn_)) {
      payloads.emplace_back(notify->extra != nullptr ? notify->extra : "");
      PQfreemem(notify);
    }
  };
  take();  // what an earlier statement's answer brought along
  const int fd = PQsocket(conn_);
  if (fd < 0) return Broken(kWhat);
  while (payloads.empty()) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - PgClock::now()).count();
    if (left <= 0) break;
    pollfd entry{fd, POLLIN, 0};
    const int ready = ::poll(&entry, 1, static_cast<int>(std::min<std::int64_t>(left, 60000)));
    if (ready < 0 && errno != EINTR) return Broken(kWhat);
    if (ready <= 0) continue;
    if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK) return Broken(kWhat);
    take();
  }
  return payloads;
}

bool PgConnection::StillUsable() {
  if (broken_ || PQstatus(conn_) != CONNECTION_OK || PQtransactionStatus(conn_) != PQTRANS_IDLE) return false;
  // An idle connection has nothing to read unless the server ended it (shutdown, restart,
  // terminated backend): then it sent a FATAL message or closed the socket.
  pollfd entry{PQsocket(conn_), POLLIN, 0};
  if (entry.fd < 0 || ::poll(&entry, 1, 0) != 0) {
    broken_ = true;
    return false;
  }
  return true;
}

bool PgConnection::InTransaction() const {
  const PGTransactionStatusType status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

}  // namespace keywarden::sql
