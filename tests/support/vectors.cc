#include "support/vectors.h"

#include <filesystem>
#include <fstream>

namespace keywarden::testing {
namespace {

const nlohmann::json& AllVectors() {
  static const nlohmann::json all = [] {
    std::ifstream in(VectorPath("bitwarden-sdk-vectors.json"));
    if (!in) return nlohmann::json::array();
    return nlohmann::json::parse(in).at("vectors");
  }();
  return all;
}

}  // namespace

std::string VectorPath(std::string_view file) { return (std::filesystem::path(KEYWARDEN_VECTORS_DIR) / file).string(); }

bool VectorsAvailable() { return std::filesystem::exists(VectorPath("bitwarden-sdk-vectors.json")); }

std::vector<nlohmann::json> VectorsOfKind(std::string_view kind) {
  std::vector<nlohmann::json> out;
  for (const auto& v : AllVectors()) {
    if (v.value("kind", "") == kind) out.push_back(v);
  }
  return out;
}

nlohmann::json VectorById(std::string_view id) {
  for (const auto& v : AllVectors()) {
    if (v.value("id", "") == id) return v;
  }
  ADD_FAILURE() << "no vector with id " << id;
  return nlohmann::json::object();
}

}  // namespace keywarden::testing
