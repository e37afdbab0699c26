// The user's berth config (trusted-plugin-keys, credential-hosts,
// plugin-policy), the same text as a system config beside it, and the
// installed-plugins record: read before a plugin install or load, and when
// berth.yaml names a credential URL. The input is either file, split at a
// "\n====\n" line; a third part is such a URL, checked against the config.
// The record's entries go through the check that binds a plugin to what was
// installed, against a plugin as the seed's entry describes it and against
// one whose library cannot be read.
#include "core/config/credential_hosts.h"
#include "core/config/plugin_trust.h"
#include "core/plugins/install_record.h"
#include "core/plugins/plugin_signature.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto dir = berth::fuzz::ScratchDir();
  auto parts = berth::fuzz::SplitParts(berth::fuzz::AsText(data, size));
  berth::fuzz::WriteBytes(dir / "config.yaml", parts[0]);
  berth::fuzz::WriteBytes(dir / "installed-plugins.json", parts.size() > 1 ? parts[1] : parts[0]);
  berth::fuzz::Expect([&] { (void)berth::host::LoadTrustedPluginKeys(dir / "config.yaml"); });
  berth::fuzz::WriteBytes(dir / "etc" / "config.yaml", parts[0]);
  berth::fuzz::Expect([&] {
    berth::host::PluginTrust trust = berth::host::PluginTrust::Load({{dir / "etc" / "config.yaml"}, dir / "config.yaml"});
    (void)trust.policy();
    (void)trust.keys();
  });
  berth::fuzz::Expect([&] { (void)berth::host::ReadCredentialHosts(dir / "config.yaml"); });
  berth::fuzz::Expect([&] {
    static const nlohmann::json kMark = {{"platform", "github"}, {"hosts", {"api.github.com", "*.ghe.example"}}};
    berth::host::CredentialHostCheck check(dir / "config.yaml");
    (void)check.Refusal(kMark, std::string(parts.size() > 2 ? parts[2] : parts[0]));
  });
  berth::fuzz::Expect([&] {
    const auto record = berth::host::InstallRecord::Read(dir / "installed-plugins.json");
    (void)record.Find("/fuzz/plugins/echo");
    const std::string library_sha256(64, 'a');
    berth::host::PluginFilesNow now{.manifest_sha256 = std::string(64, 'b'),
                                    .library = "libberth-echo.so",
                                    .library_sha256 = [&] { return library_sha256; }};
    (void)record.Check("/fuzz/plugins/echo", now, "reinstall");
    now.library_sha256 = []() -> std::string { throw berth::Error(berth::ErrorCode::kInvalidInput, "unreadable"); };
    (void)record.Check("/fuzz/plugins/echo", now, "reinstall");
  });
  return 0;
}
