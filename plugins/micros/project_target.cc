#include "project_target.h"

#include <yaml-cpp/yaml.h>

#include <regex>

#include "berth/error.h"
#include "berth/fs.h"

namespace berth::micros {
namespace {

// The same scalar typing as the host's berth.yaml reader: quoted text stays
// a string; true/false and whole numbers become JSON booleans and numbers.
nlohmann::json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& item : node) object[item.first.as<std::string>()] = ToJson(item.second);
      return object;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json array = nlohmann::json::array();
      for (const auto& item : node) array.push_back(ToJson(item));
      return array;
    }
    case YAML::NodeType::Scalar: {
      const std::string text = node.Scalar();
      if (node.Tag() == "!") return text;
      if (text == "true" || text == "false") return text == "true";
      if (std::regex_match(text, std::regex("-?[0-9]{1,15}"))) return std::stoll(text);
      return text;
    }
    default:
      return nullptr;
  }
}

}  // namespace

ProjectTarget LoadProjectTarget(const std::filesystem::path& file, const std::string& environment) {
  const std::string label = file.filename().string();
  auto at = [&](const YAML::Node& node, const std::string& message) {
    return Error(ErrorCode::kInvalidInput,
                 label + ":" + std::to_string(node.Mark().line + 1) + ":" + std::to_string(node.Mark().column + 1) + ": " + message);
  };
  YAML::Node root;
  try {
    root = YAML::Load(ReadFile(file));
  } catch (const YAML::ParserException& e) {
    throw Error(ErrorCode::kInvalidInput,
                label + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  if (!root.IsMap()) throw Error(ErrorCode::kInvalidInput, label + ": expected a mapping at the top");
  ProjectTarget target;
  target.project_dir = std::filesystem::absolute(file).parent_path();
  target.environment = environment;
  if (!root["service"] || !root["service"].IsScalar()) throw at(root, "missing required field 'service'");
  target.service = root["service"].Scalar();
  const YAML::Node environments = root["environments"];
  if (!environments || !environments.IsMap() || !environments[environment]) {
    throw Error(ErrorCode::kInvalidInput, label + ": no environment '" + environment + "' under environments");
  }
  const YAML::Node block = environments[environment]["target"];
  if (!block || !block.IsMap()) throw at(environments[environment], "environments." + environment + ".target is missing");
  if (!block["plugin"] || block["plugin"].Scalar() != "micros") {
    throw at(block, "environments." + environment + ".target.plugin is not micros");
  }
  for (const auto& item : block) {
    if (item.first.Scalar() != "plugin") target.settings[item.first.Scalar()] = ToJson(item.second);
  }
  return target;
}

}  // namespace berth::micros
