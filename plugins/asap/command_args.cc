#include <charconv>

#include "asap_commands.h"
#include "asap_credentials.h"
#include "berth/error.h"

namespace berth::asap {

std::vector<std::string> AudienceArgs(const Args& args) {
  std::vector<std::string> audience;
  for (const std::string& value : args.GetAll("audience")) {
    for (std::string& item : SplitAudience(value)) audience.push_back(std::move(item));
  }
  return audience;
}

std::optional<int64_t> ExpiryArg(const Args& args) {
  auto text = args.GetOptional("expiry");
  if (!text) return std::nullopt;
  int64_t seconds = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), seconds);
  if (error != std::errc() || end != text->data() + text->size()) {
    throw Error(ErrorCode::kUsage, "--expiry takes a whole number of seconds, not '" + *text + "'");
  }
  return seconds;
}

std::optional<std::string> ConfigArg(const Args& args) { return args.GetOptional("config"); }

}  // namespace berth::asap
