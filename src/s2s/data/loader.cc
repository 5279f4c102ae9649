#include "s2s/data/loader.h"

#include <cstdio>

#include "s2s/core/error.h"

namespace s2s::data {

PairEncoder::PairEncoder(SideCodec src, SideCodec tgt, bool copy) : codec_{src, tgt}, copy_(copy) {
  for (const SideCodec& c : codec_) S2S_CHECK(c.tokenizer && c.vocab, "pair encoder: missing tokenizer or vocabulary");
}

void PairEncoder::encode(int side, std::string_view text, std::vector<std::int32_t>& ids, UnkStats* unk) {
  const SideCodec& c = codec_[side];
  c.tokenizer->tokenize(text, tokens_);
  ids.clear();
  c.vocab->encode(tokens_.span(), ids, unk);
  if (!copy_) return;
  const Vocab& target = *codec_[1].vocab;
  if (side == 0) {
    source_copy_.assign(tokens_.span(), target);
  } else {
    source_copy_.map_unknown(tokens_.span(), ids, target);
  }
}

std::int64_t PairEncoder::max_vocab_size() const {
  return copy_ ? INT32_MAX : std::max(codec_[0].vocab->size(), codec_[1].vocab->size());
}

std::string LoadStats::summary() const {
  char buf[256];
  std::snprintf(buf, sizeof buf, "read %llu pairs, kept %llu (%llu source / %llu target tokens, <unk> %.2f%% / %.2f%%)",
                static_cast<unsigned long long>(pairs_read), static_cast<unsigned long long>(pairs_kept),
                static_cast<unsigned long long>(src_tokens), static_cast<unsigned long long>(tgt_tokens),
                100.0 * unk[0].rate(), 100.0 * unk[1].rate());
  return buf;
}

void LoadStats::merge(const LoadStats& o) {
  pairs_read += o.pairs_read;
  pairs_kept += o.pairs_kept;
  src_tokens += o.src_tokens;
  tgt_tokens += o.tgt_tokens;
  for (int s = 0; s < 2; ++s) {
    unk[s].tokens += o.unk[s].tokens;
    unk[s].unknown += o.unk[s].unknown;
  }
  skips.merge(o.skips);
}

bool load_pairs(PairReader& reader, PairEncoder& encoder, const LoadOptions& o, Dataset& out, LoadStats& stats,
                std::size_t max_pairs) {
  stats.skips.strict = o.strict;
  std::vector<std::int32_t> ids[2];
  const std::int64_t max_len[2] = {o.max_src_len, o.max_tgt_len};
  static const char* side_name[2] = {"source", "target"};
  RawPair pair;
  std::size_t kept = 0;
  while (kept < max_pairs) {
    if (!reader.next(pair)) return false;
    ++stats.pairs_read;
    if (pair.too_long) {
      stats.skips.skip(SkipReason::LineTooLong, reader.where(pair.line, 0),
                       "line over the length limit of " + std::to_string(o.lines.max_line_bytes) + " bytes");
      continue;
    }
    UnkStats unk[2];
    bool skipped = false;
    for (int s = 0; s < 2 && !skipped; ++s) {
      encoder.encode(s, s == 0 ? pair.src : pair.tgt, ids[s], &unk[s]);
      if (ids[s].empty()) {
        stats.skips.skip(SkipReason::EmptySide, reader.where(pair.line, s), std::string("empty ") + side_name[s] + " side");
        skipped = true;
      } else if (max_len[s] > 0 && static_cast<std::int64_t>(ids[s].size()) > max_len[s]) {
        stats.skips.skip(SkipReason::OverMaxLength, reader.where(pair.line, s),
                         std::string(side_name[s]) + " has " + std::to_string(ids[s].size()) +
                             " tokens, over the maximum of " + std::to_string(max_len[s]));
        skipped = true;
      }
    }
    if (skipped) continue;
    if (encoder.copies()) out.add(ids[0], ids[1], encoder.copy_ids());
    else out.add(ids[0], ids[1]);
    ++kept;
    ++stats.pairs_kept;
    stats.src_tokens += ids[0].size();
    stats.tgt_tokens += ids[1].size();
    for (int s = 0; s < 2; ++s) {
      stats.unk[s].tokens += unk[s].tokens;
      stats.unk[s].unknown += unk[s].unknown;
    }
  }
  return true;
}

Dataset load_dataset(const CorpusSpec& spec, PairEncoder& encoder, const LoadOptions& options, LoadStats* stats) {
  auto reader = open_pairs(spec, options.lines);
  Dataset data(encoder.max_vocab_size(), encoder.copies());
  LoadStats local;
  load_pairs(*reader, encoder, options, data, local);
  S2S_CHECK(!data.empty(), spec.str(), ": no usable pairs (", local.pairs_read, " read, ", local.skips.total(),
            " skipped: empty side, over-long line or over the maximum length)");
  if (stats) *stats = local;
  return data;
}

}  // namespace s2s::data
