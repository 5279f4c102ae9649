#pragma once
// JSON bodies the server writes. Every dump replaces invalid UTF-8 (a model
// may produce it, an error message may quote it) instead of throwing.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "s2s/serve/translation_backend.h"

namespace s2s::serve {

// {"outputs": [{"text", "score"?, "alignment"?, "source_tokens"?,
// "target_tokens"?, "n_best"?}], "model", "time_ms"}; see docs/serve.md.
nlohmann::json translate_response(const std::vector<Result>& results, const DecodeOptions& options,
                                  const std::string& model, double time_ms);

// {"error": message}
std::string error_body(const std::string& message);

std::string dump(const nlohmann::json& j);

}  // namespace s2s::serve
