#include "s2s/data/vocab.h"

#include <algorithm>
#include <charconv>

#include "s2s/core/error.h"
#include "s2s/core/one_line.h"
#include "s2s/data/file_util.h"
#include "s2s/data/line_reader.h"

namespace s2s::data {

Vocab::Vocab() {
  for (std::string_view t : kReservedTokens) add(t, 0);
}

const std::string& Vocab::token(std::int32_t id) const {
  S2S_CHECK(id >= 0 && id < size(), "vocab: id ", id, " out of range [0, ", size(), ")");
  return tokens_[static_cast<std::size_t>(id)];
}

std::int32_t Vocab::add(std::string_view token, std::uint64_t count) {
  S2S_CHECK(!token.empty(), "vocab: empty token");
  S2S_CHECK(tokens_.size() < static_cast<std::size_t>(INT32_MAX), "vocab: more than 2^31 tokens");
  auto id = static_cast<std::int32_t>(tokens_.size());
  auto [it, inserted] = index_.emplace(std::string(token), id);
  S2S_CHECK(inserted, "vocab: duplicate token '", token, "'");
  tokens_.emplace_back(token);
  counts_.push_back(count);
  return id;
}

void Vocab::encode(std::span<const std::string> tokens, std::vector<std::int32_t>& out, UnkStats* stats) const {
  std::uint64_t unknown = 0;
  for (const std::string& t : tokens) {
    std::int32_t i = id(t);
    unknown += i == kUnkId;
    out.push_back(i);
  }
  if (stats) {
    stats->tokens += tokens.size();
    stats->unknown += unknown;
  }
}

std::vector<std::string> Vocab::decode(std::span<const std::int32_t> ids, bool skip_reserved) const {
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (std::int32_t i : ids) {
    if (skip_reserved && i >= 0 && i < kUnkId) continue;
    out.push_back(token(i));
  }
  return out;
}

std::string escape_token(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out;
}

bool unescape_token(std::string_view text, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size()) return false;
    switch (text[i]) {
      case '\\': out += '\\'; break;
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      default: return false;
    }
  }
  return true;
}

Vocab Vocab::load(const std::string& path) {
  LineReader reader(path);
  Vocab vocab;
  std::vector<std::uint64_t> first_line;  // line of each id, for duplicate messages
  std::string token;
  std::string_view line;
  while (reader.next(line)) {
    std::string where = reader.where();
    S2S_CHECK(!reader.too_long(), where, ": line too long for a vocabulary entry");
    std::size_t tabs = static_cast<std::size_t>(std::count(line.begin(), line.end(), '\t'));
    S2S_CHECK(tabs == 1, where, ": expected token<TAB>count, found ", tabs, " TABs (not an s2s vocabulary file?)");
    std::size_t tab = line.find('\t');
    std::string_view count_text = line.substr(tab + 1);
    std::uint64_t count = 0;
    auto [end, ec] = std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
    S2S_CHECK(ec == std::errc() && end == count_text.data() + count_text.size() && !count_text.empty(), where,
              ": count '", one_line(count_text), "' is not a non-negative integer");
    S2S_CHECK(unescape_token(line.substr(0, tab), token), where, ": malformed backslash escape in token '",
              one_line(line.substr(0, tab)), "'");
    S2S_CHECK(!token.empty(), where, ": empty token");
    std::uint64_t n = reader.line_number();
    if (n <= static_cast<std::uint64_t>(kNumReserved)) {
      std::string_view expected = kReservedTokens[n - 1];
      // Tokens are quoted as the file spells them: an unescaped \n would break the one-line error.
      S2S_CHECK(token == expected, where, ": expected reserved token ", expected, " (id ", n - 1, "), found '",
                one_line(escape_token(token)), "'");
      vocab.counts_[n - 1] = count;
      first_line.push_back(n);
      continue;
    }
    auto it = vocab.index_.find(token);
    S2S_CHECK(it == vocab.index_.end(), where, ": duplicate token '", one_line(escape_token(token)), "' (also on line ",
              first_line[static_cast<std::size_t>(it->second)], ")");
    vocab.add(token, count);
    first_line.push_back(n);
  }
  S2S_CHECK(reader.line_number() > 0, path, ": empty vocabulary file");
  S2S_CHECK(reader.line_number() >= static_cast<std::uint64_t>(kNumReserved), path, ": ends after ",
            reader.line_number(), " lines; a vocabulary starts with the ", kNumReserved,
            " reserved tokens <pad> <s> </s> <unk>");
  return vocab;
}

void Vocab::save(const std::string& path) const {
  std::string text;
  for (std::size_t i = 0; i < tokens_.size(); ++i) {
    text += escape_token(tokens_[i]);
    text += '\t';
    text += std::to_string(counts_[i]);
    text += '\n';
  }
  write_file(path, text);
}

void VocabBuilder::add(std::string_view token, std::uint64_t n) {
  for (std::string_view r : kReservedTokens)
    if (token == r) return;
  auto it = counts_.find(token);
  if (it != counts_.end())
    it->second += n;
  else
    counts_.emplace(std::string(token), n);
}

Vocab VocabBuilder::build(const VocabLimits& limits, VocabReport* report) const {
  S2S_CHECK(limits.max_size == 0 || limits.max_size >= kNumReserved, "vocab: --size must be 0 (no limit) or at least ",
            kNumReserved, " (the reserved tokens), got ", limits.max_size);
  std::vector<std::pair<const std::string*, std::uint64_t>> entries;
  entries.reserve(counts_.size());
  VocabReport r;
  r.distinct = counts_.size();
  for (const auto& [token, count] : counts_) {
    r.occurrences += count;
    if (count >= limits.min_freq)
      entries.emplace_back(&token, count);
    else
      ++r.below_min_freq;
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : *a.first < *b.first;
  });
  std::size_t room = limits.max_size ? static_cast<std::size_t>(limits.max_size - kNumReserved) : entries.size();
  if (entries.size() > room) {
    r.over_max_size = entries.size() - room;
    entries.resize(room);
  }
  Vocab vocab;
  for (const auto& [token, count] : entries) {
    vocab.add(*token, count);
    r.covered += count;
  }
  r.kept = entries.size();
  if (report) *report = r;
  return vocab;
}

}  // namespace s2s::data
