#pragma once
// UTF-8 helpers: strict validation (no overlong forms, no surrogates, nothing
// above U+10FFFF) and code-point stepping for already-validated text.
#include <cstddef>
#include <string>
#include <string_view>

namespace s2s::data {

inline constexpr std::size_t kValidUtf8 = std::string_view::npos;

// Byte index of the first byte of the first invalid sequence, or kValidUtf8.
std::size_t find_invalid_utf8(std::string_view s);

inline bool is_valid_utf8(std::string_view s) { return find_invalid_utf8(s) == kValidUtf8; }

// Length in bytes of the code point whose lead byte is `lead` (1 for bytes
// that cannot lead a sequence, so callers on invalid text still advance).
inline std::size_t utf8_char_length(unsigned char lead) {
  if (lead < 0xC0) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return lead < 0xF8 ? 4 : 1;
}

// Number of code points in valid UTF-8 text.
std::size_t utf8_length(std::string_view s);

// "0xC3" style rendering of a byte for error messages.
std::string hex_byte(unsigned char b);

}  // namespace s2s::data
