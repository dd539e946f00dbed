// Bitwarden's DeviceType numbers (libs/common/src/enums/device-type.enum.ts) by the names the
// reference shows for them (the Display names of its DeviceType enum): the auth requests'
// requestDeviceType, which the approving clients and `bw device-approval list` show, and the
// new-device mail.
#ifndef KEYWARDEN_SERVER_IDENTITY_DEVICE_TYPES_H_
#define KEYWARDEN_SERVER_IDENTITY_DEVICE_TYPES_H_

#include <array>
#include <string_view>

namespace keywarden::server {

// "Linux" for 8, "Linux CLI" for 25; "Unknown device" outside the known range.
constexpr std::string_view DeviceTypeName(int type) {
  constexpr std::array<std::string_view, 27> kNames = {"Android",
                                                       "iOS",
                                                       "Chrome Extension",
                                                       "Firefox Extension",
                                                       "Opera Extension",
                                                       "Edge Extension",
                                                       "Windows",
                                                       "macOS",
                                                       "Linux",
                                                       "Chrome",
                                                       "Firefox",
                                                       "Opera",
                                                       "Edge",
                                                       "Internet Explorer",
                                                       "Unknown Browser",
                                                       "Android",
                                                       "UWP",
                                                       "Safari",
                                                       "Vivaldi",
                                                       "Vivaldi Extension",
                                                       "Safari Extension",
                                                       "SDK",
                                                       "Server",
                                                       "Windows CLI",
                                                       "MacOs CLI",
                                                       "Linux CLI",
                                                       "DuckDuckGo"};
  return type >= 0 && type < static_cast<int>(kNames.size()) ? kNames[static_cast<std::size_t>(type)]
                                                             : std::string_view("Unknown device");
}

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_IDENTITY_DEVICE_TYPES_H_
