#pragma once
// Parsing and printing option values as text, for every model family's
// options ("model.<key>: expected an integer, got 'x'").
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "s2s/core/error.h"

namespace s2s::models {

using ConfigPairs = std::vector<std::pair<std::string, std::string>>;

// `key` is the name errors print after "model." ("rnn.cell", "dropout").
std::int64_t parse_int_option(const std::string& key, const std::string& value);
float parse_float_option(const std::string& key, const std::string& value);
bool parse_bool_option(const std::string& key, const std::string& value);
std::string bool_text(bool v);
std::string float_text(float v);  // shortest text that reads back exactly

// A closed set of names for an enum option.
template <typename Enum, std::size_t N>
struct EnumNames {
  std::array<std::pair<Enum, const char*>, N> items;
  const char* name(Enum e) const {
    for (auto& [k, n] : items)
      if (k == e) return n;
    return "?";
  }
  std::string choices() const {
    std::string out;
    for (auto& [k, n] : items) {
      if (!out.empty()) out += '|';
      out += n;
    }
    return out;
  }
  Enum parse(const std::string& key, const std::string& value) const {
    for (auto& [k, n] : items)
      if (value == n) return k;
    fail("model.", key, ": expected one of ", choices(), ", got '", value, "'");
  }
};

}  // namespace s2s::models
