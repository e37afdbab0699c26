// berth secrets set|list|delete|diff|sync
//
// Values come from stdin, a file or an env file; never from argv, where
// every user of the machine could read them.
#include <iostream>
#include <iterator>

#include "berth/output.h"
#include "berth/secret_store.h"
#include "berth/util/fs.h"
#include "berth/util/secrets_source.h"
#include "core/host.h"

namespace berth::host {
namespace {

// The environment's secrets block in berth.yaml, when there is a project.
const SecretsConfig* ProjectSecrets(Host& host, CommandContext& context) {
  if (!host.HasProject()) return nullptr;
  const EnvironmentConfig& environment = host.Project().Environment(context.args.Get("environment"));
  return environment.secrets ? &*environment.secrets : nullptr;
}

// The store named by --store and its --setting pairs; else berth.yaml's
// store for the environment; else the local file store.
std::unique_ptr<SecretStore> OpenStore(Host& host, CommandContext& context) {
  std::string kind = context.args.GetOr("store", "");
  nlohmann::json settings = nlohmann::json::object();
  if (kind.empty()) {
    const SecretsConfig* configured = ProjectSecrets(host, context);
    kind = configured ? configured->store : "file";
    if (configured) {
      host.RequireTrust({"environments." + context.args.Get("environment") + ".secrets"});
      settings = configured->settings;
    }
  }
  for (const auto& pair : context.args.GetAll("setting")) {
    size_t equals = pair.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw Error(ErrorCode::kUsage, "--setting expects KEY=VALUE, got '" + pair + "'");
    }
    settings[pair.substr(0, equals)] = pair.substr(equals + 1);
  }
  // The store may ask which project and environment it serves.
  host.plugins->host_api().SetEnvironment(context.args.GetOr("environment", ""));
  return context.services.OpenSecretStore(kind, settings).value();
}

SecretValue ReadValue(CommandContext& context) {
  if (auto file = context.args.GetOptional("from-file")) return SecretValue(ReadFile(*file));
  if (context.interactive) std::cerr << "Enter the value, then Ctrl-D:\n";
  std::string value((std::istreambuf_iterator<char>(context.input)), std::istreambuf_iterator<char>());
  // A value piped with echo ends in one newline that is not part of it.
  if (!value.empty() && value.back() == '\n' && !context.args.Flag("keep-newline")) value.pop_back();
  if (value.empty()) throw Error(ErrorCode::kInvalidInput, "empty secret value on stdin (use --from-file or pipe the value)");
  return SecretValue(std::move(value));
}

int RunSet(Host& host, CommandContext& context) {
  std::string environment = context.args.Get("environment");
  std::string name = context.args.Get("name");
  SecretValue value = ReadValue(context);
  auto store = OpenStore(host, context);
  if (context.args.Flag("dry-run")) {
    context.output.Emit({{"environment", environment}, {"name", name}, {"action", "would set"}});
    return 0;
  }
  store->Set(environment, name, value).ThrowIfError();
  context.output.Emit({{"environment", environment}, {"name", name}, {"action", "set"}});
  return 0;
}

int RunList(Host& host, CommandContext& context) {
  std::string environment = context.args.Get("environment");
  auto names = OpenStore(host, context)->List(environment).value();
  nlohmann::json list = nlohmann::json::array();
  for (const auto& name : names) list.push_back({{"name", name}});
  Table table{{"NAME"}, {}};
  for (const auto& name : names) table.rows.push_back({name});
  context.output.Emit(list, table);
  return 0;
}

int RunDelete(Host& host, CommandContext& context) {
  std::string environment = context.args.Get("environment");
  std::string name = context.args.Get("name");
  auto store = OpenStore(host, context);
  if (!context.args.Flag("dry-run")) store->Delete(environment, name).ThrowIfError();
  context.output.Emit({{"environment", environment}, {"name", name}, {"action", context.args.Flag("dry-run") ? "would delete" : "deleted"}});
  return 0;
}

// The values --from (or berth.yaml's secrets.from) gives: env files and
// .asap-configs, every key or only the --key (or secrets.keys) ones.
std::map<std::string, SecretValue> Desired(Host& host, CommandContext& context) {
  std::vector<std::filesystem::path> files;
  for (const auto& file : context.args.GetAll("from")) files.emplace_back(file);
  auto keys = context.args.GetAll("key");
  if (files.empty()) {
    const SecretsConfig* configured = ProjectSecrets(host, context);
    if (configured == nullptr || configured->from.empty()) {
      throw Error(ErrorCode::kUsage, "no --from file, and berth.yaml names none for environment '" +
                                         context.args.Get("environment") + "'");
    }
    for (const auto& file : configured->from) files.push_back(host.Project().dir / file);
    if (keys.empty()) keys = configured->keys;
  }
  SecretsFromFiles loaded = LoadSecretsFiles(files);
  if (keys.empty()) return std::move(loaded.values);
  std::map<std::string, SecretValue> selected;
  for (const auto& key : keys) {
    auto it = loaded.values.find(key);
    if (it == loaded.values.end()) {
      std::string names;
      for (const auto& file : files) names += (names.empty() ? "" : ", ") + file.string();
      throw Error(ErrorCode::kInvalidInput, files.size() == 1 ? names + ": no key " + key : "no key " + key + " in " + names);
    }
    selected.emplace(key, it->second);
  }
  return selected;
}

nlohmann::json DiffJson(const std::vector<SecretDiffEntry>& diff) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& entry : diff) list.push_back({{"name", entry.name}, {"change", SecretChangeName(entry.change)}});
  return list;
}

int RunDiff(Host& host, CommandContext& context) {
  std::string environment = context.args.Get("environment");
  auto diff = OpenStore(host, context)->Diff(environment, Desired(host, context)).value();
  Table table{{"NAME", "CHANGE"}, {}};
  for (const auto& entry : diff) table.rows.push_back({entry.name, SecretChangeName(entry.change)});
  context.output.Emit(DiffJson(diff), table);
  bool differs = std::any_of(diff.begin(), diff.end(), [](auto& e) { return e.change != SecretChange::kUnchanged; });
  return differs && context.args.Flag("exit-code") ? 1 : 0;
}

int RunSync(Host& host, CommandContext& context) {
  std::string environment = context.args.Get("environment");
  // The store first: it checks that the project is trusted before any file it names is read.
  auto store = OpenStore(host, context);
  auto desired = Desired(host, context);
  auto diff = store->Diff(environment, desired).value();
  nlohmann::json done = nlohmann::json::array();
  Table table{{"NAME", "CHANGE", "APPLIED"}, {}};
  bool apply = !context.args.Flag("dry-run");
  for (const auto& entry : diff) {
    if (entry.change != SecretChange::kAdded && entry.change != SecretChange::kChanged) continue;
    if (apply) store->Set(environment, entry.name, desired.at(entry.name)).ThrowIfError();
    done.push_back({{"name", entry.name}, {"change", SecretChangeName(entry.change)}, {"applied", apply}});
    table.rows.push_back({entry.name, SecretChangeName(entry.change), apply ? "yes" : "no (dry run)"});
  }
  context.output.Emit(done, table);
  return 0;
}

}  // namespace

void RegisterSecretsCommands(Host& host) {
  using Kind = OptionSpec::Kind;
  const OptionSpec environment{.name = "environment", .help = "Environment", .value_name = "ENV", .required = true, .position = 1};
  const OptionSpec name{.name = "name", .help = "Secret name", .value_name = "NAME", .required = true, .position = 2};
  const OptionSpec store{.name = "store", .help = "Secret store kind (default: berth.yaml's for ENV, else file)", .value_name = "KIND"};
  const OptionSpec setting{.name = "setting", .kind = Kind::kList, .help = "Store setting KEY=VALUE (repeatable)", .value_name = "KEY=VALUE"};
  const OptionSpec from{.name = "from", .kind = Kind::kList,
                        .help = "Env file or .asap-config with the values (repeatable; default: berth.yaml's for ENV)", .value_name = "FILE"};
  const OptionSpec key{.name = "key", .kind = Kind::kList, .help = "Only this key of the files (repeatable)", .value_name = "KEY"};
  host.table.Add({.path = "secrets set",
                  .summary = "Set a secret from stdin or a file",
                  .options = {environment, name, store, setting,
                              {.name = "from-file", .help = "Read the value from this file", .value_name = "FILE"},
                              {.name = "keep-newline", .kind = Kind::kFlag, .help = "Keep a trailing newline read from stdin"}}},
                 [&host](CommandContext& c) { return RunSet(host, c); });
  host.table.Add({.path = "secrets list", .summary = "List secret names (never values)", .options = {environment, store, setting}}, [&host](CommandContext& c) { return RunList(host, c); });
  host.table.Add({.path = "secrets delete", .summary = "Delete a secret", .options = {environment, name, store, setting}}, [&host](CommandContext& c) { return RunDelete(host, c); });
  host.table.Add({.path = "secrets diff",
                  .summary = "Compare env files (and .asap-configs) with the store, without revealing values",
                  .options = {environment, from, key, store, setting,
                              {.name = "exit-code", .kind = Kind::kFlag, .help = "Exit 1 when something differs"}}},
                 [&host](CommandContext& c) { return RunDiff(host, c); });
  host.table.Add({.path = "secrets sync", .summary = "Set the keys of env files (and .asap-configs) that are new or changed", .options = {environment, from, key, store, setting}},
                 [&host](CommandContext& c) { return RunSync(host, c); });
}

}  // namespace berth::host
