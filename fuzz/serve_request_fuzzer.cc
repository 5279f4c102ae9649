// libFuzzer target over the server's request parser: the input bytes are a
// POST /v1/translate body. HttpError with a 4xx status is the expected
// rejection; any other exception, a crash, a hang or a sanitizer report is a
// bug. Accepted requests are checked against the limits and echoed through
// the response writer (which must cope with whatever strings got in).
// Build and run: fuzz/build_serve.sh, then fuzz/run_serve.sh SECONDS.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "s2s/serve/request.h"
#include "s2s/serve/response.h"

using namespace s2s::serve;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  RequestLimits limits;
  limits.max_inputs = 8;
  limits.max_input_chars = 64;
  TranslateRequest r;
  try {
    r = parse_translate_request(body, limits);
  } catch (const HttpError& e) {
    if (e.status() < 400 || e.status() > 499 || std::string_view(e.what()).empty()) std::abort();
    std::string out = error_body(e.what());  // messages quote the input: must serialise
    if (out.empty()) std::abort();
    return 0;
  }
  const DecodeOptions& o = r.options;
  if (r.inputs.empty() || static_cast<std::int64_t>(r.inputs.size()) > limits.max_inputs) std::abort();
  for (const auto& s : r.inputs)
    if (s.empty() || utf8_length(s) > limits.max_input_chars) std::abort();
  if (o.beam < 1 || o.beam > limits.max_beam || o.n_best < 1 || o.max_length < 0) std::abort();
  if (o.sampling.enabled && o.beam != 1) std::abort();
  if (!o.sampling.enabled && o.n_best > o.beam) std::abort();

  std::vector<Result> results;
  for (const auto& s : r.inputs) {
    Result res;
    res.source_tokens = {s};
    Hypothesis h;
    h.text = s;
    h.target_tokens = {s, s};
    h.alignment = {{1.0f}, {0.5f}};
    res.hypotheses.assign(static_cast<std::size_t>(o.n_best), h);
    results.push_back(res);
  }
  std::string out = dump(translate_response(results, o, r.model, 1.5));
  if (out.empty()) std::abort();
  return 0;
}
