// Setting tables: what a service's configuration accepts, and how each value becomes a field.
//
// A row names one setting by its canonical key, which is also its TOML name ("auth.audience",
// or "web_vault_uri" at the top) and gives its KEYWARDEN_* name ("KEYWARDEN_AUTH_AUDIENCE").
// Rows are written once per section type (config/sections.h) and a service's table places each
// section at a member of its own config struct, then adds rows of its own:
//
//   SettingTable<MyConfig> table;
//   table.Add(ListenRows(), &MyConfig::listen).Add(LogRows(), &MyConfig::log).Add(kMyRows);
//
// Apply runs rows in table order, providers (`early`) first, so that an unsupported provider is
// the first thing reported rather than one of its settings.
#ifndef KEYWARDEN_CONFIG_SETTINGS_H_
#define KEYWARDEN_CONFIG_SETTINGS_H_

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/sources.h"
#include "keywarden/status.h"

namespace keywarden::config {

template <typename Section>
struct SettingRow {
  std::string_view key;  // "auth.audience"
  // Checks the value's type and range and stores it; errors name raw.origin, never the value.
  Status (*apply)(const RawValue& raw, Section& section);
  std::string_view description;
  bool secret = false;      // never printed, not even by Describe
  bool alias_only = false;  // set only through an alias source: no TOML or KEYWARDEN_* name
  bool early = false;       // a provider: applied before every other row
};

template <typename Config>
class SettingTable {
 public:
  struct Entry {
    std::string_view key;
    std::string_view description;
    bool secret;
    bool alias_only;
    bool early;
    std::function<Status(const RawValue&, Config&)> apply;
  };

  // Rows of the config struct itself.
  SettingTable& Add(std::span<const SettingRow<Config>> rows) {
    for (const auto& row : rows)
      Push(row, [apply = row.apply](const RawValue& raw, Config& c) { return apply(raw, c); });
    return *this;
  }

  // A section's rows, applied to config.*member.
  template <typename Section>
  SettingTable& Add(std::span<const SettingRow<Section>> rows, Section Config::*member) {
    for (const auto& row : rows) {
      Push(row, [apply = row.apply, member](const RawValue& raw, Config& c) { return apply(raw, c.*member); });
    }
    return *this;
  }

  const std::vector<Entry>& entries() const { return entries_; }

  // The keys the TOML file and KEYWARDEN_* variables may name; valid while the table lives.
  SettingKeys Keys() const { return keys_; }

  // Applies every gathered value, early rows first, then the others, each in table order.
  Status Apply(const RawSettings& settings, Config& config) const {
    for (bool early : {true, false}) {
      for (const Entry& entry : entries_) {
        if (entry.early != early) continue;
        auto found = settings.values.find(entry.key);
        if (found != settings.values.end()) KW_RETURN_IF_ERROR(entry.apply(found->second, config));
      }
    }
    return OkStatus();
  }

  // One line per setting a user can write: "auth.audience, KEYWARDEN_AUTH_AUDIENCE: <description>",
  // with "(secret)" after the secret ones. Values are never printed.
  std::string Describe() const {
    std::string out;
    for (const Entry& entry : entries_) {
      if (entry.alias_only) continue;
      out += std::string(entry.key) + ", " + KeywardenEnvName(entry.key) + ": " + std::string(entry.description) +
             (entry.secret ? " (secret)" : "") + "\n";
    }
    return out;
  }

 private:
  template <typename Row, typename Apply>
  void Push(const Row& row, Apply apply) {
    entries_.push_back(Entry{row.key, row.description, row.secret, row.alias_only, row.early, std::move(apply)});
    if (!row.alias_only) keys_.push_back(row.key);
  }

  std::vector<Entry> entries_;
  std::vector<std::string_view> keys_;
};

}  // namespace keywarden::config

#endif  // KEYWARDEN_CONFIG_SETTINGS_H_
