// Micros service descriptors (the .sd.yml templates a project keeps): the
// validator, the template renderer and the Stash key scan all read them.
#include "descriptor.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = berth::fuzz::AsText(data, size);
  berth::fuzz::Expect([&] {
    for (const auto& problem : berth::micros::ValidateDescriptor(text)) (void)berth::micros::FormatProblem("fuzz.sd.yml", problem);
  });
  berth::micros::DescriptorInputs inputs{"svc", "ddev", "docker.example.com/team/svc", "sha256:" + std::string(64, 'a'), "1.2.3"};
  berth::fuzz::Expect([&] { (void)berth::micros::RenderTemplate(text, "fuzz.sd.yml", inputs); });
  berth::fuzz::Expect([&] { (void)berth::micros::StashKeysReferenced(text, "svc"); });
  berth::fuzz::Expect([&] {
    berth::micros::DescriptorInputs split;
    berth::micros::SplitImage(std::string(text), split);
  });
  return 0;
}
