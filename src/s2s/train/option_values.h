#pragma once
// Typed option values from and to text, shared by every options struct of a
// training run. Each struct lists its fields once, in
//   template <class Self, class V> static void fields(Self& s, V& v) { v("key", s.field, "help"); ... }
// (static, so one list serves const and mutable structs); OptionSetter and
// OptionWriter walk that list, so parsing, the effective configuration and
// the unknown-key message never disagree.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace s2s::train {

using OptionPairs = std::vector<std::pair<std::string, std::string>>;

// Parsers; errors read "<section>.<key>: expected ..., got '<value>'".
std::int64_t parse_int_option(const std::string& name, const std::string& value);
std::uint64_t parse_uint_option(const std::string& name, const std::string& value);
double parse_double_option(const std::string& name, const std::string& value);
float parse_float_option(const std::string& name, const std::string& value);
bool parse_bool_option(const std::string& name, const std::string& value);

// Shortest text that reads back to the same value.
std::string format_double(double v);
std::string format_float(float v);

// Sets the field named `key` from `value`; found tells whether one matched.
struct OptionSetter {
  std::string section, key, value;
  bool found = false;

  void operator()(const char* name, std::string& field, const char*) { if (match(name)) field = value; }
  void operator()(const char* name, bool& field, const char*) { if (match(name)) field = parse_bool_option(full(), value); }
  void operator()(const char* name, std::int64_t& field, const char*) { if (match(name)) field = parse_int_option(full(), value); }
  void operator()(const char* name, std::uint64_t& field, const char*) { if (match(name)) field = parse_uint_option(full(), value); }
  void operator()(const char* name, double& field, const char*) { if (match(name)) field = parse_double_option(full(), value); }
  void operator()(const char* name, float& field, const char*) { if (match(name)) field = parse_float_option(full(), value); }

 private:
  bool match(const char* name) {
    if (found || key != name) return false;
    return found = true;
  }
  std::string full() const { return section + "." + key; }
};

// Appends ("key", text) for every field, in declaration order.
struct OptionWriter {
  OptionPairs pairs;

  void operator()(const char* name, const std::string& field, const char*) { pairs.emplace_back(name, field); }
  void operator()(const char* name, bool field, const char*) { pairs.emplace_back(name, field ? "true" : "false"); }
  void operator()(const char* name, std::int64_t field, const char*) { pairs.emplace_back(name, std::to_string(field)); }
  void operator()(const char* name, std::uint64_t field, const char*) { pairs.emplace_back(name, std::to_string(field)); }
  void operator()(const char* name, double field, const char*) { pairs.emplace_back(name, format_double(field)); }
  void operator()(const char* name, float field, const char*) { pairs.emplace_back(name, format_float(field)); }
};

// Collects ("key", help) for every field.
struct OptionHelp {
  OptionPairs pairs;

  template <typename T>
  void operator()(const char* name, const T&, const char* help) { pairs.emplace_back(name, help); }
};

[[noreturn]] void throw_unknown_option(const std::string& name, const std::string& known);

// Sets one option of an options struct, failing with the list of known keys.
template <typename Options>
void set_struct_option(Options& options, const std::string& section, const std::string& key, const std::string& value) {
  OptionSetter setter{section, key, value};
  Options::fields(options, setter);
  if (setter.found) return;
  OptionWriter writer;
  Options::fields(options, writer);
  std::string known;
  for (const auto& kv : writer.pairs) known += (known.empty() ? "" : ", ") + kv.first;
  throw_unknown_option(section + "." + key, known);
}

template <typename Options>
OptionPairs struct_help(const Options& options) {
  OptionHelp h;
  Options::fields(options, h);
  return h.pairs;
}

template <typename Options>
OptionPairs struct_to_pairs(const Options& options) {
  OptionWriter writer;
  Options::fields(options, writer);
  return writer.pairs;
}

}  // namespace s2s::train
