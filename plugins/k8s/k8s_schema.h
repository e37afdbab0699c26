// The settings the k8s target and secret store declare (berth/settings.h):
// the host checks berth.yaml against these before the plugin sees it.
#ifndef BERTH_PLUGINS_K8S_K8S_SCHEMA_H_
#define BERTH_PLUGINS_K8S_K8S_SCHEMA_H_

#include "berth/settings.h"

namespace berth::k8s {

SettingsSchema TargetSchema();
SettingsSchema SecretStoreSchema();

}  // namespace berth::k8s

#endif  // BERTH_PLUGINS_K8S_K8S_SCHEMA_H_
