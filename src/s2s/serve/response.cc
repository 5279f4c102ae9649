#include "s2s/serve/response.h"

#include <cmath>

namespace s2s::serve {

namespace {

using nlohmann::json;

// Four decimals are plenty for a heatmap and keep bodies small.
double round4(double x) { return std::isfinite(x) ? std::round(x * 1e4) / 1e4 : 0.0; }

json hypothesis_json(const Hypothesis& h, const DecodeOptions& options) {
  json out = {{"text", h.text}};
  if (options.return_scores) out["score"] = std::isfinite(h.score) ? json(round4(h.score)) : json(nullptr);
  if (options.return_alignments) {
    json rows = json::array();
    for (const auto& row : h.alignment) {
      json r = json::array();
      for (float w : row) r.push_back(round4(w));
      rows.push_back(std::move(r));
    }
    out["alignment"] = std::move(rows);
    out["target_tokens"] = h.target_tokens;
  }
  return out;
}

}  // namespace

json translate_response(const std::vector<Result>& results, const DecodeOptions& options, const std::string& model,
                        double time_ms) {
  json outputs = json::array();
  for (const Result& r : results) {
    json out = r.hypotheses.empty() ? json{{"text", ""}} : hypothesis_json(r.hypotheses.front(), options);
    if (options.return_alignments) out["source_tokens"] = r.source_tokens;
    if (options.n_best > 1) {
      json list = json::array();
      for (const Hypothesis& h : r.hypotheses) list.push_back(hypothesis_json(h, options));
      out["n_best"] = std::move(list);
    }
    outputs.push_back(std::move(out));
  }
  return {{"outputs", std::move(outputs)}, {"model", model}, {"time_ms", std::round(time_ms * 1000) / 1000}};
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string error_body(const std::string& message) { return dump(json{{"error", message}}); }

}  // namespace s2s::serve
