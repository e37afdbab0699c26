// berth sign|verify|keygen: the host's side of image signing. The work is a
// Signer's (the installed one unless --signer names another); the host
// parses options, picks the signer and turns results into output and exit
// codes.
#include "berth/output.h"
#include "berth/signer.h"
#include "berth/util/gitignore.h"
#include "core/host.h"
#include "core/registry/registry_flags.h"

namespace berth::host {
namespace {

std::map<std::string, std::string> KeyValues(const std::vector<std::string>& pairs, const std::string& option) {
  std::map<std::string, std::string> values;
  for (const auto& pair : pairs) {
    size_t equals = pair.find('=');
    if (equals == std::string::npos || equals == 0) throw Error(ErrorCode::kUsage, option + " expects KEY=VALUE, got '" + pair + "'");
    values[pair.substr(0, equals)] = pair.substr(equals + 1);
  }
  return values;
}

std::string SignerName(Host& host, const CommandContext& context) {
  std::string name = context.args.GetOr("signer", "");
  return name.empty() ? host.plugins->DefaultSigner() : name;
}

std::unique_ptr<Signer> OpenSigner(Host& host, CommandContext& context) {
  nlohmann::json settings = nlohmann::json::object();
  for (const auto& [key, value] : KeyValues(context.args.GetAll("setting"), "--setting")) settings[key] = value;
  return context.services.OpenSigner(SignerName(host, context), settings).value();
}

int RunSign(Host& host, CommandContext& context) {
  ApplyRegistryFlagOptions(host, context.args);
  SignRequest request;
  request.image = context.args.Get("image");
  request.key = context.args.GetOr("key", "");
  request.annotations = KeyValues(context.args.GetAll("annotation"), "--annotation");
  request.dry_run = context.args.Flag("dry-run");
  SignResult result = OpenSigner(host, context)->Sign(context.services, request).value();
  std::string action = result.already_signed ? "already signed" : (result.pushed ? "signed" : "would sign");
  context.output.Emit({{"image", result.image},
                       {"digest", result.digest},
                       {"signature", result.signature},
                       {"signature_digest", result.signature_digest},
                       {"key_id", result.key_id},
                       {"action", action}});
  return 0;
}

std::string Shorten(const std::string& id) { return id.size() > 19 ? id.substr(0, 19) : id; }

int RunVerify(Host& host, CommandContext& context) {
  ApplyRegistryFlagOptions(host, context.args);
  VerifyRequest request;
  request.image = context.args.Get("image");
  request.key = context.args.GetOr("key", "");
  request.annotations = KeyValues(context.args.GetAll("annotation"), "--annotation");
  VerifyResult result = OpenSigner(host, context)->Verify(context.services, request).value();

  nlohmann::json signatures = nlohmann::json::array();
  Table table{{"SIGNATURE", "FORMAT", "RESULT", "DETAIL"}, {}};
  for (const auto& check : result.checks) {
    signatures.push_back({{"id", check.id}, {"format", check.format}, {"valid", check.valid}, {"outcome", check.outcome},
                          {"message", check.message}, {"payload", check.payload}});
    table.rows.push_back({Shorten(check.id), check.format, check.outcome, check.message});
  }
  context.output.Emit({{"image", result.image},
                       {"digest", result.digest},
                       {"signature", result.signature},
                       {"verified", result.Verified()},
                       {"signatures", signatures}},
                      table);
  if (result.checks.empty()) {
    throw Error(ErrorCode::kVerification, "no signatures found for " + result.image + " (looked in " + result.signature + ")");
  }
  if (!result.Verified()) {
    std::string reasons;
    for (const auto& check : result.checks) reasons += (reasons.empty() ? "" : "; ") + check.message;
    throw Error(ErrorCode::kVerification, "no valid signature for " + result.image + ": " + reasons);
  }
  return 0;
}

// The key files are named after the signer unless told (cosign.key, cosign.pub).
int RunKeygen(Host& host, CommandContext& context) {
  KeyGenRequest request{context.args.GetOr("output-key-prefix", SignerName(host, context)), context.args.Flag("force")};
  KeyGenResult result = OpenSigner(host, context)->GenerateKeyPair(request).value();
  // The signer keeps its private key out of git (cosign's WriteKeyPair does); this names the
  // .gitignore, and covers a signer that does not.
  std::optional<std::filesystem::path> ignored = KeepOutOfGit(result.private_key);
  context.output.Emit({{"private_key", result.private_key}, {"public_key", result.public_key}, {"key_id", result.key_id},
                       {"algorithm", result.algorithm}, {"gitignore", ignored ? nlohmann::json(ignored->string()) : nlohmann::json(nullptr)}});
  return 0;
}

}  // namespace

void RegisterSignCommands(Host& host) {
  using Kind = OptionSpec::Kind;
  const OptionSpec image{.name = "image", .help = "Image reference (tag or digest)", .value_name = "IMAGE", .required = true, .position = 1};
  const OptionSpec annotation{.name = "annotation", .short_name = "a", .kind = Kind::kList,
                              .help = "Annotation KEY=VALUE (repeatable)", .value_name = "KEY=VALUE"};
  const OptionSpec signer{.name = "signer", .help = "Signer kind (default: the installed signer; see berth plugin list)", .value_name = "KIND"};
  const OptionSpec setting{.name = "setting", .kind = Kind::kList, .help = "Signer setting KEY=VALUE (repeatable)", .value_name = "KEY=VALUE"};
  Host* h = &host;
  auto with_registry_flags = [](std::vector<OptionSpec> options) {
    for (auto& option : RegistryFlagOptions()) options.push_back(std::move(option));
    return options;
  };
  host.table.Add({.path = "sign",
                  .summary = "Sign an image by digest and store the signature beside it",
                  .description = "The key's password comes from COSIGN_PASSWORD or the terminal. COSIGN_REPOSITORY stores "
                                 "signatures in another repository.",
                  .options = with_registry_flags({image,
                                                  {.name = "key", .short_name = "k", .help = "Private key (cosign.key)", .value_name = "FILE", .required = true},
                                                  annotation, signer, setting})},
                 [h](CommandContext& c) { return RunSign(*h, c); });
  host.table.Add({.path = "verify",
                  .summary = "Verify an image's signatures with a public key (exit 0 if one is valid)",
                  .options = with_registry_flags({image,
                                                  {.name = "key", .short_name = "k", .help = "Public key (cosign.pub)", .value_name = "FILE", .required = true},
                                                  annotation, signer, setting})},
                 [h](CommandContext& c) { return RunVerify(*h, c); });
  host.table.Add({.path = "keygen",
                  .summary = "Generate a signing key pair with the signer (cosign.key, cosign.pub)",
                  .options = {{.name = "output-key-prefix", .help = "Write PREFIX.key and PREFIX.pub (default: the signer's name)",
                               .value_name = "PREFIX"},
                              {.name = "force", .kind = Kind::kFlag, .help = "Overwrite existing key files"},
                              signer, setting}},
                 [h](CommandContext& c) { return RunKeygen(*h, c); });
}

}  // namespace berth::host
