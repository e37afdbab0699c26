#include "private_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace berth::http {
namespace {

bool IsPrivateV4(uint32_t a) {
  auto in = [&](uint32_t net, int bits) { return (a >> (32 - bits)) == (net >> (32 - bits)); };
  return in(0x00000000, 8) ||   // "This network", 0.0.0.0 reaches this machine.
         in(0x0A000000, 8) ||   // 10/8
         in(0x64400000, 10) ||  // 100.64/10 carrier-grade NAT
         in(0x7F000000, 8) ||   // 127/8 loopback
         in(0xA9FE0000, 16) ||  // 169.254/16 link-local, cloud metadata
         in(0xAC100000, 12) ||  // 172.16/12
         in(0xC0000000, 24) ||  // 192.0.0/24 IETF protocol assignments
         in(0xC0A80000, 16) ||  // 192.168/16
         in(0xC6120000, 15) ||  // 198.18/15 benchmarking
         in(0xE0000000, 4) ||   // multicast
         in(0xF0000000, 4);     // reserved, broadcast
}

// IPv6, with the IPv4 forms inside it checked as IPv4.
bool IsPrivateV6(const uint8_t* b) {
  auto zeros = [&](int from, int to) { return std::all_of(b + from, b + to, [](uint8_t x) { return x == 0; }); };
  auto v4_at_12 = [&] { return IsPrivateV4(uint32_t(b[12]) << 24 | uint32_t(b[13]) << 16 | uint32_t(b[14]) << 8 | b[15]); };
  if (zeros(0, 10) && b[10] == 0xff && b[11] == 0xff) return v4_at_12();  // ::ffff:a.b.c.d
  if (zeros(0, 12)) return true;                                          // ::, ::1, and the deprecated ::a.b.c.d
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && zeros(4, 12)) return v4_at_12();  // 64:ff9b::/96 NAT64
  return (b[0] & 0xfe) == 0xfc ||                  // fc00::/7 unique local (fd00:ec2::254 is AWS metadata)
         (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||  // fe80::/10 link-local
         (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) ||  // fec0::/10 site-local (deprecated)
         b[0] == 0xff;                               // multicast
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "host" of "host", "host:port", "[v6]:port"; lowercased, without a trailing dot.
std::string BareHost(std::string_view host_port) {
  std::string host(host_port);
  if (host.starts_with('[')) {
    host = host.substr(1, host.find(']') - 1);
  } else if (size_t colon = host.rfind(':'); colon != std::string::npos && host.find(':') == colon) {
    host = host.substr(0, colon);
  }
  host = Lower(host);
  if (host.ends_with('.')) host.pop_back();
  return host;
}

}  // namespace

bool IsPrivateAddress(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    return IsPrivateV4(ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) return IsPrivateV6(reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr.s6_addr);
  return true;  // Unix sockets and anything else: not a public internet address.
}

bool IsPrivateHost(std::string_view host_port) {
  std::string host = BareHost(host_port);
  if (host == "localhost" || host.ends_with(".localhost") || host.ends_with(".internal") || host.ends_with(".local")) return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return IsPrivateV4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IsPrivateV6(v6.s6_addr);
  return false;
}

bool IsLoopbackHost(std::string_view host_port) {
  std::string host = BareHost(host_port);
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) != 1) return false;
  const uint8_t* b = v6.s6_addr;
  bool leading_zeros = std::all_of(b, b + 10, [](uint8_t x) { return x == 0; });
  if (leading_zeros && b[10] == 0xff && b[11] == 0xff) return b[12] == 127;  // ::ffff:127.x.y.z
  return leading_zeros && b[10] == 0 && b[11] == 0 && b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 1;  // ::1
}

std::string AddressText(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (address->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text, sizeof(text));
  } else if (address->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text, sizeof(text));
  }
  return text;
}

}  // namespace berth::http
