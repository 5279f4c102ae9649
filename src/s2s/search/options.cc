#include "s2s/search/options.h"

#include <cmath>
#include <string>

#include "s2s/core/error.h"

namespace s2s::search {

void validate(const SearchOptions& o) {
  S2S_CHECK(o.beam_size >= 1, "beam size must be at least 1, got ", o.beam_size);
  S2S_CHECK(o.n_best >= 1, "n-best must be at least 1, got ", o.n_best);
  S2S_CHECK(o.sampling || o.n_best <= o.beam_size, "n-best (", o.n_best, ") cannot exceed the beam size (", o.beam_size,
            ")");
  S2S_CHECK(std::isfinite(o.alpha) && o.alpha >= 0.0f, "length penalty alpha must be >= 0, got ", o.alpha);
  S2S_CHECK(std::isfinite(o.coverage_beta) && o.coverage_beta >= 0.0f, "coverage penalty must be >= 0, got ",
            o.coverage_beta);
  S2S_CHECK(o.max_length >= 1, "max length must be at least 1, got ", o.max_length);
  S2S_CHECK(std::isfinite(o.max_length_ratio) && o.max_length_ratio >= 0.0f, "max length ratio must be >= 0, got ",
            o.max_length_ratio);
  S2S_CHECK(o.max_length_extra >= 0, "max length extra must be >= 0, got ", o.max_length_extra);
  S2S_CHECK(o.min_length >= 0, "min length must be >= 0, got ", o.min_length);
  S2S_CHECK(std::isfinite(o.min_length_ratio) && o.min_length_ratio >= 0.0f, "min length ratio must be >= 0, got ",
            o.min_length_ratio);
  S2S_CHECK(o.no_repeat_ngram >= 0, "no-repeat n-gram order must be >= 0, got ", o.no_repeat_ngram);
  S2S_CHECK(std::isfinite(o.temperature) && o.temperature > 0.0f, "temperature must be > 0, got ", o.temperature);
  S2S_CHECK(o.top_k >= 0, "top-k must be >= 0, got ", o.top_k);
  S2S_CHECK(o.top_p > 0.0f && o.top_p <= 1.0f, "top-p must be in (0, 1], got ", o.top_p);
  S2S_CHECK(!o.sampling || o.n_best < 4096, "sampling: at most 4095 samples per sentence, got ", o.n_best);
  S2S_CHECK(!o.sampling || o.max_length < (1 << 20), "sampling: max length must be below 2^20, got ", o.max_length);
}

LengthNorm parse_length_norm(std::string_view name) {
  if (name == "none") return LengthNorm::None;
  if (name == "average") return LengthNorm::Average;
  if (name == "gnmt") return LengthNorm::Gnmt;
  fail("length penalty: expected one of none|average|gnmt, got '", std::string(name), "'");
}

const char* length_norm_name(LengthNorm norm) {
  switch (norm) {
    case LengthNorm::None: return "none";
    case LengthNorm::Average: return "average";
    case LengthNorm::Gnmt: return "gnmt";
  }
  return "?";
}

}  // namespace s2s::search
