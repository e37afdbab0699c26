#include <unistd.h>

#include <iostream>

#include "berth/output.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"
#include "berth/util/redact.h"
#include "berth/version.h"
#include "core/config/host_paths.h"
#include "core/plugins/plugin_crash.h"
#include "core/plugins/plugin_lock.h"
#include "host.h"

namespace berth::host {
namespace {

constexpr CommandGroupRegistration kCommandGroups[] = {
    RegisterMetaCommands,
    RegisterPluginCommands,
    RegisterPluginLockCommands,
    RegisterPluginIndexCommands,
    RegisterSecretsCommands,
    RegisterDeployCommands,
    RegisterRegistryCommands,
    RegisterInitCommands,
    RegisterSignCommands,
    RegisterBuildCommands,
    RegisterReleaseCommands,
    RegisterPromoteCommands,
    RegisterLedgerCommands,
    RegisterTrustCommands,
};

int ReportError(const Status& status) {
  std::cerr << "error: " << Redact(status.message()) << "\n";
  return static_cast<int>(status.code());
}

// In a fresh clone the commands and kinds a locked plugin provides are
// unknown until `berth plugin sync` installs it: the error says so.
Status WithSyncHint(Host& host, Status status) {
  if (!host.project_dir || (status.code() != ErrorCode::kPlugin && status.message().rfind("unknown command", 0) != 0)) return status;
  std::string missing;
  try {
    std::optional<std::vector<LockedPlugin>> locked = ReadPluginLock(PluginLockFile(*host.project_dir));
    for (const LockedPlugin& plugin : locked.value_or(std::vector<LockedPlugin>{})) {
      if (host.plugins->Find(plugin.name) == nullptr) missing += (missing.empty() ? "" : ", ") + plugin.name;
    }
  } catch (const Error&) {
    return status;  // A broken lock is `plugin sync`'s to report.
  }
  if (missing.empty()) return status;
  return Status(status.code(), status.message() + "; .berth/plugins.lock names plugins not installed here (" + missing +
                                   "): run berth plugin sync");
}

void ConfigureLogging(const GlobalOptions& globals) {
  log::Level level = log::Level::kWarn;
  if (globals.quiet) level = log::Level::kError;
  if (globals.verbosity == 1) level = log::Level::kInfo;
  if (globals.verbosity == 2) level = log::Level::kDebug;
  if (globals.verbosity >= 3) level = log::Level::kTrace;
  log::SetLevel(level);
  log::SetColor(!globals.no_color && std::getenv("NO_COLOR") == nullptr && isatty(STDERR_FILENO));
}

void AddPluginCommands(Host& host) {
  for (const auto& plugin : host.plugins->Plugins()) {
    if (!plugin.manifest) continue;
    for (const auto& command : plugin.manifest->commands) host.table.AddPluginCommand(command.path, command.summary, plugin.name);
  }
}

void PrintGeneralHelp(Host& host, std::ostream& out) {
  out << "berth: build, push, sign, deploy and roll back services, one set of commands across platforms.\n\n"
         "Usage: berth [global options] COMMAND [options] [arguments]\n\nCommands:\n";
  for (const CommandEntry* entry : host.table.Under("")) {
    std::string path = entry->path;
    path.resize(std::max<size_t>(path.size(), 26), ' ');
    out << "  " << path << "  " << entry->summary << (entry->plugin.empty() ? "" : " [" + entry->plugin + "]") << "\n";
  }
  out << "\nGlobal options:\n";
  for (const auto& option : GlobalOptionSpecs()) {
    std::string names = (option.short_name.empty() ? "    " : "-" + option.short_name + ", ") + "--" + option.name;
    if (option.kind == OptionSpec::Kind::kValue) names += " " + option.value_name;
    names.resize(std::max<size_t>(names.size(), 26), ' ');
    out << "  " << names << "  " << option.help << "\n";
  }
  out << "\nRun 'berth COMMAND --help' for a command's options. Exit codes: docs/commands.md.\n";
}

void PrintGroupHelp(Host& host, const std::string& group, std::ostream& out) {
  out << "Usage: berth " << group << " COMMAND\n\nCommands:\n";
  for (const CommandEntry* entry : host.table.Under(group)) {
    std::string path = entry->path;
    path.resize(std::max<size_t>(path.size(), 26), ' ');
    out << "  " << path << "  " << entry->summary << "\n";
  }
}

int Run(const std::vector<std::string>& arguments, std::span<const OwnPlugin> own_plugins) {
  SplitArgs split = SplitCommandLine(arguments);
  ConfigureLogging(split.globals);
  if (split.globals.version && split.words.empty()) {
    // The fast path: no discovery, no plugin, nothing but this line.
    std::cout << "berth " << BERTH_SDK_VERSION << "\n";
    return 0;
  }
  OutputFormat format = ParseOutputFormat(split.globals.output);

  Host host;
  host.globals = split.globals;
  host.project_dir = FindProjectDir(split.globals.config);
  host.plugins = std::make_unique<PluginManager>(PluginSearchDirs(host.project_dir));
  host.plugins->SetOwnPlugins(own_plugins);
  host.plugins->host_api().SetProjectSource([&host](const std::string& environment) -> nlohmann::json {
    if (!host.HasProject()) return {{"present", false}};
    const ProjectConfig& project = host.Project();
    nlohmann::json answer = {
        {"present", true}, {"dir", project.dir.string()}, {"file", project.file.string()}, {"service", project.service}};
    answer["environments"] = nlohmann::json::array();
    for (const auto& [name, defined] : project.environments) answer["environments"].push_back(name);
    auto it = project.environments.find(environment);
    if (it == project.environments.end()) return answer;
    // Plugin code gets the environment's settings only as the host's own
    // commands do: trusted where they need it.
    host.RequireTrust({"environments." + environment + ".target", "environments." + environment + ".secrets"});
    answer["target"] = {{"plugin", it->second.target}, {"settings", it->second.target_settings}};
    if (it->second.secrets) {
      nlohmann::json from = nlohmann::json::array();
      for (const auto& file : it->second.secrets->from) from.push_back((project.dir / file).string());
      answer["secrets"] = {{"store", it->second.secrets->store}, {"settings", it->second.secrets->settings}, {"from", from}};
    }
    return answer;
  });
  for (CommandGroupRegistration registration : kCommandGroups) registration(host);

  CommandMatch match = host.table.Find(split.words);
  if (match.entry == nullptr) {
    AddPluginCommands(host);
    match = host.table.Find(split.words);
  }
  if (split.words.empty()) {
    AddPluginCommands(host);
    PrintGeneralHelp(host, split.globals.help ? std::cout : std::cerr);
    return split.globals.help ? 0 : static_cast<int>(ErrorCode::kUsage);
  }
  if (match.entry == nullptr) {
    // The longest run of words that names a group ("plugin", "asap").
    std::string group;
    size_t group_words = 0;
    for (const auto& word : split.words) {
      std::string candidate = group.empty() ? word : group + " " + word;
      if (!host.table.IsGroup(candidate)) break;
      group = candidate;
      ++group_words;
    }
    if (group_words == split.words.size()) {
      PrintGroupHelp(host, group, split.globals.help ? std::cout : std::cerr);
      return split.globals.help ? 0 : static_cast<int>(ErrorCode::kUsage);
    }
    std::string unknown = group.empty() ? split.words[0] : group + " " + split.words[group_words];
    std::string message = "unknown command '" + unknown + "'";
    if (auto suggestion = host.table.Suggest(unknown)) message += "; did you mean '" + *suggestion + "'?";
    return ReportError(WithSyncHint(host, Status(ErrorCode::kUsage, message + " (see berth --help)")));
  }

  std::vector<std::string> remaining(split.words.begin() + long(match.words_used), split.words.end());
  remaining.insert(remaining.end(), split.rest.begin(), split.rest.end());

  const CommandSpec* spec = &match.entry->spec;
  CommandSpec with_late_options;
  if (match.entry->late_options) {
    with_late_options = match.entry->spec;
    for (auto& option : match.entry->late_options()) with_late_options.options.push_back(std::move(option));
    spec = &with_late_options;
  }
  LoadedPlugin* plugin = nullptr;
  if (!match.entry->plugin.empty()) {
    auto loaded = host.plugins->Load(match.entry->plugin);
    if (!loaded.ok()) return ReportError(loaded.status());
    plugin = loaded.value();
    spec = plugin->FindCommand(match.entry->path);
    if (spec == nullptr) {
      return ReportError(Status(ErrorCode::kPlugin, "plugin " + plugin->path().string() + ": its manifest lists command '" +
                                                        match.entry->path + "' but it did not register it"));
    }
  }
  if (split.globals.help) {
    std::cout << CommandHelp(*spec);
    return 0;
  }
  Args args = ParseCommandArgs(*spec, remaining);
  std::map<std::string, std::vector<std::string>> with_globals;
  for (const auto& option : spec->options) {
    if (args.Has(option.name)) with_globals[option.name] = args.GetAll(option.name);
  }
  if (split.globals.dry_run) with_globals["dry-run"] = {"true"};
  if (!split.globals.config.empty()) with_globals["config"] = {split.globals.config};
  if (host.project_dir) with_globals["project-dir"] = {host.project_dir->string()};
  Args final_args(std::move(with_globals));

  bool color = !split.globals.no_color && std::getenv("NO_COLOR") == nullptr && isatty(STDOUT_FILENO);
  FormattedOutput output(format, std::cout, color);
  bool interactive = isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
  Result<int> result = 0;
  if (plugin != nullptr) {
    nlohmann::json arguments = nlohmann::json::object();
    for (const auto& name : final_args.Names()) arguments[name] = final_args.GetAll(name);
    nlohmann::json request = {{"args", arguments},
                              {"interactive", interactive},
                              {"format", OutputFormatName(format)},
                              {"color", color}};
    host.plugins->host_api().SetCommandIo(&output, &std::cin);
    result = plugin->RunCommand(match.entry->path, request);
    host.plugins->host_api().SetCommandIo(nullptr, nullptr);
  } else {
    CommandContext context{final_args, output, *host.plugins, std::cin, interactive};
    host.plugins->host_api().SetCommandIo(&output, &std::cin);
    result = CaptureResult([&] { return match.entry->run(context); });
    host.plugins->host_api().SetCommandIo(nullptr, nullptr);
  }
  std::cout.flush();
  if (!result.ok()) return ReportError(WithSyncHint(host, result.status()));
  return result.value();
}

}  // namespace

int Main(int argc, char** argv, std::span<const OwnPlugin> own_plugins) {
  InstallInterruptCleanup();
  InstallPluginCrashReporter();
  std::ios::sync_with_stdio(false);
  std::vector<std::string> arguments(argv + 1, argv + argc);
  Status status = Capture([&]() -> Status {
    int code = Run(arguments, own_plugins);
    return code == 0 ? Status::Ok() : Status(static_cast<ErrorCode>(code), "");
  });
  std::cout.flush();
  if (status.ok()) return 0;
  if (!status.message().empty()) return ReportError(status);
  return static_cast<int>(status.code());
}

}  // namespace berth::host
