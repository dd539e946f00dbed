// Dates as the reference Key Connector's databases store them, read as Keywarden's TimeMs.
//
// The reference keeps .NET DateTime values, always written from DateTime.UtcNow, in each
// database's own text form:
//   JSON file (Newtonsoft)        "2021-08-20T15:59:54.1234567Z"  (fraction trimmed of zeros)
//   SQLite (EF Core, TEXT)        "2021-08-20 15:59:54.1234567"   (no zone: UTC by construction)
//   PostgreSQL / MySQL, as text   "2021-08-20 15:59:54.123456"
// so one parser takes all of them: a date, 'T' or ' ', hh:mm:ss, an optional fraction of up to
// nine digits, and an optional zone ('Z', or +hh:mm / -hh:mm, converted to UTC): base/iso_date
// once the space reads as 'T'. A value without a zone is UTC. Sub-millisecond digits are
// dropped (Keywarden stores milliseconds).
#ifndef KEYWARDEN_CONNECTOR_REFERENCE_REFERENCE_DATE_H_
#define KEYWARDEN_CONNECTOR_REFERENCE_REFERENCE_DATE_H_

#include <string_view>

#include "connector/store/key_store.h"
#include "keywarden/status.h"

namespace keywarden::connector {

// Milliseconds since the Unix epoch (negative before 1970). kInvalidArgument for anything else,
// including impossible dates (February 30th) and years outside 0001..9999.
Result<TimeMs> ParseReferenceDate(std::string_view text);

}  // namespace keywarden::connector

#endif  // KEYWARDEN_CONNECTOR_REFERENCE_REFERENCE_DATE_H_
