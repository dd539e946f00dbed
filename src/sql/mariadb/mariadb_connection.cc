#include "sql/mariadb/mariadb_connection.h"

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <utility>

namespace keywarden::sql {
namespace {

bool IsClientError(unsigned code) { return code >= 2000 && code < 3000; }

bool OneOf(unsigned code, std::initializer_list<unsigned> codes) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

// The connection cannot be used again: lost, killed, refused, or the server is going down.
bool EndsConnection(unsigned code) {
  return IsClientError(code) ||
         OneOf(code, {1040 /* too many connections */, 1043 /* bad handshake */, 1044, 1045 /* access denied */,
                      1049 /* unknown database */, 1053 /* server shutdown */, 1129, 1130 /* host blocked */, 1152,
                      1184 /* aborted connection */, 1158, 1159, 1160, 1161 /* network read/write */,
                      1203 /* max_user_connections */, 1927 /* connection killed */});
}

// Worth trying again later: the server is busy, read-only (a replica during a fail-over), full,
// or the statement was interrupted.
bool IsTransient(unsigned code) {
  return EndsConnection(code) ||
         OneOf(code, {1021 /* disk full */, 1114 /* table full */, 1180 /* commit failed */, 1205, 1213,
                      1290 /* read-only */, 1317 /* interrupted */, 1792, 1836 /* read-only mode */,
                      1969 /* max_statement_time */, 3024 /* MySQL max_execution_time */});
}

// Server messages that speak only of the login or the server, never of row content.
bool TextIsSafe(unsigned code) {
  return IsClientError(code) || OneOf(code, {1040, 1043, 1044, 1045, 1049, 1053, 1129, 1130, 1203, 1290, 1836, 1927});
}

std::string OneLine(const char* text) {
  std::string line = text == nullptr ? std::string() : std::string(text);
  std::replace_if(
      line.begin(), line.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return line;
}

}  // namespace

Result<std::unique_ptr<MariaDbConnection>> MariaDbConnection::Connect(const MariaDbOptions& options) {
  MYSQL* mysql = mysql_init(nullptr);
  if (mysql == nullptr) return UnavailableError("MariaDB client is out of memory");
  std::unique_ptr<MariaDbConnection> connection(new MariaDbConnection(mysql));

  const auto seconds = [](std::chrono::seconds s) {
    return static_cast<unsigned int>(std::clamp<std::int64_t>(s.count(), 1, 86400));
  };
  const unsigned int connect_timeout = seconds(options.connect_timeout);
  const unsigned int read_timeout = seconds(options.read_timeout);
  const unsigned int write_timeout = seconds(options.write_timeout);
  // Connector/C treats "localhost" as the default Unix socket; MySqlConnector means TCP.
  const unsigned int protocol = options.unix_socket.empty() ? MYSQL_PROTOCOL_TCP : MYSQL_PROTOCOL_SOCKET;
  const my_bool off = 0;
  const my_bool on = 1;
  const unsigned int no_local_infile = 0;
  bool set = mysql_optionsv(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout) == 0 &&
             mysql_optionsv(mysql, MYSQL_OPT_READ_TIMEOUT, &read_timeout) == 0 &&
             mysql_optionsv(mysql, MYSQL_OPT_WRITE_TIMEOUT, &write_timeout) == 0 &&
             mysql_optionsv(mysql, MYSQL_OPT_PROTOCOL, &protocol) == 0 &&
             mysql_optionsv(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4") == 0 &&
             mysql_optionsv(mysql, MYSQL_OPT_RECONNECT, &off) == 0 &&
             mysql_optionsv(mysql, MYSQL_OPT_LOCAL_INFILE, &no_local_infile) == 0;
  // Connector/C 3.3: "enforce" asks for TLS but falls back to plain text when the server has
  // none (Preferred); Required and VerifyFull check the outcome after connecting.
  if (set && options.ssl_mode != MariaDbSslMode::kNone) set = mysql_optionsv(mysql, MYSQL_OPT_SSL_ENFORCE, &on) == 0;
  if (set && options.ssl_mode == MariaDbSslMode::kVerifyFull) {
    set = mysql_optionsv(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on) == 0;
    if (set && !options.ssl_ca.empty()) set = mysql_optionsv(mysql, MYSQL_OPT_SSL_CA, options.ssl_ca.c_str()) == 0;
  }
  if (!set) return InternalError("MariaDB client refused a connection option");

  // Connector/C wants a NUL-terminated password.
  SecureBuffer password(options.password.size() + 1);
  std::copy(options.password.span().begin(), options.password.span().end(), password.data());
  const char* host = options.unix_socket.empty() ? options.host.c_str() : nullptr;
  const char* socket = options.unix_socket.empty() ? nullptr : options.unix_socket.c_str();
  if (mysql_real_connect(mysql, host, options.user.c_str(), reinterpret_cast<const char*>(password.data()),
                         options.database.c_str(), options.port, socket, CLIENT_FOUND_ROWS) == nullptr) {
    Status failed = connection->Fail("to connect to " + options.Describe());
    return UnavailableError(failed.message());  // whatever the cause, the database is not usable now
  }
  if ((options.ssl_mode == MariaDbSslMode::kRequired || options.ssl_mode == MariaDbSslMode::kVerifyFull) &&
      mysql_get_ssl_cipher(mysql) == nullptr) {
    return UnavailableError("MariaDB server " + options.Describe() + " does not offer TLS, which SslMode=" +
                            std::string(MariaDbSslModeName(options.ssl_mode)) + " requires");
  }

  // Strict mode: a value that does not fit is an error, never silently cut. Lock waits end
  // before the client's read timeout, so a blocked write fails cleanly instead of dropping the
  // connection.
  const std::string session =
      "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION', autocommit = 1, "
      "innodb_lock_wait_timeout = " +
      std::to_string(std::max(1u, read_timeout - 1));
  Status ready = connection->Execute(session, "to set the session up");
  if (!ready.ok()) return UnavailableError(ready.message());
  return connection;
}

MariaDbConnection::~MariaDbConnection() {
  // Closing the connection first detaches its statements, so closing them sends nothing more
  // (nothing that could wait on a stalled server).
  mysql_close(mysql_);
  for (auto& [sql, stmt] : statements_) mysql_stmt_close(stmt);
}

Result<MYSQL_STMT*> MariaDbConnection::Prepare(const char* sql, std::string_view what) {
  if (auto it = statements_.find(sql); it != statements_.end()) return it->second;
  MYSQL_STMT* stmt = mysql_stmt_init(mysql_);
  if (stmt == nullptr) return Fail(what);
  if (mysql_stmt_prepare(stmt, sql, static_cast<unsigned long>(std::strlen(sql))) != 0) {
    Status failed = FailStatement(stmt, what);
    mysql_stmt_close(stmt);
    return failed;
  }
  statements_.emplace(sql, stmt);
  return stmt;
}

Status MariaDbConnection::Execute(std::string_view sql, std::string_view what) {
  if (mysql_real_query(mysql_, sql.data(), static_cast<unsigned long>(sql.size())) != 0) return Fail(what);
  if (MYSQL_RES* result = mysql_store_result(mysql_); result != nullptr) mysql_free_result(result);
  if (mysql_errno(mysql_) != 0) return Fail(what);
  return OkStatus();
}

Status MariaDbConnection::Fail(std::string_view what) {
  return Classify(mysql_errno(mysql_), mysql_sqlstate(mysql_), mysql_error(mysql_), what);
}

Status MariaDbConnection::FailStatement(MYSQL_STMT* stmt, std::string_view what) {
  return Classify(mysql_stmt_errno(stmt), mysql_stmt_sqlstate(stmt), mysql_stmt_error(stmt), what);
}

Status MariaDbConnection::Classify(unsigned code, const char* sqlstate, const char* text, std::string_view what) {
  if (code == 0) {
    code = 2000;  // CR_UNKNOWN_ERROR: a failure without a number is treated as a lost connection
    text = "unknown client error";
  }
  last_error_ = code;
  if (EndsConnection(code)) broken_ = true;
  std::string message = "MariaDB failed " + std::string(what) + ": ";
  if (TextIsSafe(code)) {
    message += OneLine(text) + " (" + std::to_string(code) + ")";
  } else {
    message += "server error " + std::to_string(code) + " (SQLSTATE " + OneLine(sqlstate) + ")";
  }
  return IsTransient(code) ? UnavailableError(std::move(message)) : InternalError(std::move(message));
}

MariaDbStatement::MariaDbStatement(MariaDbConnection& connection, const char* sql, std::string_view what)
    : connection_(connection), what_(what) {
  auto stmt = connection.Prepare(sql, what);
  if (stmt.ok()) {
    stmt_ = *stmt;
  } else {
    status_ = stmt.status();
  }
}

MariaDbStatement::~MariaDbStatement() {
  if (has_result_) mysql_stmt_free_result(stmt_);
}

MariaDbStatement& MariaDbStatement::Param(enum_field_types type, const void* buffer, unsigned long length,
                                          bool is_null) {
  if (!status_.ok()) return *this;
  if (param_count_ == kMaxParams) {
    status_ = InternalError("too many statement parameters");
    return *this;
  }
  const std::size_t i = param_count_++;
  lengths_[i] = length;
  nulls_[i] = is_null ? 1 : 0;
  MYSQL_BIND& bind = params_[i];
  bind = MYSQL_BIND{};
  bind.buffer_type = type;
  bind.buffer = const_cast<void*>(buffer);  // Connector/C only reads parameter buffers
  bind.buffer_length = length;
  bind.length = &lengths_[i];
  bind.is_null = &nulls_[i];
  return *this;
}

MariaDbStatement& MariaDbStatement::Bytes(std::span<const std::uint8_t> bytes) {
  static const std::uint8_t kEmpty[1] = {};  // a null buffer would read as NULL
  return Param(MYSQL_TYPE_BLOB, bytes.empty() ? kEmpty : bytes.data(), static_cast<unsigned long>(bytes.size()), false);
}

MariaDbStatement& MariaDbStatement::Bytes(std::string_view bytes) {
  return Bytes(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

MariaDbStatement& MariaDbStatement::Int(std::int64_t value) {
  if (param_count_ < kMaxParams) ints_[param_count_] = value;
  return Param(MYSQL_TYPE_LONGLONG, &ints_[std::min(param_count_, kMaxParams - 1)], 0, false);
}

MariaDbStatement& MariaDbStatement::Int(std::optional<std::int64_t> value) {
  if (value.has_value()) return Int(*value);
  return Param(MYSQL_TYPE_NULL, nullptr, 0, true);
}

Status MariaDbStatement::Run() {
  if (!status_.ok()) return status_;
  if (mysql_stmt_param_count(stmt_) != param_count_)
    return status_ = InternalError("statement parameter count mismatch");
  if (param_count_ > 0 && mysql_stmt_bind_param(stmt_, params_.data()) != 0) {
    return status_ = connection_.FailStatement(stmt_, what_);
  }
  if (mysql_stmt_execute(stmt_) != 0) return status_ = connection_.FailStatement(stmt_, what_);
  if (mysql_stmt_field_count(stmt_) == 0) return OkStatus();

  MYSQL_RES* meta = mysql_stmt_result_metadata(stmt_);
  if (meta == nullptr) return status_ = connection_.FailStatement(stmt_, what_);
  const unsigned int count = mysql_num_fields(meta);
  const MYSQL_FIELD* fields = mysql_fetch_fields(meta);
  columns_.assign(count, Column{});  // sized once: the binds point into it
  result_binds_.assign(count, MYSQL_BIND{});
  for (unsigned int i = 0; i < count; ++i) {
    Column& column = columns_[i];
    MYSQL_BIND& bind = result_binds_[i];
    switch (fields[i].type) {
      case MYSQL_TYPE_TINY:
      case MYSQL_TYPE_SHORT:
      case MYSQL_TYPE_INT24:
      case MYSQL_TYPE_LONG:
      case MYSQL_TYPE_LONGLONG:
        column.is_int = true;
        bind.buffer_type = MYSQL_TYPE_LONGLONG;
        bind.buffer = &column.int_value;
        break;
      default:
        column.bytes.resize(512);  // every value the store keeps fits; longer ones are fetched again
        bind.buffer_type = MYSQL_TYPE_BLOB;
        bind.buffer = column.bytes.data();
        bind.buffer_length = static_cast<unsigned long>(column.bytes.size());
        break;
    }
    bind.length = &column.length;
    bind.is_null = &column.is_null;
    bind.error = &column.error;
  }
  mysql_free_result(meta);
  if (mysql_stmt_bind_result(stmt_, result_binds_.data()) != 0)
    return status_ = connection_.FailStatement(stmt_, what_);
  if (mysql_stmt_store_result(stmt_) != 0) return status_ = connection_.FailStatement(stmt_, what_);
  has_result_ = true;
  return OkStatus();
}

Result<bool> MariaDbStatement::Next() {
  if (!status_.ok()) return status_;
  if (!has_result_) return false;
  const int rc = mysql_stmt_fetch(stmt_);
  if (rc == MYSQL_NO_DATA) return false;
  if (rc != 0 && rc != MYSQL_DATA_TRUNCATED) return status_ = connection_.FailStatement(stmt_, what_);
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    Column& column = columns_[i];
    if (column.is_int || column.is_null || column.length <= column.bytes.size()) continue;
    // Too long for the bound buffer: fetch the whole value into a buffer of its own size, through
    // a bind of its own (the registered bind keeps pointing at `bytes`).
    column.bytes.resize(column.length);
    MYSQL_BIND whole{};
    whole.buffer_type = MYSQL_TYPE_BLOB;
    whole.buffer = column.bytes.data();
    whole.buffer_length = column.length;
    unsigned long length = 0;
    whole.length = &length;
    if (mysql_stmt_fetch_column(stmt_, &whole, static_cast<unsigned int>(i), 0) != 0) {
      return status_ = connection_.FailStatement(stmt_, what_);
    }
    // Re-register so the next row lands in the (reallocated) buffer.
    result_binds_[i].buffer = column.bytes.data();
    result_binds_[i].buffer_length = column.length;
    if (mysql_stmt_bind_result(stmt_, result_binds_.data()) != 0)
      return status_ = connection_.FailStatement(stmt_, what_);
  }
  return true;
}

std::uint64_t MariaDbStatement::affected_rows() const {
  return stmt_ == nullptr ? 0 : static_cast<std::uint64_t>(mysql_stmt_affected_rows(stmt_));
}

std::int64_t MariaDbStatement::ColumnInt(std::size_t column) const {
  const Column& c = columns_.at(column);
  return c.is_int && !c.is_null ? c.int_value : 0;
}

std::optional<std::int64_t> MariaDbStatement::ColumnOptionalInt(std::size_t column) const {
  const Column& c = columns_.at(column);
  if (c.is_null || !c.is_int) return std::nullopt;
  return c.int_value;
}

std::string MariaDbStatement::ColumnText(std::size_t column) const {
  const Column& c = columns_.at(column);
  if (c.is_int || c.is_null) return std::string();
  return std::string(reinterpret_cast<const char*>(c.bytes.data()), std::min<std::size_t>(c.length, c.bytes.size()));
}

std::vector<std::uint8_t> MariaDbStatement::ColumnBlob(std::size_t column) const {
  const Column& c = columns_.at(column);
  if (c.is_int || c.is_null) return {};
  return std::vector<std::uint8_t>(
      c.bytes.begin(), c.bytes.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(c.length, c.bytes.size())));
}

}  // namespace keywarden::sql
