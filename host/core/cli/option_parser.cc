#include "core/cli/option_parser.h"

#include <boost/program_options.hpp>

#include <algorithm>
#include <map>
#include <sstream>

#include "berth/error.h"

namespace berth::host {
namespace po = boost::program_options;
namespace {

Error Usage(const std::string& message) { return Error(ErrorCode::kUsage, message); }

std::string UpperName(const OptionSpec& option) {
  std::string name = option.value_name.empty() || option.value_name == "VALUE" ? option.name : option.value_name;
  std::transform(name.begin(), name.end(), name.begin(), ::toupper);
  return name;
}

std::vector<const OptionSpec*> Positionals(const CommandSpec& spec) {
  std::vector<const OptionSpec*> positionals;
  for (const auto& option : spec.options) {
    if (option.position > 0) positionals.push_back(&option);
  }
  std::sort(positionals.begin(), positionals.end(), [](auto* a, auto* b) { return a->position < b->position; });
  return positionals;
}

po::options_description Describe(const CommandSpec& spec, bool include_positionals) {
  po::options_description description("Options");
  for (const auto& option : spec.options) {
    if (option.position > 0 && !include_positionals) continue;
    std::string names = option.name + (option.short_name.empty() ? "" : "," + option.short_name);
    std::string help = option.help;
    if (option.default_value) help += " (default: " + *option.default_value + ")";
    switch (option.kind) {
      case OptionSpec::Kind::kFlag:
        description.add_options()(names.c_str(), po::bool_switch(), help.c_str());
        break;
      case OptionSpec::Kind::kValue:
        description.add_options()(names.c_str(), po::value<std::string>()->value_name(UpperName(option)), help.c_str());
        break;
      case OptionSpec::Kind::kList:
        description.add_options()(names.c_str(),
                                  po::value<std::vector<std::string>>()->value_name(UpperName(option))->composing(),
                                  help.c_str());
        break;
    }
  }
  return description;
}

}  // namespace

const std::vector<OptionSpec>& GlobalOptionSpecs() {
  static const std::vector<OptionSpec> specs = {
      {"output", "o", OptionSpec::Kind::kValue, "Result format: table, json or yaml", "FORMAT", "table"},
      {"verbose", "v", OptionSpec::Kind::kFlag, "More logs on stderr (-vv for trace)"},
      {"quiet", "q", OptionSpec::Kind::kFlag, "Only errors on stderr"},
      {"no-color", "", OptionSpec::Kind::kFlag, "No colours (also NO_COLOR=1)"},
      {"config", "", OptionSpec::Kind::kValue, "Project file (default: berth.yaml found upwards from here)", "FILE"},
      {"dry-run", "", OptionSpec::Kind::kFlag, "Show what would change, change nothing"},
      {"trust", "", OptionSpec::Kind::kFlag, "Trust this project's berth.yaml for this run (CI; also BERTH_TRUST_PROJECT=1)"},
      {"help", "h", OptionSpec::Kind::kFlag, "Show help"},
      {"version", "", OptionSpec::Kind::kFlag, "Show berth's version"},
  };
  return specs;
}

SplitArgs SplitCommandLine(const std::vector<std::string>& args) {
  SplitArgs split;
  bool in_words = true;
  bool after_double_dash = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value_of = [&](const std::string& name) -> std::string {
      std::string long_eq = "--" + name + "=";
      if (arg.rfind(long_eq, 0) == 0) return arg.substr(long_eq.size());
      if (i + 1 >= args.size()) throw Usage("option --" + name + " needs a value");
      return args[++i];
    };
    if (after_double_dash) {
      split.rest.push_back(arg);
      continue;
    }
    if (arg == "--") {
      after_double_dash = true;
      in_words = false;
      split.rest.push_back(arg);
      continue;
    }
    if (arg == "-o" || arg == "--output" || arg.rfind("--output=", 0) == 0) {
      split.globals.output = value_of("output");
    } else if (arg.size() > 2 && arg.rfind("-o", 0) == 0 && arg[2] != '-') {
      split.globals.output = arg.substr(2);
    } else if (arg == "--config" || arg.rfind("--config=", 0) == 0) {
      split.globals.config = value_of("config");
    } else if (arg == "-v" || arg == "--verbose") {
      split.globals.verbosity++;
    } else if (arg.size() > 2 && arg.find_first_not_of('v', 1) == std::string::npos && arg[0] == '-') {
      split.globals.verbosity += int(arg.size() - 1);  // -vv, -vvv
    } else if (arg == "-q" || arg == "--quiet") {
      split.globals.quiet = true;
    } else if (arg == "--no-color") {
      split.globals.no_color = true;
    } else if (arg == "--dry-run") {
      split.globals.dry_run = true;
    } else if (arg == "--trust") {
      split.globals.trust = true;
    } else if (arg == "-h" || arg == "--help") {
      split.globals.help = true;
    } else if (arg == "--version" && split.words.empty()) {
      // After a command word it is that command's own --version (berth deploy ENV --version 1.4.2).
      split.globals.version = true;
    } else if (in_words && !arg.empty() && arg[0] != '-') {
      split.words.push_back(arg);
    } else {
      in_words = false;
      split.rest.push_back(arg);
    }
  }
  return split;
}

Args ParseCommandArgs(const CommandSpec& spec, const std::vector<std::string>& args) {
  po::options_description description = Describe(spec, true);
  po::positional_options_description positional;
  for (const OptionSpec* option : Positionals(spec)) {
    positional.add(option->name.c_str(), option->kind == OptionSpec::Kind::kList ? -1 : 1);
  }
  po::variables_map variables;
  try {
    auto parsed = po::command_line_parser(args)
                      .options(description)
                      .positional(positional)
                      .style(po::command_line_style::default_style & ~po::command_line_style::allow_guessing)
                      .run();
    po::store(parsed, variables);
  } catch (const po::too_many_positional_options_error&) {
    throw Usage("too many arguments for 'berth " + spec.path + "' (see berth " + spec.path + " --help)");
  } catch (const po::error& e) {
    throw Usage(std::string(e.what()) + " for 'berth " + spec.path + "' (see berth " + spec.path + " --help)");
  }
  std::map<std::string, std::vector<std::string>> values;
  for (const auto& option : spec.options) {
    auto it = variables.find(option.name);
    if (it != variables.end() && !it->second.empty()) {
      switch (option.kind) {
        case OptionSpec::Kind::kFlag:
          if (it->second.as<bool>()) values[option.name] = {"true"};
          break;
        case OptionSpec::Kind::kValue:
          values[option.name] = {it->second.as<std::string>()};
          break;
        case OptionSpec::Kind::kList:
          values[option.name] = it->second.as<std::vector<std::string>>();
          break;
      }
    }
    if (!values.count(option.name) && option.default_value) values[option.name] = {*option.default_value};
    if (option.required && !values.count(option.name)) {
      std::string shown = option.position > 0 ? UpperName(option) : "--" + option.name;
      throw Usage("missing " + shown + " for 'berth " + spec.path + "' (see berth " + spec.path + " --help)");
    }
  }
  return Args(std::move(values));
}

std::string CommandHelp(const CommandSpec& spec) {
  std::ostringstream out;
  out << "Usage: berth " << spec.path;
  bool has_named = false;
  for (const auto& option : spec.options) has_named |= option.position == 0;
  if (has_named) out << " [options]";
  for (const OptionSpec* option : Positionals(spec)) {
    std::string name = UpperName(*option);
    if (option->kind == OptionSpec::Kind::kList) name += "...";
    out << " " << (option->required ? name : "[" + name + "]");
  }
  out << "\n\n" << spec.summary << "\n";
  if (!spec.description.empty()) out << "\n" << spec.description << "\n";
  auto positionals = Positionals(spec);
  if (!positionals.empty()) {
    out << "\nArguments:\n";
    for (const OptionSpec* option : positionals) out << "  " << UpperName(*option) << "\t" << option->help << "\n";
  }
  if (has_named) out << "\n" << Describe(spec, false);
  out << "\nGlobal options: -o table|json|yaml, -v, -q, --no-color, --config FILE, --dry-run, --trust, -h\n";
  return out.str();
}

}  // namespace berth::host
