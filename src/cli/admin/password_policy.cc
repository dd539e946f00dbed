#include "cli/admin/password_policy.h"

#include <unicode/ucasemap.h>
#include <unicode/utf8.h>
#include <zxcvbn.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <set>

#include "http/json.h"
#include "keywarden/crypto/kdf.h"
#include "keywarden/crypto/secure_buffer.h"

namespace keywarden::cli::admin {
namespace {

// The clients score at most this many characters (MAX_PASSWORD_STRENGTH_LENGTH): zxcvbn's work
// grows with the square of the length, and a prefix this long already reaches the top score.
constexpr std::size_t kMaxScoredUnits = 256;

// Words every Bitwarden client adds to zxcvbn's user inputs.
constexpr std::string_view kGlobalUserInputs[] = {"bitwarden", "bit", "warden"};

// Walks `text` as UTF-8, counting UTF-16 code units as JavaScript's `length` does (a byte that
// is not UTF-8 counts as one); stops before the code point that would pass `max_units`. Returns
// {bytes walked, units counted}.
std::pair<std::size_t, std::size_t> Utf16Prefix(std::string_view text, std::size_t max_units) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto length = static_cast<std::int32_t>(std::min<std::size_t>(text.size(), INT32_MAX));
  std::int32_t offset = 0;
  std::size_t units = 0;
  while (offset < length) {
    const std::int32_t start = offset;
    UChar32 c = 0;
    U8_NEXT(bytes, offset, length, c);
    const std::size_t width = c > 0xFFFF ? 2 : 1;
    if (units + width > max_units) return {static_cast<std::size_t>(start), units};
    units += width;
  }
  return {static_cast<std::size_t>(offset), units};
}

std::size_t Utf16Length(std::string_view text) { return Utf16Prefix(text, SIZE_MAX).second; }

// `text` lower- or upper-cased with full Unicode mappings in the root locale, as
// toLocaleLowerCase and toLocaleUpperCase do; nullopt if ICU cannot map it.
std::optional<SecureBuffer> CaseMapped(std::string_view text, bool lower) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UCaseMap, decltype(&ucasemap_close)> map(ucasemap_open("", 0, &status), &ucasemap_close);
  if (U_FAILURE(status)) return std::nullopt;
  const auto mapper = lower ? &ucasemap_utf8ToLower : &ucasemap_utf8ToUpper;
  const auto source_length = static_cast<std::int32_t>(text.size());
  // A case mapping grows a string at most threefold.
  SecureBuffer out(text.size() * 3 + 4);
  status = U_ZERO_ERROR;
  const std::int32_t written = mapper(map.get(), reinterpret_cast<char*>(out.data()),
                                      static_cast<std::int32_t>(out.size()), text.data(), source_length, &status);
  if (U_FAILURE(status) || written < 0) return std::nullopt;
  out.Truncate(static_cast<std::size_t>(written));
  return out;
}

bool ChangesWhenMapped(std::string_view text, bool lower) {
  const std::optional<SecureBuffer> mapped = CaseMapped(text, lower);
  if (!mapped) {
    // Only ASCII letters can be judged without ICU.
    return std::any_of(text.begin(), text.end(),
                       [lower](char c) { return lower ? (c >= 'A' && c <= 'Z') : (c >= 'a' && c <= 'z'); });
  }
  return mapped->view() != text;
}

bool ContainsAnyOf(std::string_view text, std::string_view characters) {
  return text.find_first_of(characters) != std::string_view::npos;
}

// The e-mail's local part, trimmed and lower-cased, split at every character that is not an
// ASCII letter or digit (the clients' emailToUserInputs); empty words dropped.
std::vector<std::string> EmailWords(std::string_view email) {
  const std::size_t at = email.find('@');
  if (at == std::string_view::npos) return {};
  const std::string local = NormalizeEmail(email.substr(0, at));
  std::vector<std::string> words;
  std::string word;
  for (char c : local) {
    const bool alphanumeric = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alphanumeric) {
      word.push_back(c);
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

// zxcvbn's score from its estimate of guesses (10^3, 10^6, 10^8, 10^10 plus a margin of 5, as in
// zxcvbn's guesses_to_score); zxcvbn-c reports the estimate as bits of entropy.
int ScoreFromEntropy(double bits) {
  constexpr double kDelta = 5;
  const double guesses = std::pow(2.0, bits);
  if (guesses < 1e3 + kDelta) return 0;
  if (guesses < 1e6 + kDelta) return 1;
  if (guesses < 1e8 + kDelta) return 2;
  if (guesses < 1e10 + kDelta) return 3;
  return 4;
}

bool BoolField(const nlohmann::json& data, std::string_view name) {
  const nlohmann::json* field = http::FindField(data, name);
  return field != nullptr && field->is_boolean() && field->get<bool>();
}

int IntFieldOr(const nlohmann::json& data, std::string_view name, int fallback) {
  const nlohmann::json* field = http::FindField(data, name);
  if (field == nullptr || !field->is_number_integer()) return fallback;
  const long long value = field->get<long long>();
  return value < 0 ? 0 : static_cast<int>(std::min<long long>(value, INT32_MAX));
}

}  // namespace

void MergeMasterPasswordPolicy(const nlohmann::json& data, MasterPasswordPolicy& policy) {
  if (!data.is_object()) return;
  policy.min_complexity = std::max(policy.min_complexity, IntFieldOr(data, "minComplexity", 0));
  policy.min_length = std::max(policy.min_length, IntFieldOr(data, "minLength", 0));
  policy.require_upper = policy.require_upper || BoolField(data, "requireUpper");
  policy.require_lower = policy.require_lower || BoolField(data, "requireLower");
  policy.require_numbers = policy.require_numbers || BoolField(data, "requireNumbers");
  policy.require_special = policy.require_special || BoolField(data, "requireSpecial");
}

std::optional<MasterPasswordPolicy> CombineMasterPasswordPolicies(const nlohmann::json& policies) {
  if (!policies.is_array()) return std::nullopt;
  std::optional<MasterPasswordPolicy> combined;
  for (const nlohmann::json& policy : policies) {
    const nlohmann::json* type = http::FindField(policy, "type");
    const nlohmann::json* data = http::FindField(policy, "data");
    if (type == nullptr || !type->is_number_integer() || type->get<int>() != 1) continue;
    if (!BoolField(policy, "enabled") || data == nullptr || !data->is_object()) continue;
    if (!combined) combined.emplace();
    MergeMasterPasswordPolicy(*data, *combined);
  }
  return combined;
}

int PasswordStrengthScore(std::string_view password, std::string_view email) {
  if (password.empty()) return 0;
  std::set<std::string> inputs(std::begin(kGlobalUserInputs), std::end(kGlobalUserInputs));
  for (std::string& word : EmailWords(email)) inputs.insert(std::move(word));
  std::vector<const char*> dictionary;
  dictionary.reserve(inputs.size() + 1);
  for (const std::string& input : inputs) dictionary.push_back(input.c_str());
  dictionary.push_back(nullptr);

  // zxcvbn-c reads a C string: the scored prefix, NUL-terminated, in secure memory.
  const std::size_t scored = Utf16Prefix(password, kMaxScoredUnits).first;
  SecureBuffer text(scored + 1);
  std::copy_n(password.data(), scored, reinterpret_cast<char*>(text.data()));
  const double bits = ZxcvbnMatch(reinterpret_cast<const char*>(text.data()), dictionary.data(), nullptr);
  return ScoreFromEntropy(bits);
}

std::vector<std::string> UnmetRequirements(std::string_view password, std::string_view email,
                                           const std::optional<MasterPasswordPolicy>& policy) {
  std::vector<std::string> unmet;
  const std::size_t length = Utf16Length(password);
  const int min_length = std::max(kClientMinimumPasswordLength, policy ? policy->min_length : 0);
  if (policy && policy->min_complexity > 0) {
    const int score = PasswordStrengthScore(password, email);
    if (score < policy->min_complexity) {
      unmet.push_back("strength " + std::to_string(policy->min_complexity) + " of 4 (it scores " +
                      std::to_string(score) + ")");
    }
  }
  if (length < static_cast<std::size_t>(min_length)) {
    unmet.push_back("at least " + std::to_string(min_length) + " characters");
  }
  if (!policy) return unmet;
  if (policy->require_upper && !ChangesWhenMapped(password, /*lower=*/true)) unmet.push_back("an upper-case letter");
  if (policy->require_lower && !ChangesWhenMapped(password, /*lower=*/false)) unmet.push_back("a lower-case letter");
  if (policy->require_numbers && !ContainsAnyOf(password, "0123456789")) unmet.push_back("a digit");
  if (policy->require_special && !ContainsAnyOf(password, "!@#$%^&*")) {
    unmet.push_back("one of the special characters !@#$%^&*");
  }
  return unmet;
}

Status CheckNewMasterPassword(std::string_view password, std::string_view email,
                              const std::optional<MasterPasswordPolicy>& policy) {
  const std::vector<std::string> unmet = UnmetRequirements(password, email, policy);
  if (unmet.empty()) return OkStatus();
  std::string message = policy ? "the new password does not meet the master password requirements policy: it needs "
                               : "the new password is too short: it needs ";
  for (std::size_t i = 0; i < unmet.size(); ++i) {
    if (i > 0) message += i + 1 == unmet.size() ? " and " : ", ";
    message += unmet[i];
  }
  return InvalidArgumentError(message + " (nothing was sent)");
}

}  // namespace keywarden::cli::admin
