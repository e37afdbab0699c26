// A plugin whose command crashes: berth must name the plugin and the command
// in one line and exit with code 4, not die with SIGSEGV's 139.
#include <csignal>

#include "berth/plugin.h"

namespace {

void Register(berth::Registrar& registrar) {
  registrar.AddCommand(berth::CommandSpec{.path = "crashing segv", .summary = "Crash with SIGSEGV"},
                       [](berth::CommandContext&) -> int {
                         std::raise(SIGSEGV);
                         return 0;
                       });
  registrar.AddCommand(berth::CommandSpec{.path = "crashing abort", .summary = "Crash with SIGABRT"},
                       [](berth::CommandContext&) -> int {
                         std::abort();
                       });
}

}  // namespace

BERTH_PLUGIN("crashing", "1.0.0", Register)
