// URL helpers on curl's URL API: resolving a Location header, adding query
// parameters, encoding.
#ifndef BERTH_HTTP_URL_H_
#define BERTH_HTTP_URL_H_

#include <string>
#include <string_view>

namespace berth::http {

// `reference` (absolute, or relative like "/v2/x/blobs/uploads/uuid?state=")
// resolved against `base`. Throws Error(kFailure) when either is malformed.
std::string ResolveUrl(std::string_view base, std::string_view reference);

// Appends name=value (value percent-encoded) to the URL's query, keeping the
// query it already has.
std::string AddQuery(std::string_view url, std::string_view name, std::string_view value);

// Percent-encodes everything but unreserved characters (RFC 3986).
std::string UrlEncode(std::string_view text);

// "host" or "host:port" of an absolute URL; empty when it has none.
std::string UrlHost(std::string_view url);
std::string UrlScheme(std::string_view url);

// "scheme://host:port" with the scheme and host lowercased and the default
// port filled in, so two URLs have the same origin exactly when these are
// equal (what credentials are bound to); empty for a malformed URL.
std::string UrlOrigin(std::string_view url);

}  // namespace berth::http

#endif  // BERTH_HTTP_URL_H_
