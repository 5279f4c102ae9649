#include "s2s/models/option_text.h"

#include <charconv>
#include <cmath>

namespace s2s::models {

std::int64_t parse_int_option(const std::string& key, const std::string& value) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  S2S_CHECK(ec == std::errc() && end == value.data() + value.size() && !value.empty(), "model.", key,
            ": expected an integer, got '", value, "'");
  return v;
}

float parse_float_option(const std::string& key, const std::string& value) {
  float v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  S2S_CHECK(ec == std::errc() && end == value.data() + value.size() && !value.empty() && std::isfinite(v), "model.",
            key, ": expected a number, got '", value, "'");
  return v;
}

bool parse_bool_option(const std::string& key, const std::string& value) {
  if (value == "true" || value == "1" || value == "yes" || value == "on") return true;
  if (value == "false" || value == "0" || value == "no" || value == "off") return false;
  fail("model.", key, ": expected true or false, got '", value, "'");
}

std::string bool_text(bool v) { return v ? "true" : "false"; }

std::string float_text(float v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, end);
}

}  // namespace s2s::models
