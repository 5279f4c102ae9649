// safetensors: byte layout of the reference format, round trips, and one
// clear error for every kind of corrupt file or mismatched model.
#include "s2s/io/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>

#include "s2s/core/rng.h"
#include "s2s/io/atomic_file.h"
#include "support/error_of.h"
#include "support/temp_dir.h"

namespace s2s::io {
namespace {

using autograd::Parameter;

// A file as the Python library writes it: u64 length, JSON, raw data.
std::string raw_file(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  std::uint64_t n = header.size();
  std::memcpy(out.data(), &n, 8);
  return out + header + data;
}

std::string floats(std::initializer_list<float> v) {
  std::string s(v.size() * 4, '\0');
  std::memcpy(s.data(), v.begin(), s.size());
  return s;
}

using s2s::testing::error_of;

std::string decode_error(const std::string& bytes) {
  return error_of([&] { decode_safetensors(bytes, "m.safetensors"); });
}

TEST(Safetensors, WritesTheReferenceLayout) {
  std::vector<NamedTensor> ts{{"w", Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3})}, {"ids", Tensor::from_ids({7, 8}, {2})}};
  std::string bytes = encode_safetensors(ts, {{"format", "pt"}});
  std::uint64_t n;
  std::memcpy(&n, bytes.data(), 8);
  EXPECT_EQ(n % 8, 0u);  // data starts 8-byte aligned
  auto header = nlohmann::json::parse(bytes.substr(8, n));
  EXPECT_EQ(header["w"]["dtype"], "F32");
  EXPECT_EQ(header["w"]["shape"], nlohmann::json({2, 3}));
  EXPECT_EQ(header["w"]["data_offsets"], nlohmann::json({0, 24}));
  EXPECT_EQ(header["ids"]["dtype"], "I32");
  EXPECT_EQ(header["ids"]["data_offsets"], nlohmann::json({24, 32}));
  EXPECT_EQ(header["__metadata__"]["format"], "pt");
  ASSERT_EQ(bytes.size(), 8 + n + 32);
  float w5;
  std::memcpy(&w5, bytes.data() + 8 + n + 5 * 4, 4);
  EXPECT_EQ(w5, 6.0f);
}

TEST(Safetensors, ReadsAHandWrittenFile) {
  // Unpadded header, tensors listed out of data order, as other writers may do.
  std::string header = R"({"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  auto f = decode_safetensors(raw_file(header, floats({1.5f, -2, 3})), "x");
  ASSERT_EQ(f.tensors.size(), 2u);
  EXPECT_EQ(f.tensors[0].name, "a");
  EXPECT_EQ(f.find("a")->to_vector(), (std::vector<float>{1.5f, -2}));
  EXPECT_EQ(f.find("b")->to_vector(), (std::vector<float>{3}));
  EXPECT_EQ(f.find("c"), nullptr);
}

TEST(Safetensors, RoundTripsThroughAFile) {
  testing::TempDir dir;
  Rng rng(3);
  Tensor w = Tensor::empty({4, 5});
  rng.fill_normal(w.f32(), w.numel(), 0, 1);
  std::vector<NamedTensor> ts{{"enc.w", w}, {"ids", Tensor::from_ids({1, -2, 3}, {3})}, {"empty", Tensor::zeros({0, 3})}};
  save_safetensors(dir.file("m.safetensors"), ts, {{"step", "12"}});
  auto f = load_safetensors(dir.file("m.safetensors"));
  EXPECT_EQ(f.metadata.at("step"), "12");
  ASSERT_EQ(f.tensors.size(), 3u);
  EXPECT_EQ(f.find("enc.w")->shape(), w.shape());
  EXPECT_EQ(f.find("enc.w")->to_vector(), w.to_vector());
  EXPECT_EQ(f.find("ids")->i32()[1], -2);
  EXPECT_EQ(f.find("empty")->shape(), Shape({0, 3}));
  // Re-encoding the decoded file gives the same bytes.
  EXPECT_EQ(encode_safetensors(f.tensors, f.metadata), read_file(dir.file("m.safetensors")));
}

TEST(Safetensors, RejectsBadTensorLists) {
  std::vector<NamedTensor> dup{{"a", Tensor::zeros({1})}, {"a", Tensor::zeros({1})}};
  EXPECT_EQ(error_of([&] { encode_safetensors(dup); }), "safetensors: tensor name 'a' appears twice");
  std::vector<NamedTensor> meta{{"__metadata__", Tensor::zeros({1})}};
  EXPECT_EQ(error_of([&] { encode_safetensors(meta); }), "safetensors: invalid tensor name '__metadata__'");
}

TEST(Safetensors, EveryCorruptionGivesOneClearError) {
  std::string good_header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  std::string good = raw_file(good_header, floats({1, 2}));
  ASSERT_EQ(decode_error(good), "(no error)");

  EXPECT_EQ(decode_error(""), "m.safetensors: not a safetensors file (0 bytes; it must start with an 8-byte header length)");
  EXPECT_EQ(decode_error(std::string(8, '\xff')), "m.safetensors: not a safetensors file or corrupt (header length 18446744073709551615 is implausible)");
  EXPECT_EQ(decode_error(good.substr(0, 20)), "m.safetensors: truncated (header length is 54 bytes, only 12 follow)");
  EXPECT_EQ(decode_error(good.substr(0, good.size() - 1)),
            "m.safetensors: truncated (tensor 'a' ends at byte 8 of the data, the file holds 7)");
  EXPECT_EQ(decode_error(good + "xx"), "m.safetensors: corrupt file (2 bytes after the last tensor)");
  EXPECT_EQ(decode_error(raw_file("[1,2]", "")), "m.safetensors: corrupt header (a JSON object was expected)");
  EXPECT_EQ(decode_error(raw_file(R"({"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", "1234")),
            "m.safetensors: tensor 'a' has dtype F16, which s2s cannot load (F32, I32, BF16, I8)");
  EXPECT_EQ(decode_error(raw_file(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", floats({1, 2}))),
            "m.safetensors: tensor 'a' has 8 bytes of data, its shape [3] and dtype F32 need 12");
  EXPECT_EQ(decode_error(raw_file(R"({"a":{"dtype":"F32","shape":[2]}})", floats({1, 2}))),
            "m.safetensors: tensor 'a' has a malformed header entry (no [begin, end] data_offsets)");
  EXPECT_EQ(decode_error(raw_file(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", floats({1, 2}))),
            "m.safetensors: tensor 'a' has a malformed header entry (shape entries must be non-negative integers)");
  EXPECT_EQ(decode_error(raw_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", floats({1, 2}))),
            "m.safetensors: corrupt data offsets (tensor 'a' starts at 4, expected 0)");
  EXPECT_EQ(decode_error(raw_file(R"({"__metadata__":{"k":1}})", "")), "m.safetensors: __metadata__ value of 'k' is not a string");
  EXPECT_EQ(decode_error(raw_file(R"({"a":{"dtype":"F32","shape":[1,1,1,1,1,1,1],"data_offsets":[0,4]}})", floats({1}))),
            "m.safetensors: tensor 'a' has 7 dimensions, s2s supports at most 6");

  std::string bad_json = decode_error(raw_file(R"({"a":{"dtype":)", ""));
  EXPECT_EQ(bad_json.rfind("m.safetensors: corrupt header, not valid JSON (", 0), 0u) << bad_json;
  EXPECT_EQ(bad_json.find('\n'), std::string::npos);

  // Flipping any single byte of the header never crashes: it loads or fails with a message.
  for (std::size_t i = 8; i < 8 + good_header.size(); ++i) {
    std::string b = good;
    b[i] = static_cast<char>(b[i] ^ 0x5a);
    std::string e = decode_error(b);
    if (e != "(no error)") {
      EXPECT_EQ(e.rfind("m.safetensors: ", 0), 0u) << e;
    }
  }
  // Every truncation fails with a message naming the file.
  for (std::size_t n = 0; n < good.size(); ++n) EXPECT_EQ(decode_error(good.substr(0, n)).rfind("m.safetensors: ", 0), 0u);
}

TEST(Safetensors, MissingFileIsOneLine) {
  testing::TempDir dir;
  std::string e = error_of([&] { load_safetensors(dir.file("nope.safetensors")); });
  EXPECT_EQ(e, dir.file("nope.safetensors") + ": cannot open (No such file or directory)");
}

struct TwoParams {
  Parameter w{"decoder.out.weight", Tensor::full({40, 8}, 0.5f)};
  Parameter b{"decoder.out.bias", Tensor::full({40}, 0.25f)};
  std::vector<Parameter*> list() { return {&w, &b}; }
};

TEST(Safetensors, ParametersRoundTrip) {
  testing::TempDir dir;
  TwoParams a, b;
  a.w.value.f32()[3] = 9.0f;
  save_parameters(dir.file("model.safetensors"), a.list(), {{"kind", "test"}});
  auto meta = load_parameters(dir.file("model.safetensors"), b.list());
  EXPECT_EQ(meta.at("kind"), "test");
  EXPECT_EQ(b.w.value.to_vector(), a.w.value.to_vector());
  EXPECT_EQ(b.b.value.to_vector(), a.b.value.to_vector());
}

TEST(Safetensors, MismatchedModelsAreNamedAndLeaveTheModelUntouched) {
  testing::TempDir dir;
  std::string path = dir.file("model.safetensors");
  auto load_error = [&](std::vector<NamedTensor> ts) {
    save_safetensors(path, ts);
    TwoParams m;
    std::string e = error_of([&] { load_parameters(path, m.list()); });
    EXPECT_EQ(m.w.value.to_vector(), TwoParams().w.value.to_vector());  // untouched
    return e;
  };
  Tensor w = Tensor::zeros({40, 8}), b = Tensor::zeros({40});
  EXPECT_EQ(load_error({{"decoder.out.weight", Tensor::zeros({45, 8})}, {"decoder.out.bias", b}}),
            path + ": tensor 'decoder.out.weight' has shape [45, 8], the model expects [40, 8]");
  EXPECT_EQ(load_error({{"decoder.out.weight", w}}), path + ": tensor 'decoder.out.bias' is missing (the model expects shape [40])");
  EXPECT_EQ(load_error({{"decoder.out.weight", w}, {"decoder.out.bias", b}, {"extra", b}}),
            path + ": tensor 'extra' is not a parameter of this model");
  EXPECT_EQ(load_error({{"decoder.out.weight", w}, {"decoder.out.bias", Tensor::zeros({40}, DType::I32)}}),
            path + ": tensor 'decoder.out.bias' has dtype I32, the model expects F32");
}

}  // namespace
}  // namespace s2s::io
