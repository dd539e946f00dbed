// Memory for libargon2's blocks (argon2_context::allocate_cbk and free_cbk): mapped for each
// computation and unmapped when it ends, on transparent huge pages where the kernel offers them.
//
// A thread may keep one block between computations (KeepArgon2MemoryOnThisThread).
//
// Why not malloc: a login's Argon2id takes memory_kib (19 MiB by default) for tens of
// milliseconds. glibc serves the first such block with mmap, then raises its mmap threshold to
// that size, so later blocks come from the heap of whichever thread hashes, and each heap keeps
// its block once freed: hundreds of megabytes stayed resident after a login flood on a 2-core
// server whose pool has 32 threads. A fresh 4 KiB-page mapping per hash returns the memory but
// made each hash about 40% slower (one page fault per 4 KiB); on 2 MiB pages it costs what
// reusing a heap block does.
#ifndef KEYWARDEN_SERVER_IDENTITY_INTERNAL_ARGON2_MEMORY_H_
#define KEYWARDEN_SERVER_IDENTITY_INTERNAL_ARGON2_MEMORY_H_

#include <cstddef>
#include <cstdint>

namespace keywarden::server::identity::internal {

// libargon2's allocate_fptr: `bytes` of zeroed, writable memory aligned to 2 MiB in *memory;
// 0 on success, ARGON2_MEMORY_ALLOCATION_ERROR when the mapping fails.
int AllocateArgon2Memory(std::uint8_t** memory, std::size_t bytes);

// libargon2's deallocate_fptr: unmaps what AllocateArgon2Memory gave for the same `bytes`
// (libargon2 has already wiped it), or keeps it for this thread's next computation (below). Null
// is ignored.
void FreeArgon2Memory(std::uint8_t* memory, std::size_t bytes);

// From now on this thread keeps one freed block for its next computation, until
// ReleaseArgon2MemoryOfThisThread() or the thread ends: the kernel zeroing fresh pages for every
// hash cost about 5% of a login's CPU. For threads that do nothing but hash (HashingGate's), which
// release it when idle, so the memory is held only while logins come in.
void KeepArgon2MemoryOnThisThread();
// Unmaps the block this thread keeps, if any and not in use.
void ReleaseArgon2MemoryOfThisThread();
// The bytes this thread keeps mapped for its next computation (tests).
std::size_t Argon2MemoryKeptOnThisThread();

}  // namespace keywarden::server::identity::internal

#endif  // KEYWARDEN_SERVER_IDENTITY_INTERNAL_ARGON2_MEMORY_H_
