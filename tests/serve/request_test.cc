// parse_translate_request: every field, every way of getting it wrong.
#include <gtest/gtest.h>

#include <string>

#include "s2s/serve/request.h"

namespace s2s::serve {
namespace {

RequestLimits limits() {
  RequestLimits l;
  l.max_inputs = 3;
  l.max_input_chars = 10;
  l.max_beam = 8;
  l.max_length = 100;
  return l;
}

// The status and message an invalid body gets.
std::pair<int, std::string> reject(const std::string& body) {
  try {
    parse_translate_request(body, limits());
  } catch (const HttpError& e) {
    return {e.status(), e.what()};
  }
  return {0, "accepted"};
}

TEST(ServeRequest, ParsesEveryField) {
  TranslateRequest r = parse_translate_request(
      R"({"model": "m", "inputs": ["a b", "ç"], "beam": 4, "n_best": 2, "max_length": 7,
          "return_scores": false, "return_alignments": true})",
      limits());
  EXPECT_EQ(r.model, "m");
  EXPECT_EQ(r.inputs, (std::vector<std::string>{"a b", "ç"}));
  EXPECT_EQ(r.options.beam, 4);
  EXPECT_EQ(r.options.n_best, 2);
  EXPECT_EQ(r.options.max_length, 7);
  EXPECT_FALSE(r.options.return_scores);
  EXPECT_TRUE(r.options.return_alignments);
  EXPECT_FALSE(r.options.sampling.enabled);
}

TEST(ServeRequest, DefaultsAndSampling) {
  TranslateRequest r = parse_translate_request(R"({"inputs": ["x"]})", limits());
  EXPECT_EQ(r.model, "");
  EXPECT_EQ(r.options, DecodeOptions{});
  r = parse_translate_request(
      R"({"inputs": ["x"], "sampling": {"temperature": 0.5, "top_k": 10, "top_p": 0.9, "seed": 18446744073709551615}})",
      limits());
  EXPECT_TRUE(r.options.sampling.enabled);
  EXPECT_FLOAT_EQ(r.options.sampling.temperature, 0.5f);
  EXPECT_EQ(r.options.sampling.top_k, 10);
  EXPECT_FLOAT_EQ(r.options.sampling.top_p, 0.9f);
  EXPECT_EQ(r.options.sampling.seed, 18446744073709551615ull);
  r = parse_translate_request(R"({"inputs": ["x"], "sampling": null})", limits());
  EXPECT_FALSE(r.options.sampling.enabled);
  r = parse_translate_request(R"({"inputs": ["x"], "sampling": {}, "n_best": 3})", limits());
  EXPECT_TRUE(r.options.sampling.enabled);
  EXPECT_EQ(r.options.n_best, 3);  // n samples
}

TEST(ServeRequest, MalformedJson) {
  for (const char* body : {"{", "{\"inputs\": [\"a\"]", "inputs", "{\"inputs\": ['a']}", "{\"inputs\": [\"a\"]} x",
                           "{\"inputs\": [\"a\"], \"beam\": 1e400}"}) {
    auto [status, msg] = reject(body);
    EXPECT_EQ(status, 400) << body;
    EXPECT_NE(msg.find("malformed JSON"), std::string::npos) << msg;
  }
  auto [status, msg] = reject("");
  EXPECT_EQ(status, 400);
  EXPECT_NE(msg.find("empty request body"), std::string::npos) << msg;
  std::tie(status, msg) = reject("{\"inputs\": [\"\xff\"]}");
  EXPECT_EQ(status, 400);
  EXPECT_NE(msg.find("malformed JSON"), std::string::npos) << msg;
}

TEST(ServeRequest, WrongTypes) {
  struct Case {
    const char* body;
    const char* message;
  } cases[] = {
      {R"(["a"])", "must be a JSON object, got an array"},
      {R"({"inputs": "a"})", "inputs must be an array of strings, got a string"},
      {R"({"inputs": ["a", 3]})", "inputs[1] must be a string, got an integer"},
      {R"({"inputs": ["a"], "model": 1})", "model must be a string"},
      {R"({"inputs": ["a"], "beam": "5"})", "beam must be an integer, got a string"},
      {R"({"inputs": ["a"], "beam": 2.5})", "beam must be an integer, got a non-integer number"},
      {R"({"inputs": ["a"], "n_best": null})", "n_best must be an integer, got null"},
      {R"({"inputs": ["a"], "max_length": true})", "max_length must be an integer, got a boolean"},
      {R"({"inputs": ["a"], "return_scores": "yes"})", "return_scores must be true or false"},
      {R"({"inputs": ["a"], "return_alignments": 1})", "return_alignments must be true or false"},
      {R"({"inputs": ["a"], "sampling": 1})", "sampling must be an object or null"},
      {R"({"inputs": ["a"], "sampling": {"temperature": "hot"}})", "sampling.temperature must be a number"},
      {R"({"inputs": ["a"], "sampling": {"seed": -1}})", "sampling.seed must be a non-negative integer"},
      {R"({"inputs": ["a"], "sampling": {"top_k": 1.5}})", "sampling.top_k must be an integer"},
  };
  for (const Case& c : cases) {
    auto [status, msg] = reject(c.body);
    EXPECT_EQ(status, 400) << c.body;
    EXPECT_NE(msg.find(c.message), std::string::npos) << c.body << " -> " << msg;
  }
}

TEST(ServeRequest, ValuesOutOfRange) {
  struct Case {
    const char* body;
    const char* message;
  } cases[] = {
      {R"({"inputs": ["a"], "beam": 0})", "beam must be between 1 and 8, got 0"},
      {R"({"inputs": ["a"], "beam": 9})", "beam must be between 1 and 8, got 9"},
      {R"({"inputs": ["a"], "beam": -3})", "beam must be between 1 and 8, got -3"},
      {R"({"inputs": ["a"], "beam": 18446744073709551615})", "beam must be between 1 and 8"},
      {R"({"inputs": ["a"], "max_length": 0})", "max_length must be between 1 and 100"},
      {R"({"inputs": ["a"], "beam": 2, "n_best": 3})", "n_best (3) must not exceed beam (2)"},
      {R"({"inputs": ["a"], "sampling": {"temperature": 0}})", "sampling.temperature must be in (0.0, 100.0]"},
      {R"({"inputs": ["a"], "sampling": {"top_p": 1.5}})", "sampling.top_p must be in (0.0, 1.0]"},
      {R"({"inputs": ["a"], "sampling": {}, "beam": 2})", "use beam 1 with sampling"},
      {R"({"inputs": ["a"], "sampling": {"tempreature": 1}})", "unknown field sampling.tempreature"},
      {R"({"inputs": ["a"], "beem": 1})", "unknown field \"beem\""},
  };
  for (const Case& c : cases) {
    auto [status, msg] = reject(c.body);
    EXPECT_EQ(status, 400) << c.body;
    EXPECT_NE(msg.find(c.message), std::string::npos) << c.body << " -> " << msg;
  }
}

TEST(ServeRequest, EmptyInputs) {
  struct Case {
    const char* body;
    const char* message;
  } cases[] = {
      {R"({})", "missing field \"inputs\""},
      {R"({"inputs": []})", "inputs is empty"},
      {R"({"inputs": ["a", ""]})", "inputs[1] is empty"},
      {R"({"inputs": [" \t\n"]})", "inputs[0] is empty"},
      {R"({"inputs": ["a\u0000b"]})", "inputs[0] contains a NUL character"},
  };
  for (const Case& c : cases) {
    auto [status, msg] = reject(c.body);
    EXPECT_EQ(status, 400) << c.body;
    EXPECT_NE(msg.find(c.message), std::string::npos) << c.body << " -> " << msg;
  }
}

TEST(ServeRequest, Limits) {
  auto [status, msg] = reject(R"({"inputs": ["a", "b", "c", "d"]})");
  EXPECT_EQ(status, 413);
  EXPECT_NE(msg.find("too many inputs: 4 (the limit is 3 per request)"), std::string::npos) << msg;
  std::tie(status, msg) = reject(R"({"inputs": ["abcdefghijk"]})");
  EXPECT_EQ(status, 413);
  EXPECT_NE(msg.find("inputs[0] is too long: 11 characters (the limit is 10)"), std::string::npos) << msg;
  // Ten code points of two bytes each fit: the limit counts characters.
  EXPECT_NO_THROW(parse_translate_request(R"({"inputs": ["éééééééééé"]})", limits()));
  std::string deep = "{\"inputs\": [\"a\"], \"x\": " + std::string(40, '[') + std::string(40, ']') + "}";
  std::tie(status, msg) = reject(deep);
  EXPECT_EQ(status, 400);
  EXPECT_NE(msg.find("nested deeper than 16 levels"), std::string::npos) << msg;
}

TEST(ServeRequest, JsonDepthIgnoresBracketsInStrings) {
  EXPECT_EQ(json_depth(R"({"a": "[[[[", "b": [{"c": "\"]]]"}]})", 100), 3);
  EXPECT_EQ(json_depth("[[[]]]", 100), 3);
  EXPECT_EQ(json_depth("[[[[[[", 2), 3);  // stops counting past the cap
  EXPECT_EQ(json_depth("]]]", 10), 0);
}

TEST(ServeRequest, Utf8Length) {
  EXPECT_EQ(utf8_length(""), 0);
  EXPECT_EQ(utf8_length("abc"), 3);
  EXPECT_EQ(utf8_length("\xc3\xa7\xe2\x96\x81\xf0\x9f\x98\x80"), 3);  // ç ▁ 😀
}

}  // namespace
}  // namespace s2s::serve
