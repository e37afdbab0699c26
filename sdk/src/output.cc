#include "berth/output.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <ostream>

#include "berth/error.h"

namespace berth {
namespace {

void EmitYaml(YAML::Emitter& out, const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [key, item] : value.items()) {
        out << YAML::Key << key << YAML::Value;
        EmitYaml(out, item);
      }
      out << YAML::EndMap;
      break;
    case nlohmann::json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& item : value) EmitYaml(out, item);
      out << YAML::EndSeq;
      break;
    case nlohmann::json::value_t::string:
      out << YAML::DoubleQuoted << value.get<std::string>();
      break;
    case nlohmann::json::value_t::null:
      out << YAML::Null;
      break;
    default:
      out << value.dump();
  }
}

std::string Cell(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  if (value.is_array()) {
    std::string joined;
    for (const auto& item : value) joined += (joined.empty() ? "" : ",") + Cell(item);
    return joined;
  }
  return value.dump();
}

}  // namespace

OutputFormat ParseOutputFormat(std::string_view text) {
  if (text == "table") return OutputFormat::kTable;
  if (text == "json") return OutputFormat::kJson;
  if (text == "yaml") return OutputFormat::kYaml;
  throw Error(ErrorCode::kUsage, "unknown output format '" + std::string(text) + "' (use table, json or yaml)");
}

const char* OutputFormatName(OutputFormat format) {
  switch (format) {
    case OutputFormat::kTable: return "table";
    case OutputFormat::kJson: return "json";
    case OutputFormat::kYaml: return "yaml";
  }
  return "table";
}

std::string JsonToYaml(const nlohmann::json& data) {
  YAML::Emitter out;
  EmitYaml(out, data);
  return std::string(out.c_str()) + "\n";
}

FormattedOutput::FormattedOutput(OutputFormat format, std::ostream& out, bool color) : format_(format), out_(out), color_(color) {}

void FormattedOutput::Emit(const nlohmann::json& data, const Table& table) {
  if (format_ == OutputFormat::kJson) {
    out_ << data.dump(2) << "\n";
    return;
  }
  if (format_ == OutputFormat::kYaml) {
    out_ << JsonToYaml(data);
    return;
  }
  std::vector<size_t> widths(table.columns.size(), 0);
  for (size_t i = 0; i < table.columns.size(); ++i) widths[i] = table.columns[i].size();
  for (const auto& row : table.rows) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  auto print_row = [&](const std::vector<std::string>& row, bool header) {
    std::string line;
    for (size_t i = 0; i < widths.size(); ++i) {
      std::string cell = i < row.size() ? row[i] : "";
      if (i + 1 < widths.size()) cell.resize(widths[i], ' ');
      line += (i ? "  " : "") + cell;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (header && color_) line = "\x1b[1m" + line + "\x1b[0m";
    out_ << line << "\n";
  };
  if (!table.columns.empty()) print_row(table.columns, true);
  for (const auto& row : table.rows) print_row(row, false);
}

void FormattedOutput::Emit(const nlohmann::json& data) {
  if (format_ != OutputFormat::kTable) return Emit(data, Table{});
  Table table;
  if (data.is_array() && !data.empty() && data.front().is_object()) {
    for (const auto& [key, unused] : data.front().items()) table.columns.push_back(key);
    for (const auto& item : data) {
      std::vector<std::string> row;
      for (const auto& column : table.columns) row.push_back(item.contains(column) ? Cell(item[column]) : "");
      table.rows.push_back(std::move(row));
    }
  } else if (data.is_object()) {
    table.columns = {"KEY", "VALUE"};
    for (const auto& [key, value] : data.items()) table.rows.push_back({key, Cell(value)});
  } else if (data.is_array()) {
    for (const auto& item : data) table.rows.push_back({Cell(item)});
    table.columns = {};
  } else {
    out_ << Cell(data) << "\n";
    return;
  }
  for (auto& column : table.columns) std::transform(column.begin(), column.end(), column.begin(), ::toupper);
  Emit(data, table);
}

void FormattedOutput::Line(std::string_view text) { out_ << text << "\n"; }

}  // namespace berth
