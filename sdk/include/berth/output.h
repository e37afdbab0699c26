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
const char* OutputFormatName(OutputFormat format);

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

std::string JsonToYaml(const nlohmann::json& data);

// Where a command's results go. The host formats them (FormattedOutput); in
// a plugin they travel to the host, which formats them the same way.
class Output {
 public:
  virtual ~Output() = default;
  virtual OutputFormat format() const = 0;
  virtual bool color() const = 0;
  // Text written as it is (a PEM key, a rendered descriptor).
  virtual std::ostream& stream() = 0;
  // json/yaml print data; table prints `table` (columns aligned, a header row).
  virtual void Emit(const nlohmann::json& data, const Table& table) = 0;
  // Table mode derives the table: an array of objects becomes rows, an object
  // becomes KEY/VALUE rows, a scalar is printed as it is.
  virtual void Emit(const nlohmann::json& data) = 0;
  // A bare line on stdout whatever the format (a token, a digest).
  virtual void Line(std::string_view text) = 0;
};

class FormattedOutput : public Output {
 public:
  FormattedOutput(OutputFormat format, std::ostream& out, bool color);
  OutputFormat format() const override { return format_; }
  bool color() const override { return color_; }
  std::ostream& stream() override { return out_; }
  void Emit(const nlohmann::json& data, const Table& table) override;
  void Emit(const nlohmann::json& data) override;
  void Line(std::string_view text) override;

 private:
  OutputFormat format_;
  std::ostream& out_;
  bool color_;
};

}  // namespace berth

#endif  // BERTH_OUTPUT_H_
