// SecureBuffer: the one container for secret bytes.
//
// Memory comes from OpenSSL's secure heap (mlock'ed, guard pages) when the OS allows it,
// and from the ordinary heap otherwise. It is wiped with OPENSSL_cleanse when freed.
// Not implicitly copyable: a copy of a secret must be asked for by name (Clone()).
#ifndef KEYWARDEN_CRYPTO_SECURE_BUFFER_H_
#define KEYWARDEN_CRYPTO_SECURE_BUFFER_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace keywarden {

class SecureBuffer {
 public:
  SecureBuffer() = default;
  // `size` zero bytes.
  explicit SecureBuffer(std::size_t size);
  // A copy of `bytes` (the caller remains responsible for wiping its own copy).
  static SecureBuffer CopyOf(std::span<const std::uint8_t> bytes);
  static SecureBuffer CopyOf(std::string_view bytes);

  SecureBuffer(SecureBuffer&& other) noexcept;
  SecureBuffer& operator=(SecureBuffer&& other) noexcept;
  SecureBuffer(const SecureBuffer&) = delete;
  SecureBuffer& operator=(const SecureBuffer&) = delete;
  ~SecureBuffer();

  SecureBuffer Clone() const { return CopyOf(span()); }

  std::uint8_t* data() { return data_; }
  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::span<std::uint8_t> span() { return {data_, size_}; }
  std::span<const std::uint8_t> span() const { return {data_, size_}; }
  std::string_view view() const { return {reinterpret_cast<const char*>(data_), size_}; }

  // Shrinks the logical size (bytes past it are wiped). Used after a decrypt whose
  // padding removal shortens the output.
  void Truncate(std::size_t new_size);

  // Wipes and frees now.
  void Clear();

  // Number of SecureBuffers holding memory right now, process-wide (tests use it to check that
  // dropping an object released, and so wiped, every secret it held).
  static std::size_t LiveCount();

  // Constant-time equality of contents (lengths are not secret).
  bool Equals(std::span<const std::uint8_t> other) const;

 private:
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

// Constant-time comparison of two byte strings of equal length; false if lengths differ.
bool ConstantTimeEquals(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

}  // namespace keywarden

#endif  // KEYWARDEN_CRYPTO_SECURE_BUFFER_H_
