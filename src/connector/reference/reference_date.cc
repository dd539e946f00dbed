#include "connector/reference/reference_date.h"

#include <cstdint>
#include <optional>

namespace keywarden::connector {
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

bool Expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Days from 1970-01-01 to the given civil date (proleptic Gregorian; H. Hinnant's algorithm).
std::int64_t DaysFromCivil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

}  // namespace

Result<TimeMs> ParseReferenceDate(std::string_view text) {
  const Status bad = InvalidArgumentError("not a date and time (expected YYYY-MM-DD hh:mm:ss[.fffffff][Z])");
  std::size_t pos = 0;
  const auto year = Digits(text, pos, 4);
  if (!year || !Expect(text, pos, '-')) return bad;
  const auto month = Digits(text, pos, 2);
  if (!month || !Expect(text, pos, '-')) return bad;
  const auto day = Digits(text, pos, 2);
  if (!day || pos >= text.size() || (text[pos] != 'T' && text[pos] != ' ')) return bad;
  ++pos;
  const auto hour = Digits(text, pos, 2);
  if (!hour || !Expect(text, pos, ':')) return bad;
  const auto minute = Digits(text, pos, 2);
  if (!minute || !Expect(text, pos, ':')) return bad;
  const auto second = Digits(text, pos, 2);
  if (!second) return bad;
  if (*year < 1 || *month < 1 || *month > 12 || *day < 1 || *day > DaysInMonth(*year, *month) || *hour > 23 ||
      *minute > 59 || *second > 59) {
    return bad;
  }

  int millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t count = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (count < 3) millis = millis * 10 + (text[pos] - '0');
      ++count;
      ++pos;
    }
    if (count == 0) return bad;
    for (std::size_t i = count; i < 3; ++i) millis *= 10;
  }

  std::int64_t offset_minutes = 0;
  if (pos < text.size() && text[pos] == 'Z') {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    const auto offset_hours = Digits(text, pos, 2);
    if (!offset_hours || !Expect(text, pos, ':')) return bad;
    const auto offset_mins = Digits(text, pos, 2);
    if (!offset_mins || *offset_hours > 14 || *offset_mins > 59) return bad;
    offset_minutes = sign * (*offset_hours * 60 + *offset_mins);
  }
  if (pos != text.size()) return bad;

  const std::int64_t days = DaysFromCivil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
  const std::int64_t seconds = days * 86400 + *hour * 3600 + *minute * 60 + *second - offset_minutes * 60;
  return seconds * 1000 + millis;
}

}  // namespace keywarden::connector
