#include "berth/command.h"

#include <charconv>

#include "berth/settings.h"

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

std::optional<int64_t> Args::WholeNumber(const std::string& name, int64_t at_least, int64_t at_most) const {
  std::optional<std::string> text = GetOptional(name);
  if (!text) return std::nullopt;
  int64_t number = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), number);
  if (error == std::errc() && end == text->data() + text->size() && number >= at_least && number <= at_most) return number;
  std::string range = at_least == INT64_MIN && at_most == INT64_MAX ? ""
                      : at_most == INT64_MAX                        ? " from " + std::to_string(at_least)
                      : at_least == INT64_MIN                       ? " up to " + std::to_string(at_most)
                                            : " from " + std::to_string(at_least) + " to " + std::to_string(at_most);
  throw Error(ErrorCode::kUsage, "--" + name + " takes a whole number" + range + ", not '" + *text + "'");
}

std::optional<int64_t> Args::DurationSeconds(const std::string& name) const {
  std::optional<std::string> text = GetOptional(name);
  if (!text) return std::nullopt;
  if (auto seconds = ParseDurationSeconds(*text)) return *seconds;
  throw Error(ErrorCode::kUsage, "--" + name + " takes a duration (90, 90s, 5m, 2h), not '" + *text + "'");
}

std::vector<std::string> Args::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, unused] : values_) names.push_back(name);
  return names;
}

}  // namespace berth
