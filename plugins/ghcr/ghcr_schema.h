// The settings the ghcr registry and github-actions secret store declare
// (berth/settings.h); both read the same GhcrSettings.
#ifndef BERTH_PLUGINS_GHCR_GHCR_SCHEMA_H_
#define BERTH_PLUGINS_GHCR_GHCR_SCHEMA_H_

#include <nlohmann/json.hpp>

#include <string>

#include "berth/settings.h"

namespace berth::ghcr {

SettingsSchema GhcrSchema();

// Settings that did not come through a factory (registries.yaml's, read by
// a ghcr command) checked the same way; `where` names their source.
nlohmann::json CheckGhcrSettings(const nlohmann::json& settings, const std::string& where);

}  // namespace berth::ghcr

#endif  // BERTH_PLUGINS_GHCR_GHCR_SCHEMA_H_
