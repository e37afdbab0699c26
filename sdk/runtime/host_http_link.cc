// In a plugin, HostClient's requests go to the host's "http.request"
// service through the C table: the host's libcurl makes them.
#include "berth/abi/host_link.h"
#include "berth/http/host_client.h"

namespace berth::http::internal {

nlohmann::json CallHttpService(const nlohmann::json& request) { return abi::CallHost("http.request", request); }

}  // namespace berth::http::internal
