# Tests cmake/CheckIncludes.cmake on a copy of src/: the tree as it is passes; each deliberate
# wrong include (a lower module including a higher one, a module including another's internal
# header, a header named without its module folder) fails with a message naming the file.
# Run as: cmake -DSOURCE_DIR=<src> -DRULES=<rules> -DCHECKER=<CheckIncludes.cmake> -DWORK_DIR=<dir> -P ...

cmake_minimum_required(VERSION 3.25)

function(run_checker tree out_result out_output)
  execute_process(COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${tree} -DRULES=${RULES} -P ${CHECKER}
                  RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output TIMEOUT 120)
  set(${out_result} ${result} PARENT_SCOPE)
  set(${out_output} "${output}" PARENT_SCOPE)
endfunction()

# The tree as it is.
run_checker(${SOURCE_DIR} result output)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "the source tree breaks its own include rules:\n${output}")
endif()

# name | file to add | its include | what the message must say
set(cases
  "sql includes connector|sql/wrong_layer.cc|connector/store/key_store.h|module sql does not depend on connector"
  "jose includes http|jose/wrong_layer.h|http/router.h|module jose does not depend on http"
  "keys includes an internal header of crypto|keys/wrong_internal.cc|crypto/internal/pbkdf2.h|internal to module crypto"
  "a header named without its folder|auth/wrong_name.cc|token_verifier.h|name a header by its module folder")

foreach(case IN LISTS cases)
  string(REPLACE "|" ";" fields "${case}")
  list(GET fields 0 name)
  list(GET fields 1 file)
  list(GET fields 2 include)
  list(GET fields 3 expected)
  set(tree ${WORK_DIR}/src)
  file(REMOVE_RECURSE ${WORK_DIR})
  file(COPY ${SOURCE_DIR}/ DESTINATION ${tree})
  file(WRITE ${tree}/${file} "#include \"${include}\"\n")
  run_checker(${tree} result output)
  if(result EQUAL 0)
    message(FATAL_ERROR "${name}: the check passed a wrong include (${file} -> ${include})")
  endif()
  string(FIND "${output}" "${expected}" at)
  string(FIND "${output}" "src/${file}" named)
  if(at EQUAL -1 OR named EQUAL -1)
    message(FATAL_ERROR "${name}: the check failed without naming src/${file} and '${expected}':\n${output}")
  endif()
  message(STATUS "${name}: refused as expected")
endforeach()
file(REMOVE_RECURSE ${WORK_DIR})
message(STATUS "include rules: 1 clean tree passed, 4 wrong includes refused")
