// The SignalR hub protocol's bytes (server/notifications/hub_protocol.h), checked against the
// reference's wire format: the handshake, both framings, the messages a client sends and the
// ones the server sends, and the MessagePack timestamp of a DateTime.
#include "server/notifications/hub_protocol.h"

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/iso_date.h"
#include "support/signalr_frames.h"

namespace keywarden::server::notifications {
namespace {

using nlohmann::json;

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

// `message` as MessagePack behind a one-byte length (messages under 128 bytes).
std::string Frame(const json& message) {
  const std::vector<std::uint8_t> body = json::to_msgpack(message);
  std::string framed(1, static_cast<char>(body.size()));
  framed.append(body.begin(), body.end());
  return framed;
}

// The one MessagePack message in `framed`, after checking its length prefix.
json Unframe(const std::string& framed) {
  const auto messages = keywarden::testing::UnframeMessagePack(framed);
  EXPECT_TRUE(messages.has_value() && messages->size() == 1) << "one whole message";
  return messages.has_value() && messages->size() == 1 ? messages->front() : json();
}

TEST(HubProtocolTest, ReadsBothHandshakesAtBothVersions) {
  for (const std::string& protocol : std::vector<std::string>{"messagepack", "json"}) {
    for (const int version : {1, 2}) {
      HubReader reader;
      ASSERT_TRUE(
          reader.Append(R"({"protocol":")" + protocol + R"(","version":)" + std::to_string(version) + "}\x1e").ok());
      auto handshake = reader.ReadHandshake();
      ASSERT_TRUE(handshake.ok()) << handshake.status().message();
      ASSERT_TRUE(handshake->has_value());
      EXPECT_EQ((*handshake)->protocol, protocol == "json" ? HubProtocol::kJson : HubProtocol::kMessagePack);
      EXPECT_EQ((*handshake)->version, version);
    }
  }
}

TEST(HubProtocolTest, WaitsForTheWholeHandshakeAndKeepsWhatFollows) {
  HubReader reader;
  ASSERT_TRUE(reader.Append(R"({"protocol":"messagepack",)").ok());
  auto partial = reader.ReadHandshake();
  ASSERT_TRUE(partial.ok());
  EXPECT_FALSE(partial->has_value());
  // The rest, then a Ping in the same WebSocket message.
  ASSERT_TRUE(reader.Append("\"version\":1}\x1e" + Bytes({0x02, 0x91, 0x06})).ok());
  auto handshake = reader.ReadHandshake();
  ASSERT_TRUE(handshake.ok() && handshake->has_value());
  auto ping = reader.ReadMessage(HubProtocol::kMessagePack);
  ASSERT_TRUE(ping.ok() && ping->has_value());
  EXPECT_EQ((*ping)->type, 6);
}

TEST(HubProtocolTest, RefusesBadHandshakes) {
  for (const std::string& request : std::vector<std::string>{
           R"({"protocol":"xml","version":1})", R"({"protocol":"json","version":3})",
           R"({"protocol":"json","version":0})", R"({"protocol":"json"})", "[1,2]", "not json", R"({"type":6})"}) {
    HubReader reader;
    ASSERT_TRUE(reader.Append(request + "\x1e").ok());
    auto handshake = reader.ReadHandshake();
    EXPECT_FALSE(handshake.ok()) << request;
  }
  EXPECT_EQ(HandshakeRefused("no"), "{\"error\":\"no\"}\x1e");
  EXPECT_EQ(HandshakeAccepted(), "{}\x1e");
}

TEST(HubProtocolTest, ReadsMessagePackMessagesSplitAndJoined) {
  HubReader reader;
  // A Ping, a Close [7, nil] as the JS client sends it, and an invocation split over two writes.
  const std::string invocation = Frame(json::array({1, json::object(), "7", "Subscribe", json::array()}));
  ASSERT_TRUE(reader.Append(Bytes({0x02, 0x91, 0x06, 0x03, 0x92, 0x07, 0xc0}) + invocation.substr(0, 4)).ok());
  auto first = reader.ReadMessage(HubProtocol::kMessagePack);
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->type, 6);
  auto second = reader.ReadMessage(HubProtocol::kMessagePack);
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ((*second)->type, 7);
  auto incomplete = reader.ReadMessage(HubProtocol::kMessagePack);
  ASSERT_TRUE(incomplete.ok());
  EXPECT_FALSE(incomplete->has_value());
  ASSERT_TRUE(reader.Append(invocation.substr(4)).ok());
  auto third = reader.ReadMessage(HubProtocol::kMessagePack);
  ASSERT_TRUE(third.ok() && third->has_value());
  EXPECT_EQ((*third)->type, 1);
  EXPECT_EQ((*third)->invocation_id, "7");
  EXPECT_EQ((*third)->target, "Subscribe");
  const auto reply = ReplyTo(HubProtocol::kMessagePack, **third);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(Unframe(*reply), json::array({3, json::object(), "7", 1, "Unknown hub method 'Subscribe'"}));
  // A non-blocking invocation (no id) gets no answer; nor does a Ping.
  EXPECT_FALSE(ReplyTo(HubProtocol::kMessagePack, ClientMessage{1, "", "Subscribe"}).has_value());
  EXPECT_FALSE(ReplyTo(HubProtocol::kMessagePack, **first).has_value());
}

TEST(HubProtocolTest, ReadsJsonMessages) {
  HubReader reader;
  ASSERT_TRUE(
      reader.Append("{\"type\":6}\x1e{\"type\":1,\"invocationId\":\"1\",\"target\":\"X\",\"arguments\":[]}\x1e{\"ty")
          .ok());
  auto ping = reader.ReadMessage(HubProtocol::kJson);
  ASSERT_TRUE(ping.ok() && ping->has_value());
  EXPECT_EQ((*ping)->type, 6);
  auto invocation = reader.ReadMessage(HubProtocol::kJson);
  ASSERT_TRUE(invocation.ok() && invocation->has_value());
  EXPECT_EQ((*invocation)->target, "X");
  EXPECT_EQ(*ReplyTo(HubProtocol::kJson, **invocation),
            "{\"error\":\"Unknown hub method 'X'\",\"invocationId\":\"1\",\"type\":3}\x1e");
  auto rest = reader.ReadMessage(HubProtocol::kJson);
  ASSERT_TRUE(rest.ok());
  EXPECT_FALSE(rest->has_value());
}

TEST(HubProtocolTest, RefusesGarbage) {
  for (const std::string& bad : {Bytes({0x02, 0xc1, 0x00}), Bytes({0x01, 0x06}), Bytes({0x02, 0x90, 0x90}),
                                 Bytes({0x03, 0x92, 0x07}), Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0x01}),
                                 Bytes({0x05, 0x91, 0x91, 0x91, 0x91, 0x91}), Bytes({0x02, 0x91, 0xa1})}) {
    HubReader reader;
    ASSERT_TRUE(reader.Append(bad).ok());
    auto read = reader.ReadMessage(HubProtocol::kMessagePack);
    EXPECT_FALSE(read.ok() && read->has_value()) << "accepted " << json(bad).dump();
  }
  // Nesting deeper than any hub message is refused before it is decoded.
  HubReader deep;
  std::string nested(40, static_cast<char>(0x91));
  nested.push_back(0x06);
  ASSERT_TRUE(deep.Append(std::string(1, static_cast<char>(nested.size())) + nested).ok());
  EXPECT_FALSE(deep.ReadMessage(HubProtocol::kMessagePack).ok());
  HubReader json_reader;
  ASSERT_TRUE(json_reader.Append("[6]\x1e").ok());
  EXPECT_FALSE(json_reader.ReadMessage(HubProtocol::kJson).ok());
  HubReader full;
  EXPECT_FALSE(full.Append(std::string(HubReader::kMaxBufferedBytes + 1, 'x')).ok());
}

TEST(HubProtocolTest, WritesServerMessagesAsTheReference) {
  EXPECT_EQ(EncodePing(HubProtocol::kMessagePack), Bytes({0x02, 0x91, 0x06}));
  EXPECT_EQ(EncodePing(HubProtocol::kJson), "{\"type\":6}\x1e");
  EXPECT_EQ(EncodeClose(HubProtocol::kMessagePack, ""), Bytes({0x04, 0x93, 0x07, 0xc0, 0xc2}));
  EXPECT_EQ(EncodeClose(HubProtocol::kJson, ""), "{\"type\":7}\x1e");
  EXPECT_EQ(EncodeClose(HubProtocol::kJson, "bad"), "{\"error\":\"bad\",\"type\":7}\x1e");
}

TEST(HubProtocolTest, NotificationDataInMessagePackIsPascalCaseWithTimestamps) {
  const std::string user = "0f9c2d4e-1a2b-4c3d-8e9f-0123456789ab";
  const TimeMs when = *ParseIsoDate("2026-12-06T12:00:00.000Z");
  const std::string payload = json{{"UserId", user}, {"Date", FormatIsoDate(when)}}.dump();
  auto data = NotificationData(HubProtocol::kMessagePack, 11, payload, "");
  ASSERT_TRUE(data.ok());
  const std::string framed = EncodeInvocation(HubProtocol::kMessagePack, "ReceiveMessage", *data);
  const json message = Unframe(framed);
  ASSERT_EQ(message.size(), 6u);
  EXPECT_EQ(message[0], 1);
  EXPECT_EQ(message[1], json::object());
  EXPECT_TRUE(message[2].is_null());
  EXPECT_EQ(message[3], "ReceiveMessage");
  EXPECT_EQ(message[5], json::array());
  const json& argument = message[4].at(0);
  EXPECT_EQ(argument["Type"], 11);
  EXPECT_TRUE(argument["ContextId"].is_null());
  EXPECT_EQ(argument["Payload"]["UserId"], user);
  // A whole second: the 4-byte form d6 ff <seconds>.
  const json& date = argument["Payload"]["Date"];
  ASSERT_TRUE(date.is_binary());
  const std::vector<std::uint8_t> seconds = {0x6b, 0x15, 0x4e, 0x40};  // 1796558400 = 2026-12-06T12:00:00Z
  EXPECT_EQ(static_cast<const std::vector<std::uint8_t>&>(date.get_binary()), seconds);
  EXPECT_NE(framed.find(Bytes({0xd6, 0xff, 0x6b, 0x15, 0x4e, 0x40})), std::string::npos);
}

TEST(HubProtocolTest, TimestampsUseTheSmallestForm) {
  const auto bytes = [](TimeMs when) { return json::to_msgpack(MessagePackTimestamp(when)); };
  EXPECT_EQ(bytes(1000), (std::vector<std::uint8_t>{0xd6, 0xff, 0, 0, 0, 1}));
  // 1.5 s: 8 bytes, nanoseconds above the 34 bits of seconds.
  const std::uint64_t packed = (std::uint64_t{500'000'000} << 34) | 1;
  std::vector<std::uint8_t> expected = {0xd7, 0xff};
  for (int shift = 56; shift >= 0; shift -= 8) expected.push_back(static_cast<std::uint8_t>(packed >> shift));
  EXPECT_EQ(bytes(1500), expected);
  // Before 1970: 12 bytes, c7 0c ff, nanoseconds then signed seconds.
  const auto before = bytes(-1);
  ASSERT_EQ(before.size(), 15u);
  EXPECT_EQ(before[0], 0xc7);
  EXPECT_EQ(before[1], 0x0c);
  EXPECT_EQ(before[2], 0xff);
  EXPECT_EQ((std::vector<std::uint8_t>(before.begin() + 3, before.begin() + 7)),
            (std::vector<std::uint8_t>{0x3b, 0x8b, 0x87, 0xc0}));  // 999,000,000 ns
  EXPECT_EQ((std::vector<std::uint8_t>(before.begin() + 7, before.end())), std::vector<std::uint8_t>(8, 0xff));
}

TEST(HubProtocolTest, NotificationDataInJsonIsCamelCase) {
  const std::string payload = R"({"UserId":"u","Id":"r","RevisionDate":"2026-12-06T12:00:00.000Z"})";
  auto data = NotificationData(HubProtocol::kJson, 15, payload, "device-a");
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(EncodeInvocation(HubProtocol::kJson, "ReceiveMessage", *data),
            R"({"arguments":[{"contextId":"device-a","payload":{"id":"r","revisionDate":"2026-12-06T12:00:00.000Z",)"
            R"("userId":"u"},"type":15}],"target":"ReceiveMessage","type":1})"
            "\x1e");
  EXPECT_FALSE(NotificationData(HubProtocol::kJson, 15, "[1]", "").ok());
  EXPECT_FALSE(NotificationData(HubProtocol::kMessagePack, 15, "{", "").ok());
}

}  // namespace
}  // namespace keywarden::server::notifications
