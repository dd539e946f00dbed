// The reference's PostgreSQL database (database__provider=postgresql), through the PostgreSQL
// store's connection (store/postgres_connection.h). Only SELECTs are sent. Rows are read a page
// at a time in uuid order, which is the order of their canonical text.
#include <utility>

#include "connector/reference/reference_data.h"
#include "keywarden/crypto/encoding.h"
#include "sql/postgres/postgres_connection.h"

namespace keywarden::connector {
namespace {

using sql::PgClock;
using sql::PgConnection;
using sql::PgParams;
using sql::PgResult;
using sql::PgStatement;

// EF Core's names, quoted: PostgreSQL folds unquoted names to lower case.
constexpr PgStatement kDataKeys{"kw_reference_data_keys",
                                "SELECT \"Id\", \"SymmetricKey\" FROM \"ApplicationDatas\" ORDER BY \"Id\"",
                                "to read the reference's ApplicationDatas"};
// Dates as text in the form reference_date.h reads ("timestamp without time zone": UTC by
// construction, the reference writes DateTime.UtcNow).
constexpr PgStatement kFirstRows{
    "kw_reference_first_rows",
    "SELECT \"Id\"::text, \"Key\", to_char(\"CreationDate\", 'YYYY-MM-DD HH24:MI:SS.US'), "
    "to_char(\"RevisionDate\", 'YYYY-MM-DD HH24:MI:SS.US'), to_char(\"LastAccessDate\", 'YYYY-MM-DD HH24:MI:SS.US') "
    "FROM \"UserKeys\" ORDER BY \"Id\" LIMIT $1",
    "to read the reference's UserKeys"};
constexpr PgStatement kNextRows{
    "kw_reference_next_rows",
    "SELECT \"Id\"::text, \"Key\", to_char(\"CreationDate\", 'YYYY-MM-DD HH24:MI:SS.US'), "
    "to_char(\"RevisionDate\", 'YYYY-MM-DD HH24:MI:SS.US'), to_char(\"LastAccessDate\", 'YYYY-MM-DD HH24:MI:SS.US') "
    "FROM \"UserKeys\" WHERE \"Id\" > $1::uuid ORDER BY \"Id\" LIMIT $2",
    "to read the reference's UserKeys"};

std::optional<std::string> Column(const PgResult& result, int row, int column) {
  if (result.IsNull(row, column)) return std::nullopt;
  return result.Text(row, column);
}

class PostgresReferenceData final : public ReferenceData {
 public:
  PostgresReferenceData(std::unique_ptr<PgConnection> connection, std::chrono::seconds timeout)
      : connection_(std::move(connection)), timeout_(timeout) {}

  Result<std::vector<std::vector<std::uint8_t>>> WrappedDataKeys() override {
    KW_ASSIGN_OR_RETURN(PgResult result, connection_->Execute(kDataKeys, PgParams(), Deadline()));
    std::vector<std::vector<std::uint8_t>> keys;
    for (int row = 0; row < result.rows(); ++row) {
      const std::optional<std::string> text = Column(result, row, 1);
      if (!text) continue;  // a row without a key wraps nothing
      auto wrapped = Base64Decode(*text);
      if (!wrapped.ok()) {
        auto id = result.Int(row, 0);
        return InvalidArgumentError("the reference's ApplicationDatas row " +
                                    (id.ok() ? std::to_string(*id) : std::string("?")) +
                                    ": SymmetricKey is not base64");
      }
      keys.push_back(std::move(wrapped).value());
    }
    return keys;
  }

  Result<std::vector<ReferenceRow>> NextRows(std::size_t limit) override {
    std::vector<ReferenceRow> out;
    if (done_ || limit == 0) return out;
    PgParams params;
    if (!after_.empty()) params.Text(after_);
    params.Int(static_cast<std::int64_t>(limit));
    KW_ASSIGN_OR_RETURN(PgResult result,
                        connection_->Execute(after_.empty() ? kFirstRows : kNextRows, params, Deadline()));
    for (int row = 0; row < result.rows(); ++row) {
      const std::string id = result.Text(row, 0);  // uuid::text: canonical, never NULL (primary key)
      out.push_back(ParseReferenceRow(id, id, Column(result, row, 1), Column(result, row, 2), Column(result, row, 3),
                                      Column(result, row, 4)));
      after_ = id;
    }
    done_ = static_cast<std::size_t>(result.rows()) < limit;
    return out;
  }

 private:
  sql::PgDeadline Deadline() const { return PgClock::now() + timeout_; }

  std::unique_ptr<PgConnection> connection_;
  const std::chrono::seconds timeout_;
  std::string after_;
  bool done_ = false;
};

}  // namespace

Result<std::unique_ptr<ReferenceData>> OpenReferencePostgres(const std::string& connection_string) {
  KW_ASSIGN_OR_RETURN(sql::PostgresOptions options, sql::ParsePostgresConnectionString(connection_string));
  auto connection = PgConnection::Connect(options);
  if (!connection.ok()) return connection.status();
  return std::unique_ptr<ReferenceData>(
      new PostgresReferenceData(std::move(connection).value(), options.command_timeout + std::chrono::seconds(1)));
}

}  // namespace keywarden::connector
