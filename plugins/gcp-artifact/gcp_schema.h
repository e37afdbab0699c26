// The settings the gcp-artifact registry and gcp-secret-manager store declare
// (berth/settings.h); both read the same GcpSettings.
#ifndef BERTH_PLUGINS_GCP_ARTIFACT_GCP_SCHEMA_H_
#define BERTH_PLUGINS_GCP_ARTIFACT_GCP_SCHEMA_H_

#include <nlohmann/json.hpp>

#include <string>

#include "berth/settings.h"

namespace berth::gcp {

SettingsSchema GcpSchema();

// Settings that did not come through a factory (registries.yaml's, read by
// a gcp command) checked the same way; `where` names their source.
nlohmann::json CheckGcpSettings(const nlohmann::json& settings, const std::string& where);

}  // namespace berth::gcp

#endif  // BERTH_PLUGINS_GCP_ARTIFACT_GCP_SCHEMA_H_
