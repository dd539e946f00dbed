#include "cli/admin/report.h"

#include <algorithm>

namespace keywarden::cli::admin {
namespace {

std::string Cell(const nlohmann::ordered_json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Width in code points, so that names with accents line up.
std::size_t Width(const std::string& text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string Table(const nlohmann::ordered_json& rows, const std::vector<std::pair<std::string, std::string>>& columns) {
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> heading;
  for (const auto& column : columns) heading.push_back(column.second);
  cells.push_back(heading);
  for (const auto& row : rows) {
    std::vector<std::string> line;
    for (const auto& column : columns) line.push_back(row.contains(column.first) ? Cell(row[column.first]) : "");
    cells.push_back(std::move(line));
  }
  std::vector<std::size_t> widths(columns.size(), 0);
  for (const auto& line : cells) {
    for (std::size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], Width(line[i]));
  }
  std::string out;
  for (const auto& line : cells) {
    std::string text;
    for (std::size_t i = 0; i < line.size(); ++i) {
      text += line[i];
      if (i + 1 < line.size()) text += std::string(widths[i] - Width(line[i]) + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  }
  return out;
}

}  // namespace

std::string RenderReport(const Report& report, bool json) {
  if (json) return report.json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (!report.list_field.empty()) {
    const auto rows = report.json.find(report.list_field);
    if (rows == report.json.end() || !rows->is_array() || rows->empty()) return "(none)\n";
    return Table(*rows, report.columns);
  }
  std::string out;
  if (report.columns.empty()) {
    for (const auto& [field, value] : report.json.items()) out += field + ": " + Cell(value) + "\n";
  } else {
    for (const auto& [field, heading] : report.columns) {
      if (report.json.contains(field)) out += heading + ": " + Cell(report.json[field]) + "\n";
    }
  }
  return out;
}

}  // namespace keywarden::cli::admin
