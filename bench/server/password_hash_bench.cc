// The server's password check at its default costs (Argon2id, 19 MiB, 2 passes, 1 lane) against
// bare libargon2 doing the same Argon2id computation, in one run, so that the ratio shows what the
// wrapper adds (parsing the PHC string, the copy it hands libargon2, the comparison). The dummy
// check for unknown accounts is measured too: it should cost what a real one does.
//
//   build/release/bench/keywarden_server_bench --benchmark_repetitions=5
#include <argon2.h>
#include <benchmark/benchmark.h>

#include <array>
#include <cstdlib>
#include <string>
#include <string_view>

#include "keywarden/crypto/encoding.h"
#include "server/identity/password_hasher.h"

namespace {

using keywarden::AsBytes;
using keywarden::server::identity::PasswordHasher;
using keywarden::server::identity::PasswordHashParams;

// What a client sends: base64 of its 32-byte master password hash.
constexpr std::string_view kClientHash = "qk8uQ6N3M1Qf6Lq2qnJ1c6zrlYOa+VJm2l8xUQ7f0zY=";

void BM_ServerVerify(benchmark::State& state) {
  const PasswordHasher hasher;
  const auto phc = hasher.Hash(AsBytes(kClientHash));
  if (!phc.ok()) std::abort();
  for (auto _ : state) {
    auto verified = hasher.Verify(*phc, AsBytes(kClientHash));
    if (!verified.ok() || !*verified) state.SkipWithError("verification failed");
    benchmark::DoNotOptimize(verified);
  }
}
BENCHMARK(BM_ServerVerify)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ServerVerifyAgainstNothing(benchmark::State& state) {
  const PasswordHasher hasher;
  for (auto _ : state) {
    auto verified = hasher.VerifyAgainstNothing(AsBytes(kClientHash));
    if (!verified.ok()) state.SkipWithError("dummy verification failed");
    benchmark::DoNotOptimize(verified);
  }
}
BENCHMARK(BM_ServerVerifyAgainstNothing)->Unit(benchmark::kMillisecond)->UseRealTime();

// The reference: one argon2id_hash_raw at the same costs, 16-byte salt, 32-byte tag.
void BM_BareArgon2idHashRaw(benchmark::State& state) {
  const PasswordHashParams params;
  const std::array<std::uint8_t, 16> salt{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  std::array<std::uint8_t, 32> tag{};
  for (auto _ : state) {
    const int rc = argon2id_hash_raw(params.iterations, params.memory_kib, params.parallelism, kClientHash.data(),
                                     kClientHash.size(), salt.data(), salt.size(), tag.data(), tag.size());
    if (rc != ARGON2_OK) state.SkipWithError("argon2id_hash_raw failed");
    benchmark::DoNotOptimize(tag.data());
  }
}
BENCHMARK(BM_BareArgon2idHashRaw)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
