// A plugin that makes HTTP requests only through berth's "http.request"
// service (http::HostClient), and registry requests only through the "oci.*"
// services (oci::HostRegistry), built STANDALONE: it links nothing of berth's
// but the C table, as an out-of-tree plugin would. Its test runs it in the
// SDK's harness; the e2e test runs it in berth.
#include <chrono>
#include <string>

#include "berth/http/host_client.h"
#include "berth/oci/host_registry.h"
#include "berth/oci/reference.h"
#include "berth/output.h"
#include "berth/plugin.h"

namespace {

int RunGet(berth::CommandContext& context) {
  berth::http::HostRequest request;
  request.url = context.args.Get("url");
  request.timeout = std::chrono::milliseconds(std::stoll(context.args.GetOr("timeout-ms", "10000")));
  request.retry.attempts = std::stoi(context.args.GetOr("attempts", "1"));
  request.retry.initial_backoff = std::chrono::milliseconds(10);
  if (context.args.Flag("raw")) {
    berth::http::HostResponse response = berth::http::HostClient().Send(request);
    context.output.Emit({{"status", response.status}, {"body", response.body}, {"attempts", response.attempts}});
    return 0;
  }
  context.output.Emit({{"json", berth::http::HostClient().SendJson(request)}});
  return 0;
}

// Pushes a one-layer image whose layer is --layer (when given) as IMAGE,
// then reads IMAGE back: its manifest and its first layer.
int RunRegistry(berth::CommandContext& context) {
  berth::oci::HostRegistry registry;
  berth::oci::Reference reference = berth::oci::Reference::Parse(context.args.Get("image"));
  if (auto layer = context.args.GetOptional("layer")) {
    std::string config = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})";
    berth::oci::Descriptor config_blob = registry.PutBlob(reference.Name(), config);
    berth::oci::Descriptor layer_blob = registry.PutBlob(reference.Name(), *layer);
    nlohmann::json manifest = {
        {"schemaVersion", 2},
        {"mediaType", berth::oci::media_type::kOciManifest},
        {"config", {{"mediaType", berth::oci::media_type::kOciConfig}, {"digest", config_blob.digest.str()}, {"size", config_blob.size}}},
        {"layers", {{{"mediaType", berth::oci::media_type::kOciLayer}, {"digest", layer_blob.digest.str()}, {"size", layer_blob.size}}}}};
    registry.PutManifest(reference.str(), berth::oci::Manifest::Parse(manifest.dump(), "", reference.str()));
  }
  berth::oci::Manifest manifest = registry.GetManifest(reference.str());
  const berth::oci::Descriptor& layer = manifest.layers.at(0);
  context.output.Emit({{"digest", manifest.digest.str()},
                       {"head", registry.Head(reference.str())->digest.str()},
                       {"layer", registry.GetSmallBlob(reference.Name(), layer.digest, layer.size)}});
  return 0;
}

void Register(berth::Registrar& registrar) {
  registrar.SetDescription("Test fixture: HTTP and registries through berth's host services");
  registrar.AddCommand(
      berth::CommandSpec{.path = "http-fetch get",
                         .summary = "GET a URL (JSON unless --raw)",
                         .options = {{.name = "url", .help = "URL", .value_name = "URL", .required = true, .position = 1},
                                     {.name = "timeout-ms", .help = "Timeout", .value_name = "MS"},
                                     {.name = "attempts", .help = "Tries", .value_name = "N"},
                                     {.name = "raw", .kind = berth::OptionSpec::Kind::kFlag, .help = "Any status, body as text"}}},
      RunGet);
  registrar.AddCommand(
      berth::CommandSpec{.path = "http-fetch registry",
                         .summary = "Push a one-layer image (with --layer) and read it back, through berth",
                         .options = {{.name = "image", .help = "Image", .value_name = "REF", .required = true, .position = 1},
                                     {.name = "layer", .help = "The layer's text", .value_name = "TEXT"}}},
      RunRegistry);
}

}  // namespace

BERTH_PLUGIN("http-fetch", "1.0.0", Register)
