// docs/server-configuration.md lists every setting the server reads (issue 14: "every one
// documented"), each under its TOML name and its variable, and no setting the server does not
// read: a setting added to the table without its row, or a row left behind, fails here.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>

#include "server/config/server_config.h"

namespace keywarden::server {
namespace {

// "| `[section] key` | `VARIABLE` |", or "| `key` | `VARIABLE` |" for a top-level key.
std::string RowStart(const std::string& name, const std::string& variable) {
  const std::size_t dot = name.find('.');
  const std::string toml = dot == std::string::npos ? name : "[" + name.substr(0, dot) + "] " + name.substr(dot + 1);
  return "| `" + toml + "` | `" + variable + "` |";
}

TEST(ServerSettingsDocs, EverySettingHasItsRowAndEveryRowASetting) {
  std::ifstream file(std::string(KEYWARDEN_DOCS_DIR) + "/server-configuration.md");
  ASSERT_TRUE(file.good()) << "docs/server-configuration.md is missing";
  std::set<std::string> rows;  // the row starts in the document: "| `x` | `KEYWARDEN_X` |"
  for (std::string line; std::getline(file, line);) {
    const std::size_t second = line.find(" | `KEYWARDEN_");
    if (!line.starts_with("| `") || second == std::string::npos) continue;
    const std::size_t end = line.find("` |", second + 4);
    if (end != std::string::npos) rows.insert(line.substr(0, end + 3));
  }

  std::set<std::string> settings;
  std::istringstream described(DescribeServerSettings());
  for (std::string line; std::getline(described, line);) {
    // "name, VARIABLE: what it does"
    const std::size_t comma = line.find(", ");
    const std::size_t colon = line.find(": ", comma);
    ASSERT_NE(comma, std::string::npos) << line;
    ASSERT_NE(colon, std::string::npos) << line;
    settings.insert(RowStart(line.substr(0, comma), line.substr(comma + 2, colon - comma - 2)));
  }
  ASSERT_GT(settings.size(), 40u);
  for (const std::string& setting : settings) {
    EXPECT_TRUE(rows.contains(setting)) << "not documented: " << setting;
  }
  for (const std::string& row : rows) {
    EXPECT_TRUE(settings.contains(row)) << "documented but not a setting: " << row;
  }
}

}  // namespace
}  // namespace keywarden::server
