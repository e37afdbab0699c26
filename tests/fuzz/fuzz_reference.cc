// Image references as users and files write them: NAME[:TAG][@DIGEST], bare
// repositories, and the transport forms (oci:DIR[:TAG], docker-archive:FILE).
#include "berth/oci/reference.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = berth::fuzz::AsText(data, size);
  berth::fuzz::Expect([&] {
    auto reference = berth::oci::Reference::Parse(text);
    // What Parse accepted must print as something Parse accepts again, unchanged.
    std::string printed = reference.str();
    if (berth::oci::Reference::Parse(printed).str() != printed) __builtin_trap();
    (void)reference.ApiHost();
    (void)reference.Identifier();
  });
  berth::fuzz::Expect([&] { (void)berth::oci::Reference::ParseRepository(text).str(); });
  berth::fuzz::Expect([&] { (void)berth::oci::ImageLocation::Parse(text).str(); });
  (void)berth::oci::IsValidTag(text);
  (void)berth::oci::IsValidRepository(text);
  berth::fuzz::Expect([&] { (void)berth::oci::NormalizeRegistryHost(text); });
  return 0;
}
