// kubeconfig files (what kubectl reads). The input is the file; paths it
// names resolve inside a private scratch directory or not at all.
#include "fuzz_util.h"
#include "kube_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto dir = berth::fuzz::ScratchDir();
  const auto file = dir / "kubeconfig";
  berth::fuzz::WriteBytes(file, berth::fuzz::AsText(data, size));
  for (const char* context : {"", "dev"}) {
    berth::k8s::KubeConfigOptions options;
    options.kubeconfig = file.string();
    options.home = dir / "home";
    options.context = context;
    options.service_account_dir = dir / "no-service-account";
    berth::fuzz::Expect([&] { (void)berth::k8s::LoadKubeAccess(options); });
  }
  return 0;
}
