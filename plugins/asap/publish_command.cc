// berth asap publish: puts this service's public key into its key
// repositories at <base>/<kid>, where resource servers fetch it.
//
// The key published is always the one derived from the private key, so a
// stale publicKey in an .asap-config cannot be uploaded by mistake. A kid
// already published with a different key is refused before anything is
// written anywhere: resource servers cache keys by kid, and replacing one
// would break every token signed with the old key still in flight.
#include "asap_commands.h"
#include "asap_credentials.h"
#include "berth/error.h"
#include "berth/output.h"
#include "berth/util/process.h"
#include "http_fetch.h"
#include "key_repository.h"

namespace berth::asap {
namespace {

// A bearer token for repositories that guard uploads; read from the
// environment so that it never sits in argv.
constexpr char kUploadTokenVariable[] = "ASAP_KEY_REPOSITORY_TOKEN";

std::vector<std::string> Repositories(const Args& args, const EnvLookup& env) {
  std::vector<std::string> repositories = args.GetAll("key-repo");
  if (repositories.empty()) {
    if (auto url = env("ASAP_PUBLIC_KEY_REPOSITORY_URL")) repositories.push_back(*url);
  }
  return repositories;
}

// The public key to publish, checked against the config's own copy.
std::string PublicKeyPem(const AsapCredentials& credentials) {
  std::string derived = credentials.private_key->Public().Pem();
  if (credentials.public_key_pem &&
      jwt::PublicKey::FromPem(*credentials.public_key_pem, credentials.source + " publicKey").Pem() != derived) {
    throw Error(ErrorCode::kInvalidInput,
                credentials.source + ": field 'publicKey' is not the public half of 'privateKey'; refusing to publish either");
  }
  return derived;
}

enum class Published { kAbsent, kSame };

// What the repository holds for the kid now. Throws when it holds another key.
Published Lookup(const std::string& url, const std::string& kid, const std::string& pem) {
  HttpRequest request;
  request.url = url;
  request.headers = {{"Accept", "application/x-pem-file"}};
  request.timeout_seconds = 15;
  request.max_response_bytes = 64 * 1024;
  HttpResponse response = HttpFetch(request);
  if (response.status == 404) return Published::kAbsent;
  if (response.status != 200) {
    throw Error(ErrorCode::kFailure, "cannot check '" + kid + "' before publishing: " + url + " answered HTTP " + std::to_string(response.status));
  }
  if (jwt::PublicKey::FromPem(response.body, url).Pem() != pem) {
    throw Error(ErrorCode::kVerification, "kid '" + kid + "' is already published at " + url +
                                              " with a different key; publish a new key under a new kid (berth asap keygen)");
  }
  return Published::kSame;
}

void Upload(const std::string& url, const std::string& kid, const std::string& pem, const EnvLookup& env) {
  HttpRequest request;
  request.method = "PUT";
  request.url = url;
  request.headers = {{"Content-Type", "application/x-pem-file"}};
  if (auto token = env(kUploadTokenVariable); token && !token->empty()) request.headers.emplace_back("Authorization", "Bearer " + *token);
  request.body = pem;
  request.timeout_seconds = 30;
  request.max_response_bytes = 64 * 1024;
  HttpResponse response = HttpFetch(request);
  if (response.status == 401 || response.status == 403) {
    throw Error(ErrorCode::kAuth, "publishing '" + kid + "' to " + url + " was refused (HTTP " + std::to_string(response.status) + "); set " +
                                      kUploadTokenVariable + " if the repository needs a token");
  }
  if (response.status < 200 || response.status > 299) {
    throw Error(ErrorCode::kFailure, "publishing '" + kid + "' to " + url + " failed: HTTP " + std::to_string(response.status));
  }
}

// Runs the user's own upload program (argv from the command line, no
// shell) with the PEM on stdin and the kid in the environment.
void RunUploadCommand(const std::vector<std::string>& argv, const AsapCredentials& credentials, const std::string& pem) {
  ProcessOptions options;
  options.stdin_data = pem;
  options.env_set = {{"ASAP_KEY_ID", credentials.key_id}, {"ASAP_ISSUER", credentials.issuer}};
  options.env_unset = {"ASAP_PRIVATE_KEY"};
  options.inherit_stderr = true;
  options.timeout = std::chrono::minutes(5);
  ProcessResult result = RunProcess(argv, options);
  if (result.exit_code != 0) {
    throw Error(ErrorCode::kFailure, "publish command '" + argv.front() + "' failed for '" + credentials.key_id + "' (exit " +
                                         std::to_string(result.exit_code) + ")");
  }
}

}  // namespace

CommandSpec PublishSpec() {
  return CommandSpec{
      .path = "asap publish",
      .summary = "Publish the public key to key repositories under its kid",
      .description = "PUTs the PEM public key to <base>/<kid> of each repository after checking that the kid is free\n"
                     "or already holds this very key; a kid published with another key is refused (exit 5) before\n"
                     "anything is written. A repository that needs a token gets ASAP_KEY_REPOSITORY_TOKEN as a bearer\n"
                     "token. `berth asap publish -- PROGRAM [ARG...]` runs your own upload program instead, with the PEM\n"
                     "on stdin and ASAP_KEY_ID and ASAP_ISSUER in its environment.",
      .options = {
          {.name = "key-repo", .kind = OptionSpec::Kind::kList,
           .help = "Key repository base URL (repeatable; default: ASAP_PUBLIC_KEY_REPOSITORY_URL)", .value_name = "URL"},
          {.name = "command", .kind = OptionSpec::Kind::kList,
           .help = "Upload with this program instead (after --; no shell)", .value_name = "PROGRAM", .position = 1},
          {.name = "dry-run", .kind = OptionSpec::Kind::kFlag, .help = "Check the repositories; upload nothing"},
      }};
}

int RunPublish(CommandContext& context) {
  const Args& args = context.args;
  EnvLookup env = ProcessEnvironment();
  AsapCredentials credentials = ResolveCredentials(ConfigArg(args), env);
  std::string pem = PublicKeyPem(credentials);
  const std::string& kid = credentials.key_id;
  bool dry_run = args.Flag("dry-run");

  std::vector<std::string> command = args.GetAll("command");
  std::vector<std::string> bases = Repositories(args, env);
  if (!command.empty() && !args.GetAll("key-repo").empty()) {
    throw Error(ErrorCode::kUsage, "give either --key-repo or an upload program after --, not both");
  }
  if (!command.empty()) {
    if (!dry_run) RunUploadCommand(command, credentials, pem);
    context.output.Emit({{"kid", kid}, {"published", nlohmann::json::array({{{"command", command.front()}, {"action", dry_run ? "would run" : "ran"}}})}});
    return 0;
  }
  if (bases.empty()) throw Error(ErrorCode::kUsage, "no key repository: pass --key-repo URL (or set ASAP_PUBLIC_KEY_REPOSITORY_URL), or an upload program after --");
  KeyRepositories repositories(bases);  // Refuses plain http except on this machine.

  // Every repository is checked before any is written.
  std::vector<std::pair<std::string, Published>> found;
  for (const std::string& base : repositories.base_urls()) found.emplace_back(base + kid, Lookup(base + kid, kid, pem));

  nlohmann::json published = nlohmann::json::array();
  Table table{{"URL", "ACTION"}, {}};
  for (const auto& [url, state] : found) {
    std::string action = state == Published::kSame ? "unchanged" : dry_run ? "would publish" : "published";
    if (state == Published::kAbsent && !dry_run) {
      Upload(url, kid, pem, env);
      // What resource servers will fetch must be what was sent.
      if (Lookup(url, kid, pem) != Published::kSame) {
        throw Error(ErrorCode::kFailure, url + " accepted '" + kid + "' but does not serve it afterwards");
      }
    }
    published.push_back({{"url", url}, {"action", action}});
    table.rows.push_back({url, action});
  }
  context.output.Emit({{"kid", kid}, {"published", published}}, table);
  return 0;
}

}  // namespace berth::asap
