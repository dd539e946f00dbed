# Turns the diceware EFF list ("11111<TAB>abacus" per line) into a C++ array.
# Run as: cmake -DINPUT=... -DOUTPUT=... -P EmbedWordList.cmake
if(NOT EXISTS "${INPUT}")
  message(FATAL_ERROR "EFF word list not found at ${INPUT}: install Debian's diceware package (scripts/setup)")
endif()
file(STRINGS "${INPUT}" lines)
set(body "")
set(count 0)
foreach(line IN LISTS lines)
  if(line MATCHES "^[1-6][1-6][1-6][1-6][1-6][ \t]+([a-z-]+)$")
    string(APPEND body "    \"${CMAKE_MATCH_1}\",\n")
    math(EXPR count "${count} + 1")
  elseif(NOT line STREQUAL "")
    message(FATAL_ERROR "unexpected line in ${INPUT}: ${line}")
  endif()
endforeach()
if(NOT count EQUAL 7776)
  message(FATAL_ERROR "${INPUT} has ${count} words, expected 7776")
endif()
file(WRITE "${OUTPUT}.tmp" "// Generated from ${INPUT} by cmake/EmbedWordList.cmake. Do not edit.\n"
  "#include <array>\n#include <span>\n#include <string_view>\n\n"
  "namespace keywarden {\nnamespace {\nconstexpr std::array<std::string_view, 7776> kWords = {\n${body}};\n}  // namespace\n\n"
  "std::span<const std::string_view> EffLongWordList() { return kWords; }\n\n}  // namespace keywarden\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
