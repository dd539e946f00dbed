// How a value goes into a message: escaped for HTML, cleaned for plain text and subjects.
//
// The values come from outside (a device name a client chose, an organisation's name): in HTML
// they must not become markup, and in text they must not start lines of their own that read as
// part of the message ("Your code is ...").
#ifndef KEYWARDEN_SERVER_MAIL_ESCAPE_H_
#define KEYWARDEN_SERVER_MAIL_ESCAPE_H_

#include <string>
#include <string_view>

namespace keywarden::server::mail {

// `text` with & < > " ' as character references, safe both between tags and inside a quoted
// attribute value; control characters are cleaned as by PlainValue.
std::string EscapeHtml(std::string_view text);

// `text` on one line: every control character (line breaks, tabs, escape) becomes a space, and
// bytes that are not valid UTF-8 become U+FFFD, so the value can also go into a subject.
std::string PlainValue(std::string_view text);

}  // namespace keywarden::server::mail

#endif  // KEYWARDEN_SERVER_MAIL_ESCAPE_H_
