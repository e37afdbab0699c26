#include "file_store.h"

#include <sys/stat.h>

#include <cctype>
#include <cstdlib>

#include "berth/util/fs.h"

namespace berth::file_secrets {
namespace fs = std::filesystem;
namespace {

void CheckName(const char* what, const std::string& name) {
  bool ok = !name.empty() && name.size() <= 128 && name[0] != '.' && name[0] != '-';
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.');
  if (!ok) throw Error(ErrorCode::kInvalidInput, std::string("invalid ") + what + " '" + name + "' (letters, digits, _ - .)");
}

}  // namespace

fs::path FileStore::DirFromSettings(const nlohmann::json& settings) {
  if (settings.contains("dir")) return settings["dir"].get<std::string>();  // Text: the declared schema says so.
  const char* data = std::getenv("XDG_DATA_HOME");
  const char* home = std::getenv("HOME");
  fs::path base = data != nullptr && data[0] == '/' ? fs::path(data) : fs::path(home != nullptr ? home : "/") / ".local" / "share";
  return base / "berth" / "secrets";
}

fs::path FileStore::FileFor(const std::string& environment) const {
  CheckName("environment", environment);
  return dir_ / (environment + ".json");
}

std::map<std::string, SecretValue> FileStore::Read(const std::string& environment) const {
  fs::path file = FileFor(environment);
  std::map<std::string, SecretValue> values;
  if (!fs::exists(file)) return values;
  struct stat info {};
  if (stat(file.c_str(), &info) == 0 && (info.st_mode & 077) != 0) {
    throw Error(ErrorCode::kInvalidInput, file.string() + ": readable by others (mode " +
                                              std::to_string((info.st_mode >> 6) & 7) + std::to_string((info.st_mode >> 3) & 7) +
                                              std::to_string(info.st_mode & 7) + "); run chmod 600 on it");
  }
  SecretValue text(ReadFile(file));
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text.Reveal());
  } catch (const nlohmann::json::parse_error&) {
    throw Error(ErrorCode::kInvalidInput, file.string() + ": not valid JSON");  // The parser's message may quote a value.
  }
  if (!json.is_object()) throw Error(ErrorCode::kInvalidInput, file.string() + ": expected a JSON object of NAME: value");
  for (auto& [name, value] : json.items()) {
    if (!value.is_string()) throw Error(ErrorCode::kInvalidInput, file.string() + ": value of " + name + " is not a string");
    values.emplace(name, SecretValue(value.get<std::string>()));
    value = nullptr;
  }
  return values;
}

void FileStore::Write(const std::string& environment, const std::map<std::string, SecretValue>& values) const {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [name, value] : values) json[name] = value.Reveal();
  SecretValue text(json.dump(2) + "\n");
  json.clear();
  CreateDirectories(dir_, 0700);
  WriteFileAtomic(FileFor(environment), text.Reveal(), 0600);
}

Status FileStore::Set(const std::string& environment, const std::string& name, const SecretValue& value) noexcept {
  return Capture([&] {
    CheckName("secret name", name);
    auto values = Read(environment);
    values.insert_or_assign(name, value);
    Write(environment, values);
  });
}

Result<std::vector<std::string>> FileStore::List(const std::string& environment) noexcept {
  return CaptureResult([&] {
    std::vector<std::string> names;
    for (const auto& [name, value] : Read(environment)) names.push_back(name);
    return names;
  });
}

Status FileStore::Delete(const std::string& environment, const std::string& name) noexcept {
  return Capture([&] {
    auto values = Read(environment);
    if (values.erase(name) == 0) {
      throw Error(ErrorCode::kNotFound, "no secret '" + name + "' in " + FileFor(environment).string());
    }
    Write(environment, values);
  });
}

Result<std::vector<SecretDiffEntry>> FileStore::Diff(const std::string& environment,
                                                     const std::map<std::string, SecretValue>& desired) noexcept {
  return CaptureResult([&] {
    auto current = Read(environment);
    std::vector<SecretDiffEntry> diff;
    for (const auto& [name, value] : desired) {
      auto it = current.find(name);
      SecretChange change = it == current.end()                       ? SecretChange::kAdded
                            : it->second.Reveal() == value.Reveal() ? SecretChange::kUnchanged
                                                                      : SecretChange::kChanged;
      diff.push_back({name, change});
    }
    for (const auto& [name, value] : current) {
      if (!desired.count(name)) diff.push_back({name, SecretChange::kRemoved});
    }
    return diff;
  });
}

}  // namespace berth::file_secrets
