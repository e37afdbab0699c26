#include "berth/oci/settings_json.h"

namespace berth::oci {

nlohmann::json SettingsToJson(const RegistrySettings& settings) {
  return {{"plain_http", settings.plain_http},
          {"tls",
           {{"insecure_skip_verify", settings.tls.insecure_skip_verify},
            {"ca_file", settings.tls.ca_file},
            {"client_cert", settings.tls.client_cert},
            {"client_key", settings.tls.client_key},
            {"http2", settings.tls.http2}}},
          {"chunk_size", settings.chunk_size},
          {"concurrency", settings.concurrency},
          {"retry",
           {{"attempts", settings.retry.attempts},
            {"initial_backoff_ms", settings.retry.initial_backoff.count()},
            {"multiplier", settings.retry.multiplier},
            {"max_backoff_ms", settings.retry.max_backoff.count()},
            {"jitter", settings.retry.jitter},
            {"max_retry_after_ms", settings.retry.max_retry_after.count()}}},
          {"plugin", settings.plugin},
          {"plugin_settings", settings.plugin_settings}};
}

RegistrySettings SettingsFromJson(const nlohmann::json& json) {
  RegistrySettings settings;
  settings.plain_http = json.value("plain_http", settings.plain_http);
  nlohmann::json tls = json.value("tls", nlohmann::json::object());
  settings.tls.insecure_skip_verify = tls.value("insecure_skip_verify", false);
  settings.tls.ca_file = tls.value("ca_file", "");
  settings.tls.client_cert = tls.value("client_cert", "");
  settings.tls.client_key = tls.value("client_key", "");
  settings.tls.http2 = tls.value("http2", false);
  settings.chunk_size = json.value("chunk_size", settings.chunk_size);
  settings.concurrency = json.value("concurrency", settings.concurrency);
  nlohmann::json retry = json.value("retry", nlohmann::json::object());
  settings.retry.attempts = retry.value("attempts", settings.retry.attempts);
  settings.retry.initial_backoff = std::chrono::milliseconds(retry.value("initial_backoff_ms", int64_t(settings.retry.initial_backoff.count())));
  settings.retry.multiplier = retry.value("multiplier", settings.retry.multiplier);
  settings.retry.max_backoff = std::chrono::milliseconds(retry.value("max_backoff_ms", int64_t(settings.retry.max_backoff.count())));
  settings.retry.jitter = retry.value("jitter", settings.retry.jitter);
  settings.retry.max_retry_after =
      std::chrono::milliseconds(retry.value("max_retry_after_ms", int64_t(settings.retry.max_retry_after.count())));
  settings.plugin = json.value("plugin", "");
  settings.plugin_settings = json.value("plugin_settings", nlohmann::json::object());
  return settings;
}

}  // namespace berth::oci
