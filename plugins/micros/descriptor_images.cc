#include "descriptor_images.h"

#include <yaml-cpp/yaml.h>

#include "berth/error.h"

namespace berth::micros {
namespace {

std::string Scalar(const YAML::Node& node) { return node && node.IsScalar() ? node.Scalar() : ""; }

void Add(std::vector<DescriptorImage>& images, const std::string& field, const YAML::Node& image, const YAML::Node& tag) {
  if (Scalar(image).empty()) return;
  const YAML::Node& at = Scalar(tag).empty() ? image : tag;
  images.push_back({field, Scalar(image), Scalar(tag), at.Mark().line + 1, at.Mark().column + 1});
}

// The placeholder lines of a template hold `{{`, which is not YAML a reader
// takes apart reliably: the template is read line by line instead.
struct TagLine {
  int line;
  int column;
  std::string value;
};

std::vector<TagLine> TagLines(std::string_view text) {
  std::vector<TagLine> lines;
  int number = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    ++number;
    size_t indent = line.find_first_not_of(' ');
    if (indent != std::string_view::npos && line.substr(indent, 4) == "tag:") {
      size_t value = line.find_first_not_of(' ', indent + 4);
      std::string written = value == std::string_view::npos ? "" : std::string(line.substr(value));
      while (!written.empty() && (written.back() == '\r' || written.back() == ' ')) written.pop_back();
      lines.push_back({number, static_cast<int>(indent) + 1, written});
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return lines;
}

}  // namespace

std::vector<DescriptorImage> DescriptorImages(std::string_view text) {
  std::vector<DescriptorImage> images;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception&) {
    return images;
  }
  if (!root.IsMap()) return images;
  if (const YAML::Node compose = root["compose"]; compose && compose.IsMap()) {
    for (const auto& item : compose) {
      if (item.second.IsMap()) Add(images, "compose." + item.first.Scalar(), item.second["image"], item.second["tag"]);
    }
  }
  if (const YAML::Node links = root["links"]; links && links.IsMap()) {
    if (const YAML::Node binary = links["binary"]; binary && binary.IsMap()) Add(images, "links.binary", binary["name"], binary["tag"]);
  }
  return images;
}

void CheckDescriptorImages(std::string_view rendered, const std::string& label, const std::string& digest, const TagResolver& resolve) {
  for (const auto& image : DescriptorImages(rendered)) {
    const std::string where = label + ":" + std::to_string(image.line) + ":" + std::to_string(image.column) + ": " + image.field;
    std::string reference;
    std::optional<std::string> named;
    if (image.tag.rfind("sha256:", 0) == 0) {
      reference = image.image + "@" + image.tag;
      named = image.tag;
    } else if (size_t at = image.image.find("@sha256:"); at != std::string::npos) {
      reference = image.image;
      named = image.image.substr(at + 1);
    } else {
      reference = image.image + ":" + (image.tag.empty() ? "latest" : image.tag);
      named = resolve(reference);
      if (!named) throw Error(ErrorCode::kNotFound, where + " deploys " + reference + ", which its registry does not have");
    }
    if (*named != digest) {
      throw Error(ErrorCode::kVerification, where + " deploys " + reference + ", which names " + *named + ", not the recorded " + digest +
                                                "; deploy the version whose image that is, or fix the descriptor's tag");
    }
  }
}

std::vector<std::string> HardCodedTags(std::string_view template_text, const std::string& label) {
  std::vector<std::string> warnings;
  for (const auto& tag : TagLines(template_text)) {
    if (tag.value.empty() || tag.value.find("{{") != std::string::npos) continue;
    warnings.push_back(label + ":" + std::to_string(tag.line) + ":" + std::to_string(tag.column) + ": tag is written out (" + tag.value +
                       "): every deploy runs that image whatever version is asked for; use {{ tag }}");
  }
  return warnings;
}

}  // namespace berth::micros
