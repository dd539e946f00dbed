// LimitMallocArenas: threads allocating at once get no arena beyond the cap; and
// ReturnFreeMemoryToSystem gives back what free() kept. Each case runs in a
// forked child (arenas last for the process), from the same starting state; without a cap the
// same threads get arenas of their own, which shows the count sees them.
#include "service/malloc_arenas.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

// Under AddressSanitizer malloc is the sanitizer's own allocator, which has neither glibc's arenas
// nor its trimming: what these tests check does not exist there.
#if defined(__SANITIZE_ADDRESS__)
#define KW_SANITIZER_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KW_SANITIZER_MALLOC 1
#endif
#endif

namespace keywarden::service {
namespace {

#if defined(__GLIBC__) && !defined(KW_SANITIZER_MALLOC)
constexpr int kThreads = 12;

// The arenas glibc has made so far, from malloc_info's XML (one <heap> element each).
int Arenas() {
  char* text = nullptr;
  std::size_t size = 0;
  FILE* out = ::open_memstream(&text, &size);
  if (out == nullptr || ::malloc_info(0, out) != 0) return -1;
  std::fclose(out);
  const std::string xml(text, size);
  std::free(text);
  int count = 0;
  for (std::size_t at = xml.find("<heap nr="); at != std::string::npos; at = xml.find("<heap nr=", at + 1)) ++count;
  return count;
}

// In a child: optionally caps the arenas at the number already made, then has kThreads threads
// allocate while all are alive. The exit status is the number of arenas made meanwhile (0..125).
int NewArenasInAChild(bool cap) {
  const pid_t child = ::fork();
  if (child == 0) {
    const int before = Arenas();
    if (before < 1) ::_exit(126);
    if (cap && !LimitMallocArenas(before)) ::_exit(127);
    std::latch all_allocated(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&] {
        std::vector<char> block(1 << 16, 'x');  // the thread's first malloc picks its arena
        all_allocated.arrive_and_wait();
      });
    }
    for (std::thread& thread : threads) thread.join();
    const int made = Arenas() - before;
    ::_exit(made < 0 ? 126 : (made > 125 ? 125 : made));
  }
  int status = 0;
  if (child < 0 || ::waitpid(child, &status, 0) != child || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

TEST(MallocArenasTest, ThreadsAllocatingAtOnceShareTheArenasUnderTheCap) {
  const int uncapped = NewArenasInAChild(false);
  ASSERT_GE(uncapped, 0);
  ASSERT_LT(uncapped, 126) << "the child could not count or cap the arenas";
  EXPECT_GT(uncapped, 0);  // glibc's own limit is eight per core, more than any test process has made
  EXPECT_EQ(NewArenasInAChild(true), 0);
}

// Resident pages of this process now (/proc/self/statm's second field).
long ResidentPages() {
  FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr) return -1;
  long total = 0;
  long resident = -1;
  if (std::fscanf(statm, "%ld %ld", &total, &resident) != 2) resident = -1;
  std::fclose(statm);
  return resident;
}

// In a child: 64 MiB in blocks small enough to stay in the heap, all freed but the last (which
// keeps the heap's top in place, as a live allocation does in a server). Exit 0 when the freed
// pages stay resident until ReturnFreeMemoryToSystem and most go back after it.
TEST(MallocArenasTest, FreedPagesInsideTheHeapGoBackToTheSystem) {
  const pid_t child = ::fork();
  if (child == 0) {
    constexpr int kBlocks = 1024;
    constexpr std::size_t kBlock = std::size_t{64} * 1024;
    ::mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);  // free() alone must not give them back
    std::vector<char*> blocks;
    for (int i = 0; i < kBlocks; ++i) {
      blocks.push_back(static_cast<char*>(std::malloc(kBlock)));
      if (blocks.back() == nullptr) ::_exit(10);
      for (std::size_t at = 0; at < kBlock; at += 4096) blocks.back()[at] = 1;
    }
    for (int i = 0; i + 1 < kBlocks; ++i) std::free(blocks[i]);
    const long page = ::sysconf(_SC_PAGESIZE);
    const long freed_pages = static_cast<long>(kBlock) * (kBlocks - 1) / page;
    const long before = ResidentPages();
    ReturnFreeMemoryToSystem();
    const long after = ResidentPages();
    std::free(blocks.back());
    if (before < 0 || after < 0) ::_exit(11);
    ::_exit(before - after > freed_pages * 3 / 4 ? 0 : 12);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10: no memory; 11: no /proc/self/statm; 12: the pages stayed resident";
}
#endif

TEST(MallocArenasTest, ACapBelowOneIsRefused) { EXPECT_FALSE(LimitMallocArenas(0)); }

}  // namespace
}  // namespace keywarden::service
