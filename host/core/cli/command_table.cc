#include "core/cli/command_table.h"

#include <algorithm>
#include <set>

#include "berth/error.h"
#include "berth/util/text.h"

namespace berth::host {

void CommandTable::Add(CommandSpec spec, CommandFn run, std::function<std::vector<OptionSpec>()> late_options) {
  for (const auto& entry : entries_) {
    // A programming error in the host (a group registered twice), not user input.
    if (entry.path == spec.path) throw Error(ErrorCode::kFailure, "host command '" + spec.path + "' is registered twice");
  }
  std::string path = spec.path;
  std::string summary = spec.summary;
  entries_.push_back({std::move(path), std::move(summary), "", std::move(spec), std::move(run), std::move(late_options)});
}

void CommandTable::AddPluginCommand(const std::string& path, const std::string& summary, const std::string& plugin) {
  for (const auto& entry : entries_) {
    if (entry.path == path) return;  // A host command or an earlier plugin wins; the loader reports the clash.
  }
  entries_.push_back({path, summary, plugin, {}, {}});
}

CommandMatch CommandTable::Find(const std::vector<std::string>& words) const {
  CommandMatch best;
  std::string path;
  for (size_t i = 0; i < words.size(); ++i) {
    path += (i ? " " : "") + words[i];
    for (const auto& entry : entries_) {
      if (entry.path == path) best = {&entry, i + 1};
    }
  }
  return best;
}

bool CommandTable::IsGroup(const std::string& prefix) const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [&](const CommandEntry& entry) { return entry.path.rfind(prefix + " ", 0) == 0; });
}

std::vector<const CommandEntry*> CommandTable::Under(const std::string& prefix) const {
  std::vector<const CommandEntry*> found;
  for (const auto& entry : entries_) {
    if (prefix.empty() || entry.path.rfind(prefix + " ", 0) == 0) found.push_back(&entry);
  }
  std::sort(found.begin(), found.end(), [](auto* a, auto* b) { return a->path < b->path; });
  return found;
}

std::optional<std::string> CommandTable::Suggest(const std::string& typed) const {
  // Candidates: every full path and every group prefix, so "plugn list" and
  // "plugin lst" both find their way.
  std::set<std::string> candidates;
  for (const auto& entry : entries_) {
    std::string prefix;
    size_t start = 0;
    while (true) {
      size_t space = entry.path.find(' ', start);
      prefix = entry.path.substr(0, space);
      candidates.insert(prefix);
      if (space == std::string::npos) break;
      start = space + 1;
    }
  }
  // Only candidates as deep as what was typed: "plugin lst" should not become "plugin".
  std::erase_if(candidates, [&](const std::string& candidate) {
    return std::count(candidate.begin(), candidate.end(), ' ') != std::count(typed.begin(), typed.end(), ' ');
  });
  return Nearest(typed, candidates, std::max<size_t>(2, typed.size() / 3));
}

}  // namespace berth::host
