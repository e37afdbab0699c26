// A well-behaved plugin with one subcommand, used beside the broken ones to
// show that they do not stop it from working. Built twice, as 1.0.0 and
// 2.0.0, for the install tests that replace one version with another.
#include <string>

#include "berth/output.h"
#include "berth/plugin.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"
#include "berth/util/process.h"
#include "berth/util/redact.h"

#ifndef ECHO_PLUGIN_VERSION
#define ECHO_PLUGIN_VERSION "1.0.0"
#endif

namespace {

void Register(berth::Registrar& registrar) {
  registrar.SetDescription("Test fixture: echoes its argument");
  registrar.AddCommand(berth::CommandSpec{.path = "echo say",
                                          .summary = "Print the words given",
                                          .options = {{.name = "words", .kind = berth::OptionSpec::Kind::kList,
                                                       .help = "Words", .value_name = "WORD", .position = 1}}},
                       [](berth::CommandContext& context) {
                         std::string text;
                         for (const auto& word : context.args.GetAll("words")) text += (text.empty() ? "" : " ") + word;
                         context.output.Emit({{"said", text}});
                         return 0;
                       });
  // The SDK's utilities as a plugin has them: the child runs in the host
  // (process.run), the log line is written by the host, redacted.
  registrar.AddCommand(berth::CommandSpec{.path = "echo run",
                                          .summary = "Run a shell command, its input from ours",
                                          .options = {{.name = "script", .help = "sh -c SCRIPT", .value_name = "SCRIPT",
                                                       .required = true, .position = 1},
                                                      {.name = "secret", .help = "A value to register as a secret",
                                                       .value_name = "VALUE"}}},
                       [](berth::CommandContext& context) {
                         if (auto secret = context.args.GetOptional("secret")) {
                           berth::RegisterSecret(*secret);
                           berth::log::Warn("echo run: registered {}", *secret);
                         }
                         berth::ProcessOptions options;
                         options.stdin_data.assign(std::istreambuf_iterator<char>(context.input), {});
                         auto result = berth::RunProcess({"sh", "-c", context.args.Get("script")}, options);
                         context.output.Emit({{"exit_code", result.exit_code},
                                              {"stdout", result.stdout_data},
                                              {"stderr", result.stderr_data}});
                         return 0;
                       });
  // A secret in a private temporary file, held until stdin ends: an
  // interrupt meanwhile must still remove it (the host's handler does).
  registrar.AddCommand(berth::CommandSpec{.path = "echo hold-secret-file", .summary = "Hold a private temporary file"},
                       [](berth::CommandContext& context) {
                         berth::PrivateTempFile file("held secret", ".secret");
                         context.output.Line(file.path().string());
                         std::string ignored((std::istreambuf_iterator<char>(context.input)), {});
                         return 0;
                       });
  registrar.AddCommand(berth::CommandSpec{.path = "echo fail", .summary = "Throw from inside the plugin"},
                       [](berth::CommandContext&) -> int { throw std::runtime_error("echo failed on purpose"); });
}

}  // namespace

BERTH_PLUGIN("echo", ECHO_PLUGIN_VERSION, Register)
