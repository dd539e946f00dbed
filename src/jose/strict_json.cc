#include "jose/strict_json.h"

#include <algorithm>
#include <exception>
#include <utility>

namespace keywarden::jose {
namespace {

// nlohmann's SAX events with the rules of strict_json.h enforced. Subclasses receive the scalar
// events, and hear of containers and member names through the On* hooks.
class StrictSax : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool start_object(std::size_t) final {
    if (!Open(/*array=*/false)) return false;
    open_object_ids_.push_back(objects_started_++);
    return OnOpen(/*array=*/false);
  }
  bool start_array(std::size_t) final { return Open(/*array=*/true) && OnOpen(/*array=*/true); }
  bool end_object() final {
    open_object_ids_.pop_back();
    return Close();
  }
  bool end_array() final { return Close(); }
  bool key(string_t& name) final {
    names_.emplace_back(open_object_ids_.back(), name);
    return OnKey(name);
  }
  bool binary(binary_t&) final { return Refuse("is not valid JSON"); }  // JSON text has none
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) final {
    return Refuse("is not valid JSON");
  }

  // Parses `text` with these events; nullptr when it kept to the rules, or why not.
  const char* Run(std::string_view text) {
    bool parsed = false;
    try {
      parsed = nlohmann::json::sax_parse(text.begin(), text.end(), this);
    } catch (const std::exception&) {
      parsed = false;  // allocation failure or a library error: the document is refused either way
    }
    if (!parsed) return refusal_ != nullptr ? refusal_ : "is not valid JSON";
    // Repeated names: every (object, name) pair seen, sorted, has no two alike. Checked once at the
    // end, which keeps the cost O(n log n) however many members an object has.
    std::sort(names_.begin(), names_.end());
    if (std::adjacent_find(names_.begin(), names_.end()) != names_.end()) return "repeats a member name";
    return nullptr;
  }

 protected:
  virtual bool OnOpen(bool array) = 0;
  virtual bool OnClose() = 0;
  virtual bool OnKey(string_t& name) = 0;

  // Objects and arrays open now; 1 inside the root.
  std::size_t depth() const { return open_is_array_.size(); }
  // The innermost open container is an array.
  bool in_array() const { return !open_is_array_.empty() && open_is_array_.back(); }

  bool Refuse(const char* why) {
    if (refusal_ == nullptr) refusal_ = why;
    return false;
  }

 private:
  bool Open(bool array) {
    if (depth() >= kMaxJsonDepth) return Refuse("is nested too deeply");
    open_is_array_.push_back(array);
    return true;
  }
  bool Close() {
    open_is_array_.pop_back();
    return OnClose();
  }

  std::vector<bool> open_is_array_;                         // the open containers, innermost last
  std::vector<std::size_t> open_object_ids_;                // the open objects' numbers, innermost last
  std::size_t objects_started_ = 0;                         // numbers the objects, so names are per object
  std::vector<std::pair<std::size_t, std::string>> names_;  // (object number, member name)
  const char* refusal_ = nullptr;
};

// Builds the document.
class DomBuilder final : public StrictSax {
 public:
  bool null() override { return Put(nullptr); }
  bool boolean(bool value) override { return Put(value); }
  bool number_integer(number_integer_t value) override { return Put(value); }
  bool number_unsigned(number_unsigned_t value) override { return Put(value); }
  bool number_float(number_float_t value, const string_t&) override { return Put(value); }
  bool string(string_t& value) override { return Put(std::move(value)); }

  nlohmann::json Release() { return std::move(root_); }

 private:
  bool OnOpen(bool array) override {
    open_.push_back(Place(array ? nlohmann::json::array() : nlohmann::json::object()));
    return true;
  }
  bool OnClose() override {
    open_.pop_back();
    return true;
  }
  bool OnKey(string_t& name) override {
    member_ = &(*open_.back())[std::move(name)];  // a repeated name is refused once parsing ends
    return true;
  }

  // Stores a value where the document expects one: the root, the member just named, or the next
  // element of the open array. Returns where it went.
  nlohmann::json* Place(nlohmann::json&& value) {
    if (open_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    nlohmann::json& parent = *open_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    *member_ = std::move(value);
    return member_;
  }
  bool Put(nlohmann::json&& value) {
    Place(std::move(value));
    return true;
  }

  nlohmann::json root_;
  std::vector<nlohmann::json*> open_;  // the objects and arrays being filled, innermost last
  nlohmann::json* member_ = nullptr;   // where the value after the last key goes
};

// Keeps the wanted top-level members: their scalar values, and the strings of their arrays.
class MemberReader final : public StrictSax {
 public:
  MemberReader(std::span<const std::string_view> names, std::span<JsonMember> members)
      : names_(names), members_(members) {}

  bool null() override { return Scalar(JsonMember::Type::kNull); }
  bool boolean(bool) override { return Scalar(JsonMember::Type::kBool); }
  bool number_integer(number_integer_t value) override { return Number(static_cast<double>(value)); }
  bool number_unsigned(number_unsigned_t value) override { return Number(static_cast<double>(value)); }
  bool number_float(number_float_t value, const string_t&) override { return Number(value); }
  bool string(string_t& value) override {
    if (!Scalar(JsonMember::Type::kString)) return false;
    if (ReadingElements() || (depth() == 1 && member_ != nullptr)) member_->strings.push_back(std::move(value));
    return true;
  }

 private:
  // Inside the root, a key names the member whose value comes next.
  bool OnKey(string_t& name) override {
    if (depth() != 1) return true;
    member_ = nullptr;
    for (std::size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == name) member_ = &members_[i];
    }
    return true;
  }
  bool OnOpen(bool array) override {
    if (depth() == 1 && array) return Refuse("is not a JSON object");  // the root
    if (depth() == 2 && member_ != nullptr) {
      member_->type = array ? JsonMember::Type::kArray : JsonMember::Type::kObject;
    }
    return true;
  }
  bool OnClose() override { return true; }

  bool Scalar(JsonMember::Type type) {
    if (depth() == 0) return Refuse("is not a JSON object");
    if (depth() == 1 && member_ != nullptr) member_->type = type;
    return true;
  }
  bool Number(double value) {
    if (!Scalar(JsonMember::Type::kNumber)) return false;
    if (depth() == 1 && member_ != nullptr) member_->number = value;
    return true;
  }
  // An element of the array that is the wanted member's value (the root, then that array).
  bool ReadingElements() const { return depth() == 2 && in_array() && member_ != nullptr; }

  const std::span<const std::string_view> names_;
  const std::span<JsonMember> members_;
  JsonMember* member_ = nullptr;  // the wanted member being read, if the current one is wanted
};

Status Refusal(std::string_view what, const char* why) { return InvalidArgumentError(std::string(what) + " " + why); }

}  // namespace

bool JsonMember::Holds(std::string_view wanted) const {
  if (type != Type::kString && type != Type::kArray) return false;
  return std::find(strings.begin(), strings.end(), wanted) != strings.end();
}

Result<nlohmann::json> ParseJsonObject(std::string_view text, std::string_view what) {
  DomBuilder builder;
  if (const char* why = builder.Run(text)) return Refusal(what, why);
  nlohmann::json value = builder.Release();
  if (!value.is_object()) return Refusal(what, "is not a JSON object");
  return value;
}

Status ReadJsonMembers(std::string_view text, std::string_view what, std::span<const std::string_view> names,
                       std::span<JsonMember> members) {
  if (members.size() != names.size()) return InvalidArgumentError("ReadJsonMembers needs one member per name");
  std::fill(members.begin(), members.end(), JsonMember{});
  MemberReader reader(names, members);
  if (const char* why = reader.Run(text)) return Refusal(what, why);
  return OkStatus();
}

}  // namespace keywarden::jose
