// libFuzzer target for what the event routes parse themselves (src/server/events/): the
// continuation token, the list query (start, end, continuationToken), ISO dates and the body of
// POST /events/collect.
//
// The first byte picks the parser; the rest is the input.
//   0: a continuation token. A parsed token encodes back to exactly the input (the format has one
//      spelling), and its id is a canonical GUID.
//   1: a position built from the bytes (a non-negative date, 16 bytes of id): encoded and parsed
//      back to itself.
//   2: a query string. A parsed range has start <= end, at most 367 days apart; a refusal is
//      kInvalidArgument.
//   3: an ISO date. A parsed date from 1970 on, written as the server writes dates, reads back to
//      the same instant.
//   4: a collect body. A parsed body holds 1 to kMaxCollectedEvents events whose ids are
//      canonical GUIDs or empty; a refusal is kInvalidArgument.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/iso_date.h"
#include "base/time.h"
#include "fuzz_require.h"
#include "server/api/ids.h"
#include "server/events/collect_request.h"
#include "server/events/continuation_token.h"
#include "server/events/event_range.h"

namespace keywarden::server::events {
namespace {

using ::keywarden::fuzz::Require;

bool CanonicalOrEmpty(const std::string& id) { return id.empty() || api::ParseGuid(id) == id; }

void FuzzToken(std::string_view input) {
  auto position = ParseContinuationToken(input);
  if (!position.ok()) {
    Require(position.status().code() == ErrorCode::kInvalidArgument, "a refused token is an invalid argument");
    return;
  }
  Require(position->date >= 0, "a token's date is not negative");
  Require(!position->id.empty() && CanonicalOrEmpty(position->id), "a token's id is a canonical GUID");
  Require(EncodeContinuationToken(*position) == input, "a parsed token encodes back to itself");
}

void FuzzPositionRoundTrip(std::string_view data) {
  if (data.size() < 24) return;
  std::uint64_t date = 0;
  for (int i = 0; i < 8; ++i) date = (date << 8) | static_cast<unsigned char>(data[static_cast<std::size_t>(i)]);
  date &= 0x7fffffffffffffffULL;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id += '-';
    const auto byte = static_cast<unsigned char>(data[8 + i]);
    id += kHex[byte >> 4];
    id += kHex[byte & 15];
  }
  const PagePosition position{static_cast<TimeMs>(date), id};
  auto parsed = ParseContinuationToken(EncodeContinuationToken(position));
  Require(parsed.ok() && *parsed == position, "a position round-trips through its token");
}

void FuzzQuery(std::string_view query) {
  constexpr TimeMs kNow = 1'795'620'600'123;
  auto range = ParseEventRange(query, kNow);
  if (!range.ok()) {
    Require(range.status().code() == ErrorCode::kInvalidArgument, "a refused query is an invalid argument");
    return;
  }
  Require(range->start <= range->end, "a range starts before it ends");
  Require(range->end - range->start <= 367 * kMsPerDay, "a range is at most 367 days");
  if (range->after) Require(CanonicalOrEmpty(range->after->id), "a token's id is a canonical GUID");
}

void FuzzDate(std::string_view text) {
  const auto date = ParseIsoDate(text);
  if (!date || *date < 0) return;
  const std::string written = FormatIsoDate(*date);
  Require(ParseIsoDate(written) == date, "a date the server writes reads back to the same instant");
}

void FuzzCollect(std::string_view body) {
  auto events = ParseCollectRequest(body);
  if (!events.ok()) {
    Require(events.status().code() == ErrorCode::kInvalidArgument, "a refused body is an invalid argument");
    return;
  }
  Require(!events->empty() && events->size() <= kMaxCollectedEvents, "a body holds 1 to the most events");
  for (const CollectedEvent& event : *events) {
    Require(CanonicalOrEmpty(event.cipher_id), "a cipher id is a canonical GUID or none");
    Require(CanonicalOrEmpty(event.organization_id), "an organisation id is a canonical GUID or none");
  }
}

}  // namespace
}  // namespace keywarden::server::events

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 5) {
    case 0: keywarden::server::events::FuzzToken(rest); break;
    case 1: keywarden::server::events::FuzzPositionRoundTrip(rest); break;
    case 2: keywarden::server::events::FuzzQuery(rest); break;
    case 3: keywarden::server::events::FuzzDate(rest); break;
    default: keywarden::server::events::FuzzCollect(rest); break;
  }
  return 0;
}
