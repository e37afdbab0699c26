// The settings the micros target and stash store declare (berth/settings.h).
#ifndef BERTH_PLUGINS_MICROS_MICROS_SCHEMA_H_
#define BERTH_PLUGINS_MICROS_MICROS_SCHEMA_H_

#include "berth/settings.h"

namespace berth::micros {

SettingsSchema TargetSchema();
SettingsSchema StashSchema();

}  // namespace berth::micros

#endif  // BERTH_PLUGINS_MICROS_MICROS_SCHEMA_H_
