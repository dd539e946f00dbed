# Tests cmake/EmbedMigrations.cmake: a well-formed folder becomes a sorted array; a gap, a
# duplicate version, a badly named file or a folder starting at the wrong version fails with a
# message naming the problem.
# Run as: cmake -DGENERATOR=<EmbedMigrations.cmake> -DWORK_DIR=<dir> -P embed_migrations_test.cmake

cmake_minimum_required(VERSION 3.25)

# Writes `files` ("name=text" items) into a fresh folder and runs the generator over it.
function(run_generator files first out_result out_output)
  set(dir ${WORK_DIR}/migrations)
  file(REMOVE_RECURSE ${WORK_DIR})
  file(MAKE_DIRECTORY ${dir})
  foreach(entry IN LISTS files)
    string(REPLACE "=" ";" fields "${entry}")
    list(GET fields 0 name)
    list(GET fields 1 text)
    file(WRITE ${dir}/${name} "${text}\n")
  endforeach()
  execute_process(COMMAND ${CMAKE_COMMAND} -DDIR=${dir} -DOUTPUT=${WORK_DIR}/steps.cc -DHEADER=test/steps.h
                          -DNAMESPACE=test -DFUNCTION=Steps -DFIRST_VERSION=${first} -P ${GENERATOR}
                  RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output TIMEOUT 60)
  set(${out_result} ${result} PARENT_SCOPE)
  set(${out_output} "${output}" PARENT_SCOPE)
endfunction()

# A good folder, written out of order: the array is sorted; the opening comment lines and the
# final newline are dropped.
set(good "V002__second.sql=two" "V001__first.sql=-- why\n-- and why not\none" V010__tenth.sql=ten)
foreach(version 3 4 5 6 7 8 9)
  list(APPEND good V00${version}__step_${version}.sql=x)
endforeach()
run_generator("${good}" 1 result output)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "a well-formed folder was refused:\n${output}")
endif()
file(READ ${WORK_DIR}/steps.cc generated)
string(FIND "${generated}" "{1, \"first\", R\"kwsql(one)kwsql\"}" first_at)
string(FIND "${generated}" "{2, \"second\"" second_at)
string(FIND "${generated}" "{10, \"tenth\", R\"kwsql(ten)kwsql\"}" tenth_at)
if(first_at EQUAL -1 OR second_at LESS first_at OR tenth_at LESS second_at)
  message(FATAL_ERROR "the generated steps are wrong or out of order:\n${generated}")
endif()

# name | files (comma-separated) | first version | what the message must say
set(cases
  "a gap|V001__a.sql=x,V003__c.sql=x|1|migration version 2 is missing"
  "a duplicate|V001__a.sql=x,V001__b.sql=x|1|migration version 1 is given twice"
  "a badly named file|V001__a.sql=x,V2__b.sql=x|1|V2__b.sql is badly named"
  "an upper-case name|V001__Base.sql=x|1|V001__Base.sql is badly named"
  "a stray file|V001__a.sql=x,notes.txt=x|1|notes.txt is badly named"
  "a missing first step|V002__b.sql=x|1|migration version 1 is missing"
  "a first step before the declared first|V001__a.sql=x,V002__b.sql=x|2|migration version 2 is missing")
foreach(case IN LISTS cases)
  string(REPLACE "|" ";" fields "${case}")
  list(GET fields 0 name)
  list(GET fields 1 files)
  list(GET fields 2 first)
  list(GET fields 3 expected)
  string(REPLACE "," ";" files "${files}")
  run_generator("${files}" ${first} result output)
  if(result EQUAL 0)
    message(FATAL_ERROR "${name}: the generator accepted it")
  endif()
  string(REGEX REPLACE "[ \n]+" " " output "${output}")  # CMake wraps long messages
  string(FIND "${output}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${name}: the generator failed without saying '${expected}':\n${output}")
  endif()
  if(EXISTS ${WORK_DIR}/steps.cc)
    message(FATAL_ERROR "${name}: the generator left an output file behind")
  endif()
  message(STATUS "${name}: refused as expected")
endforeach()
file(REMOVE_RECURSE ${WORK_DIR})
message(STATUS "embed migrations: 1 good folder embedded, 7 bad ones refused")
