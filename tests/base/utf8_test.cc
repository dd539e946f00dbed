// UTF-8 well-formedness: RFC 3629's boundaries on either side, and what is not UTF-8.
#include "base/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace keywarden {
namespace {

TEST(Utf8Test, AcceptsWellFormedTextUpToTheLastCodePoint) {
  for (const std::string& text : {
           std::string(""),
           std::string("plain ASCII"),
           std::string("a\0b", 3),           // NUL is well-formed; storing it is the caller's question
           std::string("\xc2\x80"),          // U+0080, the first two-byte form
           std::string("\xdf\xbf"),          // U+07FF
           std::string("\xe0\xa0\x80"),      // U+0800, the first three-byte form
           std::string("\xed\x9f\xbf"),      // U+D7FF, just below the surrogates
           std::string("\xee\x80\x80"),      // U+E000, just above them
           std::string("\xef\xbf\xbf"),      // U+FFFF
           std::string("\xf0\x90\x80\x80"),  // U+10000, the first four-byte form
           std::string("\xf4\x8f\xbf\xbf"),  // U+10FFFF, the last code point
           std::string("Gr\xc3\xbc\xc3\x9f"
                       "e \xe2\x82\xac \xf0\x9f\x94\x91"),
       }) {
    EXPECT_TRUE(IsValidUtf8(text)) << ::testing::PrintToString(text);
  }
}

TEST(Utf8Test, RefusesWhatIsNotUtf8) {
  for (const std::string& text : {
           std::string("\x80"),                  // a lone continuation byte
           std::string("\xff"),                  // never in UTF-8
           std::string("\xc0\xaf"),              // an overlong '/'
           std::string("\xc1\xbf"),              // overlong
           std::string("\xe0\x9f\xbf"),          // overlong U+07FF
           std::string("\xf0\x8f\xbf\xbf"),      // overlong U+FFFF
           std::string("\xed\xa0\x80"),          // U+D800, a surrogate
           std::string("\xed\xbf\xbf"),          // U+DFFF
           std::string("\xf4\x90\x80\x80"),      // U+110000, past the last code point
           std::string("\xf5\x80\x80\x80"),      // a lead byte past F4
           std::string("\xc3"),                  // truncated at the end
           std::string("\xe2\x82"),              // truncated
           std::string("\xe2\x28\xa1"),          // a second byte that is not a continuation
           std::string("ok then \xf0\x9f\x94"),  // truncated after valid text
       }) {
    EXPECT_FALSE(IsValidUtf8(text)) << ::testing::PrintToString(text);
  }
}

}  // namespace
}  // namespace keywarden
