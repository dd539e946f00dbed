// What an admin verb prints on success: with --json one JSON object (and a newline); otherwise
// text for a person: a list as a table with a header row, a single record as "field: value" lines.
#ifndef KEYWARDEN_CLI_ADMIN_REPORT_H_
#define KEYWARDEN_CLI_ADMIN_REPORT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace keywarden::cli::admin {

struct Report {
  // The JSON printed with --json. For a list, the rows are the array under `list_field`.
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  std::string list_field;  // empty: a single record
  // The columns shown on a terminal: (JSON field, heading). Empty: every field of the record.
  std::vector<std::pair<std::string, std::string>> columns;
};

// The text `report` prints (with a trailing newline).
std::string RenderReport(const Report& report, bool json);

}  // namespace keywarden::cli::admin

#endif  // KEYWARDEN_CLI_ADMIN_REPORT_H_
