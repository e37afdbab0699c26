// A registry plugin for the routing tests: claims every 127.0.0.1 port,
// supplies Basic credentials from its registries.yaml settings (username,
// password-file), and allows repositories under team/ only. Real code
// through the real loader, like the other fixtures.
#include "berth/plugin.h"
#include "berth/registry.h"
#include "berth/util/fs.h"

namespace {

class TestRegistry : public berth::Registry {
 public:
  explicit TestRegistry(const nlohmann::json& settings) : settings_(settings) {}

  berth::Result<std::optional<berth::oci::Credential>> GetCredential(const std::string& host,
                                                                     const std::vector<std::string>& scopes) noexcept override {
    return berth::CaptureResult([&]() -> std::optional<berth::oci::Credential> {
      if (!settings_.contains("password-file")) return std::nullopt;
      berth::oci::Credential credential;
      credential.kind = berth::oci::Credential::Kind::kBasic;
      credential.username = settings_.value("username", "");
      credential.secret = berth::SecretValue(berth::ReadFile(settings_["password-file"].get<std::string>()));
      credential.origin = "plugin test-registry";
      return credential;
    });
  }

  berth::Status ValidateReference(const berth::oci::Reference& reference) noexcept override {
    return berth::Capture([&] {
      if (!reference.repository.starts_with("team/")) {
        throw berth::Error(berth::ErrorCode::kInvalidInput,
                           "test-registry: repositories live under team/ (got '" + reference.repository + "')");
      }
    });
  }

 private:
  nlohmann::json settings_;
};

void Register(berth::Registrar& registrar) {
  registrar.SetDescription("Test fixture: a registry plugin claiming 127.0.0.1");
  registrar.AddRegistry("test-registry", "Loopback registries with plugin-supplied credentials", {"127.0.0.1:*"},
                        [](const nlohmann::json& settings) { return std::make_unique<TestRegistry>(settings); });
}

}  // namespace

BERTH_PLUGIN("test-registry", "1.0.0", Register)
