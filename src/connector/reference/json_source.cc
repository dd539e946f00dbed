// The reference's JSON data file (database__provider=json). The file is small by nature (the
// reference rewrites all of it on every change), so it is read whole and its rows sorted by id.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "base/ascii.h"
#include "connector/reference/reference_data.h"
#include "keywarden/crypto/encoding.h"

namespace keywarden::connector {
namespace {

// A string property of `item` matched ignoring case: nullopt when absent or null; an error for
// another type.
Result<std::optional<std::string>> Text(const nlohmann::json& item, std::string_view property) {
  for (const auto& [name, value] : item.items()) {
    if (!EqualsIgnoreAsciiCase(name, property)) continue;
    if (value.is_null()) return std::optional<std::string>();
    if (!value.is_string()) return InvalidArgumentError("its " + std::string(property) + " is not a string");
    return std::optional<std::string>(value.get<std::string>());
  }
  return std::optional<std::string>();
}

ReferenceRow ParseItem(const nlohmann::json& item, std::size_t index) {
  const std::string name = "userKey[" + std::to_string(index) + "]";
  if (!item.is_object()) return ReferenceRow{name, InvalidArgumentError("it is not an object")};
  std::optional<std::string> fields[5];
  constexpr std::string_view kNames[5] = {"id", "key", "creationDate", "revisionDate", "lastAccessDate"};
  for (int i = 0; i < 5; ++i) {
    auto text = Text(item, kNames[i]);
    if (!text.ok()) return ReferenceRow{name, text.status()};
    fields[i] = std::move(text).value();
  }
  if (!fields[0]) return ReferenceRow{name, InvalidArgumentError("it has no id")};
  return ParseReferenceRow(name, *fields[0], fields[1], fields[2], fields[3], fields[4]);
}

class JsonReferenceData final : public ReferenceData {
 public:
  JsonReferenceData(std::optional<std::string> symmetric_key, std::vector<ReferenceRow> rows)
      : symmetric_key_(std::move(symmetric_key)), rows_(std::move(rows)) {}

  Result<std::vector<std::vector<std::uint8_t>>> WrappedDataKeys() override {
    std::vector<std::vector<std::uint8_t>> keys;
    if (!symmetric_key_) return keys;
    auto wrapped = Base64Decode(*symmetric_key_);
    if (!wrapped.ok()) return InvalidArgumentError("the reference's symmetricKey is not base64");
    keys.push_back(std::move(wrapped).value());
    return keys;
  }

  Result<std::vector<ReferenceRow>> NextRows(std::size_t limit) override {
    std::vector<ReferenceRow> out;
    while (next_ < rows_.size() && out.size() < limit) out.push_back(std::move(rows_[next_++]));
    return out;
  }

 private:
  std::optional<std::string> symmetric_key_;
  std::vector<ReferenceRow> rows_;
  std::size_t next_ = 0;
};

}  // namespace

Result<std::unique_ptr<ReferenceData>> OpenReferenceJson(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return UnavailableError("cannot read " + path + ": " + std::strerror(errno));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return UnavailableError("cannot read " + path);
  const nlohmann::json document = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object()) return InvalidArgumentError(path + " is not a JSON object");

  std::optional<std::string> symmetric_key;
  if (auto found = document.find("symmetricKey"); found != document.end() && !found->is_null()) {
    if (!found->is_string()) return InvalidArgumentError(path + ": symmetricKey is not a string");
    symmetric_key = found->get<std::string>();
  }
  std::vector<ReferenceRow> rows;
  if (auto found = document.find("userKey"); found != document.end() && !found->is_null()) {
    if (!found->is_array()) return InvalidArgumentError(path + ": userKey is not an array");
    rows.reserve(found->size());
    for (std::size_t i = 0; i < found->size(); ++i) rows.push_back(ParseItem((*found)[i], i));
  }
  // Rows that cannot be read first, then by user id (ParseReferenceRow names a readable row by it).
  std::stable_sort(rows.begin(), rows.end(), [](const ReferenceRow& a, const ReferenceRow& b) {
    if (a.key.ok() != b.key.ok()) return !a.key.ok();
    return a.key.ok() && a.key->user_id < b.key->user_id;
  });
  return std::unique_ptr<ReferenceData>(new JsonReferenceData(std::move(symmetric_key), std::move(rows)));
}

}  // namespace keywarden::connector
