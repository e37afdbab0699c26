#include "prune.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "berth/oci/attachment_tags.h"
#include "berth/oci/client.h"

namespace berth::ghcr {
namespace {

std::string Short(const std::string& digest) { return digest.size() > 19 ? digest.substr(0, 19) + "…" : digest; }

enum class Kind { kTagged, kAttachment, kUntagged };

Kind KindOf(const PackageVersion& version) {
  if (version.tags.empty()) return Kind::kUntagged;
  for (const auto& tag : version.tags) {
    if (!AttachmentSubject(tag)) return Kind::kTagged;
  }
  return Kind::kAttachment;
}

}  // namespace

std::optional<std::string> AttachmentSubject(const std::string& tag) { return oci::AttachmentSubject(tag); }

std::vector<PruneEntry> PlanPrune(std::vector<PackageVersion> versions, int keep, bool untagged, const ManifestLinks& links) {
  // Newest first. RFC 3339 times in UTC compare as text; the API's order breaks ties.
  std::stable_sort(versions.begin(), versions.end(),
                   [](const PackageVersion& a, const PackageVersion& b) { return a.created_at > b.created_at; });
  std::vector<PruneEntry> plan;
  std::map<std::string, size_t> by_digest;
  for (auto& version : versions) {
    by_digest.emplace(version.digest, plan.size());
    plan.push_back({std::move(version), false, ""});
  }
  enum class State { kKept, kCandidate, kPending };
  std::vector<State> state(plan.size(), State::kPending);
  int tagged_kept = 0;
  for (size_t i = 0; i < plan.size(); ++i) {
    switch (KindOf(plan[i].version)) {
      case Kind::kTagged:
        if (tagged_kept < keep) {
          ++tagged_kept;
          state[i] = State::kKept;
          plan[i].reason = "one of the " + std::to_string(keep) + " newest tagged versions";
        } else {
          state[i] = State::kCandidate;
          plan[i].reason = "older than the " + std::to_string(keep) + " newest tagged versions";
        }
        break;
      case Kind::kUntagged:
        state[i] = untagged ? State::kCandidate : State::kKept;
        plan[i].reason = untagged ? "untagged" : "untagged (pass --untagged to delete)";
        break;
      case Kind::kAttachment:
        break;
    }
  }

  // Everything a kept manifest reaches stays.
  std::deque<size_t> work;
  std::set<size_t> expanded;
  for (size_t i = 0; i < plan.size(); ++i) {
    if (state[i] == State::kKept) work.push_back(i);
  }
  auto protect = [&](const std::string& digest, const std::string& reason) {
    auto it = by_digest.find(digest);
    if (it == by_digest.end()) return;
    if (state[it->second] != State::kKept) {
      state[it->second] = State::kKept;
      plan[it->second].reason = reason;
    }
    work.push_back(it->second);
  };
  while (!work.empty()) {
    size_t i = work.front();
    work.pop_front();
    if (!expanded.insert(i).second) continue;
    const std::string& digest = plan[i].version.digest;
    if (links.children) {
      for (const auto& child : links.children(digest)) protect(child, "listed by kept index " + Short(digest));
    }
    if (links.referrers) {
      for (const auto& referrer : links.referrers(digest)) protect(referrer, "refers to kept " + Short(digest));
    }
    // Attachment tags of this digest: signatures, attestations, SBOMs.
    for (size_t j = 0; j < plan.size(); ++j) {
      if (state[j] == State::kKept && expanded.count(j)) continue;
      for (const auto& tag : plan[j].version.tags) {
        if (AttachmentSubject(tag) == digest) {
          size_t dot = tag.find('.');
          std::string what = dot == std::string::npos ? "referrer" : tag.substr(dot + 1);
          protect(plan[j].version.digest, what + " of kept " + Short(digest));
          break;
        }
      }
    }
  }

  // Attachments whose subject is not kept follow it.
  for (size_t i = 0; i < plan.size(); ++i) {
    if (state[i] != State::kPending) continue;
    std::string subject = *AttachmentSubject(plan[i].version.tags.front());
    auto it = by_digest.find(subject);
    if (it == by_digest.end()) {
      state[i] = State::kKept;
      plan[i].reason = "attachment of " + Short(subject) + ", which is not in this package";
    } else {
      state[i] = State::kCandidate;
      plan[i].reason = "attachment of deleted " + Short(subject);
    }
  }
  for (size_t i = 0; i < plan.size(); ++i) plan[i].remove = state[i] == State::kCandidate;
  return plan;
}

std::vector<const PruneEntry*> DeletionOrder(const std::vector<PruneEntry>& plan) {
  std::vector<const PruneEntry*> order;
  for (Kind kind : {Kind::kTagged, Kind::kAttachment, Kind::kUntagged}) {
    for (const auto& entry : plan) {
      if (entry.remove && KindOf(entry.version) == kind) order.push_back(&entry);
    }
  }
  return order;
}

}  // namespace berth::ghcr
