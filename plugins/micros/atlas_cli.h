// Runs Atlassian's atlas CLI (`atlas micros ...`). Arguments never carry a
// secret value (stash values go in a 0600 file given with -f), so every call
// can be logged whole at -v.
#ifndef BERTH_PLUGINS_MICROS_ATLAS_CLI_H_
#define BERTH_PLUGINS_MICROS_ATLAS_CLI_H_

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "berth/error.h"

namespace berth::micros {

struct AtlasFailure {
  int exit_code = -1;
  std::string message;   // atlas's "Error: ..." line without the prefix, or what went wrong.
};

class AtlasCli {
 public:
  // `program` is a path or a name on PATH; found on first use.
  AtlasCli(std::string program, std::chrono::seconds timeout);

  // `atlas micros ARGS... --output json`; the parsed answer, or why it failed.
  // Throws Error only when atlas cannot be run at all or answers garbage.
  Result<nlohmann::json> Try(const std::vector<std::string>& args, std::optional<std::chrono::seconds> timeout = {});

  // Like Try, but a failure throws Error(code, "atlas micros <words> failed: <message>").
  nlohmann::json Run(const std::vector<std::string>& args, ErrorCode code = ErrorCode::kFailure,
                     std::optional<std::chrono::seconds> timeout = {});

  // The program that runs, for a plan: its path, or "NAME (not found)".
  std::string Describe();

 private:
  std::string Program();

  std::string program_;
  std::string resolved_;
  std::chrono::seconds timeout_;
};

// atlas has no exit code of its own for a missing service; its message is all
// there is ("service 'x' not found", or "does not exist").
bool SaysNotFound(const std::string& message);

// "atlas micros service deploy": the command words of an argument list, for messages.
std::string CommandWords(const std::vector<std::string>& args);

}  // namespace berth::micros

#endif  // BERTH_PLUGINS_MICROS_ATLAS_CLI_H_
