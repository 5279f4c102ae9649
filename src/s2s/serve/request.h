#pragma once
// Parsing and validation of a POST /v1/translate body. Everything a client can
// get wrong is an HttpError with a 4xx status and a message naming the field
// and what was expected; nothing else escapes (the fuzz target holds this).
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "s2s/serve/translation_backend.h"

namespace s2s::serve {

// An error the server answers with `status` and {"error": message}, and a
// Retry-After header when retry_after_s > 0.
class HttpError : public std::runtime_error {
 public:
  HttpError(int status, const std::string& message, int retry_after_s = 0)
      : std::runtime_error(message), status_(status), retry_after_s_(retry_after_s) {}
  int status() const { return status_; }
  int retry_after_s() const { return retry_after_s_; }

 private:
  int status_;
  int retry_after_s_;
};

struct RequestLimits {
  std::int64_t max_inputs = 64;         // sentences per request
  std::int64_t max_input_chars = 1000;  // UTF-8 code points per sentence
  std::int64_t max_beam = 16;
  std::int64_t max_length = 512;        // cap on "max_length"
  int max_json_depth = 16;              // nesting the parser accepts at all
};

struct TranslateRequest {
  std::string model;  // empty: the only model served
  std::vector<std::string> inputs;
  DecodeOptions options;
};

// Throws HttpError (400) for malformed JSON, unknown fields, wrong types,
// values out of range, empty inputs, and limits exceeded (413 for too many
// inputs or too long an input).
TranslateRequest parse_translate_request(std::string_view body, const RequestLimits& limits);

// Deepest nesting of arrays/objects in `text`, counting only brackets outside
// strings; stops counting past `cap`. Lets the parser reject deep documents
// before building them.
int json_depth(std::string_view text, int cap);

// Number of Unicode code points in valid UTF-8 `s`.
std::int64_t utf8_length(std::string_view s);

}  // namespace s2s::serve
