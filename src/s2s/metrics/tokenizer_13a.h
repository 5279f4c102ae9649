#pragma once
// sacreBLEU's default BLEU tokenizer "13a" (a port of mteval-v13a.pl as
// sacrebleu/tokenizers/tokenizer_13a.py + tokenizer_re.py implement it in
// sacreBLEU 2.6.0), reproduced rule for rule on code points.
#include <string>
#include <string_view>
#include <vector>

namespace s2s::metrics {

// Tokens of one segment. Applies, in order: remove "<skipped>", join "-\n",
// "\n" -> " ", unescape &quot; &amp; &lt; &gt; (only when '&' occurs), pad
// with spaces, then the four regex rules of TokenizerRegexp, then Python's
// str.split(). Callers that mirror sacreBLEU's BLEU apply rstrip_py first.
std::vector<std::string> tokenize_13a(std::string_view line);

// The tokens joined by single spaces, as sacreBLEU's tokenizer returns them.
std::string tokenize_13a_joined(std::string_view line);

}  // namespace s2s::metrics
