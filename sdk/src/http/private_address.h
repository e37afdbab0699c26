// Which addresses a server outside this network may not send berth to (the
// SSRF guard on token realms): private, loopback, link-local (the cloud
// metadata services at 169.254.169.254 and fd00:ec2::254), unspecified,
// multicast and reserved ranges, in IPv4, IPv6, and IPv4 inside IPv6
// (::ffff:a.b.c.d, ::a.b.c.d, 64:ff9b::a.b.c.d).
#ifndef BERTH_SDK_SRC_HTTP_PRIVATE_ADDRESS_H_
#define BERTH_SDK_SRC_HTTP_PRIVATE_ADDRESS_H_

#include <sys/socket.h>

#include <string>
#include <string_view>

#include "berth/http/loopback.h"

namespace berth::http {

// The address a socket is about to connect to (the check that counts: DNS
// names can resolve anywhere).
bool IsPrivateAddress(const sockaddr* address);

// A host as written in a URL ("host", "host:port", "[v6]:port"), any case:
// an IP literal in a private range, or a name that is private by definition
// ("localhost", "*.localhost", "*.internal" such as metadata.google.internal,
// "*.local"). Other names are not private here; the address they resolve to
// is checked when connecting.
bool IsPrivateHost(std::string_view host);

// IsLoopbackHost is declared in berth/http/loopback.h, for the host too.

// "10.0.0.1" or "::1" for messages.
std::string AddressText(const sockaddr* address);

}  // namespace berth::http

#endif  // BERTH_SDK_SRC_HTTP_PRIVATE_ADDRESS_H_
