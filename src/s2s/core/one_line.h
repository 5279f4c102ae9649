#pragma once
// Errors are one line (core/error.h), yet they quote what they found: a
// YAML parser's "unknown escape character: <c>", a key or value read from a
// file. one_line() writes control characters (a line end, a NUL) as \xNN so
// that such a quote cannot break the line.
#include <cstdio>
#include <string>
#include <string_view>

namespace s2s {

inline std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c != 0x7F) {
      out += ch;
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    }
  }
  return out;
}

}  // namespace s2s
