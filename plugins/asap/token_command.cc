// berth asap token: prints one fresh token and nothing else, so that
// curl -H "Authorization: Bearer $(berth asap token -a SERVICE)" works.
#include "asap_commands.h"
#include "asap_credentials.h"
#include "asap_minter.h"
#include "berth/error.h"
#include "berth/output.h"

namespace berth::asap {

CommandSpec TokenSpec() {
  return CommandSpec{
      .path = "asap token",
      .summary = "Mint an ASAP token and print it",
      .description = "Credentials: --config FILE (an .asap-config), else ASAP_ISSUER, ASAP_KEY_ID (or ASAP_KID) and\n"
                     "ASAP_PRIVATE_KEY (PEM or data: URI), else ./.asap-config.",
      .options = {
          {.name = "audience", .short_name = "a", .kind = OptionSpec::Kind::kList,
           .help = "Audience (repeat or comma-separate; default: the config's audience or ASAP_AUDIENCE)", .value_name = "AUDIENCE"},
          {.name = "expiry", .help = "Lifetime in seconds, at most 3600 (default: the config's expiry, else 60)", .value_name = "SECONDS"},
          {.name = "subject", .help = "Subject (default: ASAP_SUBJECT, else the issuer)", .value_name = "SUBJECT"},
          {.name = "algorithm", .help = "RS256 (default for RSA keys), PS256, ES256, ...", .value_name = "ALG"},
      }};
}

int RunToken(CommandContext& context) {
  const Args& args = context.args;
  AsapCredentials credentials = ResolveCredentials(ConfigArg(args), ProcessEnvironment());
  MintRequest request;
  request.audience = AudienceArgs(args);
  request.subject = args.GetOptional("subject");
  request.lifetime_seconds = ExpiryArg(args);
  if (auto name = args.GetOptional("algorithm")) {
    request.algorithm = jwt::ParseAlgorithm(*name);
    if (!request.algorithm) throw Error(ErrorCode::kUsage, "unknown algorithm '" + *name + "' (RS256, PS256, ES256, ...)");
  }
  MintedToken minted = MintAsapToken(credentials, request);
  if (context.output.format() == OutputFormat::kTable) {
    context.output.Line(minted.token.Reveal());
    return 0;
  }
  nlohmann::json result = {{"token", minted.token.Reveal()}, {"algorithm", minted.header["alg"]}, {"kid", minted.header["kid"]}};
  for (const char* claim : {"iss", "sub", "aud", "jti", "iat", "nbf", "exp"}) result[claim] = minted.claims[claim];
  context.output.Emit(result);
  return 0;
}

}  // namespace berth::asap
