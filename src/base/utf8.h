// UTF-8 well-formedness, for text that arrives as bytes (percent-decoded form fields, file
// names) and must be stored or printed as text: PostgreSQL refuses ill-formed UTF-8 in a text
// value, and JSON output cannot carry it.
#ifndef KEYWARDEN_BASE_UTF8_H_
#define KEYWARDEN_BASE_UTF8_H_

#include <string_view>

namespace keywarden {

// True when `text` is well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates (U+D800 to
// U+DFFF), nothing above U+10FFFF, no truncated sequence. NUL bytes are well-formed; callers
// that store text in a database refuse them separately (no database text type holds U+0000).
bool IsValidUtf8(std::string_view text);

}  // namespace keywarden

#endif  // KEYWARDEN_BASE_UTF8_H_
