// Status and Result<T>: how every fallible call in libkeywarden reports failure.
//
// No exception crosses the public API for an expected failure (bad input, wrong key,
// authentication failure). A function that can fail returns Status or Result<T>;
// the message is one readable line and never contains key material.
#ifndef KEYWARDEN_STATUS_H_
#define KEYWARDEN_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace keywarden {

enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,       // malformed input: bad base64, wrong part count, wrong length
  kUnsupported,           // well-formed but not supported: EncString type 1 or 7, unknown KDF
  kAuthenticationFailed,  // MAC mismatch or failed decryption; deliberately says nothing more
  kOutOfRange,            // a KDF setting outside the accepted range
  kWrongKey,              // the key cannot be used for this (legacy key for type 2, key mismatch)
  kInternal,              // the crypto library itself failed (out of memory, RNG failure)
  kNotFound,              // a stored record does not exist
  kAlreadyExists,         // a stored record exists where a new one was to be created
  kUnavailable,           // a dependency (database, key provider, identity server) cannot be reached now
  kConflict,              // a stored record changed after it was read; reading it again and retrying may work
};

// A stable, lower-case name for the code ("invalid_argument", ...), used in CLI JSON errors.
std::string_view ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "code: message", or "ok".
  std::string ToString() const;
  // The same code with "context: " before the message ("database: connection refused"); OK stays
  // OK. The one way to say which part of a larger operation failed.
  Status WithContext(std::string_view context) const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
inline Status InvalidArgumentError(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
inline Status UnsupportedError(std::string m) { return {ErrorCode::kUnsupported, std::move(m)}; }
inline Status AuthenticationError(std::string m) { return {ErrorCode::kAuthenticationFailed, std::move(m)}; }
inline Status OutOfRangeError(std::string m) { return {ErrorCode::kOutOfRange, std::move(m)}; }
inline Status WrongKeyError(std::string m) { return {ErrorCode::kWrongKey, std::move(m)}; }
inline Status InternalError(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }
inline Status NotFoundError(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
inline Status AlreadyExistsError(std::string m) { return {ErrorCode::kAlreadyExists, std::move(m)}; }
inline Status UnavailableError(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }

// Either a value or a non-OK Status. Move-only value types (keys) are fine.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<1>, std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : state_(std::in_place_index<0>, std::move(status)) {  // NOLINT
    assert(!std::get<0>(state_).ok() && "Result needs a value or an error");
  }

  bool ok() const { return state_.index() == 1; }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<0>(state_);
  }

  T& value() & { return std::get<1>(state_); }
  const T& value() const& { return std::get<1>(state_); }
  T&& value() && { return std::get<1>(std::move(state_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> state_;
};

}  // namespace keywarden

// Early return of a failed Status from an expression that yields Status.
#define KW_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::keywarden::Status kw_status_ = (expr); \
    if (!kw_status_.ok()) return kw_status_; \
  } while (0)

#define KW_CONCAT_INNER_(a, b) a##b
#define KW_CONCAT_(a, b) KW_CONCAT_INNER_(a, b)

// `KW_ASSIGN_OR_RETURN(auto key, SymmetricKey::Generate());`
#define KW_ASSIGN_OR_RETURN(lhs, expr) KW_ASSIGN_OR_RETURN_IMPL_(KW_CONCAT_(kw_result_, __LINE__), lhs, expr)
#define KW_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

#endif  // KEYWARDEN_STATUS_H_
