#pragma once
// Vocabulary: token <-> id with the corpus count of every token.
//
// Ids 0..3 are reserved project-wide: <pad>=0, <s>=1 (BOS), </s>=2 (EOS),
// <unk>=3. Other tokens follow by descending count, ties in byte order, so
// the same data always gives the same ids.
//
// File format (UTF-8 text, one token per line): token<TAB>count. The first
// four lines are the reserved tokens. In a token, backslash, TAB, LF and CR
// are written \\ \t \n \r (only the char tokenizer can produce them).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace s2s::data {

inline constexpr std::int32_t kPadId = 0;
inline constexpr std::int32_t kBosId = 1;
inline constexpr std::int32_t kEosId = 2;
inline constexpr std::int32_t kUnkId = 3;
inline constexpr std::int32_t kNumReserved = 4;
inline constexpr std::string_view kReservedTokens[kNumReserved] = {"<pad>", "<s>", "</s>", "<unk>"};

// Counts of tokens that were mapped to <unk>, for the training log.
struct UnkStats {
  std::uint64_t tokens = 0;  // all tokens encoded
  std::uint64_t unknown = 0;
  double rate() const { return tokens ? static_cast<double>(unknown) / static_cast<double>(tokens) : 0.0; }
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class Vocab {
 public:
  Vocab();  // the reserved tokens only

  // Errors name file:line: missing TAB, bad count, wrong reserved token, duplicates.
  static Vocab load(const std::string& path);
  void save(const std::string& path) const;

  std::int32_t size() const { return static_cast<std::int32_t>(tokens_.size()); }
  // Id of `token`, or kUnkId.
  std::int32_t id(std::string_view token) const {
    auto it = index_.find(token);
    return it == index_.end() ? kUnkId : it->second;
  }
  bool contains(std::string_view token) const { return index_.find(token) != index_.end(); }
  const std::string& token(std::int32_t id) const;
  std::uint64_t count(std::int32_t id) const { return counts_.at(static_cast<std::size_t>(id)); }

  // Appends a token; a duplicate is an error.
  std::int32_t add(std::string_view token, std::uint64_t count);

  // Maps tokens to ids (unknown ones to kUnkId), appending to `out`.
  void encode(std::span<const std::string> tokens, std::vector<std::int32_t>& out, UnkStats* stats = nullptr) const;
  // Tokens of `ids`; with skip_reserved, <pad> <s> </s> are left out.
  std::vector<std::string> decode(std::span<const std::int32_t> ids, bool skip_reserved = false) const;

 private:
  std::vector<std::string> tokens_;
  std::vector<std::uint64_t> counts_;
  std::unordered_map<std::string, std::int32_t, StringHash, std::equal_to<>> index_;
};

struct VocabLimits {
  std::uint64_t min_freq = 1;  // tokens seen fewer times are left out
  std::int32_t max_size = 0;   // total size, reserved tokens included; 0: no limit
};

struct VocabReport {
  std::uint64_t distinct = 0;          // distinct tokens seen (reserved ones excluded)
  std::uint64_t kept = 0;              // of those, kept
  std::uint64_t below_min_freq = 0;    // left out by min_freq
  std::uint64_t over_max_size = 0;     // left out by max_size
  std::uint64_t occurrences = 0;       // token occurrences seen
  std::uint64_t covered = 0;           // occurrences of kept tokens
};

// Counts tokens, then builds a Vocab under limits. Reserved token strings
// met in the data are not counted: they already have their ids.
class VocabBuilder {
 public:
  void add(std::string_view token, std::uint64_t n = 1);
  void add(std::span<const std::string> tokens) {
    for (const std::string& t : tokens) add(t);
  }
  std::size_t distinct() const { return counts_.size(); }
  Vocab build(const VocabLimits& limits, VocabReport* report = nullptr) const;

 private:
  std::unordered_map<std::string, std::uint64_t, StringHash, std::equal_to<>> counts_;
};

// Escaping used by the vocabulary file format (exposed for tests).
std::string escape_token(std::string_view token);
// Returns false on a malformed escape.
bool unescape_token(std::string_view text, std::string& out);

}  // namespace s2s::data
