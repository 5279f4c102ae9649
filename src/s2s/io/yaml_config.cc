#include "s2s/io/yaml_config.h"

#include <yaml-cpp/yaml.h>


#include "s2s/core/error.h"
#include "s2s/core/one_line.h"
#include "s2s/io/atomic_file.h"

namespace s2s::io {

namespace {

int line_of(const YAML::Node& n) { return n.Mark().line + 1; }

void flatten(const YAML::Node& node, const std::string& prefix, const std::string& path, ConfigFile& out) {
  auto add = [&](const std::string& value) {
    auto [it, inserted] = out.values.emplace(prefix, value);
    if (!inserted)
      fail(path, ":", line_of(node), ": '", prefix, "' is set twice (first at line ", out.lines[prefix], ")");
    out.lines[prefix] = line_of(node);
  };
  switch (node.Type()) {
    case YAML::NodeType::Map:
      for (const auto& kv : node) {
        S2S_CHECK(kv.first.IsScalar(), path, ":", line_of(kv.first), ": keys must be plain names");
        std::string key = kv.first.Scalar();
        S2S_CHECK(!key.empty() && key.find('=') == std::string::npos, path, ":", line_of(kv.first), ": invalid key '", key, "'");
        flatten(kv.second, prefix.empty() ? key : prefix + "." + key, path, out);
      }
      if (node.size() == 0 && !prefix.empty()) add("");
      break;
    case YAML::NodeType::Sequence: {
      std::string joined;
      for (std::size_t i = 0; i < node.size(); ++i) {
        S2S_CHECK(node[i].IsScalar(), path, ":", line_of(node[i]), ": '", prefix, "' may hold only a list of plain values");
        S2S_CHECK(node[i].Scalar().find(',') == std::string::npos, path, ":", line_of(node[i]), ": list items of '", prefix,
                  "' may not contain ','");
        joined += (i ? "," : "") + node[i].Scalar();
      }
      add(joined);
      break;
    }
    case YAML::NodeType::Scalar:
      add(node.Scalar());
      break;
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      add("");
      break;
  }
}

// Builds nested maps from dotted keys; [begin, end) share the first depth_chars characters.
void emit(YAML::Emitter& out, FlatConfig::const_iterator begin, FlatConfig::const_iterator end, std::size_t depth_chars) {
  out << YAML::BeginMap;
  for (auto it = begin; it != end;) {
    std::string rest = it->first.substr(depth_chars);
    auto dot = rest.find('.');
    if (dot == std::string::npos) {
      out << YAML::Key << rest << YAML::Value << it->second;
      ++it;
      continue;
    }
    std::string prefix = it->first.substr(0, depth_chars + dot + 1);
    auto stop = it;
    while (stop != end && stop->first.compare(0, prefix.size(), prefix) == 0) ++stop;
    out << YAML::Key << rest.substr(0, dot) << YAML::Value;
    emit(out, it, stop, prefix.size());
    it = stop;
  }
  out << YAML::EndMap;
}

}  // namespace

std::string ConfigFile::where(const std::string& key) const {
  auto it = lines.find(key);
  return it == lines.end() ? std::string() : path + ":" + std::to_string(it->second);
}

ConfigFile parse_yaml_config(const std::string& text, const std::string& path) {
  ConfigFile out;
  out.path = path;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    fail(path, ":", e.mark.line + 1, ": ", one_line(e.msg));
  }
  if (root.IsNull()) return out;  // an empty file is an empty configuration
  S2S_CHECK(root.IsMap(), path, ":", line_of(root), ": the top level must be a mapping of option names to values");
  try {
    flatten(root, "", path, out);
  } catch (const YAML::Exception& e) {
    fail(path, ":", e.mark.line + 1, ": ", one_line(e.msg));
  } catch (const Error& e) {
    throw Error(one_line(e.what()));  // a key quoted in it may hold a line end
  }
  return out;
}

ConfigFile read_yaml_config(const std::string& path) { return parse_yaml_config(read_file(path), path); }

std::string to_yaml(const FlatConfig& config) {
  if (config.empty()) return "{}\n";
  for (const auto& [key, value] : config) {
    S2S_CHECK(!key.empty() && key.front() != '.' && key.back() != '.' && key.find("..") == std::string::npos,
              "config: invalid key '", key, "'");
    auto next = config.lower_bound(key + ".");
    S2S_CHECK(next == config.end() || next->first.compare(0, key.size() + 1, key + ".") != 0, "config: '", key,
              "' is both a value and a section ('", next == config.end() ? "" : next->first, "')");
  }
  YAML::Emitter out;
  emit(out, config.begin(), config.end(), 0);
  return std::string(out.c_str()) + "\n";
}

void write_yaml_config(const std::string& path, const FlatConfig& config, const std::string& comment) {
  std::string text = comment.empty() ? std::string() : "# " + comment + "\n";
  write_file_atomic(path, text + to_yaml(config));
}

}  // namespace s2s::io
