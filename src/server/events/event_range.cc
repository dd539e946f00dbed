#include "server/events/event_range.h"

#include <string>
#include <utility>

#include "base/iso_date.h"
#include "server/api/field_error.h"
#include "server/identity/form.h"

namespace keywarden::server::events {
namespace {

constexpr TimeMs kMaxRange = 367 * kMsPerDay;
constexpr TimeMs kDefaultDays = 30;

// nullopt when absent or empty (the reference binds both as "no value").
Result<std::optional<TimeMs>> DateField(const Form& form, std::string_view name, std::string_view field) {
  const std::string_view text = form.Get(name);
  if (text.empty()) return std::optional<TimeMs>();
  const auto date = ParseIsoDate(text);
  if (!date) return api::FieldErrorStatus(field, "is not a valid date.");
  return std::optional<TimeMs>(*date);
}

}  // namespace

Result<EventRange> ParseEventRange(std::string_view query, TimeMs now) {
  auto form = Form::Parse(query);
  if (!form.ok()) return InvalidArgumentError(std::string(kMalformedQuery));
  KW_ASSIGN_OR_RETURN(const std::optional<TimeMs> start, DateField(*form, "start", "Start"));
  KW_ASSIGN_OR_RETURN(const std::optional<TimeMs> end, DateField(*form, "end", "End"));
  EventRange range;
  if (!start || !end) {
    const TimeMs today = StartOfUtcDay(now);
    range.end = today + kMsPerDay - 1;
    range.start = today - kDefaultDays * kMsPerDay;
  } else {
    range.start = *start;
    range.end = *end;
    if (range.start > range.end) std::swap(range.start, range.end);
  }
  if (range.end - range.start > kMaxRange) return InvalidArgumentError(std::string(kRangeTooLarge));
  const std::string_view token = form->Get("continuationToken");
  if (!token.empty()) {
    KW_ASSIGN_OR_RETURN(range.after, ParseContinuationToken(token));
  }
  return range;
}

}  // namespace keywarden::server::events
