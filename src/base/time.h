// Wall-clock time as Keywarden stores and compares it.
//
// Stored dates are whole milliseconds since the Unix epoch, UTC (TimeMs): every store and every
// service uses this one representation, so no layer converts between clocks.
#ifndef KEYWARDEN_BASE_TIME_H_
#define KEYWARDEN_BASE_TIME_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace keywarden {

// An instant of the wall clock, for token lifetimes and pacing.
using TimePoint = std::chrono::system_clock::time_point;

// Milliseconds since the Unix epoch, UTC.
using TimeMs = std::int64_t;

// "2026-11-25T15:30:00.123Z": UTC with milliseconds, as the reference's APIs write dates.
std::string FormatUtcIso8601(TimePoint when);

}  // namespace keywarden

#endif  // KEYWARDEN_BASE_TIME_H_
