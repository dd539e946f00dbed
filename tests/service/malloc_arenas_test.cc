// LimitMallocArenas: threads allocating at once get no arena beyond the cap. Each case runs in a
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

namespace keywarden::service {
namespace {

#if defined(__GLIBC__)
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
#endif

TEST(MallocArenasTest, ACapBelowOneIsRefused) { EXPECT_FALSE(LimitMallocArenas(0)); }

}  // namespace
}  // namespace keywarden::service
