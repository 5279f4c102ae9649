#pragma once
// The extended target vocabulary of one sentence pair for copy attention
// (pointer-generator, See et al. 2017; OpenNMT-py's copy_attn): the target
// vocabulary's ids, then one id V + k for each distinct source token (in
// order of first appearance) that the target vocabulary lacks, the
// sentence's "source OOVs". Tokens match by their text, so a source token
// unknown to the source vocabulary keeps its own id here too.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "s2s/data/vocab.h"

namespace s2s::data {

class SourceCopy {
 public:
  // Replaces the state with `source`'s tokens (an appended </s> is the caller's: kEosId).
  void assign(std::span<const std::string> source, const Vocab& target);

  // Extended id of each source token.
  const std::vector<std::int32_t>& ids() const { return ids_; }
  // The source OOVs: extended id target.size() + k is oov()[k].
  const std::vector<std::string>& oov() const { return oov_; }

  // A target token's id for training and scoring: its target id when the
  // vocabulary has it, else its copy id when the source has it, else <unk>.
  std::int32_t target_id(std::string_view token, const Vocab& target) const;
  // A target sentence's ids (tokens encoded by `target`) with each <unk>
  // replaced by target_id of its token, as training and scoring read them.
  void map_unknown(std::span<const std::string> tokens, std::vector<std::int32_t>& ids, const Vocab& target) const;
  // The text of an extended id (a target id or a source OOV).
  const std::string& token(std::int32_t id, const Vocab& target) const;

 private:
  std::vector<std::int32_t> ids_;
  std::vector<std::string> oov_;
};

}  // namespace s2s::data
