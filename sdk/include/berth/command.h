// Subcommands, described as data so that the host's table and plugins'
// commands are parsed, listed and documented the same way.
#ifndef BERTH_COMMAND_H_
#define BERTH_COMMAND_H_

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "berth/error.h"

namespace berth {

class Output;
class Services;

struct OptionSpec {
  enum class Kind { kFlag, kValue, kList };
  std::string name;           // Long name without dashes: "key-id".
  std::string short_name;     // One letter or empty.
  Kind kind = Kind::kValue;
  std::string help;
  std::string value_name = "VALUE";
  std::optional<std::string> default_value;
  bool required = false;
  // Positional order (1, 2, ...); 0 means named only. A kList positional
  // takes every remaining argument.
  int position = 0;
};

struct CommandSpec {
  std::string path;           // Words after "berth": "asap token".
  std::string summary;        // One line for the command list.
  std::string description;    // Optional longer text for --help.
  std::vector<OptionSpec> options;
};

// Parsed arguments of one command.
class Args {
 public:
  Args() = default;
  explicit Args(std::map<std::string, std::vector<std::string>> values) : values_(std::move(values)) {}
  bool Has(const std::string& name) const;
  bool Flag(const std::string& name) const { return Has(name); }
  // Throws Error(kUsage) when the option is missing.
  const std::string& Get(const std::string& name) const;
  std::string GetOr(const std::string& name, const std::string& fallback) const;
  std::optional<std::string> GetOptional(const std::string& name) const;
  std::vector<std::string> GetAll(const std::string& name) const;
  // --NAME as a whole number in [at_least, at_most]; nullopt when absent.
  // Throws Error(kUsage) naming the option, the range and what was typed.
  std::optional<int64_t> WholeNumber(const std::string& name, int64_t at_least = INT64_MIN,
                                     int64_t at_most = INT64_MAX) const;
  // --NAME as a duration in seconds, written as berth.yaml's durations are
  // ("90", "90s", "5m", "2h"); nullopt when absent, Error(kUsage) when malformed.
  std::optional<int64_t> DurationSeconds(const std::string& name) const;
  // Every option given, in name order.
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

struct CommandContext {
  const Args& args;
  Output& output;
  Services& services;
  std::istream& input;
  bool interactive;   // stdin and stderr are terminals.
};

// Returns the process exit code. Throwing berth::Error is fine inside the
// function; the Registrar guards plugin commands so nothing leaves the plugin.
using CommandFn = std::function<int(CommandContext&)>;

}  // namespace berth

#endif  // BERTH_COMMAND_H_
