#include "berth/abi/objects.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>

#include "berth/abi/buffer.h"
#include "berth/abi/codec.h"

namespace berth::abi {
namespace {

// One exported object: the C++ object and a table of its methods by name.
template <typename Interface>
struct Exported {
  using Method = std::function<nlohmann::json(Interface&, const nlohmann::json&)>;
  std::unique_ptr<Interface> object;
  const std::map<std::string, Method, std::less<>>* methods;
};

template <typename Interface>
int32_t CallExported(void* self, const char* method, const char* request, size_t request_size, berth_buffer* reply,
                     berth_buffer* error) {
  auto* exported = static_cast<Exported<Interface>*>(self);
  auto it = exported->methods->find(method == nullptr ? "" : method);
  if (it == exported->methods->end()) {
    Fill(error, std::string("unknown method '") + (method ? method : "") + "'");
    return BERTH_STATUS_UNSUPPORTED;
  }
  return Answer([&] { return it->second(*exported->object, ParseJson(request, request_size, std::string("request of ") + method)); },
                reply, error);
}

template <typename Interface>
void DestroyExported(void* self) {
  delete static_cast<Exported<Interface>*>(self);
}

template <typename Interface>
berth_object Export(std::unique_ptr<Interface> object,
                    const std::map<std::string, typename Exported<Interface>::Method, std::less<>>& methods) {
  auto* exported = new Exported<Interface>{std::move(object), &methods};
  return berth_object{exported, &CallExported<Interface>, &DestroyExported<Interface>};
}

nlohmann::json Empty() { return nlohmann::json::object(); }

std::map<std::string, SecretValue> DesiredValues(const nlohmann::json& request) {
  std::map<std::string, SecretValue> desired;
  const nlohmann::json values = request.value("desired", nlohmann::json::object());
  for (const auto& [name, value] : values.items()) {
    desired.emplace(name, SecretValue(value.get<std::string>()));
  }
  return desired;
}

const auto& SecretStoreMethods() {
  using Method = Exported<SecretStore>::Method;
  static const std::map<std::string, Method, std::less<>> methods = {
      {"set",
       [](SecretStore& store, const nlohmann::json& request) {
         store.Set(request.value("environment", ""), request.value("name", ""), SecretValue(request.value("value", "")))
             .ThrowIfError();
         return Empty();
       }},
      {"list",
       [](SecretStore& store, const nlohmann::json& request) {
         return nlohmann::json{{"names", store.List(request.value("environment", "")).value()}};
       }},
      {"delete",
       [](SecretStore& store, const nlohmann::json& request) {
         store.Delete(request.value("environment", ""), request.value("name", "")).ThrowIfError();
         return Empty();
       }},
      {"diff",
       [](SecretStore& store, const nlohmann::json& request) {
         return nlohmann::json{{"entries", store.Diff(request.value("environment", ""), DesiredValues(request)).value()}};
       }},
  };
  return methods;
}

const auto& TargetMethods() {
  using Method = Exported<Target>::Method;
  static const std::map<std::string, Method, std::less<>> methods = {
      {"plan", [](Target& target, const nlohmann::json& request) {
         return nlohmann::json(target.Plan(request.get<DeployRequest>()).value());
       }},
      {"deploy", [](Target& target, const nlohmann::json& request) {
         return nlohmann::json(target.Deploy(request.get<DeployRequest>()).value());
       }},
      {"status", [](Target& target, const nlohmann::json& request) {
         return nlohmann::json(target.Status(request.get<TargetQuery>()).value());
       }},
      {"history", [](Target& target, const nlohmann::json& request) {
         return nlohmann::json{{"revisions", target.History(request.get<TargetQuery>()).value()}};
       }},
      {"rollback", [](Target& target, const nlohmann::json& request) {
         return nlohmann::json(target.Rollback(request.get<RollbackRequest>()).value());
       }},
  };
  return methods;
}

// Sign and Verify need the exporting side's Services, so the signer is
// exported with it.
class ServicedSigner : public Signer {
 public:
  ServicedSigner(std::unique_ptr<Signer> signer, Services* services) : signer_(std::move(signer)), services_(services) {}
  Result<KeyGenResult> GenerateKeyPair(const KeyGenRequest& request) noexcept override {
    return signer_->GenerateKeyPair(request);
  }
  Result<SignResult> Sign(Services&, const SignRequest& request) noexcept override {
    return signer_->Sign(*services_, request);
  }
  Result<VerifyResult> Verify(Services&, const VerifyRequest& request) noexcept override {
    return signer_->Verify(*services_, request);
  }
  Result<KeyCheckResult> CheckKey(const KeyCheckRequest& request) noexcept override { return signer_->CheckKey(request); }
  Services& services() { return *services_; }

 private:
  std::unique_ptr<Signer> signer_;
  Services* services_;
};

const auto& SignerMethods() {
  using Method = Exported<Signer>::Method;
  static const std::map<std::string, Method, std::less<>> methods = {
      {"generate_key_pair", [](Signer& signer, const nlohmann::json& request) {
         return nlohmann::json(signer.GenerateKeyPair(request.get<KeyGenRequest>()).value());
       }},
      {"sign", [](Signer& signer, const nlohmann::json& request) {
         auto& serviced = static_cast<ServicedSigner&>(signer);
         return nlohmann::json(signer.Sign(serviced.services(), request.get<SignRequest>()).value());
       }},
      {"verify", [](Signer& signer, const nlohmann::json& request) {
         auto& serviced = static_cast<ServicedSigner&>(signer);
         return nlohmann::json(signer.Verify(serviced.services(), request.get<VerifyRequest>()).value());
       }},
      {"check_key", [](Signer& signer, const nlohmann::json& request) {
         return nlohmann::json(signer.CheckKey(request.get<KeyCheckRequest>()).value());
       }},
  };
  return methods;
}

const auto& CredentialProviderMethods() {
  using Method = Exported<CredentialProvider>::Method;
  static const std::map<std::string, Method, std::less<>> methods = {
      {"token", [](CredentialProvider& provider, const nlohmann::json& request) {
         return nlohmann::json(provider.Token(request.get<TokenRequest>()).value());
       }},
  };
  return methods;
}

const auto& RegistryMethods() {
  using Method = Exported<Registry>::Method;
  static const std::map<std::string, Method, std::less<>> methods = {
      {"get_credential",
       [](Registry& registry, const nlohmann::json& request) {
         auto credential = registry.GetCredential(request.value("registry", ""),
                                                  request.value("scopes", std::vector<std::string>{})).value();
         return nlohmann::json{{"credential", credential ? nlohmann::json(*credential) : nlohmann::json(nullptr)}};
       }},
      {"validate_reference",
       [](Registry& registry, const nlohmann::json& request) {
         registry.ValidateReference(oci::Reference::Parse(request.value("reference", ""))).ThrowIfError();
         return Empty();
       }},
      {"delete_manifest",
       [](Registry& registry, const nlohmann::json& request) {
         bool handled = registry.DeleteManifest(oci::Reference::Parse(request.value("reference", "")),
                                                Digest::Parse(request.value("digest", ""))).value();
         return nlohmann::json{{"handled", handled}};
       }},
  };
  return methods;
}

nlohmann::json BuildRequestJson(const BuildRequest& request) {
  return {{"service", request.service},   {"project_dir", request.project_dir}, {"context", request.context},
          {"dockerfile", request.dockerfile}, {"platforms", request.platforms},   {"output", request.output},
          {"source_date_epoch", request.source_date_epoch}, {"no_cache", request.no_cache}};
}

BuildRequest BuildRequestFrom(const nlohmann::json& json) {
  BuildRequest request;
  request.service = json.value("service", "");
  request.project_dir = json.value("project_dir", "");
  request.context = json.value("context", "");
  request.dockerfile = json.value("dockerfile", "");
  request.platforms = json.value("platforms", std::vector<std::string>{});
  request.output = json.value("output", "");
  request.source_date_epoch = json.value("source_date_epoch", int64_t{0});
  request.no_cache = json.value("no_cache", false);
  return request;
}

const auto& BuilderMethods() {
  using Method = Exported<Builder>::Method;
  static const std::map<std::string, Method, std::less<>> methods = {
      {"check",
       [](Builder& builder, const nlohmann::json& request) {
         BuilderFit fit = builder.Check(BuildRequestFrom(request)).value();
         return nlohmann::json{{"usable", fit.usable},
                               {"preference", fit.preference},
                               {"problem", fit.problem},
                               {"problem_code", static_cast<int>(fit.problem_code)},
                               {"ignores_dockerfile", fit.ignores_dockerfile}};
       }},
      {"build",
       [](Builder& builder, const nlohmann::json& request) {
         return nlohmann::json{{"digest", builder.Build(BuildRequestFrom(request)).value().digest}};
       }},
  };
  return methods;
}

CallObserver g_call_observer = nullptr;

}  // namespace

berth_object ExportSecretStore(std::unique_ptr<SecretStore> store) { return Export(std::move(store), SecretStoreMethods()); }
berth_object ExportTarget(std::unique_ptr<Target> target) { return Export(std::move(target), TargetMethods()); }
berth_object ExportSigner(std::unique_ptr<Signer> signer, Services* services) {
  return Export<Signer>(std::make_unique<ServicedSigner>(std::move(signer), services), SignerMethods());
}
berth_object ExportCredentialProvider(std::unique_ptr<CredentialProvider> provider) {
  return Export(std::move(provider), CredentialProviderMethods());
}
berth_object ExportRegistry(std::unique_ptr<Registry> registry) { return Export(std::move(registry), RegistryMethods()); }
berth_object ExportBuilder(std::unique_ptr<Builder> builder) { return Export(std::move(builder), BuilderMethods()); }

void SetCallObserver(CallObserver observer) { g_call_observer = observer; }
CallObserver GetCallObserver() { return g_call_observer; }

std::string AttributeMessage(const std::string& owner, const std::string& operation, const std::string& message) {
  if (message.rfind(owner + ":", 0) == 0 || message.rfind("plugin ", 0) == 0) {
    return message;
  }
  // "asap keygen" names its plugin already; "generate_key_pair" reads as words.
  std::string what = operation;
  std::replace(what.begin(), what.end(), '_', ' ');
  std::string prefix = what.rfind(owner + " ", 0) == 0 ? what + ": " : owner + ": " + (what.empty() ? "" : what + ": ");
  return prefix + (message.empty() ? "failed without a message" : message);
}

ImportedObject::ImportedObject(berth_object object, std::string owner) : object_(object), owner_(std::move(owner)) {}

ImportedObject::~ImportedObject() {
  if (object_.destroy != nullptr) {
    if (g_call_observer) g_call_observer(owner_, "destroy", true);
    object_.destroy(object_.self);
    if (g_call_observer) g_call_observer(owner_, "destroy", false);
  }
}

nlohmann::json ImportedObject::Call(const char* method, const nlohmann::json& request) const {
  return CallOrUnsupported(method, request, /*unsupported_is_error=*/true).value();
}

std::optional<nlohmann::json> ImportedObject::CallIfSupported(const char* method, const nlohmann::json& request) const {
  return CallOrUnsupported(method, request, /*unsupported_is_error=*/false);
}

std::optional<nlohmann::json> ImportedObject::CallOrUnsupported(const char* method, const nlohmann::json& request,
                                                                bool unsupported_is_error) const {
  std::string text = request.dump();
  berth_buffer reply{};
  berth_buffer error{};
  if (g_call_observer) g_call_observer(owner_, method, true);
  int32_t status = object_.call(object_.self, method, text.data(), text.size(), &reply, &error);
  if (g_call_observer) g_call_observer(owner_, method, false);
  // The request may carry a secret value: wiped before it is freed.
  std::fill(text.begin(), text.end(), '\0');
  std::string message = Take(error);
  std::string answer = Take(reply);
  if (status == BERTH_STATUS_UNSUPPORTED && !unsupported_is_error) return std::nullopt;
  if (status != BERTH_STATUS_OK) throw Error(ErrorCodeOf(status), AttributeMessage(owner_, method, message));
  nlohmann::json json = ParseJson(answer.data(), answer.size(), "reply of " + owner_ + " " + method);
  std::fill(answer.begin(), answer.end(), '\0');
  return json;
}

namespace {

class SecretStoreProxy : public SecretStore {
 public:
  explicit SecretStoreProxy(berth_object object, std::string owner) : object_(object, std::move(owner)) {}
  Status Set(const std::string& environment, const std::string& name, const SecretValue& value) noexcept override {
    return Capture([&] { object_.Call("set", {{"environment", environment}, {"name", name}, {"value", value.Reveal()}}); });
  }
  Result<std::vector<std::string>> List(const std::string& environment) noexcept override {
    return CaptureResult([&] {
      return object_.Call("list", {{"environment", environment}}).value("names", std::vector<std::string>{});
    });
  }
  Status Delete(const std::string& environment, const std::string& name) noexcept override {
    return Capture([&] { object_.Call("delete", {{"environment", environment}, {"name", name}}); });
  }
  Result<std::vector<SecretDiffEntry>> Diff(const std::string& environment,
                                            const std::map<std::string, SecretValue>& desired) noexcept override {
    return CaptureResult([&] {
      nlohmann::json values = nlohmann::json::object();
      for (const auto& [name, value] : desired) values[name] = value.Reveal();
      nlohmann::json reply = object_.Call("diff", {{"environment", environment}, {"desired", values}});
      return reply.value("entries", nlohmann::json::array()).get<std::vector<SecretDiffEntry>>();
    });
  }

 private:
  ImportedObject object_;
};

class TargetProxy : public Target {
 public:
  explicit TargetProxy(berth_object object, std::string owner) : object_(object, std::move(owner)) {}
  Result<DeployPlan> Plan(const DeployRequest& request) noexcept override {
    return CaptureResult([&] { return object_.Call("plan", request).get<DeployPlan>(); });
  }
  Result<DeployOutcome> Deploy(const DeployRequest& request) noexcept override {
    return CaptureResult([&] { return object_.Call("deploy", request).get<DeployOutcome>(); });
  }
  Result<TargetStatus> Status(const TargetQuery& query) noexcept override {
    return CaptureResult([&] { return object_.Call("status", query).get<TargetStatus>(); });
  }
  Result<std::vector<TargetRevision>> History(const TargetQuery& query) noexcept override {
    return CaptureResult([&] {
      return object_.Call("history", query).value("revisions", nlohmann::json::array()).get<std::vector<TargetRevision>>();
    });
  }
  Result<DeployOutcome> Rollback(const RollbackRequest& request) noexcept override {
    return CaptureResult([&] { return object_.Call("rollback", request).get<DeployOutcome>(); });
  }

 private:
  ImportedObject object_;
};

class SignerProxy : public Signer {
 public:
  explicit SignerProxy(berth_object object, std::string owner) : object_(object, std::move(owner)) {}
  Result<KeyGenResult> GenerateKeyPair(const KeyGenRequest& request) noexcept override {
    return CaptureResult([&] { return object_.Call("generate_key_pair", request).get<KeyGenResult>(); });
  }
  // The plugin reaches registries through its own link to the host, so the
  // caller's Services stay on this side.
  Result<SignResult> Sign(Services&, const SignRequest& request) noexcept override {
    return CaptureResult([&] { return object_.Call("sign", request).get<SignResult>(); });
  }
  Result<VerifyResult> Verify(Services&, const VerifyRequest& request) noexcept override {
    return CaptureResult([&] { return object_.Call("verify", request).get<VerifyResult>(); });
  }
  Result<KeyCheckResult> CheckKey(const KeyCheckRequest& request) noexcept override {
    return CaptureResult([&] {
      std::optional<nlohmann::json> reply = object_.CallIfSupported("check_key", request);
      return reply ? reply->get<KeyCheckResult>() : KeyCheckResult{};
    });
  }

 private:
  ImportedObject object_;
};

class CredentialProviderProxy : public CredentialProvider {
 public:
  explicit CredentialProviderProxy(berth_object object, std::string owner) : object_(object, std::move(owner)) {}
  Result<IssuedToken> Token(const TokenRequest& request) noexcept override {
    return CaptureResult([&] { return object_.Call("token", request).get<IssuedToken>(); });
  }

 private:
  ImportedObject object_;
};

class RegistryProxy : public Registry {
 public:
  explicit RegistryProxy(berth_object object, std::string owner) : object_(object, std::move(owner)) {}
  Result<std::optional<oci::Credential>> GetCredential(const std::string& host,
                                                       const std::vector<std::string>& scopes) noexcept override {
    return CaptureResult([&]() -> std::optional<oci::Credential> {
      nlohmann::json reply = object_.Call("get_credential", {{"registry", host}, {"scopes", scopes}});
      if (!reply.contains("credential") || reply["credential"].is_null()) return std::nullopt;
      return reply["credential"].get<oci::Credential>();
    });
  }
  Status ValidateReference(const oci::Reference& reference) noexcept override {
    return Capture([&] { object_.Call("validate_reference", {{"reference", reference.str()}}); });
  }
  Result<bool> DeleteManifest(const oci::Reference& reference, const Digest& digest) noexcept override {
    return CaptureResult([&] {
      return object_.Call("delete_manifest", {{"reference", reference.str()}, {"digest", digest.str()}}).value("handled", false);
    });
  }

 private:
  ImportedObject object_;
};

class BuilderProxy : public Builder {
 public:
  explicit BuilderProxy(berth_object object, std::string owner) : object_(object, std::move(owner)) {}
  Result<BuilderFit> Check(const BuildRequest& request) noexcept override {
    return CaptureResult([&] {
      nlohmann::json reply = object_.Call("check", BuildRequestJson(request));
      BuilderFit fit;
      fit.usable = reply.value("usable", false);
      fit.preference = reply.value("preference", 0);
      fit.problem = reply.value("problem", "");
      fit.problem_code = ErrorCodeOf(reply.value("problem_code", static_cast<int>(ErrorCode::kNotFound)));
      fit.ignores_dockerfile = reply.value("ignores_dockerfile", false);
      return fit;
    });
  }
  Result<BuildOutcome> Build(const BuildRequest& request) noexcept override {
    return CaptureResult([&] { return BuildOutcome{object_.Call("build", BuildRequestJson(request)).value("digest", "")}; });
  }

 private:
  ImportedObject object_;
};

}  // namespace

std::unique_ptr<Builder> ImportBuilder(berth_object object, std::string owner) {
  return std::make_unique<BuilderProxy>(object, std::move(owner));
}
std::unique_ptr<SecretStore> ImportSecretStore(berth_object object, std::string owner) {
  return std::make_unique<SecretStoreProxy>(object, std::move(owner));
}
std::unique_ptr<Target> ImportTarget(berth_object object, std::string owner) {
  return std::make_unique<TargetProxy>(object, std::move(owner));
}
std::unique_ptr<Signer> ImportSigner(berth_object object, std::string owner) {
  return std::make_unique<SignerProxy>(object, std::move(owner));
}
std::unique_ptr<CredentialProvider> ImportCredentialProvider(berth_object object, std::string owner) {
  return std::make_unique<CredentialProviderProxy>(object, std::move(owner));
}
std::unique_ptr<Registry> ImportRegistry(berth_object object, std::string owner) {
  return std::make_unique<RegistryProxy>(object, std::move(owner));
}

}  // namespace berth::abi
