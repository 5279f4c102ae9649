#include "s2s/serve/request.h"

#include <limits>
#include <nlohmann/json.hpp>

namespace s2s::serve {

namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& message) { throw HttpError(400, message); }

const char* type_name(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    case json::value_t::number_float: return "a non-integer number";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    default: return "an unsupported value";
  }
}

std::int64_t get_int(const json& j, const std::string& name, std::int64_t lo, std::int64_t hi) {
  if (!j.is_number_integer()) bad(name + " must be an integer, got " + type_name(j));
  bool in_range;
  std::int64_t v = 0;
  if (j.is_number_unsigned()) {
    auto u = j.get<std::uint64_t>();
    in_range = u <= static_cast<std::uint64_t>(hi);
    if (in_range) v = static_cast<std::int64_t>(u);
  } else {
    v = j.get<std::int64_t>();
    in_range = v >= lo && v <= hi;
  }
  if (!in_range || v < lo)
    bad(name + " must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " + j.dump());
  return v;
}

double get_number(const json& j, const std::string& name, double lo, double hi, bool lo_open) {
  if (!j.is_number()) bad(name + " must be a number, got " + type_name(j));
  double v = j.get<double>();
  if (!(lo_open ? v > lo : v >= lo) || !(v <= hi))
    bad(name + " must be in " + (lo_open ? "(" : "[") + json(lo).dump() + ", " + json(hi).dump() + "], got " +
        j.dump());
  return v;
}

bool get_bool(const json& j, const std::string& name) {
  if (!j.is_boolean()) bad(name + " must be true or false, got " + type_name(j));
  return j.get<bool>();
}

SamplingOptions parse_sampling(const json& j) {
  SamplingOptions s;
  if (!j.is_object()) bad(std::string("sampling must be an object or null, got ") + type_name(j));
  s.enabled = true;
  for (const auto& [key, value] : j.items()) {
    if (key == "temperature") {
      s.temperature = static_cast<float>(get_number(value, "sampling.temperature", 0.0, 100.0, true));
    } else if (key == "top_k") {
      s.top_k = get_int(value, "sampling.top_k", 0, 1 << 30);
    } else if (key == "top_p") {
      s.top_p = static_cast<float>(get_number(value, "sampling.top_p", 0.0, 1.0, true));
    } else if (key == "seed") {
      if (!value.is_number_integer() || (!value.is_number_unsigned() && value.get<std::int64_t>() < 0))
        bad(std::string("sampling.seed must be a non-negative integer, got ") + type_name(value));
      s.seed = value.get<std::uint64_t>();
    } else {
      bad("unknown field sampling." + key + " (expected temperature, top_k, top_p, seed)");
    }
  }
  return s;
}

void parse_inputs(const json& j, const RequestLimits& limits, std::vector<std::string>& out) {
  if (!j.is_array()) bad(std::string("inputs must be an array of strings, got ") + type_name(j));
  if (j.empty()) bad("inputs is empty: give at least one sentence");
  if (static_cast<std::int64_t>(j.size()) > limits.max_inputs)
    throw HttpError(413, "too many inputs: " + std::to_string(j.size()) + " (the limit is " +
                             std::to_string(limits.max_inputs) + " per request)");
  out.reserve(j.size());
  for (std::size_t i = 0; i < j.size(); ++i) {
    std::string name = "inputs[" + std::to_string(i) + "]";
    if (!j[i].is_string()) bad(name + " must be a string, got " + type_name(j[i]));
    const auto& s = j[i].get_ref<const std::string&>();
    if (s.find_first_not_of(" \t\r\n\f\v") == std::string::npos) bad(name + " is empty");
    if (s.find('\0') != std::string::npos) bad(name + " contains a NUL character");
    std::int64_t n = utf8_length(s);
    if (n > limits.max_input_chars)
      throw HttpError(413, name + " is too long: " + std::to_string(n) + " characters (the limit is " +
                               std::to_string(limits.max_input_chars) + ")");
    out.push_back(s);
  }
}

}  // namespace

int json_depth(std::string_view text, int cap) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest && (deepest = depth) > cap) return deepest;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

std::int64_t utf8_length(std::string_view s) {
  std::int64_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

TranslateRequest parse_translate_request(std::string_view body, const RequestLimits& limits) {
  if (body.empty()) bad("empty request body: expected a JSON object with \"inputs\"");
  if (json_depth(body, limits.max_json_depth) > limits.max_json_depth)
    bad("JSON nested deeper than " + std::to_string(limits.max_json_depth) + " levels");
  json j;
  try {
    j = json::parse(body);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for numbers like 1e400
    std::string what = e.what();
    std::size_t cut = what.find("] ");  // drop nlohmann's "[json.exception.parse_error.101] " prefix
    bad("malformed JSON: " + (cut == std::string::npos ? what : what.substr(cut + 2)));
  }
  if (!j.is_object()) bad(std::string("the request must be a JSON object, got ") + type_name(j));

  TranslateRequest r;
  bool has_inputs = false, has_n_best = false;
  DecodeOptions& o = r.options;
  for (const auto& [key, value] : j.items()) {
    if (key == "model") {
      if (!value.is_string()) bad(std::string("model must be a string, got ") + type_name(value));
      r.model = value.get<std::string>();
    } else if (key == "inputs") {
      parse_inputs(value, limits, r.inputs);
      has_inputs = true;
    } else if (key == "beam") {
      o.beam = get_int(value, "beam", 1, limits.max_beam);
    } else if (key == "n_best") {
      o.n_best = get_int(value, "n_best", 1, limits.max_beam);
      has_n_best = true;
    } else if (key == "max_length") {
      o.max_length = get_int(value, "max_length", 1, limits.max_length);
    } else if (key == "sampling") {
      if (!value.is_null()) o.sampling = parse_sampling(value);
    } else if (key == "return_scores") {
      o.return_scores = get_bool(value, "return_scores");
    } else if (key == "return_alignments") {
      o.return_alignments = get_bool(value, "return_alignments");
    } else {
      bad("unknown field \"" + key +
          "\" (expected model, inputs, beam, n_best, max_length, sampling, return_scores, return_alignments)");
    }
  }
  if (!has_inputs) bad("missing field \"inputs\": an array of sentences to translate");
  if (o.sampling.enabled && o.beam > 1) bad("sampling draws one token at a time: use beam 1 with sampling");
  if (has_n_best && o.n_best > o.beam && !o.sampling.enabled)
    bad("n_best (" + std::to_string(o.n_best) + ") must not exceed beam (" + std::to_string(o.beam) + ")");
  return r;
}

}  // namespace s2s::serve
