#include "s2s/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "s2s/core/error.h"
#include "s2s/io/atomic_file.h"

namespace s2s::io {

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian; so is every supported host");

namespace {

using Json = nlohmann::json;

// The reference implementation refuses headers above 100 MB; a larger length
// is a sign of a corrupt file, not of a real model.
constexpr std::uint64_t kMaxHeader = 100'000'000;

std::string shape_text(const std::vector<std::int64_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

struct Entry {
  std::string name;
  DType dtype;
  std::vector<std::int64_t> shape;
  std::uint64_t begin, end;
};

Entry parse_entry(const std::string& name, const Json& j, const std::string& what) {
  auto bad = [&](const char* why) { fail(what, ": tensor '", name, "' has a malformed header entry (", why, ")"); };
  if (!j.is_object()) bad("not an object");
  if (!j.contains("dtype") || !j["dtype"].is_string()) bad("no dtype string");
  if (!j.contains("shape") || !j["shape"].is_array()) bad("no shape array");
  if (!j.contains("data_offsets") || !j["data_offsets"].is_array() || j["data_offsets"].size() != 2) bad("no [begin, end] data_offsets");
  Entry e{name, dtype_from_safetensors(j["dtype"].get<std::string>(), what, name), {}, 0, 0};
  if (j["shape"].size() > static_cast<std::size_t>(Shape::kMaxDims))
    fail(what, ": tensor '", name, "' has ", j["shape"].size(), " dimensions, s2s supports at most ", Shape::kMaxDims);
  // The product of the non-zero dimensions is bounded too: a zero must not
  // let a dimension past INT64_MAX through (it would turn negative).
  std::uint64_t numel = 1, nonzero = 1;
  for (const auto& d : j["shape"]) {
    if (!d.is_number_unsigned()) bad("shape entries must be non-negative integers");
    const auto v = d.get<std::uint64_t>();
    if (v != 0 && nonzero > std::numeric_limits<std::uint64_t>::max() / 16 / v) bad("shape too large");
    if (v != 0) nonzero *= v;
    numel *= v;
    e.shape.push_back(static_cast<std::int64_t>(v));
  }
  for (int k = 0; k < 2; ++k)
    if (!j["data_offsets"][k].is_number_unsigned()) bad("data_offsets must be non-negative integers");
  e.begin = j["data_offsets"][0].get<std::uint64_t>();
  e.end = j["data_offsets"][1].get<std::uint64_t>();
  if (e.end < e.begin) bad("data_offsets end before begin");
  if (e.end - e.begin != numel * dtype_size(e.dtype))
    fail(what, ": tensor '", name, "' has ", e.end - e.begin, " bytes of data, its shape ", shape_text(e.shape), " and dtype ",
         dtype_name(e.dtype), " need ", numel * dtype_size(e.dtype));
  return e;
}

}  // namespace

const Tensor* SafetensorsFile::find(const std::string& name) const {
  for (const auto& t : tensors)
    if (t.name == name) return &t.tensor;
  return nullptr;
}

DType dtype_from_safetensors(const std::string& name, const std::string& what, const std::string& tensor) {
  if (name == "F32") return DType::F32;
  if (name == "I32") return DType::I32;
  if (name == "BF16") return DType::BF16;
  if (name == "I8") return DType::I8;
  fail(what, ": tensor '", tensor, "' has dtype ", name, ", which s2s cannot load (F32, I32, BF16, I8)");
}

std::string encode_safetensors(std::span<const NamedTensor> tensors, const Metadata& metadata) {
  Json header = Json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::set<std::string> seen;
  std::uint64_t offset = 0;
  for (const auto& t : tensors) {
    S2S_CHECK(!t.name.empty() && t.name != "__metadata__", "safetensors: invalid tensor name '", t.name, "'");
    S2S_CHECK(seen.insert(t.name).second, "safetensors: tensor name '", t.name, "' appears twice");
    S2S_CHECK(t.tensor.defined(), "safetensors: tensor '", t.name, "' has no value");
    S2S_CHECK(t.tensor.device() == kCPU, "safetensors: tensor '", t.name, "' is not in host memory");
    std::vector<std::int64_t> dims(t.tensor.shape().begin(), t.tensor.shape().end());
    header[t.name] = {{"dtype", dtype_name(t.tensor.dtype())}, {"shape", dims}, {"data_offsets", {offset, offset + t.tensor.nbytes()}}};
    offset += t.tensor.nbytes();
  }
  std::string json = header.dump();
  // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
  json.append((8 - json.size() % 8) % 8, ' ');
  std::string out(8 + json.size() + offset, '\0');
  std::uint64_t n = json.size();
  std::memcpy(out.data(), &n, 8);
  std::memcpy(out.data() + 8, json.data(), json.size());
  char* data = out.data() + 8 + json.size();
  for (const auto& t : tensors) {
    if (t.tensor.nbytes()) std::memcpy(data, t.tensor.data<char>(), t.tensor.nbytes());
    data += t.tensor.nbytes();
  }
  return out;
}

SafetensorsFile decode_safetensors(std::string_view bytes, const std::string& what) {
  S2S_CHECK(bytes.size() >= 8, what, ": not a safetensors file (", bytes.size(), " bytes; it must start with an 8-byte header length)");
  std::uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  S2S_CHECK(n <= kMaxHeader, what, ": not a safetensors file or corrupt (header length ", n, " is implausible)");
  S2S_CHECK(n <= bytes.size() - 8, what, ": truncated (header length is ", n, " bytes, only ", bytes.size() - 8, " follow)");
  Json header;
  try {
    header = Json::parse(bytes.substr(8, n));
  } catch (const Json::exception& e) {
    fail(what, ": corrupt header, not valid JSON (", e.what(), ")");
  }
  S2S_CHECK(header.is_object(), what, ": corrupt header (a JSON object was expected)");
  SafetensorsFile file;
  std::vector<Entry> entries;
  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") {
      S2S_CHECK(value.is_object(), what, ": __metadata__ must be an object of strings");
      for (const auto& [k, v] : value.items()) {
        S2S_CHECK(v.is_string(), what, ": __metadata__ value of '", k, "' is not a string");
        file.metadata[k] = v.get<std::string>();
      }
      continue;
    }
    entries.push_back(parse_entry(key, value, what));
  }
  // The data buffer must be covered exactly: no gaps, no overlaps, nothing after.
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
  std::uint64_t data_size = bytes.size() - 8 - n, expect = 0;
  for (const auto& e : entries) {
    S2S_CHECK(e.end <= data_size, what, ": truncated (tensor '", e.name, "' ends at byte ", e.end, " of the data, the file holds ", data_size, ")");
    S2S_CHECK(e.begin == expect, what, ": corrupt data offsets (tensor '", e.name, "' starts at ", e.begin, ", expected ", expect, ")");
    expect = e.end;
  }
  S2S_CHECK(expect == data_size, what, ": corrupt file (", data_size - expect, " bytes after the last tensor)");
  const char* data = bytes.data() + 8 + n;
  for (const auto& e : entries) {
    Tensor t = Tensor::empty(Shape(e.shape.begin(), e.shape.end()), e.dtype);
    if (t.nbytes()) std::memcpy(t.data<char>(), data + e.begin, t.nbytes());
    file.tensors.push_back({e.name, std::move(t)});
  }
  return file;
}

void save_safetensors(const std::string& path, std::span<const NamedTensor> tensors, const Metadata& metadata) {
  write_file_atomic(path, encode_safetensors(tensors, metadata));
}

SafetensorsFile load_safetensors(const std::string& path) { return decode_safetensors(read_file(path), path); }

Metadata read_safetensors_metadata(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  S2S_CHECK(in, path, ": cannot open");
  std::string bytes(8, '\0');
  in.read(bytes.data(), 8);
  S2S_CHECK(in.gcount() == 8, path, ": not a safetensors file (shorter than its 8-byte header length)");
  std::uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  S2S_CHECK(n <= kMaxHeader, path, ": not a safetensors file or corrupt (header length ", n, " is implausible)");
  std::string header(n, '\0');
  in.read(header.data(), static_cast<std::streamsize>(n));
  S2S_CHECK(static_cast<std::uint64_t>(in.gcount()) == n, path, ": truncated (header length is ", n, " bytes)");
  Metadata out;
  try {
    const Json j = Json::parse(header);
    if (j.is_object() && j.contains("__metadata__") && j["__metadata__"].is_object())
      for (const auto& [k, v] : j["__metadata__"].items())
        if (v.is_string()) out[k] = v.get<std::string>();
  } catch (const Json::exception& e) {
    fail(path, ": corrupt header, not valid JSON (", e.what(), ")");
  }
  return out;
}

void save_parameters(const std::string& path, std::span<autograd::Parameter* const> params, const Metadata& metadata) {
  std::vector<NamedTensor> tensors;
  tensors.reserve(params.size());
  for (auto* p : params) {
    S2S_CHECK(p->value.dtype() == DType::F32, path, ": parameter '", p->name, "' is held in ", dtype_name(p->value.dtype()),
              " (a model loaded for int8 decoding): write quantized models with s2s quantize from the fp32 model");
    tensors.push_back({p->name, p->value});
  }
  save_safetensors(path, tensors, metadata);
}

void check_finite(const Tensor& t, const std::string& what, const std::string& name) {
  const std::int64_t n = t.numel();
  std::int64_t bad = -1;
  if (t.dtype() == DType::F32) {
    const float* x = t.f32();
    for (std::int64_t i = 0; i < n && bad < 0; ++i)
      if (!std::isfinite(x[i])) bad = i;
  } else if (t.dtype() == DType::BF16) {
    const auto* x = t.data<std::uint16_t>();
    for (std::int64_t i = 0; i < n && bad < 0; ++i)
      if ((x[i] & 0x7F80u) == 0x7F80u) bad = i;  // exponent all ones: Inf or NaN
  }
  if (bad < 0) return;
  std::string value = "a non-finite value";
  if (t.dtype() == DType::F32) {
    const float v = t.f32()[bad];
    value = std::isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
  }
  fail(what, ": tensor '", name, "' holds ", value, " at element ", bad, " of ", n,
       " (values must be finite: the file is corrupt or was written from a diverged model)");
}

void assign_parameters(const SafetensorsFile& file, const std::string& what, std::span<autograd::Parameter* const> params) {
  std::set<std::string> expected;
  for (auto* p : params) {
    expected.insert(p->name);
    const Tensor* t = file.find(p->name);
    S2S_CHECK(t, what, ": tensor '", p->name, "' is missing (the model expects shape ", p->value.shape().str(), ")");
    S2S_CHECK(t->dtype() == p->value.dtype(), what, ": tensor '", p->name, "' has dtype ", dtype_name(t->dtype()),
              ", the model expects ", dtype_name(p->value.dtype()));
    S2S_CHECK(t->shape() == p->value.shape(), what, ": tensor '", p->name, "' has shape ", t->shape().str(),
              ", the model expects ", p->value.shape().str());
    check_finite(*t, what, p->name);
  }
  for (const auto& t : file.tensors)
    S2S_CHECK(expected.count(t.name), what, ": tensor '", t.name, "' is not a parameter of this model");
  for (auto* p : params) p->value.copy_from(*file.find(p->name));
}

Metadata load_parameters(const std::string& path, std::span<autograd::Parameter* const> params) {
  SafetensorsFile file = load_safetensors(path);
  assign_parameters(file, path, params);
  return file.metadata;
}

}  // namespace s2s::io
