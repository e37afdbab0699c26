// berth login|logout|push|pull|copy|tag|inspect|digest|tags|delete: moving
// and looking at images, on the SDK's OCI engine (berth/oci/*). Registry
// hosts are served by the plugin that claims them, else the generic registry.
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <iterator>

#include "berth/oci/copy.h"
#include "berth/oci/fan_out.h"
#include "berth/oci/image.h"
#include "berth/output.h"
#include "berth/util/log.h"
#include "berth/util/redact.h"
#include "core/cli/progress_printer.h"
#include "core/host.h"
#include "core/registry/registry_flags.h"
#include "core/registry/signature_tags.h"

namespace berth::host {
namespace {

using oci::ImageLocation;
using oci::Reference;

// The per-registry flags (core/registry_flags.h) and --jobs N: this run only.
void ApplyRegistryFlags(Host& host, CommandContext& context) {
  ApplyRegistryFlagOptions(host, context.args);
  if (auto jobs = context.args.GetOptional("jobs")) {
    int value = std::atoi(jobs->c_str());
    if (value < 1 || value > 64) throw Error(ErrorCode::kUsage, "--jobs expects 1 to 64, got '" + *jobs + "'");
    host.plugins->registries().config().SetConcurrency(value);
  }
}

oci::ClientFactory Clients(Host& host) { return host.plugins->registries().Clients(); }

ImageLocation ParseLocation(const std::string& text) { return ImageLocation::Parse(text); }

Reference RegistryReference(const std::string& text, const char* command) {
  ImageLocation location = ParseLocation(text);
  if (location.kind != ImageLocation::Kind::kRegistry) {
    throw Error(ErrorCode::kUsage, std::string(command) + " takes a registry reference, not '" + text + "'");
  }
  return location.reference;
}

std::optional<oci::Platform> PlatformOption(CommandContext& context) {
  if (auto text = context.args.GetOptional("platform")) return oci::Platform::Parse(*text);
  return std::nullopt;
}

int Concurrency(Host& host, CommandContext& context, const ImageLocation& a, const ImageLocation& b) {
  auto& config = host.plugins->registries().config();
  int jobs = 4;
  if (a.kind == ImageLocation::Kind::kRegistry) jobs = config.For(a.reference.registry).concurrency;
  if (b.kind == ImageLocation::Kind::kRegistry) jobs = std::min(jobs, config.For(b.reference.registry).concurrency);
  // Between repositories of one registry blobs are mounted: one small request each.
  if (!context.args.Has("jobs") && a.kind == ImageLocation::Kind::kRegistry && b.kind == ImageLocation::Kind::kRegistry &&
      a.reference.registry == b.reference.registry) {
    jobs = std::max(jobs, 16);
  }
  return jobs;
}

// A registry destination without a tag or digest is written under its digest
// only (the sink never invents a tag): report `repo@digest`, not the
// `repo:latest` a reference prints by default and that was never written.
std::string WrittenAs(const ImageLocation& destination, const Digest& digest) {
  const oci::Reference& reference = destination.reference;
  if (destination.kind == ImageLocation::Kind::kRegistry && reference.tag.empty() && !reference.digest) {
    return reference.Name() + "@" + digest.str();
  }
  return destination.str();
}

// Blob progress on stderr unless -q (core/progress_printer.h).
std::unique_ptr<ProgressPrinter> Progress() {
  if (!log::Enabled(log::Level::kWarn)) return nullptr;
  return std::make_unique<ProgressPrinter>(std::cerr, isatty(STDERR_FILENO) == 1);
}

// Several destinations: one read of each source blob, fanned out
// (berth/oci/fan_out.h); a failed destination is reported and the others
// complete.
int RunFanOut(Host& host, CommandContext& context, const char* verb, const ImageLocation& source,
              const std::vector<ImageLocation>& destinations) {
  auto clients = Clients(host);
  auto from = oci::OpenImageSource(source, clients, verb);
  if (context.args.Flag("dry-run")) {
    oci::Manifest top = from->TopManifest();
    nlohmann::json targets = nlohmann::json::array();
    for (const auto& destination : destinations) targets.push_back(WrittenAs(destination, top.digest));
    context.output.Emit({{"source", source.str()}, {"destinations", targets}, {"digest", top.digest.str()},
                         {"mediaType", top.media_type}, {"action", "would copy"}});
    return 0;
  }
  std::vector<std::unique_ptr<oci::ImageSink>> sinks;
  std::vector<oci::ImageSink*> pointers;
  for (const auto& destination : destinations) {
    sinks.push_back(oci::OpenImageSink(destination, clients, verb));
    pointers.push_back(sinks.back().get());
  }
  oci::CopyOptions options;
  options.platform = PlatformOption(context);
  options.concurrency = 64;
  for (const auto& destination : destinations) options.concurrency = std::min(options.concurrency, Concurrency(host, context, source, destination));
  auto progress = Progress();
  options.observer = progress.get();
  oci::FanOutResult result = oci::CopyImageToMany(*from, pointers, options);
  progress.reset();
  nlohmann::json data = result.ToJson();
  data["source"] = source.str();
  Table table{{"DESTINATION", "STATUS", "DETAIL"}, {}};
  for (size_t i = 0; i < destinations.size(); ++i) {
    const oci::DestinationResult& one = result.destinations[i];
    data["destinations"][i]["destination"] = WrittenAs(destinations[i], result.top.digest);
    bool copy_signatures = std::string(verb) == "copy" && one.ok && source.kind == ImageLocation::Kind::kRegistry &&
                           destinations[i].kind == ImageLocation::Kind::kRegistry && !context.args.Flag("no-signatures");
    if (copy_signatures) {
      try {
        data["destinations"][i]["signatures"] = CopyAttachmentTags(clients, source.reference, destinations[i].reference, from->TopManifest());
      } catch (const Error& e) {
        // The image is there; its signatures are not: report it as this destination's failure.
        result.destinations[i].ok = false;
        result.destinations[i].code = e.code();
        result.destinations[i].error = e.what();
        data["destinations"][i]["status"] = "failed";
        data["destinations"][i]["error"] = e.what();
        data["destinations"][i]["exitCode"] = int(e.code());
      }
    }
    const oci::DestinationResult& shown = result.destinations[i];
    table.rows.push_back({WrittenAs(destinations[i], result.top.digest), shown.ok ? "ok" : "failed",
                          shown.ok ? result.top.digest.str() + " (" + std::to_string(shown.copy.blobs_uploaded) + " copied, " +
                                         std::to_string(shown.copy.blobs_mounted) + " mounted, " +
                                         std::to_string(shown.copy.blobs_skipped) + " already there)"
                                   : shown.ErrorLine()});
  }
  context.output.Emit(data, table);
  for (const auto& one : result.destinations) {
    if (!one.ok) std::cerr << "error: " << Redact(one.ErrorLine()) << "\n";
  }
  return static_cast<int>(result.exit_code());
}

int RunTransfer(Host& host, CommandContext& context, const char* verb) {
  ApplyRegistryFlags(host, context);
  ImageLocation source = ParseLocation(context.args.Get("source"));
  std::vector<ImageLocation> destinations;
  for (const auto& text : context.args.GetAll("destination")) destinations.push_back(ParseLocation(text));
  std::string command = verb;
  for (const auto& destination : destinations) {
    if (command == "push" && (source.kind == ImageLocation::Kind::kRegistry || destination.kind != ImageLocation::Kind::kRegistry)) {
      throw Error(ErrorCode::kUsage, "push copies from oci:DIR[:TAG] or docker-archive:FILE to a registry (use berth copy for other pairs)");
    }
    if (command == "pull" && (source.kind != ImageLocation::Kind::kRegistry || destination.kind == ImageLocation::Kind::kRegistry)) {
      throw Error(ErrorCode::kUsage, "pull copies from a registry to oci:DIR[:TAG] or docker-archive:FILE (use berth copy for other pairs)");
    }
  }
  for (size_t i = 0; i < destinations.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (destinations[i].str() == destinations[j].str()) {
        throw Error(ErrorCode::kUsage, command + ": destination " + destinations[i].str() + " is given twice");
      }
    }
  }
  if (destinations.size() > 1) return RunFanOut(host, context, verb, source, destinations);
  const ImageLocation& destination = destinations.front();
  auto clients = Clients(host);
  auto from = oci::OpenImageSource(source, clients, verb);
  if (context.args.Flag("dry-run")) {
    oci::Manifest top = from->TopManifest();
    context.output.Emit({{"source", source.str()}, {"destination", WrittenAs(destination, top.digest)}, {"digest", top.digest.str()},
                         {"mediaType", top.media_type}, {"action", "would copy"}});
    return 0;
  }
  auto to = oci::OpenImageSink(destination, clients, verb);
  oci::CopyOptions options;
  options.platform = PlatformOption(context);
  options.concurrency = Concurrency(host, context, source, destination);
  auto progress = Progress();
  options.observer = progress.get();
  oci::CopyResult result = oci::CopyImage(*from, *to, options);
  progress.reset();
  nlohmann::json data = result.ToJson();
  data["source"] = source.str();
  data["destination"] = WrittenAs(destination, result.top.digest);
  if (destination.kind == ImageLocation::Kind::kRegistry) {
    auto client = clients(destination.reference);
    data["resumed"] = {{"blobs", client->resumed_blobs()}, {"bytes", client->resumed_bytes()}};
  }
  Table table{{"FIELD", "VALUE"},
              {{"destination", WrittenAs(destination, result.top.digest)},
               {"digest", result.top.digest.str()},
               {"platforms", result.platforms.empty() ? "-" : [&] {
                  std::string text;
                  for (const auto& p : result.platforms) text += (text.empty() ? "" : ",") + p;
                  return text;
                }()},
               {"blobs", std::to_string(result.blobs_uploaded) + " copied, " + std::to_string(result.blobs_mounted) + " mounted, " +
                             std::to_string(result.blobs_skipped) + " already there"}}};
  // Signatures travel with the image (cosign's sha256-<hex>.sig/.att/.sbom tags, and referrers).
  if (command == "copy" && source.kind == ImageLocation::Kind::kRegistry && destination.kind == ImageLocation::Kind::kRegistry &&
      !context.args.Flag("no-signatures")) {
    data["signatures"] = CopyAttachmentTags(clients, source.reference, destination.reference, from->TopManifest());
    table.rows.push_back({"signatures", std::to_string(data["signatures"].size()) + " copied (tags and referrers)"});
  }
  context.output.Emit(data, table);
  return 0;
}

nlohmann::json DescribeImage(oci::ImageSource& source, const oci::Manifest& manifest) {
  nlohmann::json data = {{"digest", manifest.digest.str()}, {"mediaType", manifest.media_type}, {"size", manifest.bytes.size()}};
  if (!manifest.artifact_type.empty()) data["artifactType"] = manifest.artifact_type;
  if (!manifest.annotations.empty()) data["annotations"] = manifest.annotations;
  if (manifest.subject) data["subject"] = manifest.subject->ToJson();
  if (manifest.is_index) {
    nlohmann::json platforms = nlohmann::json::array();
    for (const auto& child : manifest.manifests) {
      platforms.push_back({{"platform", child.platform ? child.platform->str() : ""},
                           {"digest", child.digest.str()},
                           {"size", child.size},
                           {"mediaType", child.media_type}});
    }
    data["platforms"] = platforms;
    return data;
  }
  const oci::Descriptor& config = *manifest.config;
  nlohmann::json config_json = {{"digest", config.digest.str()}, {"size", config.size}, {"mediaType", config.media_type}};
  if (config.media_type == oci::media_type::kOciConfig || config.media_type == oci::media_type::kDockerConfig) {
    nlohmann::json content = nlohmann::json::parse(source.SmallBlob(config), nullptr, false);
    if (content.is_object()) {
      for (const char* key : {"os", "architecture", "variant", "created", "author"}) {
        if (content.contains(key) && content[key].is_string()) config_json[key] = content[key];
      }
      if (content.contains("config") && content["config"].is_object() && content["config"].contains("Labels") &&
          content["config"]["Labels"].is_object()) {
        config_json["labels"] = content["config"]["Labels"];
      }
    }
  }
  data["config"] = config_json;
  nlohmann::json layers = nlohmann::json::array();
  int64_t total = config.size;
  for (const auto& layer : manifest.layers) {
    layers.push_back({{"digest", layer.digest.str()}, {"size", layer.size}, {"mediaType", layer.media_type}});
    total += layer.size;
  }
  data["layers"] = layers;
  data["totalSize"] = total;
  return data;
}

int RunInspect(Host& host, CommandContext& context) {
  ApplyRegistryFlags(host, context);
  ImageLocation location = ParseLocation(context.args.Get("image"));
  auto source = oci::OpenImageSource(location, Clients(host), "inspect");
  oci::Manifest top = source->TopManifest();
  oci::Manifest shown = top;
  if (auto platform = PlatformOption(context); platform && top.is_index) {
    shown = source->ChildManifest(oci::SelectPlatform(top, *platform, location.str()));
  }
  if (context.args.Flag("raw")) {
    context.output.stream() << shown.bytes;
    if (!shown.bytes.ends_with('\n')) context.output.stream() << "\n";
    return 0;
  }
  if (context.args.Flag("image-config")) {
    if (shown.is_index) throw Error(ErrorCode::kUsage, location.str() + " is an index: pick an image with --platform");
    context.output.stream() << source->SmallBlob(*shown.config) << "\n";
    return 0;
  }
  nlohmann::json data = DescribeImage(*source, shown);
  nlohmann::json with_reference = {{"reference", location.str()}};
  with_reference.update(data);
  data = with_reference;
  if (shown.digest != top.digest) data["index"] = top.digest.str();
  Table table{{"FIELD", "VALUE"}, {}};
  table.rows.push_back({"reference", location.str()});
  table.rows.push_back({"digest", shown.digest.str()});
  table.rows.push_back({"mediaType", shown.media_type});
  if (shown.is_index) {
    for (const auto& p : data["platforms"]) table.rows.push_back({"platform " + p["platform"].get<std::string>(), p["digest"].get<std::string>()});
  } else {
    const auto& config = data["config"];
    if (config.contains("os")) {
      table.rows.push_back({"platform", config["os"].get<std::string>() + "/" + config.value("architecture", "") +
                                            (config.contains("variant") ? "/" + config["variant"].get<std::string>() : "")});
    }
    table.rows.push_back({"config", config["digest"].get<std::string>() + " (" + std::to_string(config["size"].get<int64_t>()) + " B)"});
    for (const auto& layer : data["layers"]) {
      table.rows.push_back({"layer", layer["digest"].get<std::string>() + " (" + std::to_string(layer["size"].get<int64_t>()) + " B)"});
    }
    table.rows.push_back({"totalSize", std::to_string(data["totalSize"].get<int64_t>())});
  }
  context.output.Emit(data, table);
  return 0;
}

int RunDigest(Host& host, CommandContext& context) {
  ApplyRegistryFlags(host, context);
  ImageLocation location = ParseLocation(context.args.Get("image"));
  auto source = oci::OpenImageSource(location, Clients(host), "digest");
  oci::Manifest top = source->TopManifest();
  oci::Descriptor descriptor = top.AsDescriptor();
  if (auto platform = PlatformOption(context); platform && top.is_index) descriptor = oci::SelectPlatform(top, *platform, location.str());
  if (context.output.format() == OutputFormat::kTable) {
    context.output.Line(descriptor.digest.str());
  } else {
    context.output.Emit({{"reference", location.str()}, {"digest", descriptor.digest.str()}, {"mediaType", descriptor.media_type}});
  }
  return 0;
}

int RunTags(Host& host, CommandContext& context) {
  ApplyRegistryFlags(host, context);
  Reference repository = Reference::ParseRepository(context.args.Get("repository"));
  host.plugins->registries().Validate(repository);
  int page_size = std::atoi(context.args.GetOr("page-size", "0").c_str());
  auto tags = host.plugins->registries().Client(repository.registry)->ListTags("tags", repository.repository, page_size);
  Table table{{"TAG"}, {}};
  for (const auto& tag : tags) table.rows.push_back({tag});
  context.output.Emit(tags, table);
  return 0;
}

int RunTag(Host& host, CommandContext& context) {
  ApplyRegistryFlags(host, context);
  Reference source = RegistryReference(context.args.Get("source"), "tag");
  host.plugins->registries().Validate(source);
  auto client = host.plugins->registries().Client(source.registry);
  oci::Manifest manifest = client->GetManifest("tag", source.repository, source.Identifier());
  nlohmann::json done = nlohmann::json::array();
  for (const auto& target_text : context.args.GetAll("target")) {
    // A bare tag names the same repository; a full reference must stay on the registry.
    Reference target = oci::IsValidTag(target_text) && target_text.find(':') == std::string::npos ? source.WithTag(target_text)
                                                                                                   : Reference::Parse(target_text);
    if (target.registry != source.registry) {
      throw Error(ErrorCode::kUsage, "tag " + target.str() + ": another registry than " + source.registry + " (use berth copy)");
    }
    if (target.tag.empty()) throw Error(ErrorCode::kUsage, "tag " + target_text + ": no tag given");
    host.plugins->registries().Validate(target);
    if (context.args.Flag("dry-run")) {
      done.push_back({{"reference", target.str()}, {"digest", manifest.digest.str()}, {"action", "would tag"}});
      continue;
    }
    if (target.repository != source.repository) {
      // Another repository of the same registry: mount the blobs, nothing travels.
      auto from = oci::OpenRegistrySource(client, source.WithDigest(manifest.digest), "tag");
      auto to = oci::OpenRegistrySink(client, target, "tag");
      oci::CopyImage(*from, *to, {});
    } else {
      client->PutManifest("tag", target.repository, target.tag, manifest);
    }
    done.push_back({{"reference", target.str()}, {"digest", manifest.digest.str()}, {"action", "tagged"}});
  }
  context.output.Emit(done);
  return 0;
}

int RunDelete(Host& host, CommandContext& context) {
  ApplyRegistryFlags(host, context);
  Reference reference = RegistryReference(context.args.Get("image"), "delete");
  std::string plugin;
  Registry& registry = host.plugins->registries().RegistryFor(reference.registry, &plugin);
  registry.ValidateReference(reference).ThrowIfError();
  auto client = host.plugins->registries().Client(reference.registry);
  Digest digest = reference.digest ? *reference.digest : [&] {
    auto head = client->HeadManifest("delete", reference.repository, reference.Identifier());
    if (!head) {
      throw Error(ErrorCode::kNotFound, "delete " + reference.str() + ": manifest " + reference.Identifier() + " failed: 404 MANIFEST_UNKNOWN");
    }
    return head->digest;
  }();
  if (context.args.Flag("dry-run")) {
    context.output.Emit({{"reference", reference.str()}, {"digest", digest.str()}, {"action", "would delete"}});
    return 0;
  }
  bool handled = registry.DeleteManifest(reference, digest).value();
  if (!handled) client->DeleteManifest("delete", reference.repository, digest);
  context.output.Emit({{"reference", reference.str()}, {"digest", digest.str()}, {"action", "deleted"}});
  return 0;
}

std::string ReadPassword(CommandContext& context) {
  std::string password;
  if (context.args.Flag("password-stdin")) {
    password.assign(std::istreambuf_iterator<char>(context.input), std::istreambuf_iterator<char>());
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
  } else if (context.interactive) {
    std::cerr << "Password: " << std::flush;
    termios old_mode{};
    bool tty = tcgetattr(STDIN_FILENO, &old_mode) == 0;
    if (tty) {
      termios quiet = old_mode;
      quiet.c_lflag &= ~tcflag_t(ECHO);
      tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::getline(context.input, password);
    if (tty) tcsetattr(STDIN_FILENO, TCSANOW, &old_mode);
    std::cerr << "\n";
  } else {
    throw Error(ErrorCode::kUsage, "login: pass the password on stdin with --password-stdin (never as an argument)");
  }
  if (password.empty()) throw Error(ErrorCode::kInvalidInput, "login: empty password");
  RegisterSecret(password);
  return password;
}

std::string LoginHost(CommandContext& context) {
  std::string text = context.args.GetOr("registry", oci::kDockerHub);
  if (text.find("://") != std::string::npos) text = text.substr(text.find("://") + 3);
  if (text.ends_with('/')) text.pop_back();
  if (text.find('/') != std::string::npos) text = text.substr(0, text.find('/'));
  return oci::NormalizeRegistryHost(text);
}

int RunLogin(Host& host, CommandContext& context) {
  ApplyRegistryFlags(host, context);
  std::string registry = LoginHost(context);
  std::string username = context.args.GetOr("username", "");
  if (username.empty()) {
    if (!context.interactive) throw Error(ErrorCode::kUsage, "login: --username is required");
    std::cerr << "Username: " << std::flush;
    std::getline(context.input, username);
  }
  oci::Credential credential;
  credential.kind = oci::Credential::Kind::kBasic;
  credential.username = username;
  credential.secret = SecretValue(ReadPassword(context));
  credential.origin = "the command line";
  auto client = host.plugins->registries().Client(registry);
  std::optional<SecretValue> refresh = client->Login(credential);
  oci::CredentialStore store;
  std::string where = refresh ? store.Store(registry, username, *refresh, true) : store.Store(registry, username, credential.secret, false);
  context.output.Emit({{"registry", registry}, {"username", username}, {"storedIn", where}, {"identityToken", refresh.has_value()}},
                      Table{{"RESULT"}, {{"Login Succeeded (" + registry + ", stored in " + where + ")"}}});
  return 0;
}

int RunLogout(Host& host, CommandContext& context) {
  std::string registry = LoginHost(context);
  oci::CredentialStore store;
  bool removed = store.Erase(registry);
  if (!removed) throw Error(ErrorCode::kNotFound, "logout: not logged in to " + registry + " (" + store.docker_config_path().string() + ")");
  context.output.Emit({{"registry", registry}, {"removed", true}}, Table{{"RESULT"}, {{"Removed login credentials for " + registry}}});
  return 0;
}

}  // namespace

void RegisterRegistryCommands(Host& host) {
  using Kind = OptionSpec::Kind;
  const std::vector<OptionSpec> registry_flags = RegistryFlagOptions();
  auto with_flags = [&](std::vector<OptionSpec> options) {
    options.insert(options.end(), registry_flags.begin(), registry_flags.end());
    return options;
  };
  const OptionSpec platform{.name = "platform", .help = "Only this platform of an index (os/arch[/variant])", .value_name = "PLATFORM"};
  const OptionSpec jobs{.name = "jobs", .short_name = "j", .help = "Blobs transferred at once (default 4)", .value_name = "N"};
  const OptionSpec source{.name = "source", .help = "Image to read", .value_name = "SRC", .required = true, .position = 1};
  const OptionSpec destination{.name = "destination", .kind = Kind::kList,
                               .help = "Where to write it; several destinations get one read of each source blob",
                               .value_name = "DST", .required = true, .position = 2};
  const OptionSpec image{.name = "image", .help = "Image: REGISTRY/REPO[:TAG][@DIGEST], oci:DIR[:TAG], docker-archive:FILE",
                         .value_name = "IMAGE", .required = true, .position = 1};
  Host* h = &host;

  host.table.Add({.path = "login",
                  .summary = "Log in to a registry (stores credentials in docker's config or its credential helper)",
                  .options = with_flags({{.name = "registry", .help = "Registry host (default docker.io)", .value_name = "REGISTRY", .position = 1},
                                         {.name = "username", .short_name = "u", .help = "User name", .value_name = "USER"},
                                         {.name = "password-stdin", .kind = Kind::kFlag, .help = "Read the password or token from stdin"}})},
                 [h](CommandContext& c) { return RunLogin(*h, c); });
  host.table.Add({.path = "logout",
                  .summary = "Remove a registry's stored credentials",
                  .options = {{.name = "registry", .help = "Registry host (default docker.io)", .value_name = "REGISTRY", .position = 1}}},
                 [h](CommandContext& c) { return RunLogout(*h, c); });
  host.table.Add({.path = "push", .summary = "Push an image from oci:DIR or docker-archive:FILE to a registry",
                  .options = with_flags({source, destination, platform, jobs})},
                 [h](CommandContext& c) { return RunTransfer(*h, c, "push"); });
  host.table.Add({.path = "pull", .summary = "Pull an image from a registry to oci:DIR or docker-archive:FILE",
                  .options = with_flags({source, destination, platform, jobs})},
                 [h](CommandContext& c) { return RunTransfer(*h, c, "pull"); });
  host.table.Add({.path = "copy", .summary = "Copy an image between registries, OCI layouts and docker archives",
                  .options = with_flags({source, destination, platform, jobs,
                                         {.name = "no-signatures", .kind = Kind::kFlag,
                                          .help = "Do not copy the image's signature tags (sha256-<hex>.sig/.att/.sbom)"}})},
                 [h](CommandContext& c) { return RunTransfer(*h, c, "copy"); });
  host.table.Add({.path = "tag", .summary = "Tag an image on its registry (no blob transfer)",
                  .options = with_flags({{.name = "source", .help = "Image to tag", .value_name = "IMAGE", .required = true, .position = 1},
                                         {.name = "target", .kind = Kind::kList, .help = "New tag, or REGISTRY/REPO:TAG on the same registry",
                                          .value_name = "TAG", .required = true, .position = 2}})},
                 [h](CommandContext& c) { return RunTag(*h, c); });
  host.table.Add({.path = "inspect", .summary = "Show an image's manifest, config, platforms, layers and sizes",
                  .options = with_flags({image, platform,
                                         {.name = "raw", .kind = Kind::kFlag, .help = "Print the manifest bytes as stored"},
                                         {.name = "image-config", .kind = Kind::kFlag, .help = "Print the image config (--config is berth's global project file flag)"}})},
                 [h](CommandContext& c) { return RunInspect(*h, c); });
  host.table.Add({.path = "digest", .summary = "Print an image's manifest digest",
                  .options = with_flags({image, platform})},
                 [h](CommandContext& c) { return RunDigest(*h, c); });
  host.table.Add({.path = "tags", .summary = "List a repository's tags",
                  .options = with_flags({{.name = "repository", .help = "REGISTRY/REPO", .value_name = "REPO", .required = true, .position = 1},
                                         {.name = "page-size", .help = "Tags per request (the registry's default if unset)", .value_name = "N"}})},
                 [h](CommandContext& c) { return RunTags(*h, c); });
  host.table.Add({.path = "delete", .summary = "Delete an image's manifest from a registry",
                  .options = with_flags({image})},
                 [h](CommandContext& c) { return RunDelete(*h, c); });
}

}  // namespace berth::host
