#include "s2s/search/phrase_table.h"

#include "s2s/core/error.h"
#include "s2s/data/line_reader.h"

namespace s2s::search {

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

PhraseTable PhraseTable::load(const std::string& path) {
  PhraseTable table;
  data::LineReader reader(path);
  std::string_view line;
  while (reader.next(line)) {
    S2S_CHECK(!reader.too_long(), reader.where(), ": line too long for a phrase table");
    std::string_view body = trim(line);
    if (body.empty() || body.front() == '#') continue;
    std::size_t bar = body.find("|||");
    S2S_CHECK(bar != std::string_view::npos, reader.where(), ": expected 'source ||| target'");
    std::string_view src = trim(body.substr(0, bar)), tgt = trim(body.substr(bar + 3));
    S2S_CHECK(!src.empty() && !tgt.empty(), reader.where(), ": empty side in 'source ||| target'");
    table.add(src, tgt);
  }
  return table;
}

bool PhraseTable::add(std::string_view source, std::string_view target) {
  return map_.emplace(std::string(source), std::string(target)).second;
}

const std::string* PhraseTable::find(std::string_view source) const {
  auto it = map_.find(source);
  return it == map_.end() ? nullptr : &it->second;
}

}  // namespace s2s::search
