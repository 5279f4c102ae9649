#include "s2s/data/spm_model_check.h"

#include <cstdint>
#include <functional>

#include "s2s/core/error.h"

namespace s2s::data {

namespace {

// sentencepiece_model.proto: ModelProto.normalizer_spec = 3,
// ModelProto.denormalizer_spec = 5, NormalizerSpec.precompiled_charsmap = 2.
constexpr std::uint64_t kNormalizerSpec = 3;
constexpr std::uint64_t kDenormalizerSpec = 5;
constexpr std::uint64_t kPrecompiledCharsmap = 2;

// Calls visit(field number, payload) for each length-delimited field of a
// message and skips the others; false on an encoding it cannot walk.
bool for_each_length_delimited(std::string_view message,
                               const std::function<void(std::uint64_t, std::string_view)>& visit) {
  std::size_t i = 0;
  auto varint = [&](std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64 && i < message.size(); shift += 7) {
      const auto byte = static_cast<unsigned char>(message[i++]);
      v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return true;
    }
    return false;
  };
  while (i < message.size()) {
    std::uint64_t key = 0, value = 0;
    if (!varint(key)) return false;
    switch (key & 7) {
      case 0: if (!varint(value)) return false; break;
      case 1: if (message.size() - i < 8) return false; i += 8; break;
      case 5: if (message.size() - i < 4) return false; i += 4; break;
      case 2:
        if (!varint(value) || value > message.size() - i) return false;
        visit(key >> 3, message.substr(i, value));
        i += value;
        break;
      default: return false;  // groups: never written by SentencePiece
    }
  }
  return true;
}

std::uint32_t le32(const char* p) {
  std::uint32_t v = 0;
  for (int b = 3; b >= 0; --b) v = (v << 8) | static_cast<unsigned char>(p[b]);
  return v;
}

// Darts-clone's unit layout (darts.h, DoubleArrayUnit).
bool is_value_unit(std::uint32_t u) { return (u >> 31) != 0; }
bool has_leaf(std::uint32_t u) { return ((u >> 8) & 1) != 0; }
std::uint32_t leaf_value(std::uint32_t u) { return u & 0x7fffffffu; }
std::uint32_t child_offset(std::uint32_t u) { return (u >> 10) << ((u & (1u << 9)) >> 6); }

// What is damaged in a precompiled_charsmap, or "" when every read a search
// can make stays inside it. Layout (SentencePiece's normalizer.cc): the trie's
// byte count (uint32, little endian), the trie, the normalized strings.
// The search starts at unit 0, goes to (base ^ byte) for base = unit ^ offset,
// and reads a leaf's value from unit base; a value is an offset into the
// strings, read up to its NUL.
std::string charsmap_fault(std::string_view map) {
  if (map.empty()) return "";  // no map: nothing is normalized
  if (map.size() < 4) return "it is shorter than its 4-byte header";
  const std::uint64_t trie_bytes = le32(map.data());
  if (trie_bytes > map.size() - 4)
    return "its trie claims " + std::to_string(trie_bytes) + " bytes of the " + std::to_string(map.size() - 4) + " there";
  const std::uint64_t units = trie_bytes / 4;
  if (units == 0) return "its trie is empty";
  const char* trie = map.data() + 4;
  const std::string_view strings = map.substr(4 + trie_bytes);
  for (std::uint64_t k = 0; k < units; ++k) {
    const std::uint32_t u = le32(trie + 4 * k);
    if (k != 0 && is_value_unit(u)) continue;  // no byte label matches a value unit: never walked from
    const std::uint64_t base = k ^ child_offset(u);
    if ((base | 0xff) >= units)
      return "trie unit " + std::to_string(k) + " points past the trie's " + std::to_string(units) + " units";
    if (!has_leaf(u)) continue;
    const std::uint32_t value = leaf_value(le32(trie + 4 * base));
    if (value >= strings.size())
      return "trie unit " + std::to_string(k) + " maps to offset " + std::to_string(value) + ", past its " +
             std::to_string(strings.size()) + " bytes of strings";
    if (strings.find('\0', value) == std::string_view::npos)
      return "trie unit " + std::to_string(k) + " maps to offset " + std::to_string(value) +
             ", where no string ends before the map does";
  }
  return "";
}

}  // namespace

void check_spm_charsmaps(std::string_view model, const std::string& origin) {
  std::string fault;
  bool spec_walked = true;
  bool walked = for_each_length_delimited(model, [&](std::uint64_t field, std::string_view spec) {
    if (!fault.empty() || (field != kNormalizerSpec && field != kDenormalizerSpec)) return;
    // Within a spec the last map counts; protobuf merges repeated specs, so each is checked.
    std::string_view map;
    spec_walked = spec_walked && for_each_length_delimited(spec, [&](std::uint64_t f, std::string_view bytes) {
      if (f == kPrecompiledCharsmap) map = bytes;
    });
    if (std::string why = charsmap_fault(map); !why.empty())
      fault = std::string(field == kNormalizerSpec ? "normalizer" : "denormalizer") + " character map: " + why;
  });
  // An encoding that cannot be walked is what SentencePiece's own parser refuses: the same plain message.
  if (!walked || !spec_walked) fail(origin, ": not a valid SentencePiece model");
  if (!fault.empty()) fail(origin, ": not a valid SentencePiece model (", fault, ")");
}

}  // namespace s2s::data
