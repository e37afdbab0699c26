// Loopback as the SSRF guard reads it, for the host's own checks (a
// credential URL of berth.yaml may be plain http only on this machine).
#ifndef BERTH_HOST_ONLY_HTTP_LOOPBACK_H_
#define BERTH_HOST_ONLY_HTTP_LOOPBACK_H_

#include <string_view>

namespace berth::http {

// A host as written in a URL ("host", "host:port", "[v6]:port"), any case:
// loopback by address (127.0.0.0/8, ::1, ::ffff:127.x) or the name
// "localhost" exactly; "127.evil.example" is a DNS name, not loopback.
bool IsLoopbackHost(std::string_view host);

}  // namespace berth::http

#endif  // BERTH_HOST_ONLY_HTTP_LOOPBACK_H_
