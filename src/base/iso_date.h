// ISO 8601 dates as the clients send them and the reference writes them: one reader and one
// writer for every route (the vault's item dates, the event log's range and collected events,
// the profile, devices, policies).
//
// Thread-safe; no state.
#ifndef KEYWARDEN_BASE_ISO_DATE_H_
#define KEYWARDEN_BASE_ISO_DATE_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/time.h"

namespace keywarden {

inline constexpr TimeMs kMsPerDay = 24LL * 60 * 60 * 1000;

// 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the range a four-digit year spells
// (and .NET's DateTime.MinValue, which older clients send for "no date").
inline constexpr TimeMs kMinIsoDate = -62135596800000;
inline constexpr TimeMs kMaxIsoDate = 253402300799999;

// The profile of ISO 8601 that .NET's JSON reader accepts, which the reference applies to every
// date a client sends: "YYYY-MM-DD", optionally followed by 'T', "HH:MM", ":SS", '.' and 1 to 9
// digits of fraction (kept to the millisecond, the rest truncated), and a zone: 'Z', "+HH:MM" or
// "-HH:MM" up to 14 hours, or nothing (UTC, as the reference's server runs). JavaScript's
// toISOString, Rust's chrono and .NET all write one of these. nullopt for anything else, an impossible date
// (February 30th, hour 24, a leap second) or an instant outside [kMinIsoDate, kMaxIsoDate]:
// the caller answers 400, never guesses.
std::optional<TimeMs> ParseIsoDate(std::string_view text);

// "2026-11-25T15:30:00.123Z" (24 characters, no quotes). `when` is clamped to
// [kMinIsoDate, kMaxIsoDate] so that the year always has four digits and any stored value,
// whoever sent it, can be written.
void AppendIsoDate(TimeMs when, std::string& out);
std::string FormatIsoDate(TimeMs when);

// Midnight UTC that starts the day holding `when`.
TimeMs StartOfUtcDay(TimeMs when);

}  // namespace keywarden

#endif  // KEYWARDEN_BASE_ISO_DATE_H_
