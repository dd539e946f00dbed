// Wall-clock time as Keywarden stores and compares it.
//
// Stored dates are whole milliseconds since the Unix epoch, UTC (TimeMs): every store and every
// service uses this one representation, so no layer converts between clocks.
#ifndef KEYWARDEN_BASE_TIME_H_
#define KEYWARDEN_BASE_TIME_H_

#include <chrono>
#include <cstdint>

namespace keywarden {

// An instant of the wall clock, for token lifetimes and pacing.
using TimePoint = std::chrono::system_clock::time_point;

// Milliseconds since the Unix epoch, UTC.
using TimeMs = std::int64_t;

}  // namespace keywarden

#endif  // KEYWARDEN_BASE_TIME_H_
