// The reference's SQLite database (database__provider=sqlite), opened read-only. The rows are read
// by one statement in canonical id order (lower-cased: EF Core writes upper-case GUIDs), stepped
// page by page, so the table is sorted once however many rows it has.
#include <sqlite3.h>

#include <utility>

#include "connector/reference/reference_data.h"
#include "keywarden/crypto/encoding.h"

namespace keywarden::connector {
namespace {

struct DatabaseCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Database = std::unique_ptr<sqlite3, DatabaseCloser>;
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

Status SqliteError(sqlite3* db, std::string_view what) {
  return UnavailableError("reading the reference's SQLite database " + std::string(what) + ": " + sqlite3_errmsg(db));
}

std::optional<std::string> ColumnText(sqlite3_stmt* statement, int column) {
  if (sqlite3_column_type(statement, column) == SQLITE_NULL) return std::nullopt;
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
  const int size = sqlite3_column_bytes(statement, column);
  return std::string(text == nullptr ? "" : text, static_cast<std::size_t>(size));
}

Result<Statement> Prepare(sqlite3* db, const char* sql, std::string_view what) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) {
    sqlite3_finalize(raw);
    return SqliteError(db, what);
  }
  return Statement(raw);
}

class SqliteReferenceData final : public ReferenceData {
 public:
  SqliteReferenceData(Database db, Statement rows) : db_(std::move(db)), rows_(std::move(rows)) {}

  Result<std::vector<std::vector<std::uint8_t>>> WrappedDataKeys() override {
    KW_ASSIGN_OR_RETURN(
        Statement statement,
        Prepare(db_.get(), "SELECT Id, SymmetricKey FROM ApplicationDatas ORDER BY Id", "(table ApplicationDatas)"));
    std::vector<std::vector<std::uint8_t>> keys;
    while (true) {
      const int step = sqlite3_step(statement.get());
      if (step == SQLITE_DONE) break;
      if (step != SQLITE_ROW) return SqliteError(db_.get(), "(table ApplicationDatas)");
      const std::optional<std::string> text = ColumnText(statement.get(), 1);
      if (!text) continue;  // a row without a key wraps nothing
      auto wrapped = Base64Decode(*text);
      if (!wrapped.ok()) {
        return InvalidArgumentError("the reference's ApplicationDatas row " +
                                    std::to_string(sqlite3_column_int64(statement.get(), 0)) +
                                    ": SymmetricKey is not base64");
      }
      keys.push_back(std::move(wrapped).value());
    }
    return keys;
  }

  Result<std::vector<ReferenceRow>> NextRows(std::size_t limit) override {
    std::vector<ReferenceRow> out;
    while (!done_ && out.size() < limit) {
      const int step = sqlite3_step(rows_.get());
      if (step == SQLITE_DONE) {
        done_ = true;
        break;
      }
      if (step != SQLITE_ROW) return SqliteError(db_.get(), "(table UserKeys)");
      sqlite3_stmt* row = rows_.get();
      const std::string name = "UserKeys rowid " + std::to_string(sqlite3_column_int64(row, 0));
      const std::optional<std::string> id = ColumnText(row, 1);
      if (!id || sqlite3_column_type(row, 1) != SQLITE_TEXT) {
        out.push_back(ReferenceRow{name, InvalidArgumentError("its Id is not a GUID in text form")});
        continue;
      }
      out.push_back(
          ParseReferenceRow(name, *id, ColumnText(row, 2), ColumnText(row, 3), ColumnText(row, 4), ColumnText(row, 5)));
    }
    return out;
  }

 private:
  Database db_;
  Statement rows_;  // declared after db_: finalized first
  bool done_ = false;
};

}  // namespace

Result<std::unique_ptr<ReferenceData>> OpenReferenceSqlite(const std::string& path) {
  sqlite3* raw = nullptr;
  const int opened = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  Database db(raw);
  if (opened != SQLITE_OK) {
    return UnavailableError("cannot open the reference's SQLite database " + path + ": " +
                            (raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(db.get(), 5000);
  KW_ASSIGN_OR_RETURN(
      Statement rows,
      Prepare(db.get(),
              "SELECT rowid, Id, Key, CreationDate, RevisionDate, LastAccessDate FROM UserKeys ORDER BY lower(Id)",
              "(table UserKeys)"));
  return std::unique_ptr<ReferenceData>(new SqliteReferenceData(std::move(db), std::move(rows)));
}

}  // namespace keywarden::connector
