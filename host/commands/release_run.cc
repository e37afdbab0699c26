#include "commands/release_run.h"

#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <iostream>

#include "berth/oci/copy.h"
#include "berth/output.h"
#include "berth/services.h"
#include "berth/target.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"
#include "berth/util/redact.h"
#include "berth/util/time.h"
#include "core/builder/project_build.h"
#include "core/release/release_deploy.h"
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

ReleaseRun::ReleaseRun(Host& host, CommandContext& context) : host_(host), context_(context), project_(host.Project()) {}

int ReleaseRun::Run() {
  Plan();
  if (context_.args.Flag("dry-run")) return EmitPlan();
  CheckAhead();
  Build();
  PushByDigest();
  Sign();
  MoveTags();  // The commit point: until here no tag names the release.
  Record();
  int exit_code = 0;
  if (environment_) {
    exit_code = DeployRelease(project_, context_.services, ledger_, *environment_, version_, context_.args.Flag("auto-rollback"), Step);
  }
  Emit();
  return exit_code;
}

void ReleaseRun::Plan() {
  // One spelling from here on: `v1.2.3` and `1.2.3` are the same release.
  version_ = release::NormalizeVersion(context_.args.Get("version"));
  for (const auto& name : context_.args.GetAll("plain-http")) host_.plugins->registries().config().SetPlainHttp(name);

  git_ = release::ReadGitState(project_.dir, {project_.ledger, project_.ledger_markdown, project_.dir / ".berth"});
  if (git_.dirty && !context_.args.Flag("allow-dirty")) {
    std::string first = git_.changes.front();
    throw Error(ErrorCode::kInvalidInput, "the git tree has " + std::to_string(git_.changes.size()) + " uncommitted change(s) (" + first +
                                              (git_.changes.size() > 1 ? ", ..." : "") + "); commit them or pass --allow-dirty");
  }
  release::RefuseTrackedSecrets(project_.dir);
  ledger_ = Ledger::Load(project_.ledger);
  // Find matches either spelling: ledgers written before versions were normalised may hold "v1.2.3".
  if (ledger_.Find(version_) != nullptr) {
    throw Error(ErrorCode::kInvalidInput, "version " + version_ + " is already in " + project_.ledger.filename().string() + "; releases are immutable");
  }
  std::vector<TagTemplate> templates = project_.tags.empty() ? std::vector<TagTemplate>{{"{version}", false}} : project_.tags;
  rendered_ = release::RenderTags(templates, release::ValuesFor(version_, git_, project_.git_short_length, Today()));
  for (const auto& tag : rendered_) {
    tags_.push_back(tag.tag);
    if (tag.is_mutable) mutable_tags_.push_back(tag.tag);
  }
  repositories_ = Repositories(project_);
  std::optional<std::string> env_name = context_.args.GetOptional("env");
  environment_ = env_name ? &project_.Environment(*env_name) : nullptr;
  if (environment_ && !environment_->registry.empty() &&
      std::find(repositories_.begin(), repositories_.end(), environment_->registry) == repositories_.end()) {
    throw Error(ErrorCode::kInvalidInput, "environment " + environment_->name + " pulls from " + environment_->registry +
                                              ", which this release does not push to; release without --env, then: berth promote " +
                                              version_ + " " + environment_->name);
  }
  builder_flag_ = context_.args.GetOptional("builder");
  // Builders, registries, the signer and the target are all handed settings
  // of berth.yaml, the plan's builder choice included.
  std::vector<std::string> trusted_fields = {"build", "registries", "signing"};
  if (environment_) trusted_fields.push_back("environments." + environment_->name + ".target");
  host_.RequireTrust(trusted_fields);
  // The changelog entry and the git tag: refused here, before the build, when
  // they disagree with VERSION (after the trust check, so that an untrusted
  // project's refusal is all it prints).
  source_ = release::ResolveReleaseSource(project_.dir, version_, git_, context_.args.GetOptional("notes"), context_.args.Flag("git-tag"));
}

int ReleaseRun::EmitPlan() {
  std::string planned_builder = builder::PlannedBuilder(project_, *host_.plugins, builder_flag_);
  json destinations = json::array();
  std::vector<std::vector<std::string>> rows;
  // In the order a release runs them; the tags are its commit point.
  rows.push_back({"check", "push access and the release tags on each registry" +
                               std::string(project_.signing ? "; that the signing key unlocks" : "")});
  rows.push_back({"build", "with " + planned_builder + " from " + (project_.dir / project_.build.context).lexically_normal().string()});
  for (const auto& repository : repositories_) rows.push_back({"push", repository + " by digest"});
  if (project_.signing) rows.push_back({"sign", "each pushed digest with " + project_.signing->signer});
  for (const auto& repository : repositories_) {
    for (const auto& tag : tags_) {
      destinations.push_back(repository + ":" + tag);
      bool moves = std::find(mutable_tags_.begin(), mutable_tags_.end(), tag) != mutable_tags_.end();
      rows.push_back({"tag", repository + ":" + tag + (moves ? " (mutable: moves to this release)" : "")});
    }
  }
  rows.push_back({"record", version_ + " in " + project_.ledger.string()});
  if (environment_) {
    if (auto verify = SigningPolicyAction(project_)) rows.push_back({"verify", *verify});
    rows.push_back({"deploy", "to " + environment_->name + " with " + environment_->target});
  }
  json plan = {{"version", version_}, {"git_sha", git_.sha}, {"git_dirty", git_.dirty}, {"builder", planned_builder},
               {"tags", tags_}, {"mutable_tags", mutable_tags_}, {"destinations", destinations}, {"ledger", project_.ledger.string()},
               {"environment", environment_ ? json(environment_->name) : json(nullptr)}, {"dry_run", true}};
  context_.output.Emit(plan, Table{{"STEP", "WHAT"}, rows});
  return 0;
}

void ReleaseRun::CheckAhead() {
  std::optional<release::ReleaseJournal> resumed = release::ReleaseJournal::Resume(project_.dir, version_, git_);
  resumed_ = resumed.has_value();
  journal_.emplace(resumed ? std::move(*resumed) : release::ReleaseJournal(project_.dir, version_, git_.sha));
  if (resumed_) Step("continuing the interrupted release of " + version_ + " (" + journal_->digest() + ")");
  checks_ = release::CheckRegistries(host_.plugins->registries(), repositories_, rendered_, Step);
  if (!checks_.ok()) {
    for (size_t i = 0; i + 1 < checks_.errors.size(); ++i) std::cerr << "error: " << Redact(checks_.errors[i]) << "\n";
    throw Error(checks_.code, "release " + version_ + ": " + checks_.errors.back() +
                                  (resumed_ ? "; run `berth release " + version_ + "` again to continue" : "; nothing was built or pushed"));
  }
  if (project_.signing) {
    signer_ = context_.services.OpenSigner(project_.signing->signer, project_.signing->settings).value();
    signing_key_ = project_.signing->key.empty() ? "" : (project_.dir / project_.signing->key).string();
    if (!release::CheckSigningKey(*signer_, project_.signing->signer, signing_key_)) {
      Step("signer " + project_.signing->signer + " cannot check its key ahead (an older plugin): it is first used after the push");
    }
  }
  if (resumed_) RefuseMovedTags(journal_->digest());
}

void ReleaseRun::RefuseMovedTags(const std::string& digest) const {
  std::vector<release::TagConflict> conflicts = release::FindMovedTags(checks_.tags, rendered_, digest);
  if (conflicts.empty()) return;
  for (size_t i = 0; i + 1 < conflicts.size(); ++i) std::cerr << "error: " << Redact(release::DescribeConflict(conflicts[i], digest)) << "\n";
  throw Error(ErrorCode::kInvalidInput, release::DescribeConflict(conflicts.back(), digest));
}

// Into the journal's layout (kept until the release is recorded), unless an
// interrupted run of this commit built it already.
void ReleaseRun::Build() {
  layout_ = oci::ImageLocation::Parse("oci:" + journal_->layout_dir().string() + ":" + tags_.front());
  builder_used_ = journal_->builder();
  if (resumed_) return;
  journal_->Remove();  // A build an earlier run did not finish.
  std::filesystem::create_directories(journal_->dir());
  Step("building " + project_.service + " " + version_);
  try {
    builder::ProjectBuild built = builder::BuildProject(project_, *host_.plugins, *layout_, builder_flag_, context_.args.Flag("no-cache"));
    RefuseMovedTags(built.digest.str());
    journal_->RecordBuilt(built.digest.str(), built.builder);
    builder_used_ = built.builder;
  } catch (...) {
    journal_->Remove();  // Nothing moved: nothing to resume.
    throw;
  }
}

std::string ReleaseRun::ResumeHint() const { return "; run `berth release " + version_ + "` again to continue"; }

// Every registry at once, each blob read once; no tag moves yet.
void ReleaseRun::PushByDigest() {
  auto source = oci::OpenOciLayoutSource(*layout_);
  top_ = source->TopManifest();
  if (top_->digest.str() != journal_->digest()) {
    throw Error(ErrorCode::kVerification, journal_->layout_dir().string() + " holds " + top_->digest.str() + ", not the release's " +
                                              journal_->digest() + "; remove " + journal_->dir().string() + " and release again");
  }
  pushed_ = release::PushByDigest(host_.plugins->registries(), *source, repositories_, Step);
  if (!pushed_.ok()) {
    for (const auto& line : pushed_.errors) std::cerr << "error: " << Redact(line) << "\n";
    throw Error(pushed_.code, PushFailure(version_, pushed_.errors.size(), repositories_) + ResumeHint());
  }
}

// Each repository's image by digest, once: a rerun keeps earlier signatures.
void ReleaseRun::Sign() {
  if (!signer_) return;
  for (const auto& repository : repositories_) {
    if (journal_->Signed(repository)) continue;
    SignRequest request;
    request.image = repository + "@" + pushed_.digest.str();
    request.key = signing_key_;
    request.annotations = {{"berth.release/version", version_}};
    Step("signing " + request.image + " with " + project_.signing->signer);
    Result<SignResult> signed_image = signer_->Sign(context_.services, request);
    if (!signed_image.ok()) {
      throw Error(signed_image.status().code(), "release " + version_ + ": signing " + request.image + " failed: " +
                                                    signed_image.status().message() + "; no tag was moved" + ResumeHint());
    }
    journal_->RecordSigned(repository, {project_.signing->signer, signed_image.value().signature, signed_image.value().key_id});
  }
}

void ReleaseRun::MoveTags() {
  for (const auto& repository : repositories_) {
    for (const auto& tag : tags_) {
      std::string image = repository + ":" + tag;
      if (!journal_->Tagged(image)) {
        bool moves = std::find(mutable_tags_.begin(), mutable_tags_.end(), tag) != mutable_tags_.end();
        Step("tagging " + image + (moves ? " (mutable in berth.yaml: it moves to " + journal_->digest() + ")" : ""));
        try {
          release::MoveTag(host_.plugins->registries(), *top_, repository, tag);
        } catch (const Error& e) {
          throw Error(e.code(), "release " + version_ + ": " + e.what() + "; the image is pushed and signed" + ResumeHint());
        }
        journal_->RecordTagged(image);
      }
      images_.push_back(image);
    }
  }
}

void ReleaseRun::Record() {
  LedgerRelease record;
  record.version = version_;
  record.git_sha = git_.sha;
  record.git_dirty = git_.dirty;
  record.created_at = NowRfc3339();
  record.digest = pushed_.digest.str();
  record.images = images_;
  for (const auto& signed_repository : journal_->signatures()) record.signatures.push_back(signed_repository.signature);
  record.changelog = source_.changelog;
  record.git_tag = source_.git_tag.recorded;
  if (ledger_.service().empty()) ledger_.set_service(project_.service);
  ledger_.Add(record);
  ledger_.Save(project_.ledger, project_.ledger_markdown);
  journal_->Remove();
  Step("recorded " + version_ + " (" + record.digest + ") in " + project_.ledger.string());
  release::CreateReleaseTag(project_.dir, source_, version_, git_.sha, Step);
}

// The ledger's entry as saved (with its deployments), plus how it was made.
void ReleaseRun::Emit() {
  json entry;
  const json saved = ledger_.ToJson();
  for (const auto& item : saved["releases"]) {
    if (item.value("version", "") == version_) entry = item;
  }
  entry["pushes"] = pushed_.copies;
  entry["builder"] = builder_used_;
  entry["mutable_tags"] = mutable_tags_;
  context_.output.Emit(entry, ReleaseTable(entry));
}

}  // namespace berth::host
