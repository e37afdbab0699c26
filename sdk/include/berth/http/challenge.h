// WWW-Authenticate challenges (RFC 7235): "Bearer realm=\"...\",service=...,
// Basic realm=...", possibly several per header and several headers.
#ifndef BERTH_HTTP_CHALLENGE_H_
#define BERTH_HTTP_CHALLENGE_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace berth::http {

struct Challenge {
  std::string scheme;                         // Lowercased: "bearer", "basic".
  std::map<std::string, std::string> params;  // Names lowercased, values unquoted.
  std::string Param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? "" : it->second;
  }
};

// Never throws: what cannot be parsed is skipped.
std::vector<Challenge> ParseChallenges(std::string_view header);

// A challenge's scope ("repository:team/app:push,pull registry:catalog:*")
// with each resource's actions sorted. Registries list them in no fixed order
// (distribution walks a Go map), and a message should read the same each time.
std::string SortScopeActions(const std::string& scopes);

}  // namespace berth::http

#endif  // BERTH_HTTP_CHALLENGE_H_
