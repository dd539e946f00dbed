# Warnings are errors, for every target of ours.
add_compile_options(-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
                    -Wunused -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough -Werror)
# GCC 12 reports false -Wrestrict errors inside std::string at -O3 (GCC bug 105329, fixed in 13);
# clang still checks the same code.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  add_compile_options(-Wno-restrict)
endif()
# clang checks lock discipline: state marked KW_GUARDED_BY (src/base/mutex.h) is touched only
# with its mutex held.
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  add_compile_options(-Wthread-safety)
endif()
