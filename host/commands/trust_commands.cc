// berth trust [--list | --revoke [DIR]]: the user's word that they read this
// project's berth.yaml, for the settings that name an endpoint, a credential
// file or a program (core/config/project_trust.h, docs/security.md).
#include <iostream>

#include "berth/output.h"
#include "berth/util/log.h"
#include "berth/util/time.h"
#include "core/host.h"

namespace berth::host {
namespace {

std::string ValueText(const nlohmann::json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

int RunList(CommandContext& context) {
  nlohmann::json list = nlohmann::json::array();
  Table table{{"DIR", "FILE", "TRUSTED AT", "SETTINGS"}, {}};
  for (const auto& record : TrustStore::ForUser().List()) {
    list.push_back({{"dir", record.dir},
                    {"file", record.file},
                    {"sha256", record.sha256},
                    {"trusted_at", record.trusted_at},
                    {"settings", record.settings}});
    table.rows.push_back({record.dir, record.file, record.trusted_at, std::to_string(record.settings.size())});
  }
  context.output.Emit(list, table);
  return 0;
}

int RunRevoke(Host& host, CommandContext& context) {
  std::filesystem::path dir;
  if (auto given = context.args.GetOptional("dir")) {
    dir = *given;
  } else if (host.HasProject()) {
    dir = host.Project().dir;
  } else {
    throw Error(ErrorCode::kUsage, "berth trust --revoke: no berth.yaml here; name the project's folder (berth trust --list)");
  }
  const std::string key = TrustKey(dir);
  size_t removed = context.args.Flag("dry-run") ? 0 : TrustStore::ForUser().Revoke(key);
  if (!context.args.Flag("dry-run") && removed == 0) {
    throw Error(ErrorCode::kNotFound, key + " is not a trusted project (see berth trust --list)");
  }
  context.output.Emit({{"dir", key}, {"revoked", !context.args.Flag("dry-run")}});
  return 0;
}

int RunTrust(Host& host, CommandContext& context) {
  const bool list = context.args.Flag("list");
  const bool revoke = context.args.Flag("revoke");
  if (list && revoke) throw Error(ErrorCode::kUsage, "berth trust: give --list or --revoke, not both");
  if (list) return RunList(context);
  if (revoke) return RunRevoke(host, context);
  if (context.args.Has("dir")) {
    throw Error(ErrorCode::kUsage, "berth trust trusts the project it runs in; a folder is for --revoke (cd there to trust it)");
  }
  const ProjectConfig& project = host.Project();
  const std::vector<TrustNeed>& needs = host.TrustNeeds();
  TrustRecord record;
  record.dir = TrustKey(project.dir);
  record.file = project.file.filename().string();
  record.sha256 = TrustDigest(needs);
  record.trusted_at = NowRfc3339();
  for (const auto& need : needs) record.settings.push_back(need.field);
  const bool dry_run = context.args.Flag("dry-run");
  if (!dry_run) TrustStore::ForUser().Add(record);

  nlohmann::json settings = nlohmann::json::array();
  Table table{{"SETTING", "WHERE", "KIND", "VALUE"}, {}};
  for (const auto& need : needs) {
    settings.push_back({{"field", need.field}, {"where", need.where}, {"kind", need.kind}, {"value", need.value}});
    table.rows.push_back({need.field, need.where, need.kind, ValueText(need.value)});
  }
  if (log::Enabled(log::Level::kWarn)) {
    std::cerr << "trust: " << (dry_run ? "would trust " : "trusted ") << (project.dir / record.file).string() << " ("
              << (needs.empty()       ? std::string("no setting in it needs trust")
                  : needs.size() == 1 ? std::string("1 setting needs trust")
                                      : std::to_string(needs.size()) + " settings need trust")
              << ")" << std::endl;
  }
  context.output.Emit({{"dir", record.dir},
                       {"file", record.file},
                       {"sha256", record.sha256},
                       {"trusted", !dry_run},
                       {"settings", settings}},
                      table);
  return 0;
}

}  // namespace

void RegisterTrustCommands(Host& host) {
  using Kind = OptionSpec::Kind;
  host.table.Add(
      {.path = "trust",
       .summary = "Trust this project's berth.yaml: its endpoints, credential files and programs",
       .description = "berth refuses the settings of berth.yaml that name an endpoint, a credential file or a program\n"
                      "until you trust the project (after reading berth.yaml); a change to any of them needs trust again.\n"
                      "CI trusts its own checkout with --trust or BERTH_TRUST_PROJECT=1.",
       .options = {{.name = "list", .kind = Kind::kFlag, .help = "List the trusted projects"},
                   {.name = "revoke", .kind = Kind::kFlag, .help = "Stop trusting DIR (default: this project)"},
                   {.name = "dir", .help = "The project folder to revoke", .value_name = "DIR", .position = 1}}},
      [&host](CommandContext& c) { return RunTrust(host, c); });
}

}  // namespace berth::host
