#include "s2s/search/output_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "s2s/core/error.h"

namespace s2s::search {

OutputFormat parse_output_format(std::string_view name) {
  if (name == "text") return OutputFormat::Text;
  if (name == "nbest") return OutputFormat::NBest;
  if (name == "json") return OutputFormat::Json;
  fail("output format: expected one of text|nbest|json, got '", std::string(name), "'");
}

std::string alignment_string(const TranslatedHypothesis& h) {
  std::string out;
  for (const auto& [i, j] : h.alignment) {
    if (!out.empty()) out += ' ';
    out += std::to_string(i) + "-" + std::to_string(j);
  }
  return out;
}

std::string json_quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string number_text(double value) {
  if (!std::isfinite(value)) return value > 0 ? "1e308" : "-1e308";  // JSON has no infinities
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, end);
}

namespace {

std::string fixed6(double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", value);
  return buf;
}

void json_hypothesis(std::string& out, const TranslatedHypothesis& h, std::size_t src_len, const FormatOptions& o) {
  out += "{\"text\":" + json_quote(h.text) + ",\"tokens\":[";
  for (std::size_t k = 0; k < h.tokens.size(); ++k) {
    if (k) out += ',';
    out += json_quote(h.tokens[k]);
  }
  out += "],\"score\":" + number_text(h.score) + ",\"log_prob\":" + number_text(h.log_prob);
  if (o.alignments) out += ",\"alignment\":" + json_quote(alignment_string(h));
  if (o.json_attention && !h.attention.empty() && src_len > 0) {
    out += ",\"attention\":[";
    for (std::size_t j = 0; j * src_len < h.attention.size(); ++j) {
      out += j ? ",[" : "[";
      for (std::size_t i = 0; i < src_len; ++i) {
        if (i) out += ',';
        out += number_text(h.attention[j * src_len + i]);
      }
      out += "]";
    }
    out += "]";
  }
  out += "}";
}

}  // namespace

std::string format_translation(const Translation& tr, const FormatOptions& o) {
  std::string out;
  switch (o.format) {
    case OutputFormat::Text: {
      const TranslatedHypothesis* best = tr.hypotheses.empty() ? nullptr : &tr.hypotheses[0];
      out = best ? best->text : std::string();
      if (o.alignments) out += " ||| " + (best ? alignment_string(*best) : std::string());
      out += '\n';
      break;
    }
    case OutputFormat::NBest:
      for (const TranslatedHypothesis& h : tr.hypotheses) {
        out += std::to_string(tr.id) + " ||| " + h.text + " ||| " + fixed6(h.score);
        if (o.alignments) out += " ||| " + alignment_string(h);
        out += '\n';
      }
      break;
    case OutputFormat::Json: {
      out = "{\"id\":" + std::to_string(tr.id) + ",\"source\":" + json_quote(tr.source) + ",\"source_tokens\":[";
      for (std::size_t k = 0; k < tr.src_tokens.size(); ++k) {
        if (k) out += ',';
        out += json_quote(tr.src_tokens[k]);
      }
      out += "],\"hypotheses\":[";
      for (std::size_t k = 0; k < tr.hypotheses.size(); ++k) {
        if (k) out += ",";
        json_hypothesis(out, tr.hypotheses[k], tr.src_tokens.size(), o);
      }
      out += "]}\n";
      break;
    }
  }
  return out;
}

}  // namespace s2s::search
