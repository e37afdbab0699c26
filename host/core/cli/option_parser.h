// Turns a CommandSpec into Boost.Program_options descriptions, parses a
// command's arguments into Args, and writes its --help.
#ifndef BERTH_HOST_CORE_CLI_OPTION_PARSER_H_
#define BERTH_HOST_CORE_CLI_OPTION_PARSER_H_

#include <string>
#include <vector>

#include "berth/command.h"

namespace berth::host {

// Global options, accepted before or after the command words.
struct GlobalOptions {
  std::string output = "table";
  int verbosity = 0;   // -v count.
  bool quiet = false;
  bool no_color = false;
  bool help = false;
  bool version = false;
  bool dry_run = false;
  // Trust the project for this run (berth trust records it for good). Only
  // the command line and BERTH_TRUST_PROJECT say so, never berth.yaml.
  bool trust = false;
  std::string config;
};

// The global options in the order and shape `berth --help` shows them.
const std::vector<OptionSpec>& GlobalOptionSpecs();

// Splits argv (without argv[0]) into global options, command words (leading
// non-option arguments) and the rest. Throws Error(kUsage) on a bad global.
struct SplitArgs {
  GlobalOptions globals;
  std::vector<std::string> words;
  std::vector<std::string> rest;  // Everything after the first non-word, globals removed.
};
SplitArgs SplitCommandLine(const std::vector<std::string>& args);

// Parses `args` (options and positionals of one command). Throws
// Error(kUsage) naming the command for unknown or missing options.
Args ParseCommandArgs(const CommandSpec& spec, const std::vector<std::string>& args);

std::string CommandHelp(const CommandSpec& spec);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_CLI_OPTION_PARSER_H_
