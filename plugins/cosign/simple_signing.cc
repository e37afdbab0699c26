#include "simple_signing.h"

#include "berth/error.h"
#include "berth/util/digest.h"

namespace berth::cosign {
namespace {

// Length of the valid UTF-8 sequence at text[i], or 0 when it is invalid.
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  size_t length = 0;
  uint32_t min = 0;
  uint32_t code = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, min = 0x80, code = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, min = 0x800, code = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, min = 0x10000, code = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

Error Malformed(const std::string& what) { return Error(ErrorCode::kVerification, "malformed payload: " + what); }

}  // namespace

std::string GoJsonQuote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          // Control characters, and the HTML-significant <, > and & that Go
          // escapes by default.
          if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
          } else {
            out += char(c);
          }
      }
      ++i;
      continue;
    }
    size_t length = Utf8SequenceLength(text, i);
    if (length == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    std::string_view sequence = text.substr(i, length);
    if (sequence == "\xE2\x80\xA8") {
      out += "\\u2028";
    } else if (sequence == "\xE2\x80\xA9") {
      out += "\\u2029";
    } else {
      out += sequence;
    }
    i += length;
  }
  return out + "\"";
}

std::string BuildPayload(const std::string& docker_reference, const std::string& digest,
                         const std::map<std::string, std::string>& annotations) {
  std::string optional = "null";
  if (!annotations.empty()) {
    optional = "{";
    for (const auto& [key, value] : annotations) {
      if (optional.size() > 1) optional += ",";
      optional += GoJsonQuote(key) + ":" + GoJsonQuote(value);
    }
    optional += "}";
  }
  return R"({"critical":{"identity":{"docker-reference":)" + GoJsonQuote(docker_reference) +
         R"(},"image":{"docker-manifest-digest":)" + GoJsonQuote(digest) + R"(},"type":)" +
         GoJsonQuote(kSimpleSigningType) + R"(},"optional":)" + optional + "}";
}

SimpleSigning ParsePayload(std::string_view bytes) {
  nlohmann::json json = nlohmann::json::parse(bytes, nullptr, false);
  if (json.is_discarded()) throw Malformed("not JSON");
  if (!json.is_object()) throw Malformed("not a JSON object");
  auto critical = json.find("critical");
  if (critical == json.end() || !critical->is_object()) throw Malformed("no \"critical\" object");
  auto type = critical->find("type");
  if (type == critical->end() || !type->is_string()) throw Malformed("no critical.type");
  if (type->get<std::string>() != kSimpleSigningType) {
    throw Malformed("critical.type is \"" + type->get<std::string>() + "\", not \"" + std::string(kSimpleSigningType) + "\"");
  }
  auto image = critical->find("image");
  if (image == critical->end() || !image->is_object() || !image->contains("docker-manifest-digest") ||
      !(*image)["docker-manifest-digest"].is_string()) {
    throw Malformed("no critical.image.docker-manifest-digest");
  }
  SimpleSigning payload;
  payload.docker_manifest_digest = (*image)["docker-manifest-digest"].get<std::string>();
  if (!Digest::IsValid(payload.docker_manifest_digest)) {
    throw Malformed("critical.image.docker-manifest-digest \"" + payload.docker_manifest_digest + "\" is not a digest");
  }
  auto identity = critical->find("identity");
  if (identity == critical->end() || !identity->is_object() || !identity->contains("docker-reference") ||
      !(*identity)["docker-reference"].is_string()) {
    throw Malformed("no critical.identity.docker-reference");
  }
  payload.docker_reference = (*identity)["docker-reference"].get<std::string>();
  auto optional = json.find("optional");
  if (optional != json.end()) {
    if (!optional->is_null() && !optional->is_object()) throw Malformed("\"optional\" is neither an object nor null");
    payload.optional = *optional;
  }
  return payload;
}

std::pair<std::string, std::string> ParseAnnotation(const std::string& text) {
  size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw Error(ErrorCode::kUsage, "annotation '" + text + "' is not KEY=VALUE");
  }
  return {text.substr(0, equals), text.substr(equals + 1)};
}

std::string AnnotationMismatch(const SimpleSigning& payload, const std::map<std::string, std::string>& wanted) {
  for (const auto& [key, value] : wanted) {
    if (!payload.optional.is_object() || !payload.optional.contains(key)) {
      return "annotation " + key + "=" + value + " is not in the payload";
    }
    const nlohmann::json& have = payload.optional[key];
    if (!have.is_string() || have.get<std::string>() != value) {
      return "annotation " + key + " is " + (have.is_string() ? "\"" + have.get<std::string>() + "\"" : have.dump()) + ", not \"" +
             value + "\"";
    }
  }
  return "";
}

}  // namespace berth::cosign
