#pragma once
// A phrase table for UNK replacement: a source token mapped to the target
// text that replaces an <unk> aligned to it (otherwise the source token is
// copied). File format, one entry per line (UTF-8):
//   source ||| target
// Spaces around "|||" are ignored; blank lines and lines starting with '#'
// are skipped; the first entry for a source token wins.
#include <string>
#include <string_view>
#include <unordered_map>

#include "s2s/data/vocab.h"

namespace s2s::search {

class PhraseTable {
 public:
  // Errors name file:line (a line without "|||", an empty side).
  static PhraseTable load(const std::string& path);

  // Returns false when `source` already has an entry (the first one is kept).
  bool add(std::string_view source, std::string_view target);
  // The target for `source`, or nullptr.
  const std::string* find(std::string_view source) const;
  std::size_t size() const { return map_.size(); }

 private:
  std::unordered_map<std::string, std::string, data::StringHash, std::equal_to<>> map_;
};

}  // namespace s2s::search
