#include "custody/pkcs11/pkcs11_module.h"

#include <dlfcn.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "base/ascii.h"
#include "base/mutex.h"

namespace keywarden::custody {
namespace {

struct NamedCode {
  CK_RV rv;
  std::string_view name;
};

// The codes an operator is likely to meet; others print as hex.
constexpr std::array kCodeNames = {
    NamedCode{CKR_OK, "CKR_OK"},
    NamedCode{CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR"},
    NamedCode{CKR_HOST_MEMORY, "CKR_HOST_MEMORY"},
    NamedCode{CKR_SLOT_ID_INVALID, "CKR_SLOT_ID_INVALID"},
    NamedCode{CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD"},
    NamedCode{CKR_ATTRIBUTE_SENSITIVE, "CKR_ATTRIBUTE_SENSITIVE"},
    NamedCode{CKR_ATTRIBUTE_TYPE_INVALID, "CKR_ATTRIBUTE_TYPE_INVALID"},
    NamedCode{CKR_ATTRIBUTE_VALUE_INVALID, "CKR_ATTRIBUTE_VALUE_INVALID"},
    NamedCode{CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR"},
    NamedCode{CKR_DEVICE_MEMORY, "CKR_DEVICE_MEMORY"},
    NamedCode{CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED"},
    NamedCode{CKR_ENCRYPTED_DATA_INVALID, "CKR_ENCRYPTED_DATA_INVALID"},
    NamedCode{CKR_ENCRYPTED_DATA_LEN_RANGE, "CKR_ENCRYPTED_DATA_LEN_RANGE"},
    NamedCode{CKR_FUNCTION_NOT_SUPPORTED, "CKR_FUNCTION_NOT_SUPPORTED"},
    NamedCode{CKR_KEY_HANDLE_INVALID, "CKR_KEY_HANDLE_INVALID"},
    NamedCode{CKR_KEY_TYPE_INCONSISTENT, "CKR_KEY_TYPE_INCONSISTENT"},
    NamedCode{CKR_KEY_FUNCTION_NOT_PERMITTED, "CKR_KEY_FUNCTION_NOT_PERMITTED"},
    NamedCode{CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID"},
    NamedCode{CKR_MECHANISM_PARAM_INVALID, "CKR_MECHANISM_PARAM_INVALID"},
    NamedCode{CKR_OBJECT_HANDLE_INVALID, "CKR_OBJECT_HANDLE_INVALID"},
    NamedCode{CKR_OPERATION_ACTIVE, "CKR_OPERATION_ACTIVE"},
    NamedCode{CKR_OPERATION_NOT_INITIALIZED, "CKR_OPERATION_NOT_INITIALIZED"},
    NamedCode{CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT"},
    NamedCode{CKR_PIN_INVALID, "CKR_PIN_INVALID"},
    NamedCode{CKR_PIN_LEN_RANGE, "CKR_PIN_LEN_RANGE"},
    NamedCode{CKR_PIN_EXPIRED, "CKR_PIN_EXPIRED"},
    NamedCode{CKR_PIN_LOCKED, "CKR_PIN_LOCKED"},
    NamedCode{CKR_SESSION_CLOSED, "CKR_SESSION_CLOSED"},
    NamedCode{CKR_SESSION_COUNT, "CKR_SESSION_COUNT"},
    NamedCode{CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID"},
    NamedCode{CKR_SESSION_READ_ONLY, "CKR_SESSION_READ_ONLY"},
    NamedCode{CKR_SESSION_READ_ONLY_EXISTS, "CKR_SESSION_READ_ONLY_EXISTS"},
    NamedCode{CKR_TEMPLATE_INCOMPLETE, "CKR_TEMPLATE_INCOMPLETE"},
    NamedCode{CKR_TEMPLATE_INCONSISTENT, "CKR_TEMPLATE_INCONSISTENT"},
    NamedCode{CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT"},
    NamedCode{CKR_TOKEN_NOT_RECOGNIZED, "CKR_TOKEN_NOT_RECOGNIZED"},
    NamedCode{CKR_TOKEN_WRITE_PROTECTED, "CKR_TOKEN_WRITE_PROTECTED"},
    NamedCode{CKR_USER_ALREADY_LOGGED_IN, "CKR_USER_ALREADY_LOGGED_IN"},
    NamedCode{CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN"},
    NamedCode{CKR_USER_PIN_NOT_INITIALIZED, "CKR_USER_PIN_NOT_INITIALIZED"},
    NamedCode{CKR_USER_TYPE_INVALID, "CKR_USER_TYPE_INVALID"},
    NamedCode{CKR_USER_ANOTHER_ALREADY_LOGGED_IN, "CKR_USER_ANOTHER_ALREADY_LOGGED_IN"},
    NamedCode{CKR_BUFFER_TOO_SMALL, "CKR_BUFFER_TOO_SMALL"},
    NamedCode{CKR_CRYPTOKI_NOT_INITIALIZED, "CKR_CRYPTOKI_NOT_INITIALIZED"},
    NamedCode{CKR_CRYPTOKI_ALREADY_INITIALIZED, "CKR_CRYPTOKI_ALREADY_INITIALIZED"},
};

// Blank-padded fixed-size text from token info, without the padding.
std::string Trimmed(const unsigned char* text, std::size_t size) {
  std::string out(reinterpret_cast<const char*>(text), size);
  const std::size_t end = out.find_last_not_of(' ');
  out.resize(end == std::string::npos ? 0 : end + 1);
  return out;
}

// Debian's multiarch directory, where the reference's module paths point.
#if defined(__x86_64__)
constexpr std::string_view kMultiarch = "x86_64-linux-gnu";
#elif defined(__aarch64__)
constexpr std::string_view kMultiarch = "aarch64-linux-gnu";
#else
constexpr std::string_view kMultiarch = "";
#endif

// Uninitialised tokens (SoftHSM's spare slot) have no identity worth matching or listing.
bool Initialised(const Pkcs11TokenInfo& token) { return (token.flags & CKF_TOKEN_INITIALIZED) != 0; }

std::string Describe(const std::vector<Pkcs11TokenInfo>& tokens) {
  std::string out;
  for (const Pkcs11TokenInfo& token : tokens) {
    if (!Initialised(token)) continue;
    out += out.empty() ? "tokens present: " : ", ";
    out += "label '" + token.label + "' serial '" + token.serial + "'";
  }
  return out.empty() ? "no initialised token is present" : out;
}

}  // namespace

std::string Pkcs11ErrorName(CK_RV rv) {
  for (const NamedCode& code : kCodeNames) {
    if (code.rv == rv) return std::string(code.name);
  }
  char hex[32];
  std::snprintf(hex, sizeof hex, "CKR 0x%lx", static_cast<unsigned long>(rv));
  return hex;
}

std::string Pkcs11IdHex(std::span<const std::uint8_t> id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : id) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

bool IsPkcs11SessionLost(CK_RV rv) {
  switch (rv) {
    case CKR_SESSION_HANDLE_INVALID:
    case CKR_SESSION_CLOSED:
    case CKR_DEVICE_REMOVED:
    case CKR_TOKEN_NOT_PRESENT:
    case CKR_TOKEN_NOT_RECOGNIZED:
    case CKR_USER_NOT_LOGGED_IN:
    case CKR_OBJECT_HANDLE_INVALID:
    case CKR_KEY_HANDLE_INVALID:
    case CKR_DEVICE_ERROR: return true;
    default: return false;
  }
}

Result<Pkcs11ProviderModule> Pkcs11ProviderModuleFor(std::string_view provider) {
  const std::string name = AsciiLower(provider);
  const std::string multiarch = "/usr/lib/" + std::string(kMultiarch);
  if (name == "yubihsm") {
    return Pkcs11ProviderModule{multiarch + "/pkcs11/yubihsm_pkcs11.so", "Yubico's yubihsm-shell packages"};
  }
  if (name == "opensc") return Pkcs11ProviderModule{multiarch + "/opensc-pkcs11.so", "Debian's opensc-pkcs11 package"};
  if (name == "softhsm" || name == "softhsm2") {
    return Pkcs11ProviderModule{"/usr/lib/softhsm/libsofthsm2.so", "Debian's softhsm2 package"};
  }
  return InvalidArgumentError("unknown PKCS#11 provider '" + std::string(provider) +
                              "' (known: yubihsm, opensc, softhsm; or set the module's path)");
}

// Modules by resolved path. An entry whose module has expired is being finalised: Load waits
// for it to go rather than initialising the library a second time underneath it.
struct Pkcs11Module::Registry {
  Mutex mutex;
  std::condition_variable released;
  std::map<std::string, std::weak_ptr<Pkcs11Module>> modules KW_GUARDED_BY(mutex);

  static Registry& Get() {
    static Registry* registry = new Registry;  // never destroyed: modules may outlive statics
    return *registry;
  }
};

Pkcs11Module::Pkcs11Module(std::string path, void* library, CK_FUNCTION_LIST* api, bool finalize)
    : path_(std::move(path)), library_(library), api_(api), finalize_(finalize) {}

Pkcs11Module::~Pkcs11Module() {
  if (finalize_) api_->C_Finalize(nullptr);
  ::dlclose(library_);
}

Result<std::shared_ptr<Pkcs11Module>> Pkcs11Module::Load(const std::string& path) {
  if (path.empty()) return InvalidArgumentError("the PKCS#11 module path is empty");
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr) {
    return UnavailableError("PKCS#11 module " + path + " does not exist");
  }
  const std::string key = resolved;

  Registry& registry = Registry::Get();
  MutexLock lock(registry.mutex);
  for (;;) {
    auto found = registry.modules.find(key);
    if (found == registry.modules.end()) break;
    if (std::shared_ptr<Pkcs11Module> module = found->second.lock()) return module;
    registry.released.wait(lock.unique_lock());
  }

  void* library = ::dlopen(resolved, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* error = ::dlerror();
    return UnavailableError("cannot load PKCS#11 module " + path + ": " + (error != nullptr ? error : "dlopen failed"));
  }
  auto get_function_list = reinterpret_cast<CK_C_GetFunctionList>(::dlsym(library, "C_GetFunctionList"));
  CK_FUNCTION_LIST* api = nullptr;
  if (get_function_list == nullptr || get_function_list(&api) != CKR_OK || api == nullptr) {
    ::dlclose(library);
    return UnavailableError(path + " is not a PKCS#11 module (no C_GetFunctionList)");
  }
  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;  // we call from several threads
  const CK_RV rv = api->C_Initialize(&args);
  if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
    ::dlclose(library);
    return UnavailableError("PKCS#11 module " + path + " failed to initialise: " + Pkcs11ErrorName(rv));
  }
  std::shared_ptr<Pkcs11Module> module(new Pkcs11Module(path, library, api, rv == CKR_OK), [key](Pkcs11Module* m) {
    Registry& r = Registry::Get();
    MutexLock guard(r.mutex);
    delete m;
    r.modules.erase(key);
    r.released.notify_all();
  });
  registry.modules[key] = module;
  return module;
}

Result<std::vector<Pkcs11TokenInfo>> Pkcs11Module::Tokens() const {
  CK_ULONG count = 0;
  CK_RV rv = api_->C_GetSlotList(CK_TRUE, nullptr, &count);
  std::vector<CK_SLOT_ID> slots(count);
  // The list may grow between the two calls (a token plugged in): ask again until it fits.
  while (rv == CKR_OK || rv == CKR_BUFFER_TOO_SMALL) {
    slots.resize(count);
    rv = api_->C_GetSlotList(CK_TRUE, slots.data(), &count);
    if (rv == CKR_OK) break;
  }
  if (rv != CKR_OK) return UnavailableError("PKCS#11 module " + path_ + ": cannot list slots: " + Pkcs11ErrorName(rv));
  slots.resize(count);
  std::vector<Pkcs11TokenInfo> tokens;
  for (CK_SLOT_ID slot : slots) {
    CK_TOKEN_INFO info{};
    // A slot whose token went away since the listing is simply skipped.
    if (api_->C_GetTokenInfo(slot, &info) != CKR_OK) continue;
    tokens.push_back({slot, Trimmed(info.label, sizeof info.label),
                      Trimmed(info.serialNumber, sizeof info.serialNumber), info.flags});
  }
  return tokens;
}

Result<Pkcs11TokenInfo> Pkcs11Module::FindToken(std::string_view serial, std::string_view label) const {
  KW_ASSIGN_OR_RETURN(std::vector<Pkcs11TokenInfo> tokens, Tokens());
  const std::string wanted_serial = AsciiLower(serial);
  std::vector<const Pkcs11TokenInfo*> matches;
  for (const Pkcs11TokenInfo& token : tokens) {
    if (!Initialised(token)) continue;
    const bool match = serial.empty() ? token.label == label : AsciiLower(token.serial) == wanted_serial;
    if (match) matches.push_back(&token);
  }
  const std::string what =
      serial.empty() ? "label '" + std::string(label) + "'" : "serial number '" + std::string(serial) + "'";
  if (matches.empty()) {
    return NotFoundError("no PKCS#11 token with " + what + " in " + path_ + " (" + Describe(tokens) + ")");
  }
  if (matches.size() > 1) {
    return InvalidArgumentError("more than one PKCS#11 token has " + what + " in " + path_ +
                                ": choose the token by serial number");
  }
  return *matches.front();
}

}  // namespace keywarden::custody
