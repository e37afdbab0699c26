// berth release VERSION: build, tag, push to every registry, sign, record in
// the ledger, and optionally deploy (with rollback on failure). Nothing is
// written to the ledger unless every push succeeded.
#include "commands/release_run.h"
#include "core/host.h"

namespace berth::host {

void RegisterReleaseCommands(Host& host) {
  using Kind = OptionSpec::Kind;
  host.table.Add({.path = "release",
                  .summary = "Build, push, sign and record a release (and deploy it with --env)",
                  .options = {{.name = "version", .help = "Semantic version of the release", .value_name = "VERSION", .required = true, .position = 1},
                              {.name = "env", .help = "Deploy to this environment after recording", .value_name = "ENV"},
                              {.name = "allow-dirty", .kind = Kind::kFlag, .help = "Release from a git tree with uncommitted changes"},
                              {.name = "dry-run", .kind = Kind::kFlag, .help = "Print the plan; change nothing"},
                              {.name = "auto-rollback", .kind = Kind::kFlag, .help = "Roll back to the previous healthy release when the deploy fails"},
                              {.name = "builder", .help = "auto, docker, buildx, podman, buildah or berth (default: build.builder)", .value_name = "NAME"},
                              {.name = "no-cache", .kind = Kind::kFlag, .help = "Build every step again: the builder uses no cached layer"},
                              {.name = "notes", .help = "The changelog entry: this file's text (default: VERSION's entry in CHANGELOG.md)", .value_name = "FILE"},
                              {.name = "git-tag", .kind = Kind::kFlag, .help = "Create the annotated git tag vVERSION at HEAD once recorded (never pushed)"},
                              {.name = "plain-http", .kind = Kind::kList, .help = "Talk HTTP, not HTTPS, to this registry host (repeatable)", .value_name = "HOST"}}},
                 [&host](CommandContext& c) { return ReleaseRun(host, c).Run(); });
}

}  // namespace berth::host
