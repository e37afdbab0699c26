// The user's berth config (trusted-plugin-keys) and the installed-plugins
// record: both are read before a plugin install or load. The input is either
// file, split at a "\n====\n" line.
#include "core/plugins/install_record.h"
#include "core/plugins/plugin_signature.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto dir = berth::fuzz::ScratchDir();
  auto parts = berth::fuzz::SplitParts(berth::fuzz::AsText(data, size));
  berth::fuzz::WriteBytes(dir / "config.yaml", parts[0]);
  berth::fuzz::WriteBytes(dir / "installed-plugins.json", parts.size() > 1 ? parts[1] : parts[0]);
  berth::fuzz::Expect([&] { (void)berth::host::LoadTrustedPluginKeys(dir / "config.yaml"); });
  berth::fuzz::Expect([&] { (void)berth::host::FindInstall("/fuzz/plugins/echo", dir / "installed-plugins.json"); });
  (void)berth::host::CheckInstalledLibrary("/fuzz/plugins/echo", dir / "installed-plugins.json");
  return 0;
}
