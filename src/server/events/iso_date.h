// ISO 8601 dates as the clients send them to the event routes: the web vault's `start` and `end`
// (Date.toISOString(), "2026-11-25T15:30:00.123Z") and each collected event's `date`.
//
// Accepted: "YYYY-MM-DD", optionally followed by 'T' (or a space) and "HH:MM", ":SS", a fraction
// of any length (kept to the millisecond, the rest dropped), and a zone: 'Z' or "+HH:MM" /
// "-HH:MM". Without a zone the time is UTC, as the reference's server runs. Years 0001 to 9999.
// Anything else is nullopt: the caller answers 400, never guesses.
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_EVENTS_ISO_DATE_H_
#define KEYWARDEN_SERVER_EVENTS_ISO_DATE_H_

#include <optional>
#include <string_view>

#include "base/time.h"

namespace keywarden::server::events {

// Milliseconds since the Unix epoch (negative before 1970).
std::optional<TimeMs> ParseIsoDate(std::string_view text);

// Midnight UTC that starts the day holding `when`.
TimeMs StartOfUtcDay(TimeMs when);

inline constexpr TimeMs kMsPerDay = 24LL * 60 * 60 * 1000;

}  // namespace keywarden::server::events

#endif  // KEYWARDEN_SERVER_EVENTS_ISO_DATE_H_
