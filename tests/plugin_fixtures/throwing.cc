// A plugin whose registration throws: the guard in BERTH_PLUGIN must turn the
// exception into a message inside the plugin.
#include <stdexcept>

#include "berth/plugin.h"

namespace {
void Register(berth::Registrar&) { throw std::runtime_error("cannot read /etc/throwing.conf"); }
}  // namespace

BERTH_PLUGIN("throwing", "1.0.0", Register)
