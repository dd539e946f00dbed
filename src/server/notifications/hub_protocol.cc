#include "server/notifications/hub_protocol.h"

#include <cstdint>
#include <utility>
#include <vector>

#include "base/iso_date.h"

namespace keywarden::server::notifications {
namespace {

using nlohmann::json;

// Client messages are a handful of flat values; anything nested deeper is not a hub message,
// and nlohmann's MessagePack reader recurses once per level.
constexpr std::size_t kMaxMessagePackDepth = 16;

// A VarInt length prefix holds at most 32 bits in 5 bytes.
constexpr std::size_t kMaxVarIntBytes = 5;

std::string Dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

std::uint64_t BigEndian(std::string_view bytes) {
  std::uint64_t value = 0;
  for (char c : bytes) value = (value << 8) | static_cast<unsigned char>(c);
  return value;
}

// Whether `body` is exactly one MessagePack value nested at most kMaxMessagePackDepth deep. It
// walks without recursion, so no input can exhaust the stack; from_msgpack then only sees
// well-formed, shallow input.
bool IsOneShallowValue(std::string_view body) {
  std::vector<std::uint64_t> pending;  // per open array or map: values still to read in it
  std::size_t at = 0;
  auto take = [&](std::size_t n) -> std::optional<std::string_view> {
    if (body.size() - at < n) return std::nullopt;
    std::string_view taken = body.substr(at, n);
    at += n;
    return taken;
  };
  bool first = true;
  while (first || !pending.empty()) {
    first = false;
    if (at >= body.size()) return false;
    const auto lead = static_cast<unsigned char>(body[at++]);
    std::uint64_t skip = 0;      // bytes of data after the lead byte and its length field
    std::uint64_t children = 0;  // values inside this one
    std::size_t length_bytes = 0;
    std::uint64_t children_per_length = 0;  // 1 for arrays, 2 for maps, 0 for byte lengths
    if (lead <= 0x7f || lead >= 0xe0 || lead == 0xc0 || lead == 0xc2 || lead == 0xc3) {
    } else if (lead >= 0x80 && lead <= 0x8f) {
      children = 2u * (lead & 0x0f);
    } else if (lead >= 0x90 && lead <= 0x9f) {
      children = lead & 0x0f;
    } else if (lead >= 0xa0 && lead <= 0xbf) {
      skip = lead & 0x1f;
    } else {
      switch (lead) {
        case 0xc4:
        case 0xd9: length_bytes = 1; break;
        case 0xc5:
        case 0xda: length_bytes = 2; break;
        case 0xc6:
        case 0xdb: length_bytes = 4; break;
        case 0xc7:
          length_bytes = 1;
          skip = 1;
          break;  // ext 8: the length, then the type byte
        case 0xc8:
          length_bytes = 2;
          skip = 1;
          break;
        case 0xc9:
          length_bytes = 4;
          skip = 1;
          break;
        case 0xca: skip = 4; break;
        case 0xcb: skip = 8; break;
        case 0xcc:
        case 0xd0: skip = 1; break;
        case 0xcd:
        case 0xd1: skip = 2; break;
        case 0xce:
        case 0xd2: skip = 4; break;
        case 0xcf:
        case 0xd3: skip = 8; break;
        case 0xd4: skip = 2; break;
        case 0xd5: skip = 3; break;
        case 0xd6: skip = 5; break;
        case 0xd7: skip = 9; break;
        case 0xd8: skip = 17; break;
        case 0xdc:
          length_bytes = 2;
          children_per_length = 1;
          break;
        case 0xdd:
          length_bytes = 4;
          children_per_length = 1;
          break;
        case 0xde:
          length_bytes = 2;
          children_per_length = 2;
          break;
        case 0xdf:
          length_bytes = 4;
          children_per_length = 2;
          break;
        default: return false;  // 0xc1 is never used
      }
    }
    if (length_bytes > 0) {
      const auto length = take(length_bytes);
      if (!length) return false;
      if (children_per_length > 0) {
        children = children_per_length * BigEndian(*length);
      } else {
        skip += BigEndian(*length);
      }
    }
    if (skip > body.size() - at) return false;
    at += skip;
    if (!pending.empty()) --pending.back();
    if (children > 0) {
      // Every value takes at least one byte: a count beyond what is left cannot be met.
      if (children > body.size() - at || pending.size() >= kMaxMessagePackDepth) return false;
      pending.push_back(children);
    }
    while (!pending.empty() && pending.back() == 0) pending.pop_back();
  }
  return at == body.size();
}

void AppendVarInt(std::size_t length, std::string& out) {
  do {
    auto byte = static_cast<unsigned char>(length & 0x7f);
    length >>= 7;
    if (length > 0) byte |= 0x80;
    out.push_back(static_cast<char>(byte));
  } while (length > 0);
}

std::string FrameMessagePack(const json& message) {
  const std::vector<std::uint8_t> body = json::to_msgpack(message);
  std::string framed;
  framed.reserve(body.size() + kMaxVarIntBytes);
  AppendVarInt(body.size(), framed);
  framed.append(body.begin(), body.end());
  return framed;
}

std::string FrameJson(const json& message) { return Dump(message) + kRecordSeparator; }

std::string StringOrEmpty(const json& value) { return value.is_string() ? value.get<std::string>() : std::string(); }

Result<ClientMessage> ReadJsonMessage(std::string_view record) {
  const json message = json::parse(record, nullptr, false);
  if (!message.is_object()) return InvalidArgumentError("a hub message is not a JSON object");
  const auto type = message.find("type");
  if (type == message.end() || !type->is_number_integer()) {
    return InvalidArgumentError("a hub message has no integer type");
  }
  ClientMessage read;
  read.type = static_cast<int>(type->get<std::int64_t>() & 0x7fffffff);
  if (const auto id = message.find("invocationId"); id != message.end()) read.invocation_id = StringOrEmpty(*id);
  if (const auto target = message.find("target"); target != message.end()) read.target = StringOrEmpty(*target);
  return read;
}

Result<ClientMessage> ReadMessagePackMessage(std::string_view body) {
  if (!IsOneShallowValue(body)) return InvalidArgumentError("a hub message is not one MessagePack value");
  const json message = json::from_msgpack(body, true, false);
  if (!message.is_array() || message.empty() || !message[0].is_number_integer()) {
    return InvalidArgumentError("a hub message is not an array starting with its type");
  }
  ClientMessage read;
  read.type = static_cast<int>(message[0].get<std::int64_t>() & 0x7fffffff);
  // Invocation, StreamItem, Completion, StreamInvocation and CancelInvocation all hold
  // [type, headers, invocationId, ...]; the two invocations then the target.
  const bool has_id = read.type >= static_cast<int>(HubMessageType::kInvocation) &&
                      read.type <= static_cast<int>(HubMessageType::kCancelInvocation);
  if (has_id && message.size() > 2) read.invocation_id = StringOrEmpty(message[2]);
  const bool invocation = read.type == static_cast<int>(HubMessageType::kInvocation) ||
                          read.type == static_cast<int>(HubMessageType::kStreamInvocation);
  if (invocation) {
    if (message.size() < 5 || !message[3].is_string()) return InvalidArgumentError("an invocation has no target");
    read.target = message[3].get<std::string>();
  }
  return read;
}

// One record of JSON text, up to the separator, or nullopt without one yet.
std::optional<std::string> TakeRecord(std::string& buffer) {
  const std::size_t end = buffer.find(kRecordSeparator);
  if (end == std::string::npos) return std::nullopt;
  std::string record = buffer.substr(0, end);
  buffer.erase(0, end + 1);
  return record;
}

// "RevisionDate" -> "revisionDate", at every level, as System.Text.Json's camelCase policy.
json CamelCased(const json& value) {
  if (value.is_array()) {
    json out = json::array();
    for (const json& item : value) out.push_back(CamelCased(item));
    return out;
  }
  if (!value.is_object()) return value;
  json out = json::object();
  for (const auto& [key, item] : value.items()) {
    std::string name = key;
    if (!name.empty() && name[0] >= 'A' && name[0] <= 'Z') name[0] = static_cast<char>(name[0] - 'A' + 'a');
    out[name] = CamelCased(item);
  }
  return out;
}

// The payload's top-level DateTimes (their names end in "Date": Date, RevisionDate,
// CreationDate, ...) as timestamps, as the reference's MessagePack serialiser writes DateTime.
json WithTimestamps(json payload) {
  for (auto& [key, item] : payload.items()) {
    if (!item.is_string() || key.size() < 4 || key.compare(key.size() - 4, 4, "Date") != 0) continue;
    if (const auto when = ParseIsoDate(item.get<std::string>())) item = MessagePackTimestamp(*when);
  }
  return payload;
}

}  // namespace

Status HubReader::Append(std::string_view data) {
  if (data.size() > kMaxBufferedBytes - buffer_.size()) {
    return InvalidArgumentError("a hub message is larger than " + std::to_string(kMaxBufferedBytes) + " bytes");
  }
  buffer_.append(data);
  return OkStatus();
}

Result<std::optional<HandshakeRequest>> HubReader::ReadHandshake() {
  const std::optional<std::string> record = TakeRecord(buffer_);
  if (!record) return std::optional<HandshakeRequest>();
  const json request = json::parse(*record, nullptr, false);
  if (!request.is_object()) return InvalidArgumentError("Handshake request is not a JSON object.");
  const auto protocol = request.find("protocol");
  const auto version = request.find("version");
  if (protocol == request.end() || !protocol->is_string() || version == request.end() ||
      !version->is_number_integer()) {
    return InvalidArgumentError("Handshake request needs a protocol name and an integer version.");
  }
  HandshakeRequest read;
  const std::string name = protocol->get<std::string>();
  if (name == "messagepack") {
    read.protocol = HubProtocol::kMessagePack;
  } else if (name == "json") {
    read.protocol = HubProtocol::kJson;
  } else {
    return InvalidArgumentError("The protocol '" + name + "' is not supported.");
  }
  const std::int64_t asked = version->get<std::int64_t>();
  if (asked < 1 || asked > 2) {
    return InvalidArgumentError("The server does not support version " + std::to_string(asked) + " of the '" + name +
                                "' protocol.");
  }
  read.version = static_cast<int>(asked);
  return std::optional<HandshakeRequest>(read);
}

Result<std::optional<ClientMessage>> HubReader::ReadMessage(HubProtocol protocol) {
  if (protocol == HubProtocol::kJson) {
    const std::optional<std::string> record = TakeRecord(buffer_);
    if (!record) return std::optional<ClientMessage>();
    KW_ASSIGN_OR_RETURN(ClientMessage message, ReadJsonMessage(*record));
    return std::optional<ClientMessage>(std::move(message));
  }
  std::uint64_t length = 0;
  std::size_t prefix = 0;
  for (;; ++prefix) {
    if (prefix == buffer_.size()) return std::optional<ClientMessage>();  // the prefix is incomplete
    if (prefix == kMaxVarIntBytes) return InvalidArgumentError("a hub message's length is longer than 5 bytes");
    const auto byte = static_cast<unsigned char>(buffer_[prefix]);
    length |= static_cast<std::uint64_t>(byte & 0x7f) << (7 * prefix);
    if ((byte & 0x80) == 0) break;
  }
  ++prefix;
  if (length > kMaxBufferedBytes) return InvalidArgumentError("a hub message is too large");
  if (buffer_.size() - prefix < length) return std::optional<ClientMessage>();
  const std::string body = buffer_.substr(prefix, length);
  buffer_.erase(0, prefix + length);
  KW_ASSIGN_OR_RETURN(ClientMessage message, ReadMessagePackMessage(body));
  return std::optional<ClientMessage>(std::move(message));
}

std::string HandshakeAccepted() { return std::string("{}") + kRecordSeparator; }

std::string HandshakeRefused(std::string_view error) { return FrameJson(json{{"error", std::string(error)}}); }

std::string EncodePing(HubProtocol protocol) {
  if (protocol == HubProtocol::kJson) return FrameJson(json{{"type", HubMessageType::kPing}});
  return FrameMessagePack(json::array({HubMessageType::kPing}));
}

std::string EncodeClose(HubProtocol protocol, std::string_view error) {
  if (protocol == HubProtocol::kJson) {
    json close{{"type", HubMessageType::kClose}};
    if (!error.empty()) close["error"] = std::string(error);
    return FrameJson(close);
  }
  // [7, Error, AllowReconnect], as .NET writes it.
  return FrameMessagePack(
      json::array({HubMessageType::kClose, error.empty() ? json() : json(std::string(error)), false}));
}

std::string EncodeCompletionError(HubProtocol protocol, std::string_view invocation_id, std::string_view error) {
  if (protocol == HubProtocol::kJson) {
    return FrameJson(json{{"type", HubMessageType::kCompletion},
                          {"invocationId", std::string(invocation_id)},
                          {"error", std::string(error)}});
  }
  constexpr int kErrorResult = 1;
  return FrameMessagePack(json::array(
      {HubMessageType::kCompletion, json::object(), std::string(invocation_id), kErrorResult, std::string(error)}));
}

std::string EncodeInvocation(HubProtocol protocol, std::string_view target, const json& argument) {
  if (protocol == HubProtocol::kJson) {
    return FrameJson(json{{"type", HubMessageType::kInvocation},
                          {"target", std::string(target)},
                          {"arguments", json::array({argument})}});
  }
  // [1, Headers, InvocationId = nil, Target, [Arguments], [StreamIds]]: six elements, as .NET.
  return FrameMessagePack(json::array({HubMessageType::kInvocation, json::object(), nullptr, std::string(target),
                                       json::array({argument}), json::array()}));
}

std::optional<std::string> ReplyTo(HubProtocol protocol, const ClientMessage& message) {
  const bool invocation = message.type == static_cast<int>(HubMessageType::kInvocation) ||
                          message.type == static_cast<int>(HubMessageType::kStreamInvocation);
  if (!invocation || message.invocation_id.empty()) return std::nullopt;
  return EncodeCompletionError(protocol, message.invocation_id, "Unknown hub method '" + message.target + "'");
}

Result<json> NotificationData(HubProtocol protocol, int type, std::string_view payload, std::string_view context_id) {
  json parsed = json::parse(payload, nullptr, false);
  if (!parsed.is_object()) return InvalidArgumentError("a notification's payload is not a JSON object");
  const json context = context_id.empty() ? json() : json(std::string(context_id));
  if (protocol == HubProtocol::kJson) {
    return json{{"contextId", context}, {"type", type}, {"payload", CamelCased(parsed)}};
  }
  return json{{"ContextId", context}, {"Type", type}, {"Payload", WithTimestamps(std::move(parsed))}};
}

json MessagePackTimestamp(TimeMs when) {
  // Floor division: a date before 1970 has negative seconds and a non-negative fraction.
  std::int64_t seconds = when / 1000;
  std::int64_t millis = when % 1000;
  if (millis < 0) {
    millis += 1000;
    --seconds;
  }
  const auto nanos = static_cast<std::uint64_t>(millis) * 1'000'000;
  std::vector<std::uint8_t> bytes;
  auto append = [&bytes](std::uint64_t value, int size) {
    for (int shift = 8 * (size - 1); shift >= 0; shift -= 8) bytes.push_back(static_cast<std::uint8_t>(value >> shift));
  };
  if (seconds >= 0 && (seconds >> 34) == 0) {
    if (nanos == 0 && (seconds >> 32) == 0) {
      append(static_cast<std::uint64_t>(seconds), 4);
    } else {
      append((nanos << 34) | static_cast<std::uint64_t>(seconds), 8);
    }
  } else {
    append(nanos, 4);
    append(static_cast<std::uint64_t>(seconds), 8);
  }
  // The extension type -1, which nlohmann writes as the subtype's low byte.
  return json::binary(std::move(bytes), 0xff);
}

}  // namespace keywarden::server::notifications
