// Dates in the vault's JSON: ISO 8601, as the clients send them and the reference writes them.
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_VAULT_INTERNAL_ISO_DATE_H_
#define KEYWARDEN_SERVER_VAULT_INTERNAL_ISO_DATE_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/time.h"

namespace keywarden::server::vault::internal {

// 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the range a four-digit year spells
// (and .NET's DateTime.MinValue, which older clients send for "no date").
inline constexpr TimeMs kMinIsoDate = -62135596800000;
inline constexpr TimeMs kMaxIsoDate = 253402300799999;

// "YYYY-MM-DDTHH:MM:SS", then optionally '.' and 1 to 9 digits of fraction (kept to the
// millisecond, the rest truncated), then 'Z', "+HH:MM", "-HH:MM" or nothing (UTC, as ASP.NET
// reads a date without a zone). JavaScript's toISOString, Rust's chrono and .NET all write one
// of these. nullopt for anything else, an impossible date (February 30th, hour 24, a leap
// second) or an instant outside [kMinIsoDate, kMaxIsoDate].
std::optional<TimeMs> ParseIsoDate(std::string_view text);

// "2026-11-25T15:30:00.123Z" (24 characters, no quotes). `when` is clamped to
// [kMinIsoDate, kMaxIsoDate] so that the year always has four digits.
void AppendIsoDate(TimeMs when, std::string& out);

}  // namespace keywarden::server::vault::internal

#endif  // KEYWARDEN_SERVER_VAULT_INTERNAL_ISO_DATE_H_
