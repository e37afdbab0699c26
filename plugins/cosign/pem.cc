#include "pem.h"

#include "berth/util/base64.h"

namespace berth::cosign {
namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kDashes = "-----";

}  // namespace

std::optional<PemBlock> ParseFirstPem(std::string_view text) {
  size_t begin = text.find(kBegin);
  while (begin != std::string_view::npos) {
    // A BEGIN line must start a line.
    if (begin == 0 || text[begin - 1] == '\n') break;
    begin = text.find(kBegin, begin + 1);
  }
  if (begin == std::string_view::npos) return std::nullopt;
  size_t label_start = begin + kBegin.size();
  size_t label_end = text.find(kDashes, label_start);
  if (label_end == std::string_view::npos) return std::nullopt;
  std::string label(text.substr(label_start, label_end - label_start));
  if (label.find('\n') != std::string::npos) return std::nullopt;
  size_t body_start = text.find('\n', label_end);
  if (body_start == std::string_view::npos) return std::nullopt;
  std::string end_line = std::string(kEnd) + label + std::string(kDashes);
  size_t body_end = text.find(end_line, body_start);
  if (body_end == std::string_view::npos) return std::nullopt;

  std::string base64;
  for (char c : text.substr(body_start, body_end - body_start)) {
    if (c == '\n' || c == '\r' || c == ' ' || c == '\t') continue;
    // Encrypted legacy PEM ("Proc-Type:" headers) is not something cosign writes.
    if (c == ':') return std::nullopt;
    base64 += c;
  }
  auto body = Base64Decode(base64);
  if (!body) return std::nullopt;
  return PemBlock{std::move(label), std::move(*body)};
}

std::string EncodePem(std::string_view label, std::string_view body) {
  std::string base64 = Base64Encode(body);
  std::string out = std::string(kBegin) + std::string(label) + std::string(kDashes) + "\n";
  for (size_t i = 0; i < base64.size(); i += 64) out += base64.substr(i, 64) + "\n";
  out += std::string(kEnd) + std::string(label) + std::string(kDashes) + "\n";
  return out;
}

}  // namespace berth::cosign
