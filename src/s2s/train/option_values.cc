#include "s2s/train/option_values.h"

#include <charconv>
#include <cmath>

#include "s2s/core/error.h"

namespace s2s::train {

namespace {

template <typename T>
bool parse_number(const std::string& text, T& out) {
  const char* b = text.data();
  const char* e = b + text.size();
  if (b != e && *b == '+') ++b;  // from_chars rejects a leading '+', YAML users write it
  auto [end, ec] = std::from_chars(b, e, out);
  return !text.empty() && ec == std::errc() && end == e;
}

}  // namespace

std::int64_t parse_int_option(const std::string& name, const std::string& value) {
  std::int64_t v = 0;
  S2S_CHECK(parse_number(value, v), name, ": expected an integer, got '", value, "'");
  return v;
}

std::uint64_t parse_uint_option(const std::string& name, const std::string& value) {
  std::uint64_t v = 0;
  S2S_CHECK(value.empty() || value[0] != '-', name, ": expected a non-negative integer, got '", value, "'");
  S2S_CHECK(parse_number(value, v), name, ": expected a non-negative integer, got '", value, "'");
  return v;
}

double parse_double_option(const std::string& name, const std::string& value) {
  double v = 0;
  S2S_CHECK(parse_number(value, v) && std::isfinite(v), name, ": expected a number, got '", value, "'");
  return v;
}

float parse_float_option(const std::string& name, const std::string& value) {
  float v = 0;
  S2S_CHECK(parse_number(value, v) && std::isfinite(v), name, ": expected a number, got '", value, "'");
  return v;
}

bool parse_bool_option(const std::string& name, const std::string& value) {
  if (value == "true" || value == "1" || value == "yes" || value == "on") return true;
  if (value == "false" || value == "0" || value == "no" || value == "off") return false;
  fail(name, ": expected true or false, got '", value, "'");
}

std::string format_double(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

std::string format_float(float v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

void throw_unknown_option(const std::string& name, const std::string& known) {
  fail(name, ": unknown option (known: ", known, ")");
}

}  // namespace s2s::train
