#include "berth/command.h"

namespace berth {

bool Args::Has(const std::string& name) const { return values_.count(name) > 0; }

const std::string& Args::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) throw Error(ErrorCode::kUsage, "missing required option --" + name);
  return it->second.back();
}

std::string Args::GetOr(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() || it->second.empty() ? fallback : it->second.back();
}

std::optional<std::string> Args::GetOptional(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::vector<std::string> Args::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, unused] : values_) names.push_back(name);
  return names;
}

}  // namespace berth
