// A plugin that makes HTTP requests only through berth's "http.request"
// service (http::HostClient), built STANDALONE: it links nothing of berth's
// but the C table, as an out-of-tree plugin would. Its test runs it in the
// SDK's harness; the e2e test runs it in berth.
#include <chrono>
#include <string>

#include "berth/http/host_client.h"
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

void Register(berth::Registrar& registrar) {
  registrar.SetDescription("Test fixture: HTTP through berth's host service");
  registrar.AddCommand(
      berth::CommandSpec{.path = "http-fetch get",
                         .summary = "GET a URL (JSON unless --raw)",
                         .options = {{.name = "url", .help = "URL", .value_name = "URL", .required = true, .position = 1},
                                     {.name = "timeout-ms", .help = "Timeout", .value_name = "MS"},
                                     {.name = "attempts", .help = "Tries", .value_name = "N"},
                                     {.name = "raw", .kind = berth::OptionSpec::Kind::kFlag, .help = "Any status, body as text"}}},
      RunGet);
}

}  // namespace

BERTH_PLUGIN("http-fetch", "1.0.0", Register)
