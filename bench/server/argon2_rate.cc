// The reference for the server's login rate (bench/server/run.sh): bare libargon2 computing
// Argon2id at the server's parameters on as many threads as the server lets hash at once
// ([password_hash] concurrency), for a fixed time, with nothing else: no HTTP, no database, no
// token. Each thread hashes a 32-byte secret (what the server hashes: the client's decoded
// password hash) under a 16-byte salt into a 32-byte tag, as PasswordHasher::Verify does.
//
// Each thread's Argon2 memory is mapped and touched once, on transparent huge pages as the
// server's are (server/identity/internal/argon2_memory.h), then reused by every hash (libargon2's
// allocate_cbk): the rate of the computation alone, with nothing the server pays per hash (its
// mapping of fresh memory). With libargon2's default, malloc, a second thread's hashes paid page
// faults for fresh memory in its own heap; on 4 KiB pages Argon2's scattered reads also miss the
// TLB more. Either made this reference slower than the server.
//
//   keywarden_argon2_rate THREADS SECONDS MEMORY_KIB ITERATIONS PARALLELISM
//
// Prints one line: hashes per second, hashes, seconds, CPU seconds (user + system) spent. On a
// shared machine the last says how much of the cores the threads actually got.
#include <argon2.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

// This thread's block: mapped on the first hash, kept for the others.
thread_local std::uint8_t* block = nullptr;
thread_local std::size_t block_size = 0;

int ReuseBlock(std::uint8_t** memory, std::size_t bytes) {
  if (block_size < bytes) {
    const std::size_t size = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    void* mapped = ::mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) return ARGON2_MEMORY_ALLOCATION_ERROR;
    auto* aligned = reinterpret_cast<std::uint8_t*>((reinterpret_cast<std::uintptr_t>(mapped) + kHugePage - 1) /
                                                    kHugePage * kHugePage);
    (void)::madvise(aligned, size, MADV_HUGEPAGE);
    std::memset(aligned, 1, size);  // every page touched now, not during the timed hashes
    block = aligned;
    block_size = size;
  }
  *memory = block;
  return ARGON2_OK;
}

void KeepBlock(std::uint8_t*, std::size_t) {}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: keywarden_argon2_rate THREADS SECONDS MEMORY_KIB ITERATIONS PARALLELISM\n");
    return 2;
  }
  const unsigned threads = static_cast<unsigned>(std::strtoul(argv[1], nullptr, 10));
  const double seconds = std::strtod(argv[2], nullptr);
  const auto memory_kib = static_cast<std::uint32_t>(std::strtoul(argv[3], nullptr, 10));
  const auto iterations = static_cast<std::uint32_t>(std::strtoul(argv[4], nullptr, 10));
  const auto parallelism = static_cast<std::uint32_t>(std::strtoul(argv[5], nullptr, 10));
  if (threads == 0 || seconds <= 0) {
    std::fprintf(stderr, "keywarden_argon2_rate: THREADS and SECONDS must be positive\n");
    return 2;
  }

  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const Clock::time_point end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::atomic<std::uint64_t> hashes{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::array<std::uint8_t, 32> secret{};
      std::array<std::uint8_t, 16> salt{};
      std::array<std::uint8_t, 32> tag{};
      secret[0] = static_cast<std::uint8_t>(t);
      for (std::uint64_t i = 0; Clock::now() < end; ++i) {
        salt[0] = static_cast<std::uint8_t>(i);
        argon2_context context{};
        context.out = tag.data();
        context.outlen = tag.size();
        context.pwd = secret.data();
        context.pwdlen = secret.size();
        context.salt = salt.data();
        context.saltlen = salt.size();
        context.t_cost = iterations;
        context.m_cost = memory_kib;
        context.lanes = parallelism;
        context.threads = parallelism;
        context.version = ARGON2_VERSION_13;
        context.allocate_cbk = ReuseBlock;
        context.free_cbk = KeepBlock;
        if (argon2_ctx(&context, Argon2_id) != ARGON2_OK) {
          failed = true;
          return;
        }
        hashes.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& worker : workers) worker.join();
  if (failed) {
    std::fprintf(stderr, "keywarden_argon2_rate: argon2id_hash_raw failed\n");
    return 1;
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                     static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  std::printf("%.2f %llu %.3f %.3f\n", static_cast<double>(hashes.load()) / elapsed,
              static_cast<unsigned long long>(hashes.load()), elapsed, cpu);
  return 0;
}
