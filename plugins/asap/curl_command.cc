// berth asap curl: one HTTP request with a fresh ASAP token and the headers
// an ASAP gateway wants. The token only ever goes into the Authorization
// header: it is registered for redaction, so -v logs show "***".
#include <algorithm>
#include <iterator>
#include <map>

#include "asap_commands.h"
#include "asap_credentials.h"
#include "asap_minter.h"
#include "berth/error.h"
#include "berth/output.h"
#include "berth/project.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"
#include "berth/util/secrets_source.h"
#include "http_fetch.h"

namespace berth::asap {
namespace {

// Header <- environment variable, sent when the variable is set: what
// Atlassian's AI gateway expects beside the token.
const std::vector<std::pair<std::string, std::string>>& GatewayHeaders() {
  static const std::vector<std::pair<std::string, std::string>> headers = {
      {"X-Atlassian-UseCaseId", "AI_GATEWAY_USE_CASE_ID"},
      {"X-Atlassian-CloudId", "AI_GATEWAY_CLOUD_ID"},
      {"X-Atlassian-UserId", "AI_GATEWAY_USER_ID"},
  };
  return headers;
}

std::string Listed(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

std::string Lower(std::string text) {
  for (char& c : text) c = char(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::pair<std::string, std::string> SplitPair(const std::string& text, char separator, const char* option) {
  size_t at = text.find(separator);
  if (at == std::string::npos || at == 0) {
    throw Error(ErrorCode::kUsage, std::string(option) + " '" + text + "' must look like NAME" + separator + "VALUE");
  }
  std::string value = text.substr(at + 1);
  size_t start = value.find_first_not_of(' ');
  return {text.substr(0, at), start == std::string::npos ? "" : value.substr(start)};
}

std::string BodyFrom(const std::string& data, std::istream& input) {
  if (data == "@-") return std::string(std::istreambuf_iterator<char>(input), std::istreambuf_iterator<char>());
  if (!data.empty() && data[0] == '@') return ReadFile(data.substr(1));
  return data;
}

// The env files the header variables may come from beside the process
// environment: --env-file, else the berth environment's secrets.from (--env,
// or berth.yaml's only environment). The host hands out secrets.from only
// for a project that is trusted where it needs to be. With the global
// --config naming an .asap-config there is no berth.yaml to ask about.
std::vector<std::filesystem::path> HeaderFiles(const Args& args, std::string* none_because) {
  std::vector<std::filesystem::path> files;
  for (const auto& file : args.GetAll("env-file")) files.emplace_back(file);
  if (!files.empty()) return files;
  if (ConfigArg(args)) {
    *none_because = "--config names the .asap-config, so berth.yaml is not read; pass --env-file FILE";
    return files;
  }
  std::string environment = args.GetOr("env", "");
  std::optional<ProjectContext> project = CurrentProject();
  if (!project) {
    if (!environment.empty()) throw Error(ErrorCode::kInvalidInput, "--env " + environment + ": no berth.yaml here or in any parent directory");
    *none_because = "no berth.yaml here; pass --env-file FILE";
    return files;
  }
  const std::string file_name = project->file.filename().string();
  if (environment.empty()) {
    if (project->environments.size() != 1) {
      *none_because = file_name + " defines " + std::to_string(project->environments.size()) + " environments; pass --env ENV or --env-file FILE";
      return files;
    }
    environment = project->environments[0];
  }
  if (std::find(project->environments.begin(), project->environments.end(), environment) == project->environments.end()) {
    throw Error(ErrorCode::kInvalidInput, "--env " + environment + ": " + file_name + " has no environment '" + environment + "'");
  }
  project = CurrentProject(environment);
  if (!project || project->secrets_from.empty()) {
    *none_because = file_name + " names no secrets.from for environment '" + environment + "'";
    return files;
  }
  return project->secrets_from;
}

// The gateway headers and --header-from-env ones that -H does not set, from
// the process environment first (a one-off override), then the env files.
// One that cannot be filled is a warning: the gateway would otherwise see
// the request without it and no one would know why.
void AddHeadersFromVariables(const Args& args, const EnvLookup& env, std::map<std::string, std::pair<std::string, std::string>>& headers) {
  std::vector<std::pair<std::string, std::string>> wanted;
  if (!args.Flag("no-gateway-headers")) wanted = GatewayHeaders();
  for (const std::string& mapping : args.GetAll("header-from-env")) wanted.push_back(SplitPair(mapping, '=', "--header-from-env"));
  std::erase_if(wanted, [&](const auto& pair) { return headers.count(Lower(pair.first)) > 0; });
  if (wanted.empty()) return;
  std::string no_files_because;
  std::vector<std::filesystem::path> files = HeaderFiles(args, &no_files_because);
  SecretsFromFiles from_files = LoadSecretsFiles(files);
  std::vector<std::string> unsent, unset;
  for (const auto& [name, variable] : wanted) {
    if (auto value = env(variable)) {
      headers[Lower(name)] = {name, *value};
    } else if (auto it = from_files.values.find(variable); it != from_files.values.end()) {
      headers[Lower(name)] = {name, it->second.Reveal()};
    } else {
      unsent.push_back(name);
      unset.push_back(variable);
    }
  }
  if (unsent.empty()) return;
  std::string where = "the environment";
  for (const auto& file : files) where += ", " + file.string();
  log::Warn("not sending {}: {} {} not set in {}{}", Listed(unsent), Listed(unset), unset.size() == 1 ? "is" : "are", where,
            no_files_because.empty() ? "" : " (" + no_files_because + ")");
}

ErrorCode CodeForStatus(long status) {
  if (status == 401 || status == 403) return ErrorCode::kAuth;
  if (status == 404) return ErrorCode::kNotFound;
  return ErrorCode::kFailure;
}

}  // namespace

CommandSpec CurlSpec() {
  return CommandSpec{
      .path = "asap curl",
      .summary = "Call a URL with a fresh ASAP token (and AI gateway headers)",
      .description = "Sends Authorization: Bearer <new token>, plus X-Atlassian-UseCaseId, X-Atlassian-CloudId and\n"
                     "X-Atlassian-UserId from AI_GATEWAY_USE_CASE_ID, AI_GATEWAY_CLOUD_ID and AI_GATEWAY_USER_ID, taken\n"
                     "from the environment, else from --env-file (default: berth.yaml's secrets.from for --env, or for\n"
                     "its only environment); a header left unset is a warning.\n"
                     "Prints the response body; exit 7 for HTTP 401/403, 6 for 404, 1 for other errors.",
      .options = {
          {.name = "url", .help = "The URL", .value_name = "URL", .required = true, .position = 1},
          {.name = "audience", .short_name = "a", .kind = OptionSpec::Kind::kList,
           .help = "Token audience (default: the config's audience or ASAP_AUDIENCE)", .value_name = "AUDIENCE"},
          {.name = "request", .short_name = "X", .help = "Method (default: GET, or POST with --data)", .value_name = "METHOD"},
          {.name = "header", .short_name = "H", .kind = OptionSpec::Kind::kList, .help = "Extra header 'Name: value' (repeat)", .value_name = "HEADER"},
          {.name = "data", .short_name = "d", .help = "Request body; @FILE reads a file, @- reads stdin", .value_name = "DATA"},
          {.name = "header-from-env", .kind = OptionSpec::Kind::kList,
           .help = "Send header NAME with the value of variable VAR, looked up as the gateway's (NAME=VAR, repeat)", .value_name = "NAME=VAR"},
          {.name = "no-gateway-headers", .kind = OptionSpec::Kind::kFlag, .help = "Do not send the X-Atlassian-* gateway headers"},
          {.name = "env-file", .kind = OptionSpec::Kind::kList,
           .help = "Env file with the header variables (repeat; default: berth.yaml's secrets.from)", .value_name = "FILE"},
          {.name = "env", .help = "The berth.yaml environment whose secrets.from to read (default: the only one)", .value_name = "ENV"},
          {.name = "include", .short_name = "i", .kind = OptionSpec::Kind::kFlag, .help = "Print the response status line and headers too"},
          {.name = "expiry", .help = "Token lifetime in seconds (default 60)", .value_name = "SECONDS"},
          {.name = "max-time", .help = "Give up after this many seconds", .value_name = "SECONDS", .default_value = "60"},
      }};
}

int RunCurl(CommandContext& context) {
  const Args& args = context.args;
  EnvLookup env = ProcessEnvironment();
  HttpRequest request;
  request.url = args.Get("url");
  if (request.url.rfind("https://", 0) != 0 && request.url.rfind("http://", 0) != 0) {
    throw Error(ErrorCode::kUsage, "'" + request.url + "' is not an http:// or https:// URL");
  }
  if (request.url.rfind("http://", 0) == 0 && !IsLoopbackUrl(request.url)) {
    log::Warn("sending an ASAP token over plain http to {}", request.url);
  }
  if (auto data = args.GetOptional("data")) request.body = BodyFrom(*data, context.input);
  request.method = args.GetOr("request", args.Has("data") ? "POST" : "GET");
  request.timeout_seconds = args.WholeNumber("max-time", 1).value_or(60);
  AsapCredentials credentials = ResolveCredentials(ConfigArg(args), env);

  std::map<std::string, std::pair<std::string, std::string>> headers;  // lower-case name -> (name, value)
  for (const std::string& header : args.GetAll("header")) {
    auto [name, value] = SplitPair(header, ':', "--header");
    if (Lower(name) == "authorization") throw Error(ErrorCode::kUsage, "berth asap curl sets the Authorization header itself");
    headers[Lower(name)] = {name, value};
  }
  AddHeadersFromVariables(args, env, headers);

  MintRequest mint;
  mint.audience = AudienceArgs(args);
  mint.lifetime_seconds = ExpiryArg(args);
  MintedToken minted = MintAsapToken(credentials, mint);
  request.headers.emplace_back("Authorization", "Bearer " + minted.token.Reveal());
  for (const auto& [key, header] : headers) request.headers.push_back(header);
  log::Info("ASAP token for {} (kid {}, expires {})", minted.claims["aud"].dump(), credentials.key_id,
            jwt::FormatTime(minted.claims["exp"].get<int64_t>()));

  HttpResponse response = HttpFetch(request);
  // The request, its token included, is no longer needed.
  for (auto& [name, value] : request.headers) std::fill(value.begin(), value.end(), '\0');

  if (context.output.format() == OutputFormat::kTable) {
    std::ostream& out = context.output.stream();
    if (args.Flag("include")) {
      out << "HTTP " << response.status << "\r\n";
      for (const auto& [name, value] : response.headers) out << name << ": " << value << "\r\n";
      out << "\r\n";
    }
    out.write(response.body.data(), std::streamsize(response.body.size()));
    out.flush();
  } else {
    nlohmann::json headers_json = nlohmann::json::object();
    for (const auto& [name, value] : response.headers) headers_json[Lower(name)] = value;
    context.output.Emit({{"status", response.status}, {"headers", headers_json}, {"body", response.body}});
  }
  if (response.status >= 400) throw Error(CodeForStatus(response.status), "HTTP " + std::to_string(response.status) + " from " + request.url);
  return 0;
}

}  // namespace berth::asap
