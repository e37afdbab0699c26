// berth asap verify: checks a token as an ASAP resource server would.
#include <iterator>

#include "asap_commands.h"
#include "asap_credentials.h"
#include "asap_verifier.h"
#include "berth/error.h"
#include "berth/output.h"
#include "berth/util/fs.h"
#include "key_repository.h"

namespace berth::asap {
namespace {

// The token from the argument, or from stdin when it is absent or "-"
// (stdin keeps it out of argv). A pasted "Bearer " prefix is dropped.
std::string ReadToken(CommandContext& context) {
  std::string token = context.args.GetOr("token", "-");
  if (token == "-") token.assign(std::istreambuf_iterator<char>(context.input), std::istreambuf_iterator<char>());
  size_t start = token.find_first_not_of(" \t\r\n");
  size_t end = token.find_last_not_of(" \t\r\n");
  token = start == std::string::npos ? "" : token.substr(start, end - start + 1);
  if (token.size() > 7 && (token.rfind("Bearer ", 0) == 0 || token.rfind("bearer ", 0) == 0)) token = token.substr(7);
  if (token.empty()) throw Error(ErrorCode::kUsage, "no token: pass TOKEN or pipe it on stdin");
  return token;
}

KeyResolver MakeResolver(const Args& args, const EnvLookup& env) {
  auto public_key = args.GetOptional("public-key");
  std::vector<std::string> repositories = args.GetAll("key-repo");
  if (public_key && !repositories.empty()) throw Error(ErrorCode::kUsage, "give either --key-repo or --public-key, not both");
  if (public_key) {
    jwt::PublicKey key = jwt::PublicKey::FromPem(ReadFile(*public_key), *public_key);
    return [key, file = *public_key](const std::string&) { return ResolvedKey{key, file}; };
  }
  if (repositories.empty()) {
    for (const char* name : {"ASAP_PUBLIC_KEY_REPOSITORY_URL", "ASAP_PUBLIC_KEY_FALLBACK_REPOSITORY_URL"}) {
      if (auto url = env(name)) repositories.push_back(*url);
    }
  }
  if (repositories.empty()) {
    throw Error(ErrorCode::kUsage, "no public key: pass --key-repo URL or --public-key FILE (or set ASAP_PUBLIC_KEY_REPOSITORY_URL)");
  }
  KeyRepositories keys(std::move(repositories));
  return [keys](const std::string& kid) {
    FetchedKey fetched = keys.Fetch(kid);
    return ResolvedKey{fetched.key, fetched.url};
  };
}

}  // namespace

CommandSpec VerifySpec() {
  return CommandSpec{
      .path = "asap verify",
      .summary = "Verify an ASAP token as a resource server would",
      .description = "Reads the token from stdin when TOKEN is absent or '-'. Exit 0 when valid, 5 when rejected\n"
                     "(the message names the broken rule), 6 when the key repository has no such key.",
      .options = {
          {.name = "token", .help = "The token (default: read stdin)", .value_name = "TOKEN", .position = 1},
          {.name = "audience", .short_name = "a", .help = "This service's audience (default: ASAP_AUDIENCE)", .value_name = "AUDIENCE"},
          {.name = "key-repo", .kind = OptionSpec::Kind::kList,
           .help = "Key repository base URL, tried in order (default: ASAP_PUBLIC_KEY_REPOSITORY_URL, ..._FALLBACK_...)", .value_name = "URL"},
          {.name = "public-key", .help = "A PEM public key file instead of a repository", .value_name = "FILE"},
          {.name = "issuer", .kind = OptionSpec::Kind::kList, .help = "Accepted issuer (repeat; default: any)", .value_name = "ISSUER"},
          {.name = "any-subject", .kind = OptionSpec::Kind::kFlag, .help = "Accept a subject that differs from the issuer"},
          {.name = "leeway", .help = "Clock skew allowed, seconds", .value_name = "SECONDS", .default_value = "30"},
      }};
}

int RunVerify(CommandContext& context) {
  const Args& args = context.args;
  EnvLookup env = ProcessEnvironment();
  VerifyOptions options;
  options.audience = args.GetOptional("audience").value_or(env("ASAP_AUDIENCE").value_or(""));
  options.issuers = args.GetAll("issuer");
  options.subject_must_match_issuer = !args.Flag("any-subject");
  options.leeway_seconds = args.WholeNumber("leeway", 0).value_or(30);
  if (options.audience.empty()) throw Error(ErrorCode::kUsage, "no audience to verify against: pass -a AUDIENCE or set ASAP_AUDIENCE");
  KeyResolver resolver = MakeResolver(args, env);
  std::string token = ReadToken(context);
  VerifiedToken verified;
  try {
    verified = VerifyAsapToken(token, options, resolver);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kVerification) throw;
    if (context.output.format() != OutputFormat::kTable) context.output.Emit({{"valid", false}, {"reason", e.what()}});
    throw Error(ErrorCode::kVerification, std::string("token rejected: ") + e.what());
  }
  const nlohmann::json& claims = verified.claims;
  nlohmann::json result = {{"valid", true},
                           {"algorithm", verified.header["alg"]},
                           {"kid", verified.header["kid"]},
                           {"issuer", claims["iss"]},
                           {"subject", claims.value("sub", claims["iss"].get<std::string>())},
                           {"audience", claims["aud"]},
                           {"jti", claims["jti"]},
                           {"issued_at", claims["iat"]},
                           {"expires_at", claims["exp"]},
                           {"key", verified.key_source}};
  context.output.Emit(result);
  return 0;
}

}  // namespace berth::asap
