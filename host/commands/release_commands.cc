// berth release VERSION: build, tag, push to every registry, sign, record in
// the ledger, and optionally deploy (with rollback on failure). Nothing is
// written to the ledger unless every push succeeded.
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <iostream>

#include "berth/oci/copy.h"
#include "berth/oci/image.h"
#include "berth/output.h"
#include "berth/services.h"
#include "berth/signer.h"
#include "berth/target.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"
#include "berth/util/redact.h"
#include "core/builder/project_build.h"
#include "core/host.h"
#include "core/release/ledger.h"
#include "core/release/release_checks.h"
#include "core/release/release_deploy.h"
#include "core/release/release_journal.h"
#include "core/release/release_plan.h"
#include "core/release/release_push.h"
#include "core/release/release_source.h"
#include "core/release/signing_policy.h"
#include "core/release/tag_guard.h"
#include "core/release/tracked_secrets.h"

namespace berth::host {
namespace {

using nlohmann::json;

std::string Today() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[16];
  std::strftime(text, sizeof text, "%Y%m%d", &utc);
  return text;
}

std::vector<std::string> Repositories(const ProjectConfig& project) {
  std::vector<std::string> repositories;
  for (const auto& registry : project.registries) repositories.push_back(registry.repository);
  if (repositories.empty() && !project.image.empty()) repositories.push_back(project.image);
  if (repositories.empty()) throw Error(ErrorCode::kInvalidInput, project.file.filename().string() + ": no image and no registries to release to");
  return repositories;
}

// Progress for people, on stderr (stdout carries -o json) at the default
// level and above; -q (errors only) silences it.
void Step(const std::string& text) {
  if (!log::Enabled(log::Level::kWarn)) return;
  std::cerr << "release: " << Redact(text) << std::endl;
}

// "N of M failed (the others hold the image)" only when there are others that do.
std::string PushFailure(const std::string& version, size_t failed, const std::vector<std::string>& repositories) {
  std::string what;
  if (repositories.size() == 1) {
    what = "the push to " + repositories.front() + " failed";
  } else if (failed == repositories.size()) {
    what = "all " + std::to_string(failed) + " registries failed";
  } else {
    what = std::to_string(failed) + " of " + std::to_string(repositories.size()) + " registries failed (the others hold the image)";
  }
  return "release " + version + ": " + what + "; nothing recorded";
}

// The release as rows of plain text: the table never shows JSON in a cell.
Table ReleaseTable(const nlohmann::json& entry) {
  Table table{{"FIELD", "VALUE"}, {}};
  table.rows.push_back({"version", entry.value("version", "")});
  table.rows.push_back({"digest", entry.value("digest", "")});
  if (entry.contains("git")) {
    const auto& git = entry["git"];
    table.rows.push_back({"git", git.value("sha", "") + (git.value("dirty", false) ? " (dirty)" : "")});
  }
  if (entry.contains("git_tag")) table.rows.push_back({"git tag", entry.value("git_tag", "")});
  table.rows.push_back({"builder", entry.value("builder", "")});
  for (const auto& image : entry.value("images", json::array())) table.rows.push_back({"image", image.get<std::string>()});
  for (const auto& tag : entry.value("mutable_tags", json::array())) table.rows.push_back({"mutable tag", tag.get<std::string>()});
  for (const auto& signature : entry.value("signatures", json::array())) {
    table.rows.push_back({"signature", signature.value("signer", "") + " " + signature.value("reference", "")});
  }
  for (const auto& deployment : entry.value("deployments", json::array())) {
    table.rows.push_back({"deployment", deployment.value("environment", "") + ": " + deployment.value("result", "") + " at " +
                                            deployment.value("at", "")});
  }
  return table;
}


}  // namespace

namespace {

int RunRelease(Host& host, CommandContext& context) {
  const ProjectConfig& project = host.Project();
  // One spelling from here on: `v1.2.3` and `1.2.3` are the same release.
  const std::string version = release::NormalizeVersion(context.args.Get("version"));
  for (const auto& name : context.args.GetAll("plain-http")) host.plugins->registries().config().SetPlainHttp(name);

  release::GitState git = release::ReadGitState(project.dir, {project.ledger, project.ledger_markdown, project.dir / ".berth"});
  if (git.dirty && !context.args.Flag("allow-dirty")) {
    std::string first = git.changes.front();
    throw Error(ErrorCode::kInvalidInput, "the git tree has " + std::to_string(git.changes.size()) + " uncommitted change(s) (" + first +
                                              (git.changes.size() > 1 ? ", ..." : "") + "); commit them or pass --allow-dirty");
  }
  release::RefuseTrackedSecrets(project.dir);
  Ledger ledger = Ledger::Load(project.ledger);
  // Find matches either spelling: ledgers written before versions were normalised may hold "v1.2.3".
  if (ledger.Find(version) != nullptr) {
    throw Error(ErrorCode::kInvalidInput, "version " + version + " is already in " + project.ledger.filename().string() + "; releases are immutable");
  }
  std::vector<TagTemplate> templates = project.tags.empty() ? std::vector<TagTemplate>{{"{version}", false}} : project.tags;
  std::vector<release::RenderedTag> rendered =
      release::RenderTags(templates, release::ValuesFor(version, git, project.git_short_length, Today()));
  std::vector<std::string> tags;
  std::vector<std::string> mutable_tags;
  for (const auto& tag : rendered) {
    tags.push_back(tag.tag);
    if (tag.is_mutable) mutable_tags.push_back(tag.tag);
  }
  std::vector<std::string> repositories = Repositories(project);
  std::optional<std::string> env_name = context.args.GetOptional("env");
  const EnvironmentConfig* environment = env_name ? &project.Environment(*env_name) : nullptr;
  if (environment && !environment->registry.empty() &&
      std::find(repositories.begin(), repositories.end(), environment->registry) == repositories.end()) {
    throw Error(ErrorCode::kInvalidInput, "environment " + environment->name + " pulls from " + environment->registry +
                                              ", which this release does not push to; release without --env, then: berth promote " +
                                              version + " " + environment->name);
  }
  std::optional<std::string> builder_flag = context.args.GetOptional("builder");
  // Builders, registries, the signer and the target are all handed settings
  // of berth.yaml, the plan's builder choice included.
  std::vector<std::string> trusted_fields = {"build", "registries", "signing"};
  if (environment) trusted_fields.push_back("environments." + environment->name + ".target");
  host.RequireTrust(trusted_fields);
  // The changelog entry and the git tag: refused here, before the build, when
  // they disagree with VERSION (after the trust check, so that an untrusted
  // project's refusal is all it prints).
  release::ReleaseSource release_source =
      release::ResolveReleaseSource(project.dir, version, git, context.args.GetOptional("notes"), context.args.Flag("git-tag"));

  if (context.args.Flag("dry-run")) {
    std::string planned_builder = builder::PlannedBuilder(project, *host.plugins, builder_flag);
    json destinations = json::array();
    std::vector<std::vector<std::string>> rows;
    // In the order a release runs them; the tags are its commit point.
    rows.push_back({"check", "push access and the release tags on each registry" +
                                 std::string(project.signing ? "; that the signing key unlocks" : "")});
    rows.push_back({"build", "with " + planned_builder + " from " + (project.dir / project.build.context).lexically_normal().string()});
    for (const auto& repository : repositories) rows.push_back({"push", repository + " by digest"});
    if (project.signing) rows.push_back({"sign", "each pushed digest with " + project.signing->signer});
    for (const auto& repository : repositories) {
      for (const auto& tag : tags) {
        destinations.push_back(repository + ":" + tag);
        bool moves = std::find(mutable_tags.begin(), mutable_tags.end(), tag) != mutable_tags.end();
        rows.push_back({"tag", repository + ":" + tag + (moves ? " (mutable: moves to this release)" : "")});
      }
    }
    rows.push_back({"record", version + " in " + project.ledger.string()});
    if (environment) {
      if (auto verify = SigningPolicyAction(project)) rows.push_back({"verify", *verify});
      rows.push_back({"deploy", "to " + environment->name + " with " + environment->target});
    }
    json plan = {{"version", version}, {"git_sha", git.sha}, {"git_dirty", git.dirty}, {"builder", planned_builder},
                 {"tags", tags}, {"mutable_tags", mutable_tags}, {"destinations", destinations}, {"ledger", project.ledger.string()},
                 {"environment", environment ? json(environment->name) : json(nullptr)}, {"dry_run", true}};
    context.output.Emit(plan, Table{{"STEP", "WHAT"}, rows});
    return 0;
  }

  // 1. Check everything that can fail before the first byte moves: every
  // registry takes our pushes and no release tag names something else, and
  // the signing key unlocks. An interrupted run of this version resumes.
  std::optional<release::ReleaseJournal> resumed = release::ReleaseJournal::Resume(project.dir, version, git);
  release::ReleaseJournal journal = resumed ? std::move(*resumed) : release::ReleaseJournal(project.dir, version, git.sha);
  if (resumed) Step("continuing the interrupted release of " + version + " (" + journal.digest() + ")");
  auto& router = host.plugins->registries();
  release::RegistryChecks checks = release::CheckRegistries(router, repositories, rendered, Step);
  if (!checks.ok()) {
    for (size_t i = 0; i + 1 < checks.errors.size(); ++i) std::cerr << "error: " << Redact(checks.errors[i]) << "\n";
    throw Error(checks.code, "release " + version + ": " + checks.errors.back() +
                                 (resumed ? "; run `berth release " + version + "` again to continue" : "; nothing was built or pushed"));
  }
  std::unique_ptr<Signer> signer;
  std::string signing_key;
  if (project.signing) {
    signer = context.services.OpenSigner(project.signing->signer, project.signing->settings).value();
    signing_key = project.signing->key.empty() ? "" : (project.dir / project.signing->key).string();
    if (!release::CheckSigningKey(*signer, project.signing->signer, signing_key)) {
      Step("signer " + project.signing->signer + " cannot check its key ahead (an older plugin): it is first used after the push");
    }
  }
  auto refuse_conflicts = [&](const std::string& digest) {
    std::vector<release::TagConflict> conflicts = release::FindMovedTags(checks.tags, rendered, digest);
    if (conflicts.empty()) return;
    for (size_t i = 0; i + 1 < conflicts.size(); ++i) std::cerr << "error: " << Redact(release::DescribeConflict(conflicts[i], digest)) << "\n";
    throw Error(ErrorCode::kInvalidInput, release::DescribeConflict(conflicts.back(), digest));
  };
  if (resumed) refuse_conflicts(journal.digest());

  // 2. Build into the journal's layout (kept until the release is recorded),
  // unless an interrupted run of this commit built it already.
  oci::ImageLocation layout = oci::ImageLocation::Parse("oci:" + journal.layout_dir().string() + ":" + tags.front());
  std::string builder_used = journal.builder();
  if (!resumed) {
    journal.Remove();  // A build an earlier run did not finish.
    std::filesystem::create_directories(journal.dir());
    Step("building " + project.service + " " + version);
    try {
      builder::ProjectBuild built = builder::BuildProject(project, *host.plugins, layout, builder_flag, context.args.Flag("no-cache"));
      refuse_conflicts(built.digest.str());
      journal.RecordBuilt(built.digest.str(), built.builder);
      builder_used = built.builder;
    } catch (...) {
      journal.Remove();  // Nothing moved: nothing to resume.
      throw;
    }
  }
  const std::string resume_hint = "; run `berth release " + version + "` again to continue";

  // 3. Push by digest: every registry at once, each blob read once; no tag moves yet.
  auto source = oci::OpenOciLayoutSource(layout);
  const oci::Manifest top = source->TopManifest();
  if (top.digest.str() != journal.digest()) {
    throw Error(ErrorCode::kVerification, journal.layout_dir().string() + " holds " + top.digest.str() + ", not the release's " +
                                              journal.digest() + "; remove " + journal.dir().string() + " and release again");
  }
  release::PushOutcome outcome = release::PushByDigest(router, *source, repositories, Step);
  if (!outcome.ok()) {
    for (const auto& line : outcome.errors) std::cerr << "error: " << Redact(line) << "\n";
    throw Error(outcome.code, PushFailure(version, outcome.errors.size(), repositories) + resume_hint);
  }

  // 4. Sign each repository's image by digest (once: a rerun keeps earlier signatures).
  if (signer) {
    for (const auto& repository : repositories) {
      if (journal.Signed(repository)) continue;
      SignRequest request;
      request.image = repository + "@" + outcome.digest.str();
      request.key = signing_key;
      request.annotations = {{"berth.release/version", version}};
      Step("signing " + request.image + " with " + project.signing->signer);
      Result<SignResult> signed_image = signer->Sign(context.services, request);
      if (!signed_image.ok()) {
        throw Error(signed_image.status().code(), "release " + version + ": signing " + request.image + " failed: " +
                                                      signed_image.status().message() + "; no tag was moved" + resume_hint);
      }
      journal.RecordSigned(repository, {project.signing->signer, signed_image.value().signature, signed_image.value().key_id});
    }
  }
  std::vector<LedgerSignature> signatures;
  for (const auto& signed_repository : journal.signatures()) signatures.push_back(signed_repository.signature);

  // Then move the tags: the commit point. Until here no tag names the release.
  std::vector<std::string> images;  // Every repository:tag that names the release, as the ledger records them.
  for (const auto& repository : repositories) {
    for (const auto& tag : tags) {
      std::string image = repository + ":" + tag;
      if (!journal.Tagged(image)) {
        bool moves = std::find(mutable_tags.begin(), mutable_tags.end(), tag) != mutable_tags.end();
        Step("tagging " + image + (moves ? " (mutable in berth.yaml: it moves to " + journal.digest() + ")" : ""));
        try {
          release::MoveTag(router, top, repository, tag);
        } catch (const Error& e) {
          throw Error(e.code(), "release " + version + ": " + e.what() + "; the image is pushed and signed" + resume_hint);
        }
        journal.RecordTagged(image);
      }
      images.push_back(image);
    }
  }

  // 5. Record.
  LedgerRelease record;
  record.version = version;
  record.git_sha = git.sha;
  record.git_dirty = git.dirty;
  record.created_at = NowRfc3339();
  record.digest = outcome.digest.str();
  record.images = images;
  record.signatures = signatures;
  record.changelog = release_source.changelog;
  record.git_tag = release_source.git_tag.recorded;
  if (ledger.service().empty()) ledger.set_service(project.service);
  ledger.Add(record);
  ledger.Save(project.ledger, project.ledger_markdown);
  journal.Remove();
  Step("recorded " + version + " (" + record.digest + ") in " + project.ledger.string());
  release::CreateReleaseTag(project.dir, release_source, version, git.sha, Step);

  // 6. Deploy.
  int exit_code = 0;
  if (environment) exit_code = DeployRelease(project, context.services, ledger, *environment, version, context.args.Flag("auto-rollback"), Step);

  json entry;
  const json saved = ledger.ToJson();
  for (const auto& item : saved["releases"]) {
    if (item.value("version", "") == version) entry = item;
  }
  entry["pushes"] = outcome.copies;
  entry["builder"] = builder_used;
  entry["mutable_tags"] = mutable_tags;
  context.output.Emit(entry, ReleaseTable(entry));
  return exit_code;
}

}  // namespace

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
                 [&host](CommandContext& c) { return RunRelease(host, c); });
}

}  // namespace berth::host
