#include "server/vault/internal/iso_date.h"

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace keywarden::server::vault::internal {
namespace {

constexpr std::int64_t kMsPerDay = 86'400'000;

// `count` decimal digits of `text` at `pos` as a number, or -1.
int Digits(std::string_view text, std::size_t pos, std::size_t count) {
  if (pos + count > text.size()) return -1;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool CharAt(std::string_view text, std::size_t pos, char expected) {
  return pos < text.size() && text[pos] == expected;
}

// The zone suffix at `pos` as minutes east of UTC, or nullopt when it is not one.
std::optional<int> ZoneOffsetMinutes(std::string_view text, std::size_t pos) {
  const std::string_view zone = text.substr(pos);
  if (zone.empty() || zone == "Z" || zone == "z") return 0;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') return std::nullopt;
  const int hours = Digits(zone, 1, 2);
  const int minutes = Digits(zone, 4, 2);
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return std::nullopt;
  const int offset = hours * 60 + minutes;
  return zone[0] == '-' ? -offset : offset;
}

void PutDigits(unsigned value, int count, char* at) {
  for (int i = count - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

std::optional<TimeMs> ParseIsoDate(std::string_view text) {
  const int year = Digits(text, 0, 4);
  const int month = Digits(text, 5, 2);
  const int day = Digits(text, 8, 2);
  const int hour = Digits(text, 11, 2);
  const int minute = Digits(text, 14, 2);
  const int second = Digits(text, 17, 2);
  if (!CharAt(text, 4, '-') || !CharAt(text, 7, '-') || !CharAt(text, 10, 'T') || !CharAt(text, 13, ':') ||
      !CharAt(text, 16, ':')) {
    return std::nullopt;
  }
  if (year < 1 || month < 1 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 ||
      second > 59) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;

  std::size_t pos = 19;
  int millis = 0;
  if (CharAt(text, pos, '.')) {
    ++pos;
    const std::size_t first_digit = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (pos - first_digit < 3) millis = millis * 10 + (text[pos] - '0');
      ++pos;
    }
    const std::size_t fraction_digits = pos - first_digit;
    if (fraction_digits == 0 || fraction_digits > 9) return std::nullopt;
    for (std::size_t i = fraction_digits; i < 3; ++i) millis *= 10;
  }
  const std::optional<int> offset_minutes = ZoneOffsetMinutes(text, pos);
  if (!offset_minutes) return std::nullopt;

  const std::int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  const TimeMs when = days * kMsPerDay + ((hour * 60LL + minute) * 60 + second) * 1000 + millis -
                      std::int64_t{*offset_minutes} * 60'000;
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

}  // namespace keywarden::server::vault::internal
