// A real model directory (tests/cli/fixtures/rnn-model-v0.1) whose
// model.safetensors is damaged: truncated at 200 offsets spread over the
// whole file (header included), and rewritten with a wrong dtype, shape,
// tensor count or header field. Loading it the way translate and serve do
// (load_model_dir) must refuse each with one line that names the file and
// the tensor or header field at fault; a crash fails the whole program.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "s2s/io/atomic_file.h"
#include "s2s/io/model_dir.h"
#include "support/error_of.h"
#include "support/temp_dir.h"

namespace s2s::io {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using s2s::testing::error_of;

const std::string kFixture = std::string(S2S_SOURCE_DIR) + "/tests/cli/fixtures/rnn-model-v0.1";

struct Span {
  std::string name;
  std::uint64_t begin, end;  // in the data, after the header
};

class DamagedWeights : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto& e : fs::directory_iterator(kFixture)) fs::copy_file(e.path(), dir_.file(e.path().filename().string()));
    weights_ = dir_.file("model.safetensors");
    bytes_ = read_file(weights_);
    ASSERT_GT(bytes_.size(), 8u);
    std::memcpy(&header_len_, bytes_.data(), 8);
    header_ = Json::parse(bytes_.substr(8, header_len_));
    data_ = bytes_.substr(8 + header_len_);
    for (const auto& [name, entry] : header_.items())
      if (name != "__metadata__") spans_.push_back({name, entry["data_offsets"][0], entry["data_offsets"][1]});
    std::sort(spans_.begin(), spans_.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
    ASSERT_GT(spans_.size(), 10u);
    ASSERT_EQ(error_of([&] { load_model_dir(dir_.path()); }), "(no error)");
  }
  // Writes `bytes` as the model's weights and returns the error loading the directory gives.
  std::string load_error(const std::string& bytes) {
    std::ofstream(weights_, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return error_of([&] { load_model_dir(dir_.path()); });
  }
  static std::string file_with(const Json& header, const std::string& data) {
    std::string json = header.dump();
    std::uint64_t n = json.size();
    std::string out(8, '\0');
    std::memcpy(out.data(), &n, 8);
    return out + json + data;
  }
  // The error for the fixture with one header entry changed by `edit`.
  template <typename F>
  std::string error_with_entry(const std::string& tensor, F&& edit) {
    Json h = header_;
    edit(h[tensor]);
    return load_error(file_with(h, data_));
  }
  // One line, naming the weights file and `what` (a tensor or a header field).
  void expect_refused(const std::string& error, const std::string& what, const std::string& context) {
    EXPECT_EQ(error.rfind(weights_ + ": ", 0), 0u) << context << ": " << error;
    EXPECT_NE(error.find(what), std::string::npos) << context << ": expected it to name " << what << ": " << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << context << ": not one line: " << error;
  }

  testing::TempDir dir_;
  std::string weights_, bytes_, data_;
  std::uint64_t header_len_ = 0;
  Json header_;
  std::vector<Span> spans_;
};

TEST_F(DamagedWeights, TruncatedAtTwoHundredOffsetsEachRefusedNamingTheTensorOrHeader) {
  // 60 cuts spread over the length field and the header, 140 over the tensor data.
  const std::uint64_t data_start = 8 + header_len_, size = bytes_.size();
  std::vector<std::uint64_t> cuts;
  for (int k = 0; k < 60; ++k) cuts.push_back(data_start * static_cast<std::uint64_t>(k) / 60);
  for (int k = 0; k < 140; ++k) cuts.push_back(data_start + (size - data_start) * static_cast<std::uint64_t>(k) / 140);
  ASSERT_EQ(cuts.size(), 200u);
  for (std::uint64_t cut : cuts) {
    const std::string error = load_error(bytes_.substr(0, cut)), at = "cut at byte " + std::to_string(cut);
    if (cut < 8) {
      expect_refused(error, "8-byte header length", at);
    } else if (cut < data_start) {
      expect_refused(error, "truncated (header length is " + std::to_string(header_len_) + " bytes", at);
    } else {
      // The tensor the cut falls in (or starts at) is the one named.
      const std::uint64_t in_data = cut - data_start;
      auto it = std::find_if(spans_.begin(), spans_.end(), [&](const Span& s) { return in_data < s.end; });
      ASSERT_NE(it, spans_.end());
      expect_refused(error, "truncated (tensor '" + it->name + "' ends at byte " + std::to_string(it->end), at);
    }
  }
}

TEST_F(DamagedWeights, WrongDtypeRefusedNamingTheTensor) {
  const std::string t = "encoder.rnn.weight_hh_l0";
  // I32 has F32's size: the file is consistent, the model expects F32.
  expect_refused(error_with_entry(t, [](Json& e) { e["dtype"] = "I32"; }),
                 "tensor '" + t + "' has dtype I32, the model expects F32", "I32");
  for (const char* dtype : {"F16", "F64", "U8", "", "f32"})
    expect_refused(error_with_entry(t, [&](Json& e) { e["dtype"] = dtype; }),
                   "tensor '" + t + "' has dtype " + dtype + ", which s2s cannot load", dtype);
  expect_refused(error_with_entry(t, [](Json& e) { e["dtype"] = 32; }), "tensor '" + t + "' has a malformed header entry (no dtype",
                 "numeric dtype");
  // BF16 halves the bytes the shape needs.
  expect_refused(error_with_entry(t, [](Json& e) { e["dtype"] = "BF16"; }), "tensor '" + t + "' has 4096 bytes of data", "BF16");
}

TEST_F(DamagedWeights, WrongShapeRefusedNamingTheTensor) {
  const std::string t = "decoder.output.weight";  // [43, 56]
  expect_refused(error_with_entry(t, [](Json& e) { e["shape"] = {56, 43}; }),
                 "tensor '" + t + "' has shape [56, 43], the model expects [43, 56]", "transposed");
  expect_refused(error_with_entry(t, [](Json& e) { e["shape"] = {43 * 56}; }),
                 "tensor '" + t + "' has shape [2408], the model expects [43, 56]", "flattened");
  expect_refused(error_with_entry(t, [](Json& e) { e["shape"] = {43, 56, 1}; }),
                 "tensor '" + t + "' has shape [43, 56, 1], the model expects [43, 56]", "extra dimension");
  expect_refused(error_with_entry(t, [](Json& e) { e["shape"] = {43, 55}; }), "tensor '" + t + "' has 9632 bytes of data, its shape [43, 55]",
                 "shape smaller than the data");
  expect_refused(error_with_entry(t, [](Json& e) { e["shape"] = {43, -56}; }), "tensor '" + t + "' has a malformed header entry (shape",
                 "negative dimension");
  expect_refused(error_with_entry(t, [](Json& e) { e["shape"] = {1, 1, 1, 1, 1, 43, 56}; }),
                 "tensor '" + t + "' has 7 dimensions, s2s supports at most 6", "too many dimensions");
  const std::uint64_t huge = std::numeric_limits<std::uint64_t>::max() / 2;
  expect_refused(error_with_entry(t, [&](Json& e) { e["shape"] = {huge, huge}; }), "tensor '" + t + "' has a malformed header entry (shape too large",
                 "overflowing shape");
  // A zero dimension must not let a dimension past INT64_MAX through (it would become negative).
  expect_refused(error_with_entry(t, [&](Json& e) { e["shape"] = {std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max()}; }),
                 "tensor '" + t + "' has a malformed header entry (shape too large", "zero times a dimension past INT64_MAX");
  expect_refused(error_with_entry(t, [](Json& e) { e["shape"] = "43x56"; }), "tensor '" + t + "' has a malformed header entry (no shape",
                 "shape not a list");
}

TEST_F(DamagedWeights, WrongTensorCountRefusedNamingTheTensor) {
  // One tensor left out (its bytes too, so the file itself is consistent).
  const Span& last = spans_.back();
  Json fewer = header_;
  fewer.erase(last.name);
  expect_refused(load_error(file_with(fewer, data_.substr(0, last.begin))),
                 "tensor '" + last.name + "' is missing (the model expects shape", "missing");
  // One tensor more than the model has.
  Json more = header_;
  more["decoder.extra.weight"] = {{"dtype", "F32"}, {"shape", {2}}, {"data_offsets", {data_.size(), data_.size() + 8}}};
  expect_refused(load_error(file_with(more, data_ + std::string(8, '\0'))),
                 "tensor 'decoder.extra.weight' is not a parameter of this model", "extra");
  // No tensors at all.
  expect_refused(load_error(file_with(Json::object(), "")), "tensor '" + spans_.front().name + "' is missing", "empty");
}

TEST_F(DamagedWeights, BadHeaderFieldsRefusedNamingTheField) {
  const std::string t = "encoder.rnn.bias_ih_l0";
  const Span& s = *std::find_if(spans_.begin(), spans_.end(), [&](const Span& x) { return x.name == t; });
  expect_refused(error_with_entry(t, [](Json& e) { e.erase("data_offsets"); }), "tensor '" + t + "' has a malformed header entry (no [begin, end] data_offsets",
                 "no offsets");
  expect_refused(error_with_entry(t, [&](Json& e) { e["data_offsets"] = {s.end, s.begin}; }),
                 "tensor '" + t + "' has a malformed header entry (data_offsets end before begin", "reversed offsets");
  expect_refused(error_with_entry(t, [&](Json& e) { e["data_offsets"] = {s.begin + 4, s.end + 4}; }),
                 "tensor '" + t + "' starts at " + std::to_string(s.begin + 4) + ", expected " + std::to_string(s.begin), "shifted offsets");
  expect_refused(error_with_entry(t, [&](Json& e) { e["data_offsets"] = {-1, 255}; }), "tensor '" + t + "' has a malformed header entry (data_offsets",
                 "negative offset");
  expect_refused(error_with_entry(t, [](Json& e) { e = "F32"; }), "tensor '" + t + "' has a malformed header entry (not an object", "entry not an object");
  expect_refused(error_with_entry(t, [&](Json& e) { e["data_offsets"] = {s.begin, s.end + 1000000}; }),
                 "tensor '" + t + "' has 1000256 bytes of data", "offsets past the end");
  // The length field and the header as a whole.
  std::string huge = bytes_;
  const std::uint64_t n = std::uint64_t{1} << 62;
  std::memcpy(huge.data(), &n, 8);
  expect_refused(load_error(huge), "header length " + std::to_string(n) + " is implausible", "huge header length");
  std::string not_json = bytes_;
  not_json[8] = '[';
  expect_refused(load_error(not_json), "corrupt header, not valid JSON", "not JSON");
  expect_refused(load_error(file_with(Json::array(), "")), "corrupt header (a JSON object was expected)", "header a list");
  Json meta = header_;
  meta["__metadata__"] = {{"format", 1}};
  expect_refused(load_error(file_with(meta, data_)), "__metadata__ value of 'format' is not a string", "metadata");
  expect_refused(load_error(bytes_ + "x"), "1 bytes after the last tensor", "trailing byte");
}

TEST_F(DamagedWeights, NonFiniteValueRefusedNamingTheTensorAndElement) {
  const Span& s = spans_[3];
  std::string data = data_;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(data.data() + s.begin + 4 * 5, &nan, 4);
  expect_refused(load_error(file_with(header_, data)), "tensor '" + s.name + "' holds NaN at element 5", "NaN");
}

// A config.yaml whose sizes ask for far more than the weights hold (a digit
// too many) is refused naming it, before the memory is mapped and filled.
TEST_F(DamagedWeights, ConfigAskingForAHugeModelRefusedNamingTheConfig) {
  const std::string config = read_file(dir_.file("config.yaml")), line = "  hidden_size: 16\n";
  ASSERT_NE(config.find(line), std::string::npos);
  for (const char* hidden : {"1000000", "10000000000000"}) {
    std::string edited = config;
    edited.replace(edited.find(line), line.size(), std::string("  hidden_size: ") + hidden + "\n");
    std::ofstream(dir_.file("config.yaml"), std::ios::trunc) << edited;
    const std::string error = error_of([&] { load_model_dir(dir_.path()); });
    EXPECT_EQ(error.rfind(dir_.file("config.yaml") + ": cannot build the model it describes (", 0), 0u) << hidden << ": " << error;
    EXPECT_NE(error.find("model.safetensors holds 49860 bytes: is a model.* size wrong?"), std::string::npos) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace s2s::io
