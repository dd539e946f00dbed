// Bitwarden's DeviceType numbers (libs/common/src/enums/device-type.enum.ts), as people call
// them: for notices and device lists.
#ifndef KEYWARDEN_SERVER_IDENTITY_DEVICE_TYPES_H_
#define KEYWARDEN_SERVER_IDENTITY_DEVICE_TYPES_H_

#include <array>
#include <string_view>

namespace keywarden::server {

// "Linux CLI" for 25; "Unknown device" outside the known range.
constexpr std::string_view DeviceTypeName(int type) {
  constexpr std::array<std::string_view, 26> kNames = {"Android",
                                                       "iOS",
                                                       "Chrome Extension",
                                                       "Firefox Extension",
                                                       "Opera Extension",
                                                       "Edge Extension",
                                                       "Windows Desktop",
                                                       "macOS Desktop",
                                                       "Linux Desktop",
                                                       "Chrome",
                                                       "Firefox",
                                                       "Opera",
                                                       "Edge",
                                                       "Internet Explorer",
                                                       "Unknown Browser",
                                                       "Android (Amazon)",
                                                       "Windows (UWP)",
                                                       "Safari",
                                                       "Vivaldi",
                                                       "Vivaldi Extension",
                                                       "Safari Extension",
                                                       "SDK",
                                                       "Server",
                                                       "Windows CLI",
                                                       "macOS CLI",
                                                       "Linux CLI"};
  return type >= 0 && type < static_cast<int>(kNames.size()) ? kNames[static_cast<std::size_t>(type)]
                                                             : std::string_view("Unknown device");
}

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_IDENTITY_DEVICE_TYPES_H_
