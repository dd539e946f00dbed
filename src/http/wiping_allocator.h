// WipingAllocator: std::allocator that zeroes memory before giving it back.
//
// The HTTP layer's buffers hold bearer tokens and keys in transit (request bytes, header
// fields, bodies); Beast and the standard containers free them without clearing. Used for the
// connection's read buffer and the parser's header fields, so such bytes do not outlive their use.
#ifndef KEYWARDEN_HTTP_WIPING_ALLOCATOR_H_
#define KEYWARDEN_HTTP_WIPING_ALLOCATOR_H_

#include <openssl/crypto.h>

#include <cstddef>
#include <memory>

namespace keywarden::http {

template <typename T>
struct WipingAllocator {
  using value_type = T;

  WipingAllocator() noexcept = default;
  template <typename U>
  WipingAllocator(const WipingAllocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor): rebinding

  T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept {
    OPENSSL_cleanse(p, n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
  }

  template <typename U>
  bool operator==(const WipingAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace keywarden::http

#endif  // KEYWARDEN_HTTP_WIPING_ALLOCATOR_H_
