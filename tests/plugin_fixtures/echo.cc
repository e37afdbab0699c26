// A well-behaved plugin with one subcommand, used beside the broken ones to
// show that they do not stop it from working. Built twice, as 1.0.0 and
// 2.0.0, for the install tests that replace one version with another.
#include "berth/output.h"
#include "berth/plugin.h"

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
  registrar.AddCommand(berth::CommandSpec{.path = "echo fail", .summary = "Throw from inside the plugin"},
                       [](berth::CommandContext&) -> int { throw std::runtime_error("echo failed on purpose"); });
}

}  // namespace

BERTH_PLUGIN("echo", ECHO_PLUGIN_VERSION, Register)
