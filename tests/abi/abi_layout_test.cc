// The ABI check: the C boundary's layout (every struct member's offset and
// size, and the status, log-level and version constants) is compared with
// the description checked in for this ABI major, berth_plugin_api.layout.
// Within a major version a member may only be added at the end of its
// struct; anything else fails here, in CI. A new major version starts a new
// description: `berth_abi_layout_test --print > tests/abi/berth_plugin_api.layout`.
#include <gtest/gtest.h>

#include <cstddef>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "berth/abi/berth_plugin_api.h"

namespace {

struct Member {
  std::string structure;
  std::string member;
  size_t offset;
  size_t size;
};

#define BERTH_MEMBER(S, M) Member{#S, #M, offsetof(S, M), sizeof(((S*)nullptr)->M)}

// Every member of every struct, in declaration order. A struct's members must
// all be listed: the test checks that they cover its sizeof.
const std::vector<Member>& Members() {
  static const std::vector<Member> members = {
      BERTH_MEMBER(berth_buffer, data),
      BERTH_MEMBER(berth_buffer, size),
      BERTH_MEMBER(berth_buffer, release),
      BERTH_MEMBER(berth_object, self),
      BERTH_MEMBER(berth_object, call),
      BERTH_MEMBER(berth_object, destroy),
      BERTH_MEMBER(berth_host_api, struct_size),
      BERTH_MEMBER(berth_host_api, abi_major),
      BERTH_MEMBER(berth_host_api, abi_minor),
      BERTH_MEMBER(berth_host_api, reserved),
      BERTH_MEMBER(berth_host_api, host),
      BERTH_MEMBER(berth_host_api, log),
      BERTH_MEMBER(berth_host_api, log_enabled),
      BERTH_MEMBER(berth_host_api, add_redaction),
      BERTH_MEMBER(berth_host_api, emit),
      BERTH_MEMBER(berth_host_api, read_input),
      BERTH_MEMBER(berth_host_api, open),
      BERTH_MEMBER(berth_host_api, call),
      BERTH_MEMBER(berth_host_api, remove_on_interrupt),
      BERTH_MEMBER(berth_host_api, keep_on_interrupt),
      BERTH_MEMBER(berth_host_api, interrupt_window),
      BERTH_MEMBER(berth_plugin, abi_major),
      BERTH_MEMBER(berth_plugin, struct_size),
      BERTH_MEMBER(berth_plugin, abi_minor),
      BERTH_MEMBER(berth_plugin, reserved),
      BERTH_MEMBER(berth_plugin, name),
      BERTH_MEMBER(berth_plugin, version),
      BERTH_MEMBER(berth_plugin, sdk_version),
      BERTH_MEMBER(berth_plugin, built_with),
      BERTH_MEMBER(berth_plugin, open),
      BERTH_MEMBER(berth_plugin, describe),
      BERTH_MEMBER(berth_plugin, create),
      BERTH_MEMBER(berth_plugin, run_command),
      BERTH_MEMBER(berth_plugin, close),
  };
  return members;
}

const std::map<std::string, size_t>& StructSizes() {
  static const std::map<std::string, size_t> sizes = {{"berth_buffer", sizeof(berth_buffer)},
                                                      {"berth_object", sizeof(berth_object)},
                                                      {"berth_host_api", sizeof(berth_host_api)},
                                                      {"berth_plugin", sizeof(berth_plugin)}};
  return sizes;
}

const std::map<std::string, long>& Constants() {
  static const std::map<std::string, long> constants = {
      {"BERTH_ABI_MAJOR", BERTH_ABI_MAJOR},
      {"BERTH_STATUS_OK", BERTH_STATUS_OK},
      {"BERTH_STATUS_FAILURE", BERTH_STATUS_FAILURE},
      {"BERTH_STATUS_USAGE", BERTH_STATUS_USAGE},
      {"BERTH_STATUS_INVALID_INPUT", BERTH_STATUS_INVALID_INPUT},
      {"BERTH_STATUS_PLUGIN", BERTH_STATUS_PLUGIN},
      {"BERTH_STATUS_VERIFICATION", BERTH_STATUS_VERIFICATION},
      {"BERTH_STATUS_NOT_FOUND", BERTH_STATUS_NOT_FOUND},
      {"BERTH_STATUS_AUTH", BERTH_STATUS_AUTH},
      {"BERTH_STATUS_DEPLOY", BERTH_STATUS_DEPLOY},
      {"BERTH_STATUS_UNSUPPORTED", BERTH_STATUS_UNSUPPORTED},
      {"BERTH_STATUS_INTERRUPTED", BERTH_STATUS_INTERRUPTED},
      {"BERTH_LOG_TRACE", BERTH_LOG_TRACE},
      {"BERTH_LOG_DEBUG", BERTH_LOG_DEBUG},
      {"BERTH_LOG_INFO", BERTH_LOG_INFO},
      {"BERTH_LOG_WARN", BERTH_LOG_WARN},
      {"BERTH_LOG_ERROR", BERTH_LOG_ERROR},
  };
  return constants;
}

std::string Describe() {
  std::ostringstream out;
  for (const auto& [name, value] : Constants()) out << "constant " << name << " " << value << "\n";
  for (const auto& [name, size] : StructSizes()) out << "struct " << name << " " << size << "\n";
  for (const auto& member : Members()) {
    out << "member " << member.structure << "." << member.member << " " << member.offset << " " << member.size << "\n";
  }
  return out.str();
}

struct Recorded {
  std::map<std::string, long> constants;
  std::map<std::string, size_t> struct_sizes;
  std::map<std::string, std::pair<size_t, size_t>> members;  // "s.m" -> offset, size
};

Recorded ReadRecorded(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  Recorded recorded;
  std::string kind, name;
  while (in >> kind >> name) {
    if (kind == "constant") {
      in >> recorded.constants[name];
    } else if (kind == "struct") {
      in >> recorded.struct_sizes[name];
    } else if (kind == "member") {
      size_t offset, size;
      in >> offset >> size;
      recorded.members[name] = {offset, size};
    }
  }
  return recorded;
}

TEST(AbiLayoutTest, EveryMemberIsListed) {
  std::map<std::string, size_t> end;
  for (const auto& member : Members()) end[member.structure] = std::max(end[member.structure], member.offset + member.size);
  for (const auto& [name, size] : StructSizes()) EXPECT_EQ(end[name], size) << name << " has members this test does not list";
}

TEST(AbiLayoutTest, OnlyGrowsAtTheEndWithinTheMajorVersion) {
  Recorded recorded = ReadRecorded(BERTH_ABI_LAYOUT_FILE);
  ASSERT_EQ(recorded.constants["BERTH_ABI_MAJOR"], BERTH_ABI_MAJOR)
      << "a new ABI major needs a new description (see the comment at the top of this file)";
  for (const auto& [name, value] : recorded.constants) {
    auto it = Constants().find(name);
    ASSERT_NE(it, Constants().end()) << "constant " << name << " was removed";
    EXPECT_EQ(it->second, value) << "constant " << name << " changed";
  }
  for (const auto& [name, pair] : recorded.members) {
    bool found = false;
    for (const auto& member : Members()) {
      if (member.structure + "." + member.member != name) continue;
      found = true;
      EXPECT_EQ(member.offset, pair.first) << name << " moved";
      EXPECT_EQ(member.size, pair.second) << name << " changed size";
    }
    EXPECT_TRUE(found) << name << " was removed or renamed";
  }
  for (const auto& member : Members()) {
    std::string name = member.structure + "." + member.member;
    if (recorded.members.count(name)) continue;
    auto size = recorded.struct_sizes.find(member.structure);
    if (size == recorded.struct_sizes.end()) continue;  // A new struct.
    EXPECT_GE(member.offset, size->second) << name << " was added in the middle of " << member.structure;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--print") {
    std::cout << Describe();
    return 0;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
