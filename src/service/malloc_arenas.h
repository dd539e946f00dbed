// A cap on the C library's malloc arenas, for servers whose many pool threads build large answers.
//
// glibc gives threads that allocate at the same time separate arenas, up to eight per core, and
// each arena keeps freed memory at its top up to a threshold that grows with the largest block
// freed (up to 64 MiB). A server whose 32 blocking threads each render a multi-megabyte answer in
// turn (a 5,000-item sync is 8 MB) ended up holding about 18 MiB per arena, ten arenas in all.
// Threads that run at once are bounded by the cores, so arenas beyond that buy little.
#ifndef KEYWARDEN_SERVICE_MALLOC_ARENAS_H_
#define KEYWARDEN_SERVICE_MALLOC_ARENAS_H_

namespace keywarden::service {

// Lets the process create at most `arenas` malloc arenas (the main one included) from now on;
// arenas made before stay. Call it at start-up, before the threads. False where the C library
// has no such setting (not glibc) or refused it; the process then runs as before.
bool LimitMallocArenas(int arenas);

// Hands the pages of freed blocks back to the system (glibc's malloc_trim): an arena keeps what a
// burst of large answers left free inside it, fragmented, so the resident size stays at the
// burst's peak until something returns it. Takes each arena's lock briefly; for a background
// thread every few seconds, not for a request path. Does nothing where the C library cannot.
void ReturnFreeMemoryToSystem();

}  // namespace keywarden::service

#endif  // KEYWARDEN_SERVICE_MALLOC_ARENAS_H_
