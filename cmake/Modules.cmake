# keywarden_module(NAME [DEPS module...] [LIBS target...] [SOURCES extra...])
#
# One folder of src/ is one module and one static library, keywarden_<NAME>, built from every .cc
# below the folder. DEPS names the modules it may use; they are linked, and they are the only
# folders its sources may include (directly or through their own DEPS). A header below an
# `internal/` folder may be included only from its own module. cmake/CheckIncludes.cmake checks
# both rules on every build, so a wrong include fails the build.
function(keywarden_module name)
  cmake_parse_arguments(MODULE "" "" "DEPS;LIBS;SOURCES" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  add_library(keywarden_${name} STATIC ${sources} ${MODULE_SOURCES})
  target_include_directories(keywarden_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src)
  set(deps "")
  foreach(dep IN LISTS MODULE_DEPS)
    list(APPEND deps keywarden_${dep})
  endforeach()
  target_link_libraries(keywarden_${name} PUBLIC ${deps} ${MODULE_LIBS})
  add_dependencies(keywarden_${name} keywarden_include_rules)
  set_property(GLOBAL APPEND PROPERTY KEYWARDEN_MODULES ${name})
  set_property(GLOBAL PROPERTY KEYWARDEN_MODULE_DEPS_${name} "${MODULE_DEPS}")
endfunction()

# Writes the declared graph as "module dep dep ..." lines, for CheckIncludes.cmake.
function(keywarden_write_include_rules path)
  get_property(modules GLOBAL PROPERTY KEYWARDEN_MODULES)
  set(text "")
  foreach(module IN LISTS modules)
    get_property(deps GLOBAL PROPERTY KEYWARDEN_MODULE_DEPS_${module})
    string(REPLACE ";" " " deps "${deps}")
    string(APPEND text "${module} ${deps}\n")
  endforeach()
  file(GENERATE OUTPUT ${path} CONTENT "${text}")
endfunction()
