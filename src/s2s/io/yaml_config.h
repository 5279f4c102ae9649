#pragma once
// YAML run configurations read into a flat key -> string map with dotted
// keys: "model: {hidden: 256}" becomes "model.hidden" = "256". Typed parsing
// happens in the layer that owns each option; this layer remembers where each
// key came from so that every error can name file:line.
#include <map>
#include <string>

namespace s2s::io {

using FlatConfig = std::map<std::string, std::string>;

struct ConfigFile {
  std::string path;
  FlatConfig values;
  std::map<std::string, int> lines;  // key -> 1-based line of its value

  // "run.yaml:12" for a key read from the file, "" otherwise.
  std::string where(const std::string& key) const;
};

// Parses YAML text. Nested mappings flatten to dotted keys, sequences of
// scalars join with ',' ("[a.tsv, b.tsv]" -> "a.tsv,b.tsv"), null becomes "".
// Errors name `path`:line (syntax errors, a top level that is not a mapping,
// lists of mappings, a key given twice).
ConfigFile parse_yaml_config(const std::string& text, const std::string& path);
ConfigFile read_yaml_config(const std::string& path);

// Nested YAML for a flat map (the inverse of parse_yaml_config for maps whose
// values contain no ','-joined lists); keys sorted, so output is stable.
std::string to_yaml(const FlatConfig& config);
// Atomically writes to_yaml(config) with a leading comment line.
void write_yaml_config(const std::string& path, const FlatConfig& config, const std::string& comment = "");

}  // namespace s2s::io
