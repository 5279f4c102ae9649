#pragma once
// Text helpers that reproduce Python 3's str semantics, which sacreBLEU's
// results depend on: code-point indexing, str.split() / str.rstrip()
// whitespace (Py_UNICODE_ISSPACE), and ASCII-only [0-9] in `re` classes.
#include <string>
#include <string_view>
#include <vector>

namespace s2s::metrics {

// Decodes UTF-8 into code points. Malformed bytes become U+FFFD, one per
// byte, so scoring never fails on bad input (Python would refuse to read it).
std::u32string decode_utf8(std::string_view s);
std::string encode_utf8(std::u32string_view s);

// True for the 29 code points where Python's str.isspace() is true.
bool is_py_space(char32_t c);

// Python's str.split() with no arguments: runs of whitespace separate, and
// leading/trailing whitespace yields no empty fields.
std::vector<std::u32string_view> split_py_whitespace(std::u32string_view s);
// Same, on UTF-8 text, returning UTF-8 tokens.
std::vector<std::string> split_py_whitespace(std::string_view s);

// Python's str.rstrip() with no arguments, on UTF-8 text.
std::string_view rstrip_py(std::string_view s);

}  // namespace s2s::metrics
