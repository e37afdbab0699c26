#include "berth/http/challenge.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace berth::http {
namespace {

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}
  bool Done() const { return pos_ >= text_.size(); }
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  void SkipSpaceAndCommas() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == ',')) ++pos_;
  }
  std::string Token() {
    size_t start = pos_;
    while (pos_ < text_.size() && IsTokenChar(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }
  // token68 may end in '=' padding.
  std::string Token68() {
    size_t start = pos_;
    while (pos_ < text_.size() && (IsTokenChar(text_[pos_]) || text_[pos_] == '/')) ++pos_;
    while (pos_ < text_.size() && text_[pos_] == '=') ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }
  std::string Quoted() {
    std::string value;
    ++pos_;  // Opening quote.
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
      value += text_[pos_++];
    }
    if (pos_ < text_.size()) ++pos_;  // Closing quote.
    return value;
  }
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  size_t pos() const { return pos_; }
  void Seek(size_t pos) { pos_ = pos; }
  void Advance() { ++pos_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

std::string Lower(std::string text) {
  for (char& c : text) c = char(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// True when the text at the parser is "name =" (an auth-param), not a new scheme.
bool AtParam(Parser& parser) {
  size_t save = parser.pos();
  std::string name = parser.Token();
  parser.SkipSpace();
  bool is_param = !name.empty() && parser.Peek() == '=';
  if (is_param) {
    // "abc==" is token68 padding, not the parameter "abc".
    parser.Advance();
    parser.SkipSpace();
    is_param = !parser.Done() && parser.Peek() != '=' && parser.Peek() != ',';
  }
  parser.Seek(save);
  return is_param;
}

}  // namespace

std::vector<Challenge> ParseChallenges(std::string_view header) {
  std::vector<Challenge> challenges;
  Parser parser(header);
  while (true) {
    parser.SkipSpaceAndCommas();
    if (parser.Done()) break;
    std::string scheme = parser.Token();
    if (scheme.empty()) {
      parser.Advance();  // Junk: skip a character and look again.
      continue;
    }
    Challenge challenge;
    challenge.scheme = Lower(scheme);
    parser.SkipSpace();
    if (!parser.Done() && parser.Peek() != ',' && !AtParam(parser)) {
      challenge.params["token68"] = parser.Token68();
    }
    while (true) {
      size_t save = parser.pos();
      parser.SkipSpaceAndCommas();
      if (parser.Done() || !AtParam(parser)) {
        parser.Seek(save);
        break;
      }
      std::string name = Lower(parser.Token());
      parser.SkipSpace();
      parser.Advance();  // '='
      parser.SkipSpace();
      std::string value = parser.Peek() == '"' ? parser.Quoted() : parser.Token68();
      challenge.params[name] = value;
    }
    challenges.push_back(std::move(challenge));
  }
  return challenges;
}

std::string SortScopeActions(const std::string& scopes) {
  std::string sorted;
  size_t start = 0;
  while (start < scopes.size()) {
    size_t end = scopes.find(' ', start);
    if (end == std::string::npos) end = scopes.size();
    std::string scope = scopes.substr(start, end - start);
    size_t colon = scope.rfind(':');
    if (colon != std::string::npos) {
      std::set<std::string> actions;
      for (size_t at = colon + 1; at <= scope.size();) {
        size_t comma = std::min(scope.find(',', at), scope.size());
        if (comma > at) actions.insert(scope.substr(at, comma - at));
        at = comma + 1;
      }
      scope.resize(colon + 1);
      for (const auto& action : actions) scope += (scope.back() == ':' ? "" : ",") + action;
    }
    if (!scope.empty()) sorted += (sorted.empty() ? "" : " ") + scope;
    start = end + 1;
  }
  return sorted;
}

}  // namespace berth::http
