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

std::optional<int64_t> ExpiryArg(const Args& args) { return args.WholeNumber("expiry"); }

std::optional<std::string> ConfigArg(const Args& args) { return args.GetOptional("config"); }

}  // namespace berth::asap
