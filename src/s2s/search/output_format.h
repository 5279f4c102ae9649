#pragma once
// How translations are written (docs/decoding.md shows each format):
//   text   the best hypothesis, one line per input line
//   nbest  "id ||| hypothesis ||| score" per hypothesis, best first (id is
//          the 0-based input line)
//   json   one JSON object per input line: id, source, and every hypothesis
//          with its text, tokens, score, log_prob and alignment (and, on
//          request, the soft attention matrix)
// With alignments on, text and nbest lines end with " ||| i-j i-j ..."
// (source position i, output position j, both 0-based).
#include <string>
#include <string_view>

#include "s2s/search/translator.h"

namespace s2s::search {

enum class OutputFormat { Text, NBest, Json };

// "text" | "nbest" | "json"
OutputFormat parse_output_format(std::string_view name);

struct FormatOptions {
  OutputFormat format = OutputFormat::Text;
  bool alignments = false;      // hard alignments: appended to text and nbest lines, a field in json
  bool json_attention = false;  // soft attention matrices in json
};

// The lines for one translation, each ending with '\n'.
std::string format_translation(const Translation& translation, const FormatOptions& options);

// "0-0 1-2 2-1"
std::string alignment_string(const TranslatedHypothesis& h);

// JSON string literal (quotes included) with the escapes JSON requires.
std::string json_quote(std::string_view text);

// A number as the shortest decimal text that reads back to the same double.
std::string number_text(double value);

}  // namespace s2s::search
