#include "gcp_commands.h"

#include "gcp_schema.h"

#include <chrono>

#include "artifact_path.h"
#include "berth/oci/host_registry.h"
#include "berth/oci/reference.h"
#include "berth/output.h"
#include "berth/util/text.h"
#include "credential_chain.h"
#include "docker_images.h"
#include "google_api.h"

namespace berth::gcp {
namespace {

// The host's registries.yaml settings (asked of the host, which read the
// file), then --key-file and --api-url.
GcpSettings SettingsFor(const std::string& host, const CommandContext& context) {
  oci::HostRegistryOptions registry = oci::HostRegistry::Options(host);
  GcpSettings settings = GcpSettings::Parse(CheckGcpSettings(registry.plugin_settings, "registries.yaml " + host + ".settings"),
                                            "registries.yaml " + host + ".settings");
  if (auto key_file = context.args.GetOptional("key-file")) settings.key_file = *key_file;
  if (auto url = context.args.GetOptional("api-url")) {
    CheckApiUrl(*url, "--api-url");
    settings.artifactregistry_url = *url;
    while (!settings.artifactregistry_url.empty() && settings.artifactregistry_url.back() == '/') settings.artifactregistry_url.pop_back();
  }
  return settings;
}

OptionSpec KeyFileOption() {
  return {.name = "key-file", .help = "A service-account key (JSON); default: the registry settings, then GOOGLE_APPLICATION_CREDENTIALS, gcloud, the metadata server", .value_name = "FILE"};
}

}  // namespace

CommandSpec ImagesCommandSpec() {
  return CommandSpec{
      .path = "gcp images",
      .summary = "List the images of an Artifact Registry repository with sizes and upload times",
      .description = "REPOSITORY is LOCATION-docker.pkg.dev/PROJECT/REPOSITORY. Every page of the Artifact Registry "
                     "API is read. See docs/gcp-artifact.md for the JSON shape.",
      .options = {{.name = "repository", .help = "LOCATION-docker.pkg.dev/PROJECT/REPOSITORY", .value_name = "REPOSITORY", .required = true, .position = 1},
                  {.name = "include-tags", .kind = OptionSpec::Kind::kFlag, .help = "Show each image's tags"},
                  {.name = "page-size", .help = "Images per API page (1-1000; default: the API's)", .value_name = "N"},
                  KeyFileOption(),
                  {.name = "api-url", .help = "Artifact Registry API base URL (default https://artifactregistry.googleapis.com)", .value_name = "URL"}}};
}

int RunImages(CommandContext& context) {
  const std::string text = context.args.Get("repository");
  oci::Reference reference = oci::Reference::ParseRepository(text);
  GcpSettings settings = SettingsFor(reference.registry, context);
  ArtifactPath repository = ParseArtifactPath(reference.registry, reference.repository, settings.location, false);
  int page_size = int(context.args.WholeNumber("page-size", 1, 1000).value_or(0));
  const bool include_tags = context.args.Flag("include-tags");
  GoogleApi api(std::make_shared<CredentialChain>(settings));
  ImageListing listing = ListDockerImages(api, settings.artifactregistry_url, repository, page_size);

  nlohmann::json images = nlohmann::json::array();
  Table table;
  table.columns = {"IMAGE", "DIGEST"};
  if (include_tags) table.columns.push_back("TAGS");
  table.columns.insert(table.columns.end(), {"SIZE", "UPLOADED"});
  for (const auto& image : listing.images) {
    images.push_back(DockerImageJson(image, include_tags));
    std::vector<std::string> row = {repository.host + "/" + reference.repository + "/" + image.image, image.digest};
    if (include_tags) row.push_back(Join(image.tags, ","));
    row.insert(row.end(), {std::to_string(image.size_bytes), image.upload_time});
    table.rows.push_back(std::move(row));
  }
  context.output.Emit({{"repository", text}, {"resource", repository.RepositoryResource()}, {"images", images}}, table);
  return 0;
}

CommandSpec WhoamiCommandSpec() {
  return CommandSpec{
      .path = "gcp whoami",
      .summary = "Show which Google credential source berth would use, and for which account (never the token)",
      .options = {{.name = "registry", .help = "Registry host whose registries.yaml settings apply (default us-docker.pkg.dev)", .value_name = "HOST"},
                  KeyFileOption()}};
}

int RunWhoami(CommandContext& context) {
  const std::string host = context.args.GetOr("registry", "us-docker.pkg.dev");
  CredentialChain chain(SettingsFor(host, context));
  AccessToken token = chain.Get(host);
  auto left = std::chrono::duration_cast<std::chrono::seconds>(token.expires - std::chrono::system_clock::now());
  context.output.Emit({{"source", token.source},
                       {"account", token.account.empty() ? nlohmann::json(nullptr) : nlohmann::json(token.account)},
                       {"expires_in", left.count()}});
  return 0;
}

void RegisterCommands(Registrar& registrar) {
  registrar.AddCommand(ImagesCommandSpec(), RunImages);
  registrar.AddCommand(WhoamiCommandSpec(), RunWhoami);
}

}  // namespace berth::gcp
