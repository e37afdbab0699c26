// CRC-32C (Castagnoli), the checksum Secret Manager takes as
// payload.dataCrc32c to detect a payload damaged on its way.
#ifndef BERTH_PLUGINS_GCP_ARTIFACT_CRC32C_H_
#define BERTH_PLUGINS_GCP_ARTIFACT_CRC32C_H_

#include <cstdint>
#include <string_view>

namespace berth::gcp {

uint32_t Crc32c(std::string_view data);

}  // namespace berth::gcp

#endif  // BERTH_PLUGINS_GCP_ARTIFACT_CRC32C_H_
