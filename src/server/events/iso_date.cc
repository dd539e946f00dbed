#include "server/events/iso_date.h"

#include <cstdint>

namespace keywarden::server::events {
namespace {

// Reads exactly `digits` decimal digits at `pos`, advancing it.
std::optional<int> Digits(std::string_view text, std::size_t& pos, std::size_t digits) {
  if (text.size() - pos < digits) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += digits;
  return value;
}

bool Consume(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Days from 1970-01-01 to the civil date (proleptic Gregorian), H. Hinnant's algorithm.
std::int64_t DaysFromCivil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

}  // namespace

std::optional<TimeMs> ParseIsoDate(std::string_view text) {
  std::size_t pos = 0;
  const auto year = Digits(text, pos, 4);
  if (!year || *year < 1 || !Consume(text, pos, '-')) return std::nullopt;
  const auto month = Digits(text, pos, 2);
  if (!month || *month < 1 || *month > 12 || !Consume(text, pos, '-')) return std::nullopt;
  const auto day = Digits(text, pos, 2);
  if (!day || *day < 1 || *day > DaysInMonth(*year, *month)) return std::nullopt;
  TimeMs ms = DaysFromCivil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day)) * kMsPerDay;
  if (pos == text.size()) return ms;

  if (!Consume(text, pos, 'T') && !Consume(text, pos, ' ')) return std::nullopt;
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
      if (digits == 0) return std::nullopt;
      for (std::size_t i = digits; i < 3; ++i) millis *= 10;
    }
  }
  ms += ((*hour * 60LL + *minute) * 60 + second) * 1000 + millis;
  if (pos == text.size() || Consume(text, pos, 'Z'))
    return pos == text.size() ? std::optional<TimeMs>(ms) : std::nullopt;

  const char sign = text[pos];
  if (sign != '+' && sign != '-') return std::nullopt;
  ++pos;
  const auto offset_hours = Digits(text, pos, 2);
  if (!offset_hours || *offset_hours > 14 || !Consume(text, pos, ':')) return std::nullopt;
  const auto offset_minutes = Digits(text, pos, 2);
  if (!offset_minutes || *offset_minutes > 59 || pos != text.size()) return std::nullopt;
  const TimeMs offset = (*offset_hours * 60LL + *offset_minutes) * 60 * 1000;
  // Local time = UTC + offset, so UTC = local - offset.
  return sign == '+' ? ms - offset : ms + offset;
}

TimeMs StartOfUtcDay(TimeMs when) {
  TimeMs days = when / kMsPerDay;
  if (when % kMsPerDay < 0) --days;
  return days * kMsPerDay;
}

}  // namespace keywarden::server::events
