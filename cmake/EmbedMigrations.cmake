# Turns a folder of schema migration files into a C++ array of sql::MigrationStep, sorted by
# version, so that the binary carries its schema and never reads the source tree at run time.
# Run as: cmake -DDIR=<folder> -DOUTPUT=<.cc> -DHEADER=<include> -DNAMESPACE=<ns> -DFUNCTION=<name>
#               [-DFIRST_VERSION=<n>] -P EmbedMigrations.cmake
#
# Every file in DIR must be named V<3 digits>__<lower_snake_name>.sql; the versions must run from
# FIRST_VERSION (default 1) without a gap or a duplicate. Anything else fails the build, naming
# the file: a step that silently went missing would leave databases at different schemas.
# A file may open with comment lines ("-- why this step"), which stay in the source tree; they and
# the file's single final newline are dropped, the rest is embedded byte for byte.
cmake_minimum_required(VERSION 3.25)
foreach(var DIR OUTPUT HEADER NAMESPACE FUNCTION)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "EmbedMigrations.cmake: ${var} is not set")
  endif()
endforeach()
if(NOT DEFINED FIRST_VERSION)
  set(FIRST_VERSION 1)
endif()
if(NOT IS_DIRECTORY "${DIR}")
  message(FATAL_ERROR "migration folder ${DIR} does not exist")
endif()

file(GLOB entries LIST_DIRECTORIES true RELATIVE "${DIR}" "${DIR}/*")
set(versions "")
foreach(entry IN LISTS entries)
  if(NOT entry MATCHES "^V([0-9][0-9][0-9])__([a-z0-9_]+)\\.sql$")
    message(FATAL_ERROR "migration file ${DIR}/${entry} is badly named: expected V<3 digits>__<lower_snake_name>.sql")
  endif()
  math(EXPR version "1${CMAKE_MATCH_1} - 1000")  # the leading 1 keeps "010" from reading as octal
  if(DEFINED file_${version})
    message(FATAL_ERROR "migration version ${version} is given twice in ${DIR}: ${file_${version}} and ${entry}")
  endif()
  set(file_${version} "${entry}")
  set(name_${version} "${CMAKE_MATCH_2}")
  list(APPEND versions ${version})
endforeach()
if(NOT versions)
  message(FATAL_ERROR "migration folder ${DIR} holds no V<3 digits>__<name>.sql file")
endif()
list(SORT versions COMPARE NATURAL)

set(body "")
set(expected ${FIRST_VERSION})
foreach(version IN LISTS versions)
  if(NOT version EQUAL expected)
    message(FATAL_ERROR "migration version ${expected} is missing in ${DIR}: the steps must run from "
                        "${FIRST_VERSION} without a gap, and the next file is ${file_${version}}")
  endif()
  math(EXPR expected "${expected} + 1")
  file(READ "${DIR}/${file_${version}}" sql)
  string(REGEX REPLACE "^(--[^\n]*\n)+" "" sql "${sql}")
  string(REGEX REPLACE "\n$" "" sql "${sql}")
  if(sql MATCHES "\\)kwsql\"")
    message(FATAL_ERROR "${DIR}/${file_${version}} contains ')kwsql\"', which ends the embedded string")
  endif()
  string(APPEND body "    {${version}, \"${name_${version}}\", R\"kwsql(${sql})kwsql\"},\n")
endforeach()

file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${DIR} by cmake/EmbedMigrations.cmake. Do not edit.\n"
  "#include <span>\n\n#include \"${HEADER}\"\n#include \"sql/migrations.h\"\n\n"
  "namespace ${NAMESPACE} {\nnamespace {\nconstexpr sql::MigrationStep kSteps[] = {\n${body}};\n}  // namespace\n\n"
  "std::span<const sql::MigrationStep> ${FUNCTION}() { return kSteps; }\n\n}  // namespace ${NAMESPACE}\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
