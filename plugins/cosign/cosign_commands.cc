// The `berth cosign ...` commands: key pairs (generate, import, public key)
// and blob signatures, compatible with cosign's files.
#include "cosign_commands.h"

#include "berth/output.h"
#include "berth/util/base64.h"
#include "berth/util/fs.h"
#include "key_files.h"

namespace berth::cosign {
namespace {

nlohmann::json KeyGenJson(const KeyGenResult& result) {
  return {{"private_key", result.private_key}, {"public_key", result.public_key}, {"key_id", result.key_id}, {"algorithm", result.algorithm}};
}

int RunGenerateKeyPair(CommandContext& context) {
  auto result = GenerateKeyFiles(context.args.GetOr("output-key-prefix", "cosign"), context.args.Flag("force"));
  context.output.Emit(KeyGenJson(result));
  return 0;
}

int RunImportKeyPair(CommandContext& context) {
  auto result = ImportKeyFiles(context.args.Get("key"), context.args.GetOr("output-key-prefix", "import-cosign"), context.args.Flag("force"));
  context.output.Emit(KeyGenJson(result));
  return 0;
}

int RunPublicKey(CommandContext& context) {
  PublicKey key = LoadPrivateKeyFile(context.args.Get("key")).Public();
  if (auto outfile = context.args.GetOptional("outfile")) {
    WriteFileAtomic(*outfile, key.Pem(), 0644);
    context.output.Emit({{"public_key", *outfile}, {"key_id", key.KeyId()}, {"algorithm", key.Describe()}});
  } else {
    context.output.stream() << key.Pem();
  }
  return 0;
}

int RunSignBlob(CommandContext& context) {
  PrivateKey key = LoadPrivateKeyFile(context.args.Get("key"));
  std::string signature = Base64Encode(key.Sign(ReadFile(context.args.Get("file"))));
  if (auto outfile = context.args.GetOptional("output-signature")) WriteFileAtomic(*outfile, signature, 0644);
  context.output.Line(signature);
  return 0;
}

int RunVerifyBlob(CommandContext& context) {
  PublicKey key = LoadPublicKeyFile(context.args.Get("key"));
  std::string text = ReadFile(context.args.Get("signature"));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  // cosign writes base64; a raw DER signature is accepted too.
  std::string signature = Base64Decode(text).value_or(text);
  std::string file = context.args.Get("file");
  if (!key.Verify(ReadFile(file), signature)) {
    throw Error(ErrorCode::kVerification, file + ": signature does not verify with " + context.args.Get("key"));
  }
  context.output.Emit({{"file", file}, {"verified", true}, {"key_id", key.KeyId()}});
  return 0;
}

}  // namespace

void RegisterCommands(Registrar& registrar) {
  using Kind = OptionSpec::Kind;
  const OptionSpec force{.name = "force", .kind = Kind::kFlag, .help = "Overwrite existing key files"};
  registrar.AddCommand(
      CommandSpec{.path = "cosign generate-key-pair",
                  .summary = "Write a new ECDSA P-256 key pair: cosign.key (encrypted) and cosign.pub",
                  .description = "The password comes from COSIGN_PASSWORD (may be empty) or is asked twice on the terminal.",
                  .options = {{.name = "output-key-prefix", .help = "Write PREFIX.key and PREFIX.pub", .value_name = "PREFIX",
                               .default_value = "cosign"},
                              force}},
      RunGenerateKeyPair);
  registrar.AddCommand(
      CommandSpec{.path = "cosign import-key-pair",
                  .summary = "Seal a PEM private key (EC, RSA, Ed25519) into cosign's encrypted format",
                  .options = {{.name = "key", .short_name = "k", .help = "PEM private key to import", .value_name = "FILE", .required = true},
                              {.name = "output-key-prefix", .help = "Write PREFIX.key and PREFIX.pub", .value_name = "PREFIX",
                               .default_value = "import-cosign"},
                              force}},
      RunImportKeyPair);
  registrar.AddCommand(
      CommandSpec{.path = "cosign public-key",
                  .summary = "Print (or write) the public key of a private key file",
                  .options = {{.name = "key", .help = "cosign.key or PEM private key", .value_name = "FILE", .required = true},
                              {.name = "outfile", .help = "Write the PEM here instead of stdout", .value_name = "FILE"}}},
      RunPublicKey);
  registrar.AddCommand(
      CommandSpec{.path = "cosign sign-blob",
                  .summary = "Sign a file; prints the base64 signature",
                  .options = {{.name = "file", .help = "File to sign", .value_name = "FILE", .required = true, .position = 1},
                              {.name = "key", .help = "cosign.key or PEM private key", .value_name = "FILE", .required = true},
                              {.name = "output-signature", .help = "Also write the signature here", .value_name = "FILE"}}},
      RunSignBlob);
  registrar.AddCommand(
      CommandSpec{.path = "cosign verify-blob",
                  .summary = "Verify a file's signature with a public key",
                  .options = {{.name = "file", .help = "Signed file", .value_name = "FILE", .required = true, .position = 1},
                              {.name = "key", .help = "Public key (cosign.pub)", .value_name = "FILE", .required = true},
                              {.name = "signature", .help = "File with the base64 (or DER) signature", .value_name = "FILE",
                               .required = true}}},
      RunVerifyBlob);
}

}  // namespace berth::cosign
