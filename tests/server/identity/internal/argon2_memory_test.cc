// The Argon2 block allocator: aligned, zeroed, writable memory of the size asked for, given back
// to the system when freed, or kept for the next computation on a thread that asked for that.
#include "server/identity/internal/argon2_memory.h"

#include <argon2.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <thread>
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

TEST(Argon2MemoryTest, AKeepingThreadReusesItsBlockUntilItReleasesIt) {
  // On a thread of its own, as the HashingGate's threads are.
  std::thread([] {
    const std::size_t bytes = std::size_t{8} << 20;
    KeepArgon2MemoryOnThisThread();
    std::uint8_t* first = nullptr;
    ASSERT_EQ(AllocateArgon2Memory(&first, bytes), ARGON2_OK);
    FreeArgon2Memory(first, bytes);
    EXPECT_TRUE(Mapped(first));  // kept
    EXPECT_EQ(Argon2MemoryKeptOnThisThread(), bytes);

    std::uint8_t* second = nullptr;
    ASSERT_EQ(AllocateArgon2Memory(&second, bytes), ARGON2_OK);
    EXPECT_EQ(second, first);
    // A second block while the kept one is in use is a fresh mapping, unmapped when freed.
    std::uint8_t* other = nullptr;
    ASSERT_EQ(AllocateArgon2Memory(&other, bytes), ARGON2_OK);
    EXPECT_NE(other, first);
    FreeArgon2Memory(other, bytes);
    EXPECT_FALSE(Mapped(other));
    FreeArgon2Memory(second, bytes);

    ReleaseArgon2MemoryOfThisThread();
    EXPECT_FALSE(Mapped(first));
    EXPECT_EQ(Argon2MemoryKeptOnThisThread(), 0U);
  }).join();
}

TEST(Argon2MemoryTest, OtherThreadsKeepNothing) {
  std::thread([] {
    std::uint8_t* memory = nullptr;
    ASSERT_EQ(AllocateArgon2Memory(&memory, 4096), ARGON2_OK);
    FreeArgon2Memory(memory, 4096);
    EXPECT_EQ(Argon2MemoryKeptOnThisThread(), 0U);
    EXPECT_FALSE(Mapped(memory));
  }).join();
}

}  // namespace
}  // namespace keywarden::server::identity::internal
