#include "base/iso_date.h"

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace keywarden {
namespace {

// Reads exactly `count` decimal digits at `pos`, advancing it.
std::optional<int> Digits(std::string_view text, std::size_t& pos, std::size_t count) {
  if (text.size() - pos < count) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += count;
  return value;
}

bool Consume(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

// The zone suffix from `pos` to the end as minutes east of UTC, or nullopt when it is not one.
std::optional<int> ZoneOffsetMinutes(std::string_view text, std::size_t pos) {
  const std::string_view zone = text.substr(pos);
  if (zone.empty() || zone == "Z" || zone == "z") return 0;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') return std::nullopt;
  std::size_t at = 1;
  const auto hours = Digits(zone, at, 2);
  ++at;
  const auto minutes = Digits(zone, at, 2);
  if (!hours || !minutes || *hours > 14 || *minutes > 59) return std::nullopt;
  const int offset = *hours * 60 + *minutes;
  return zone[0] == '-' ? -offset : offset;
}

// The time of day after the date: "HH:MM[:SS[.fraction]]" from `pos`, advancing it.
std::optional<TimeMs> TimeOfDay(std::string_view text, std::size_t& pos) {
  const auto hour = Digits(text, pos, 2);
  if (!hour || *hour > 23 || !Consume(text, pos, ':')) return std::nullopt;
  const auto minute = Digits(text, pos, 2);
  if (!minute || *minute > 59) return std::nullopt;
  int second = 0;
  int millis = 0;
  if (Consume(text, pos, ':')) {
    const auto s = Digits(text, pos, 2);
    if (!s || *s > 59) return std::nullopt;
    second = *s;
    if (Consume(text, pos, '.')) {
      std::size_t digits = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (digits < 3) millis = millis * 10 + (text[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0 || digits > 9) return std::nullopt;
      for (std::size_t i = digits; i < 3; ++i) millis *= 10;
    }
  }
  return ((*hour * 60LL + *minute) * 60 + second) * 1000 + millis;
}

void PutDigits(unsigned value, int count, char* at) {
  for (int i = count - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

std::optional<TimeMs> ParseIsoDate(std::string_view text) {
  std::size_t pos = 0;
  const auto year = Digits(text, pos, 4);
  if (!year || *year < 1 || !Consume(text, pos, '-')) return std::nullopt;
  const auto month = Digits(text, pos, 2);
  if (!month || !Consume(text, pos, '-')) return std::nullopt;
  const auto day = Digits(text, pos, 2);
  if (!day) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{*year}, std::chrono::month{static_cast<unsigned>(*month)},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok()) return std::nullopt;
  TimeMs when = std::chrono::sys_days(date).time_since_epoch().count() * kMsPerDay;
  if (pos < text.size()) {
    if (!Consume(text, pos, 'T')) return std::nullopt;
    const auto time_of_day = TimeOfDay(text, pos);
    if (!time_of_day) return std::nullopt;
    const auto offset_minutes = ZoneOffsetMinutes(text, pos);
    if (!offset_minutes) return std::nullopt;
    when += *time_of_day - TimeMs{*offset_minutes} * 60'000;  // local = UTC + offset
  }
  if (when < kMinIsoDate || when > kMaxIsoDate) return std::nullopt;
  return when;
}

void AppendIsoDate(TimeMs when, std::string& out) {
  when = std::clamp(when, kMinIsoDate, kMaxIsoDate);
  std::int64_t days = when / kMsPerDay;
  std::int64_t in_day = when % kMsPerDay;
  if (in_day < 0) {
    in_day += kMsPerDay;
    --days;
  }
  const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{days}}};
  const auto ms = static_cast<unsigned>(in_day);
  char text[24] = {'0', '0', '0', '0', '-', '0', '0', '-', '0', '0', 'T', '0',
                   '0', ':', '0', '0', ':', '0', '0', '.', '0', '0', '0', 'Z'};
  PutDigits(static_cast<unsigned>(static_cast<int>(date.year())), 4, text);
  PutDigits(static_cast<unsigned>(date.month()), 2, text + 5);
  PutDigits(static_cast<unsigned>(date.day()), 2, text + 8);
  PutDigits(ms / 3'600'000, 2, text + 11);
  PutDigits(ms / 60'000 % 60, 2, text + 14);
  PutDigits(ms / 1000 % 60, 2, text + 17);
  PutDigits(ms % 1000, 3, text + 20);
  out.append(text, sizeof(text));
}

std::string FormatIsoDate(TimeMs when) {
  std::string out;
  AppendIsoDate(when, out);
  return out;
}

TimeMs StartOfUtcDay(TimeMs when) {
  TimeMs days = when / kMsPerDay;
  if (when % kMsPerDay < 0) --days;
  return days * kMsPerDay;
}

}  // namespace keywarden
