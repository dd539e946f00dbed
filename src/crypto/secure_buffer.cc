#include "keywarden/crypto/secure_buffer.h"

#include <openssl/crypto.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <new>

namespace keywarden {
namespace {

// One mlock'ed arena for all secrets. 1 MiB holds thousands of keys; when it is full, or the
// OS refuses to lock memory (RLIMIT_MEMLOCK), allocations fall back to the ordinary heap and
// are still wiped on free.
constexpr std::size_t kSecureHeapSize = 1 << 20;
constexpr std::size_t kSecureHeapMinBlock = 32;

std::atomic<std::size_t> g_live_buffers{0};

// Under AddressSanitizer the arena would hide overflows from it, so secrets use the
// ordinary (instrumented) heap there.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kUseSecureHeap = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kUseSecureHeap = false;
#else
constexpr bool kUseSecureHeap = true;
#endif
#else
constexpr bool kUseSecureHeap = true;
#endif

void InitSecureHeapOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (kUseSecureHeap && CRYPTO_secure_malloc_initialized() == 0) {
      (void)CRYPTO_secure_malloc_init(kSecureHeapSize, kSecureHeapMinBlock);
    }
  });
}

std::uint8_t* Allocate(std::size_t size) {
  InitSecureHeapOnce();
  void* p = OPENSSL_secure_zalloc(size);
  if (p == nullptr) p = OPENSSL_zalloc(size);  // arena full: still wiped on free
  if (p == nullptr) throw std::bad_alloc();
  g_live_buffers.fetch_add(1, std::memory_order_relaxed);
  return static_cast<std::uint8_t*>(p);
}

void Free(std::uint8_t* p, std::size_t capacity) {
  if (p == nullptr) return;
  // Wipes first, whichever heap the block came from.
  OPENSSL_secure_clear_free(p, capacity);
  g_live_buffers.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace

SecureBuffer::SecureBuffer(std::size_t size) {
  if (size == 0) return;
  data_ = Allocate(size);
  size_ = capacity_ = size;
}

SecureBuffer SecureBuffer::CopyOf(std::span<const std::uint8_t> bytes) {
  SecureBuffer out(bytes.size());
  if (!bytes.empty()) std::memcpy(out.data_, bytes.data(), bytes.size());
  return out;
}

SecureBuffer SecureBuffer::CopyOf(std::string_view bytes) {
  return CopyOf(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

SecureBuffer::SecureBuffer(SecureBuffer&& other) noexcept
    : data_(other.data_), size_(other.size_), capacity_(other.capacity_) {
  other.data_ = nullptr;
  other.size_ = other.capacity_ = 0;
}

SecureBuffer& SecureBuffer::operator=(SecureBuffer&& other) noexcept {
  if (this != &other) {
    Clear();
    data_ = other.data_;
    size_ = other.size_;
    capacity_ = other.capacity_;
    other.data_ = nullptr;
    other.size_ = other.capacity_ = 0;
  }
  return *this;
}

SecureBuffer::~SecureBuffer() { Clear(); }

void SecureBuffer::Truncate(std::size_t new_size) {
  if (new_size >= size_) return;
  OPENSSL_cleanse(data_ + new_size, size_ - new_size);
  size_ = new_size;
}

void SecureBuffer::Clear() {
  Free(data_, capacity_);
  data_ = nullptr;
  size_ = capacity_ = 0;
}

std::size_t SecureBuffer::LiveCount() { return g_live_buffers.load(std::memory_order_relaxed); }

bool SecureBuffer::Equals(std::span<const std::uint8_t> other) const { return ConstantTimeEquals(span(), other); }

bool ConstantTimeEquals(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace keywarden
