#include "s2s/metrics/tokenizer_13a.h"

#include "s2s/metrics/text.h"

namespace s2s::metrics {
namespace {

void replace_all(std::u32string& s, std::u32string_view from, std::u32string_view to) {
  if (s.find(from) == std::u32string::npos) return;
  std::u32string out;
  out.reserve(s.size());
  std::size_t pos = 0;
  for (std::size_t hit; (hit = s.find(from, pos)) != std::u32string::npos; pos = hit + from.size()) {
    out.append(s, pos, hit - pos);
    out.append(to);
  }
  out.append(s, pos, std::u32string::npos);
  s.swap(out);
}

// `re` class [0-9] on str patterns is ASCII digits only.
bool is_digit(char32_t c) { return c >= U'0' && c <= U'9'; }
bool is_period_comma(char32_t c) { return c == U'.' || c == U','; }

// Rule 1's class [\{-\~\[-\` -\&\(-\+\:-\@\/]: the ASCII symbols except
// ' (0x27), ',', '-', '.' (0x2C-0x2E), plus the space.
bool is_rule1_symbol(char32_t c) {
  return (c >= 0x7B && c <= 0x7E) || (c >= 0x5B && c <= 0x60) || (c >= 0x20 && c <= 0x26) ||
         (c >= 0x28 && c <= 0x2B) || (c >= 0x3A && c <= 0x40) || c == 0x2F;
}

// re.sub of a two-character pattern (first, second) with a replacement built
// from the two groups: Python scans left to right and resumes after each
// match, so matches never overlap.
template <typename First, typename Second, typename Emit>
std::u32string sub_pairs(const std::u32string& s, First first, Second second, Emit emit) {
  std::u32string out;
  out.reserve(s.size() + s.size() / 4);
  std::size_t i = 0;
  while (i < s.size()) {
    if (i + 1 < s.size() && first(s[i]) && second(s[i + 1])) {
      emit(out, s[i], s[i + 1]);
      i += 2;
    } else {
      out.push_back(s[i]);
      ++i;
    }
  }
  return out;
}

std::u32string apply_13a(std::string_view line) {
  std::u32string s = decode_utf8(line);
  replace_all(s, U"<skipped>", U"");
  replace_all(s, U"-\n", U"");
  replace_all(s, U"\n", U" ");
  if (s.find(U'&') != std::u32string::npos) {
    replace_all(s, U"&quot;", U"\"");
    replace_all(s, U"&amp;", U"&");
    replace_all(s, U"&lt;", U"<");
    replace_all(s, U"&gt;", U">");
  }
  // TokenizerRegexp receives f' {line} '.
  s.insert(s.begin(), U' ');
  s.push_back(U' ');
  // Rule 1: ([\{-\~\[-\` -\&\(-\+\:-\@\/]) -> ' \1 '
  std::u32string spaced;
  spaced.reserve(s.size() * 2);
  for (char32_t c : s) {
    if (is_rule1_symbol(c)) {
      spaced.push_back(U' ');
      spaced.push_back(c);
      spaced.push_back(U' ');
    } else {
      spaced.push_back(c);
    }
  }
  auto not_digit = [](char32_t c) { return !is_digit(c); };
  // Rule 2: ([^0-9])([\.,]) -> '\1 \2 '
  s = sub_pairs(spaced, not_digit, is_period_comma, [](std::u32string& o, char32_t a, char32_t b) {
    o.push_back(a), o.push_back(U' '), o.push_back(b), o.push_back(U' ');
  });
  // Rule 3: ([\.,])([^0-9]) -> ' \1 \2'
  s = sub_pairs(s, is_period_comma, not_digit, [](std::u32string& o, char32_t a, char32_t b) {
    o.push_back(U' '), o.push_back(a), o.push_back(U' '), o.push_back(b);
  });
  // Rule 4: ([0-9])(-) -> '\1 \2 '
  s = sub_pairs(s, is_digit, [](char32_t c) { return c == U'-'; }, [](std::u32string& o, char32_t a, char32_t b) {
    o.push_back(a), o.push_back(U' '), o.push_back(b), o.push_back(U' ');
  });
  return s;
}

}  // namespace

std::vector<std::string> tokenize_13a(std::string_view line) {
  const std::u32string s = apply_13a(line);
  std::vector<std::string> out;
  for (std::u32string_view w : split_py_whitespace(std::u32string_view(s))) out.push_back(encode_utf8(w));
  return out;
}

std::string tokenize_13a_joined(std::string_view line) {
  std::string out;
  for (const std::string& t : tokenize_13a(line)) {
    if (!out.empty()) out.push_back(' ');
    out += t;
  }
  return out;
}

}  // namespace s2s::metrics

