#include "secret_manager_store.h"

#include <openssl/crypto.h>

#include <regex>
#include <set>

#include "berth/http/url.h"
#include "berth/util/base64.h"
#include "berth/util/log.h"
#include "crc32c.h"

namespace berth::gcp {
namespace {

// Label values: lowercase letters, digits, '_' and '-', at most 63.
std::string LabelValue(const std::string& text) {
  std::string value;
  for (char c : text) {
    char lower = char(std::tolower(static_cast<unsigned char>(c)));
    value += (std::isalnum(static_cast<unsigned char>(lower)) || lower == '_' || lower == '-') ? lower : '-';
  }
  return value.substr(0, 63);
}

bool Same(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

SecretManagerStore::SecretManagerStore(GcpSettings settings, std::shared_ptr<GoogleApi> api)
    : settings_(std::move(settings)), api_(std::move(api)) {
  if (settings_.project.empty()) {
    throw Error(ErrorCode::kInvalidInput, "gcp-secret-manager: the settings need project (a Google Cloud project id or number)");
  }
  static const std::regex kProject("[a-z0-9][a-z0-9.:-]{0,62}");
  if (!std::regex_match(settings_.project, kProject)) {
    throw Error(ErrorCode::kInvalidInput, "gcp-secret-manager: '" + settings_.project + "' is not a project id or number");
  }
}

std::string SecretManagerStore::Prefix(const std::string& environment) const {
  std::string prefix = settings_.prefix;
  for (size_t at; (at = prefix.find("{environment}")) != std::string::npos;) prefix.replace(at, 13, environment);
  return prefix;
}

std::string SecretManagerStore::SecretId(const std::string& environment, const std::string& name) const {
  static const std::regex kSecretId("[A-Za-z0-9_-]{1,255}");
  const std::string id = Prefix(environment) + name;
  if (name.empty() || !std::regex_match(id, kSecretId)) {
    throw Error(ErrorCode::kInvalidInput, "gcp-secret-manager: '" + id +
                                              "' (environment " + environment + ", secret " + name +
                                              ") is not a Secret Manager secret id: letters, digits, '_' and '-', at most 255");
  }
  return id;
}

std::string SecretManagerStore::SecretsUrl() const {
  return settings_.secretmanager_url + "/v1/projects/" + http::UrlEncode(settings_.project) + "/secrets";
}

std::vector<std::string> SecretManagerStore::ListIds() {
  std::vector<std::string> ids;
  std::string page_token;
  do {
    std::string url = http::AddQuery(SecretsUrl(), "pageSize", std::to_string(list_page_size_));
    if (!page_token.empty()) url = http::AddQuery(url, "pageToken", page_token);
    nlohmann::json page = api_->Call("GET", url, std::nullopt, "Secret Manager: list secrets of project " + settings_.project);
    if (auto secrets = page.find("secrets"); secrets != page.end() && secrets->is_array()) {
      for (const auto& secret : *secrets) {
        const std::string name = secret.value("name", "");
        ids.push_back(name.substr(name.rfind('/') + 1));
      }
    }
    std::string next = page.value("nextPageToken", "");
    if (!next.empty() && next == page_token) throw Error(ErrorCode::kFailure, "Secret Manager repeated a page token");
    page_token = next;
  } while (!page_token.empty());
  return ids;
}

void SecretManagerStore::Create(const std::string& environment, const std::string& id) {
  nlohmann::json replication = {{"automatic", nlohmann::json::object()}};
  if (!settings_.replication_locations.empty()) {
    nlohmann::json replicas = nlohmann::json::array();
    for (const auto& location : settings_.replication_locations) replicas.push_back({{"location", location}});
    replication = {{"userManaged", {{"replicas", replicas}}}};
  }
  nlohmann::json body = {{"replication", replication},
                         {"labels", {{"managed-by", "berth"}, {"berth-environment", LabelValue(environment)}}}};
  const std::string what = "Secret Manager: create secret " + id + " in project " + settings_.project;
  ApiAnswer answer = api_->Send("POST", http::AddQuery(SecretsUrl(), "secretId", id), body, what);
  // Someone else created it meanwhile: as good.
  if (answer.status / 100 != 2 && answer.status != 409) throw ErrorFor(answer, what);
  log::Debug("created secret {} in project {}", id, settings_.project);
}

nlohmann::json SecretManagerStore::AddVersion(const std::string& id, const SecretValue& value) {
  // The base64 of a secret is as secret as the secret.
  SecretValue data(Base64Encode(value.Reveal()));
  nlohmann::json body = {{"payload", {{"data", data.Reveal()}, {"dataCrc32c", std::to_string(Crc32c(value.Reveal()))}}}};
  const std::string what = "Secret Manager: add a version to secret " + id + " in project " + settings_.project;
  ApiAnswer answer = api_->Send("POST", SecretsUrl() + "/" + id + ":addVersion", body, what);
  if (answer.status / 100 != 2) {
    if (answer.status == 404) return nullptr;
    throw ErrorFor(answer, what);
  }
  return answer.body;
}

Status SecretManagerStore::Set(const std::string& environment, const std::string& name, const SecretValue& value) noexcept {
  return Capture([&] {
    const std::string id = SecretId(environment, name);
    if (value.size() > 65536) {
      throw Error(ErrorCode::kInvalidInput, "gcp-secret-manager: secret " + name + " is " + std::to_string(value.size()) +
                                                " bytes; Secret Manager takes at most 65536");
    }
    if (!AddVersion(id, value).is_null()) return;
    Create(environment, id);
    if (AddVersion(id, value).is_null()) {
      throw Error(ErrorCode::kFailure, "gcp-secret-manager: secret " + id + " vanished right after it was created");
    }
  });
}

Result<std::vector<std::string>> SecretManagerStore::List(const std::string& environment) noexcept {
  return CaptureResult([&] {
    const std::string prefix = Prefix(environment);
    std::vector<std::string> names;
    for (const auto& id : ListIds()) {
      if (id.size() > prefix.size() && id.compare(0, prefix.size(), prefix) == 0) names.push_back(id.substr(prefix.size()));
    }
    std::sort(names.begin(), names.end());
    return names;
  });
}

Status SecretManagerStore::Delete(const std::string& environment, const std::string& name) noexcept {
  return Capture([&] {
    const std::string id = SecretId(environment, name);
    const std::string what = "Secret Manager: delete secret " + id + " in project " + settings_.project;
    ApiAnswer answer = api_->Send("DELETE", SecretsUrl() + "/" + id, std::nullopt, what);
    if (answer.status == 404) {
      throw Error(ErrorCode::kNotFound, "gcp-secret-manager: no secret " + name + " in environment " + environment +
                                            " (secret id " + id + ", project " + settings_.project + ")");
    }
    if (answer.status / 100 != 2) throw ErrorFor(answer, what);
  });
}

Result<std::vector<SecretDiffEntry>> SecretManagerStore::Diff(const std::string& environment,
                                                              const std::map<std::string, SecretValue>& desired) noexcept {
  return CaptureResult([&] {
    std::vector<std::string> existing = List(environment).value();
    std::set<std::string> present(existing.begin(), existing.end());
    std::vector<SecretDiffEntry> diff;
    for (const auto& [name, value] : desired) {
      if (!present.count(name)) {
        diff.push_back({name, SecretChange::kAdded});
        continue;
      }
      const std::string id = SecretId(environment, name);
      const std::string what = "Secret Manager: read secret " + id + " in project " + settings_.project;
      ApiAnswer answer = api_->Send("GET", SecretsUrl() + "/" + id + "/versions/latest:access", std::nullopt, what);
      if (answer.status == 404) {
        diff.push_back({name, SecretChange::kAdded});  // A secret without versions holds no value yet.
        continue;
      }
      if (answer.status / 100 != 2) throw ErrorFor(answer, what);
      std::string encoded = answer.body.is_object() && answer.body.contains("payload") ? answer.body["payload"].value("data", "") : "";
      auto decoded = Base64Decode(encoded);
      if (!decoded) throw Error(ErrorCode::kFailure, what + ": the payload is not base64");
      SecretValue current(std::move(*decoded));
      diff.push_back({name, Same(current.Reveal(), value.Reveal()) ? SecretChange::kUnchanged : SecretChange::kChanged});
    }
    for (const auto& name : existing) {
      if (!desired.count(name)) diff.push_back({name, SecretChange::kRemoved});
    }
    return diff;
  });
}

}  // namespace berth::gcp
