// A crash inside plugin code (SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL)
// prints one line naming the plugin and what it was doing, then berth exits
// with code 4 (docs/commands.md). A crash in berth's own code is left to the
// default action.
#ifndef BERTH_HOST_CORE_PLUGINS_PLUGIN_CRASH_H_
#define BERTH_HOST_CORE_PLUGINS_PLUGIN_CRASH_H_

namespace berth::host {

void InstallPluginCrashReporter();

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGINS_PLUGIN_CRASH_H_
