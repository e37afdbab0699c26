#include "berth/oci/tar.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "berth/error.h"

namespace berth::oci {
namespace {

uint64_t ParseOctal(const char* field, size_t size) {
  // GNU base-256 for sizes of 8 GiB and more.
  if (static_cast<unsigned char>(field[0]) & 0x80) {
    uint64_t value = static_cast<unsigned char>(field[0]) & 0x7f;
    for (size_t i = 1; i < size; ++i) value = (value << 8) | static_cast<unsigned char>(field[i]);
    return value;
  }
  uint64_t value = 0;
  for (size_t i = 0; i < size && field[i] != '\0'; ++i) {
    if (field[i] == ' ') continue;
    if (field[i] < '0' || field[i] > '7') break;
    value = value * 8 + uint64_t(field[i] - '0');
  }
  return value;
}

std::string Field(const char* field, size_t size) { return std::string(field, strnlen(field, size)); }

// pax records: "LEN key=value\n".
std::map<std::string, std::string> ParsePax(const std::string& data) {
  std::map<std::string, std::string> records;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t space = data.find(' ', pos);
    if (space == std::string::npos) break;
    size_t length = std::strtoul(data.substr(pos, space - pos).c_str(), nullptr, 10);
    if (length == 0 || pos + length > data.size()) break;
    std::string record = data.substr(space + 1, pos + length - space - 2);
    size_t equals = record.find('=');
    if (equals != std::string::npos) records[record.substr(0, equals)] = record.substr(equals + 1);
    pos += length;
  }
  return records;
}

}  // namespace

std::string NormalizeTarPath(std::string_view path) {
  while (path.starts_with("./")) path.remove_prefix(2);
  while (path.starts_with('/')) path.remove_prefix(1);
  return std::string(path);
}

std::map<std::string, TarMember> IndexTar(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kInvalidInput, "cannot read " + path.string() + ": " + std::strerror(errno));
  std::map<std::string, TarMember> members;
  char block[512];
  uint64_t offset = 0;
  std::string long_name;
  std::map<std::string, std::string> pax;
  while (in.read(block, 512)) {
    offset += 512;
    if (std::all_of(block, block + 512, [](char c) { return c == 0; })) break;
    if (std::memcmp(block + 257, "ustar", 5) != 0) {
      throw Error(ErrorCode::kInvalidInput, path.string() + ": not a tar archive (no ustar header at byte " + std::to_string(offset - 512) + ")");
    }
    uint64_t size = ParseOctal(block + 124, 12);
    char type = block[156];
    std::string name = Field(block, 100);
    std::string prefix = Field(block + 345, 155);
    if (!prefix.empty()) name = prefix + "/" + name;
    uint64_t padded = (size + 511) / 512 * 512;
    if (type == 'L' || type == 'x') {
      if (size > (1u << 20)) throw Error(ErrorCode::kInvalidInput, path.string() + ": oversized tar extension header");
      std::string data(size, '\0');
      in.read(data.data(), std::streamsize(size));
      in.seekg(std::streamoff(padded - size), std::ios::cur);
      offset += padded;
      if (type == 'L') long_name = Field(data.data(), data.size());
      if (type == 'x') pax = ParsePax(data);
      continue;
    }
    if (!long_name.empty()) name = long_name;
    if (auto it = pax.find("path"); it != pax.end()) name = it->second;
    if (auto it = pax.find("size"); it != pax.end()) {
      size = std::stoull(it->second);
      padded = (size + 511) / 512 * 512;
    }
    long_name.clear();
    pax.clear();
    if (type == '0' || type == '\0' || type == '7') members[NormalizeTarPath(name)] = TarMember{offset, size};
    in.seekg(std::streamoff(padded), std::ios::cur);
    offset += padded;
  }
  return members;
}

TarWriter::TarWriter(const std::filesystem::path& path) : path_(path) {
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) throw Error(ErrorCode::kFailure, "cannot write " + path.string() + ": " + std::strerror(errno));
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
}

TarWriter::~TarWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

void TarWriter::Raw(const char* data, size_t size) {
  if (size > 0 && std::fwrite(data, 1, size, file_) != size) {
    throw Error(ErrorCode::kFailure, "cannot write " + path_.string() + ": " + std::strerror(errno));
  }
}

void TarWriter::Header(const std::string& name, uint64_t size, char type) {
  if (name.size() > 99) {
    // GNU long name: a 'L' member holding the name.
    std::string data = name + '\0';
    Header("././@LongLink", data.size(), 'L');
    Raw(data.data(), data.size());
    std::vector<char> pad((512 - data.size() % 512) % 512, 0);
    Raw(pad.data(), pad.size());
  }
  char block[512] = {0};
  std::memcpy(block, name.data(), std::min<size_t>(name.size(), 99));
  std::snprintf(block + 100, 8, "%07o", type == '5' ? 0755 : 0644);
  std::snprintf(block + 108, 8, "%07o", 0);
  std::snprintf(block + 116, 8, "%07o", 0);
  std::snprintf(block + 124, 12, "%011llo", static_cast<unsigned long long>(size));
  std::snprintf(block + 136, 12, "%011o", 0);
  block[156] = type;
  std::memcpy(block + 257, "ustar\0" "00", 8);
  std::memset(block + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : block) sum += c;
  std::snprintf(block + 148, 8, "%06o", sum);
  Raw(block, 512);
}

void TarWriter::AddFile(const std::string& name, std::string_view content) {
  BeginFile(name, content.size());
  Write(content.data(), content.size());
  EndFile();
}

void TarWriter::BeginFile(const std::string& name, uint64_t size) {
  Header(name, size, '0');
  remaining_ = size;
  current_size_ = size;
}

void TarWriter::Write(const char* data, size_t size) {
  if (size > remaining_) throw Error(ErrorCode::kFailure, path_.string() + ": tar member longer than declared");
  Raw(data, size);
  remaining_ -= size;
}

void TarWriter::EndFile() {
  if (remaining_ != 0) throw Error(ErrorCode::kFailure, path_.string() + ": tar member shorter than declared");
  std::vector<char> pad((512 - current_size_ % 512) % 512, 0);
  Raw(pad.data(), pad.size());
}

void TarWriter::AddDirectory(const std::string& name) { Header(name.ends_with('/') ? name : name + "/", 0, '5'); }

void TarWriter::Finish() {
  std::vector<char> zeros(1024, 0);
  Raw(zeros.data(), zeros.size());
  if (std::fflush(file_) != 0 || std::fclose(file_) != 0) {
    file_ = nullptr;
    throw Error(ErrorCode::kFailure, "cannot write " + path_.string() + ": " + std::strerror(errno));
  }
  file_ = nullptr;
}

}  // namespace berth::oci
