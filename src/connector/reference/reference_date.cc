#include "connector/reference/reference_date.h"

#include <optional>
#include <string>

#include "base/iso_date.h"

namespace keywarden::connector {

Result<TimeMs> ParseReferenceDate(std::string_view text) {
  // Always a date and a time to the second: "YYYY-MM-DD?hh:mm:ss", then what ISO 8601 allows.
  // EF Core's space between them reads as ISO's 'T'.
  const bool full = text.size() >= 19 && (text[10] == 'T' || text[10] == ' ') && text[16] == ':';
  std::string iso(text);
  if (full) iso[10] = 'T';
  const std::optional<TimeMs> parsed = full ? ParseIsoDate(iso) : std::nullopt;
  if (!parsed) return InvalidArgumentError("not a date and time (expected YYYY-MM-DD hh:mm:ss[.fffffff][Z])");
  return *parsed;
}

}  // namespace keywarden::connector
