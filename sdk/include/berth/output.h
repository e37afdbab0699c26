// Results on stdout in the format the user chose with -o.
//
// Commands hand over their result once, as JSON data plus (optionally) the
// table a person wants to read; json and yaml output print the data, so
// their shape is the stable, documented contract.
#ifndef BERTH_OUTPUT_H_
#define BERTH_OUTPUT_H_

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace berth {

enum class OutputFormat { kTable, kJson, kYaml };

// Throws Error(kUsage) for anything but table, json and yaml.
OutputFormat ParseOutputFormat(std::string_view text);

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

std::string JsonToYaml(const nlohmann::json& data);

class Output {
 public:
  Output(OutputFormat format, std::ostream& out, bool color);
  OutputFormat format() const { return format_; }
  bool color() const { return color_; }
  std::ostream& stream() { return out_; }

  // json/yaml print data; table prints `table` (columns aligned, a header row).
  void Emit(const nlohmann::json& data, const Table& table);
  // Table mode derives the table: an array of objects becomes rows, an object
  // becomes KEY/VALUE rows, a scalar is printed as it is.
  void Emit(const nlohmann::json& data);
  // A bare line on stdout whatever the format (a token, a digest).
  void Line(std::string_view text);

 private:
  OutputFormat format_;
  std::ostream& out_;
  bool color_;
};

}  // namespace berth

#endif  // BERTH_OUTPUT_H_
