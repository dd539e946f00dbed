#include "sql/database.h"

#include <utility>

namespace keywarden::sql {

Params& Params::Text(std::string_view text) {
  values_.emplace_back(TextValue{std::string(text)});
  return *this;
}

Params& Params::Bytes(std::span<const std::uint8_t> bytes) {
  values_.emplace_back(BytesValue{std::vector<std::uint8_t>(bytes.begin(), bytes.end())});
  return *this;
}

Params& Params::Int(std::int64_t value) {
  values_.emplace_back(value);
  return *this;
}

Params& Params::Int(std::optional<std::int64_t> value) {
  if (value.has_value()) return Int(*value);
  values_.emplace_back(Null{});
  return *this;
}

Params& Params::TextArray(std::span<const std::string_view> texts) {
  values_.emplace_back(TextArrayValue{std::vector<std::string>(texts.begin(), texts.end())});
  return *this;
}

Params& Params::IntArray(std::span<const std::int64_t> values) {
  values_.emplace_back(IntArrayValue{std::vector<std::int64_t>(values.begin(), values.end())});
  return *this;
}

const Rows::Cell* Rows::Find(std::size_t row, std::size_t column) const {
  if (row >= rows_.size() || column >= rows_[row].size()) return nullptr;
  return &rows_[row][column];
}

Result<std::int64_t> Rows::Int(std::size_t row, std::size_t column) const {
  const Cell* cell = Find(row, column);
  if (cell == nullptr || !std::holds_alternative<std::int64_t>(*cell)) {
    return InternalError("the database returned an unexpected value where an integer belongs");
  }
  return std::get<std::int64_t>(*cell);
}

std::optional<std::int64_t> Rows::OptionalInt(std::size_t row, std::size_t column) const {
  const Cell* cell = Find(row, column);
  if (cell == nullptr || !std::holds_alternative<std::int64_t>(*cell)) return std::nullopt;
  return std::get<std::int64_t>(*cell);
}

std::string Rows::Text(std::size_t row, std::size_t column) const {
  const Cell* cell = Find(row, column);
  if (cell == nullptr || !std::holds_alternative<std::string>(*cell)) return std::string();
  return std::get<std::string>(*cell);
}

namespace {

// A row of a Rows, for Session::ForEachRow's default.
class RowsRow final : public RowView {
 public:
  RowsRow(const Rows& rows, std::size_t row) : rows_(rows), row_(row) {}
  Result<std::int64_t> Int(std::size_t column) const override { return rows_.Int(row_, column); }
  std::optional<std::int64_t> OptionalInt(std::size_t column) const override { return rows_.OptionalInt(row_, column); }
  std::string_view Text(std::size_t column) const override { return rows_.TextView(row_, column); }

 private:
  const Rows& rows_;
  std::size_t row_;
};

}  // namespace

Status Session::ForEachRow(const Statement& statement, const Params& params, const RowVisitor& visit) {
  KW_ASSIGN_OR_RETURN(const Rows rows, Execute(statement, params));
  for (std::size_t i = 0; i < rows.size(); ++i) KW_RETURN_IF_ERROR(visit(RowsRow(rows, i)));
  return OkStatus();
}

std::string_view Rows::TextView(std::size_t row, std::size_t column) const {
  const Cell* cell = Find(row, column);
  if (cell == nullptr || !std::holds_alternative<std::string>(*cell)) return {};
  return std::get<std::string>(*cell);
}

std::vector<std::uint8_t> Rows::Bytes(std::size_t row, std::size_t column) const {
  const Cell* cell = Find(row, column);
  if (cell == nullptr || !std::holds_alternative<std::string>(*cell)) return {};
  const std::string& bytes = std::get<std::string>(*cell);
  return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
}

}  // namespace keywarden::sql
