#include "service/malloc_arenas.h"

#include <cstdlib>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace keywarden::service {

bool LimitMallocArenas(int arenas) {
  if (arenas < 1) return false;
#if defined(__GLIBC__)
  return ::mallopt(M_ARENA_MAX, arenas) == 1;
#else
  return false;
#endif
}

void ReturnFreeMemoryToSystem() {
#if defined(__GLIBC__)
  (void)::malloc_trim(0);
#endif
}

}  // namespace keywarden::service
