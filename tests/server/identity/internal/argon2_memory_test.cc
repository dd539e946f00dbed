// The Argon2 block allocator: aligned, zeroed, writable memory of the size asked for, given back
// to the system when freed.
#include "server/identity/internal/argon2_memory.h"

#include <argon2.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <vector>

namespace keywarden::server::identity::internal {
namespace {

// Whether the page at `address` is mapped: mincore fails with ENOMEM for unmapped memory.
bool Mapped(const std::uint8_t* address) {
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  void* start = reinterpret_cast<void*>(reinterpret_cast<std::uintptr_t>(address) / page * page);
  unsigned char resident = 0;
  return ::mincore(start, 1, &resident) == 0 || errno != ENOMEM;
}

TEST(Argon2MemoryTest, GivesAlignedZeroedWritableMemoryAndTakesItBack) {
  const std::size_t bytes = std::size_t{19456} * 1024 + 100;  // the default costs, and an odd tail
  std::uint8_t* memory = nullptr;
  ASSERT_EQ(AllocateArgon2Memory(&memory, bytes), ARGON2_OK);
  ASSERT_NE(memory, nullptr);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(memory) % (std::size_t{2} << 20), 0U);
  EXPECT_EQ(memory[0], 0);
  EXPECT_EQ(memory[bytes - 1], 0);
  memory[0] = 1;
  memory[bytes - 1] = 2;
  EXPECT_TRUE(Mapped(memory));
  EXPECT_TRUE(Mapped(memory + bytes - 1));

  FreeArgon2Memory(memory, bytes);
  EXPECT_FALSE(Mapped(memory));
  EXPECT_FALSE(Mapped(memory + bytes - 1));
}

TEST(Argon2MemoryTest, RefusesNothingAndIgnoresNull) {
  std::uint8_t* memory = nullptr;
  EXPECT_EQ(AllocateArgon2Memory(&memory, 0), ARGON2_MEMORY_ALLOCATION_ERROR);
  EXPECT_EQ(AllocateArgon2Memory(nullptr, 4096), ARGON2_MEMORY_ALLOCATION_ERROR);
  FreeArgon2Memory(nullptr, 4096);  // no effect, no crash
}

}  // namespace
}  // namespace keywarden::server::identity::internal
