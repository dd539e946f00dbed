#include "server/identity/internal/argon2_memory.h"

#include <argon2.h>
#include <sys/mman.h>
#include <unistd.h>

namespace keywarden::server::identity::internal {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

std::size_t PageSize() {
  static const std::size_t size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

std::size_t RoundUp(std::size_t value, std::size_t unit) { return (value + unit - 1) / unit * unit; }

// What is mapped for `bytes`: whole pages.
std::size_t MappedSize(std::size_t bytes) { return RoundUp(bytes, PageSize()); }

// The block a thread keeps between computations; unmapped when the thread ends.
struct KeptBlock {
  bool keep = false;  // KeepArgon2MemoryOnThisThread was called
  std::uint8_t* block = nullptr;
  std::size_t size = 0;  // mapped bytes
  bool in_use = false;
  ~KeptBlock() {
    if (block != nullptr) ::munmap(block, size);
  }
};

KeptBlock& ThisThreadsBlock() {
  thread_local KeptBlock kept;
  return kept;
}

}  // namespace

int AllocateArgon2Memory(std::uint8_t** memory, std::size_t bytes) {
  if (memory == nullptr || bytes == 0) return ARGON2_MEMORY_ALLOCATION_ERROR;
  const std::size_t size = MappedSize(bytes);
  KeptBlock& kept = ThisThreadsBlock();
  if (kept.block != nullptr && !kept.in_use && kept.size >= size) {
    kept.in_use = true;
    *memory = kept.block;
    return ARGON2_OK;
  }
  // Map a huge page more than needed, then give back the ends, so the block starts on a huge-page
  // boundary (where the kernel can back it with huge pages).
  const std::size_t reserved = size + kHugePage;
  void* base = ::mmap(nullptr, reserved, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return ARGON2_MEMORY_ALLOCATION_ERROR;
  const auto start = reinterpret_cast<std::uintptr_t>(base);
  const std::uintptr_t aligned = RoundUp(start, kHugePage);
  if (aligned > start) ::munmap(base, aligned - start);
  const std::uintptr_t end = start + reserved;
  if (end > aligned + size) ::munmap(reinterpret_cast<void*>(aligned + size), end - (aligned + size));
  // Advice only: without transparent huge pages the block still works, on small pages.
  (void)::madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);
  *memory = reinterpret_cast<std::uint8_t*>(aligned);
  return ARGON2_OK;
}

void FreeArgon2Memory(std::uint8_t* memory, std::size_t bytes) {
  if (memory == nullptr || bytes == 0) return;
  KeptBlock& kept = ThisThreadsBlock();
  if (memory == kept.block) {
    kept.in_use = false;
    return;
  }
  if (kept.keep && !kept.in_use && MappedSize(bytes) > kept.size) {
    // Keep this one instead (the first, or a larger one after the costs went up).
    ReleaseArgon2MemoryOfThisThread();
    kept.block = memory;
    kept.size = MappedSize(bytes);
    return;
  }
  ::munmap(memory, MappedSize(bytes));
}

void KeepArgon2MemoryOnThisThread() { ThisThreadsBlock().keep = true; }

void ReleaseArgon2MemoryOfThisThread() {
  KeptBlock& kept = ThisThreadsBlock();
  if (kept.block == nullptr || kept.in_use) return;
  ::munmap(kept.block, kept.size);
  kept.block = nullptr;
  kept.size = 0;
}

std::size_t Argon2MemoryKeptOnThisThread() {
  const KeptBlock& kept = ThisThreadsBlock();
  return kept.block == nullptr ? 0 : kept.size;
}

}  // namespace keywarden::server::identity::internal
