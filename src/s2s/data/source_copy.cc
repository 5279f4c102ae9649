#include "s2s/data/source_copy.h"

#include <algorithm>

#include "s2s/core/error.h"

namespace s2s::data {

void SourceCopy::assign(std::span<const std::string> source, const Vocab& target) {
  ids_.clear();
  oov_.clear();
  // Sentences are short: a linear search over the OOVs so far beats a hash map.
  for (const std::string& token : source) {
    if (target.contains(token)) {
      ids_.push_back(target.id(token));
      continue;
    }
    auto it = std::find(oov_.begin(), oov_.end(), token);
    if (it == oov_.end()) {
      oov_.push_back(token);
      it = oov_.end() - 1;
    }
    ids_.push_back(target.size() + static_cast<std::int32_t>(it - oov_.begin()));
  }
}

std::int32_t SourceCopy::target_id(std::string_view token, const Vocab& target) const {
  if (target.contains(token)) return target.id(token);
  auto it = std::find(oov_.begin(), oov_.end(), token);
  return it == oov_.end() ? kUnkId : target.size() + static_cast<std::int32_t>(it - oov_.begin());
}

void SourceCopy::map_unknown(std::span<const std::string> tokens, std::vector<std::int32_t>& ids,
                             const Vocab& target) const {
  for (std::size_t k = 0; k < ids.size() && k < tokens.size(); ++k)
    if (ids[k] == kUnkId) ids[k] = target_id(tokens[k], target);
}

const std::string& SourceCopy::token(std::int32_t id, const Vocab& target) const {
  if (id < target.size()) return target.token(id);
  const auto k = static_cast<std::size_t>(id - target.size());
  S2S_CHECK(k < oov_.size(), "copy: extended id ", id, " beyond the sentence's ", oov_.size(), " source-only tokens");
  return oov_[k];
}

}  // namespace s2s::data
