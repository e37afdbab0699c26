// berth ledger render [--check]: RELEASES.md again from releases.json. The
// JSON is the record and is committed; the Markdown is a view people may
// hand-edit, and --check tells CI when the two disagree. Reads berth.yaml
// only for the ledger's paths: no plugin runs and no trust is needed.
#include <algorithm>

#include "berth/error.h"
#include "berth/output.h"
#include "berth/util/fs.h"
#include "core/host.h"
#include "core/release/ledger.h"

namespace berth::host {
namespace {
namespace fs = std::filesystem;

// The 1-based line where `a` and `b` first differ.
size_t FirstDifferentLine(const std::string& a, const std::string& b) {
  auto mismatch = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  return static_cast<size_t>(std::count(a.begin(), mismatch.first, '\n')) + 1;
}

// Paths as the user sees them in the project, not as resolved.
std::string Shown(const fs::path& file, const fs::path& project_dir) {
  fs::path relative = file.lexically_relative(project_dir);
  return relative.empty() || *relative.begin() == ".." ? file.string() : relative.string();
}

int RunLedgerRender(Host& host, CommandContext& context) {
  const ProjectConfig& project = host.Project();
  const std::string json_name = Shown(project.ledger, project.dir);
  const std::string markdown_name = Shown(project.ledger_markdown, project.dir);
  std::error_code error;
  if (!fs::exists(project.ledger, error)) {
    throw Error(ErrorCode::kNotFound, json_name + " does not exist; berth release writes it");
  }
  const std::string rendered = Ledger::Load(project.ledger).ToMarkdown();
  const bool exists = fs::exists(project.ledger_markdown, error);
  const std::string current = exists ? ReadFile(project.ledger_markdown) : "";
  const bool changed = !exists || current != rendered;
  const bool check = context.args.Flag("check");
  if (check && changed) {
    throw Error(ErrorCode::kInvalidInput,
                exists ? markdown_name + ":" + std::to_string(FirstDifferentLine(current, rendered)) + ": differs from what " + json_name +
                             " renders (edit " + json_name + ", not " + markdown_name + "); run: berth ledger render"
                       : markdown_name + " does not exist; run: berth ledger render");
  }
  const bool write = changed && !check && !context.args.Flag("dry-run");
  if (write) WriteFileAtomic(project.ledger_markdown, rendered);
  nlohmann::json result = {{"ledger", project.ledger.string()}, {"markdown", project.ledger_markdown.string()},
                           {"changed", changed}, {"written", write}};
  Table table{{"FIELD", "VALUE"},
              {{"ledger", project.ledger.string()},
               {"markdown", project.ledger_markdown.string()},
               {"status", !changed ? "current" : write ? "rewritten" : "out of date"}}};
  context.output.Emit(result, table);
  return 0;
}

}  // namespace

void RegisterLedgerCommands(Host& host) {
  host.table.Add({.path = "ledger render",
                  .summary = "Write RELEASES.md again from releases.json (--check: fail if it differs)",
                  .options = {{.name = "check", .kind = OptionSpec::Kind::kFlag,
                               .help = "Change nothing; exit 3 when the Markdown ledger differs from what the JSON ledger renders"}}},
                 [&host](CommandContext& c) { return RunLedgerRender(host, c); });
}

}  // namespace berth::host
