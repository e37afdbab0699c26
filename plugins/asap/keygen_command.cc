// berth asap keygen: a new RSA 2048 key pair in a 0600 .asap-config.
#include <filesystem>

#include "asap_commands.h"
#include "asap_credentials.h"
#include "asap_rules.h"
#include "berth/error.h"
#include "berth/output.h"
#include "berth/util/fs.h"
#include "berth/util/gitignore.h"
#include "berth/util/jwt.h"

namespace berth::asap {

CommandSpec KeygenSpec() {
  return CommandSpec{
      .path = "asap keygen",
      .summary = "Create an ASAP key pair and a 0600 .asap-config",
      .description = "Writes issuer, kid, audience, expiry and the PEM private and public keys to FILE (mode 0600).\n"
                     "Publish the public key with `berth asap publish` (it goes to <base>/<kid> of a key repository).",
      .options = {
          {.name = "issuer", .help = "Issuer, e.g. micros/my-service", .value_name = "ISSUER", .required = true},
          {.name = "key-id", .help = "Key id: the issuer or under it (default: <issuer>/<date>-<random>)", .value_name = "KID"},
          {.name = "audience", .short_name = "a", .kind = OptionSpec::Kind::kList, .help = "Default audience (repeat or comma-separate)", .value_name = "AUDIENCE"},
          {.name = "expiry", .help = "Default token lifetime in seconds (at most 3600)", .value_name = "SECONDS", .default_value = "60"},
          {.name = "file", .short_name = "f", .help = "Where to write the config (default: --config, else .asap-config)", .value_name = "FILE"},
          {.name = "public-key-out", .help = "Also write the public key PEM here (to upload)", .value_name = "FILE"},
          {.name = "key-repo", .help = "Key repository base URL, to print the exact publish URL", .value_name = "URL"},
          {.name = "force", .kind = OptionSpec::Kind::kFlag, .help = "Overwrite an existing config file"},
      }};
}

int RunKeygen(CommandContext& context) {
  const Args& args = context.args;
  std::string issuer = args.Get("issuer");
  if (issuer.empty()) throw Error(ErrorCode::kUsage, "--issuer must not be empty");
  CheckKeyIdFormat(issuer, int(ErrorCode::kUsage));
  std::string key_id = args.GetOr("key-id", "");
  if (key_id.empty()) {
    std::string date = jwt::FormatTime(jwt::NowSeconds()).substr(0, 10);
    date.erase(std::remove(date.begin(), date.end(), '-'), date.end());
    key_id = issuer + "/" + date + "-" + jwt::NewTokenId().substr(0, 8);
  }
  CheckKeyIdFormat(key_id, int(ErrorCode::kUsage));
  if (!KeyIdBelongsToIssuer(key_id, issuer)) throw Error(ErrorCode::kUsage, KeyIdNotUnderIssuerMessage(key_id, issuer));
  int64_t expiry = ExpiryArg(args).value_or(kDefaultLifetimeSeconds);
  if (expiry <= 0 || expiry > kMaxLifetimeSeconds) {
    throw Error(ErrorCode::kUsage, "--expiry must be between 1 and " + std::to_string(kMaxLifetimeSeconds) + " seconds");
  }
  std::filesystem::path file = args.GetOptional("file").value_or(ConfigArg(args).value_or(kDefaultConfigFile));
  std::error_code error;
  if (std::filesystem::exists(file, error) && !args.Flag("force")) {
    throw Error(ErrorCode::kUsage, file.string() + " already exists (pass --force to replace it)");
  }

  jwt::PrivateKey key = jwt::PrivateKey::GenerateRsa(2048);
  std::vector<std::string> audience = AudienceArgs(args);
  WriteFileAtomic(file, AsapConfigJson(issuer, key_id, audience, expiry, key).Reveal(), 0600);
  // The config holds the private key: inside a project it goes into .gitignore at once.
  std::optional<std::filesystem::path> ignored = KeepOutOfGit(file);
  std::string public_pem = key.Public().Pem();
  nlohmann::json public_path = nullptr;
  if (auto out = args.GetOptional("public-key-out")) {
    WriteFileAtomic(*out, public_pem, 0644);
    public_path = *out;
  }
  std::string base = args.GetOr("key-repo", "<key repository>");
  if (!base.empty() && base.back() != '/') base += '/';
  context.output.Emit({{"config", file.string()},
                       {"issuer", issuer},
                       {"kid", key_id},
                       {"audience", audience},
                       {"expiry", expiry},
                       {"public_key_file", public_path},
                       {"publish_public_key_at", base + key_id},
                       {"gitignore", ignored ? nlohmann::json(ignored->string()) : nlohmann::json(nullptr)}});
  return 0;
}

}  // namespace berth::asap
