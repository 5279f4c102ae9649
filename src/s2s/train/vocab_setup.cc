#include "s2s/train/vocab_setup.h"

#include "s2s/core/error.h"
#include "s2s/data/spm_tokenizer.h"
#include "s2s/data/vocab_build.h"

namespace s2s::train {

namespace {

struct Side {
  std::shared_ptr<data::Tokenizer> tokenizer;
  std::shared_ptr<data::Vocab> vocab;
};

// The vocabulary of a SentencePiece model: its pieces in id order.
data::Vocab vocab_of_spm(const data::SpmTokenizer& spm) {
  data::Vocab v;
  for (int id = data::kNumReserved; id < spm.piece_count(); ++id) v.add(spm.piece(id), 0);
  return v;
}

Side prepare_side(const DataOptions& o, const std::string& name, data::Side which, std::vector<std::string>* messages) {
  bool src = which != data::Side::Tgt;
  const std::string& type_name = src ? o.src_tokenizer : o.tgt_tokenizer;
  const std::string& vocab_path = src ? o.src_vocab : o.tgt_vocab;
  const std::string& spm_path = src ? o.src_spm_model : o.tgt_spm_model;
  std::int64_t size = src ? o.src_vocab_size : o.tgt_vocab_size;
  data::TokenizerType type = data::parse_tokenizer_type(type_name);
  auto say = [&](const std::string& m) {
    if (messages) messages->push_back(name + ": " + m);
  };
  Side side;
  if (type == data::TokenizerType::Spm && (!spm_path.empty() || !vocab_path.empty())) {
    std::string model = !spm_path.empty() ? spm_path : data::spm_model_path_for(vocab_path);
    std::shared_ptr<data::SpmTokenizer> spm = data::SpmTokenizer::load(model);
    side.vocab = std::make_shared<data::Vocab>(vocab_path.empty() ? vocab_of_spm(*spm) : data::Vocab::load(vocab_path));
    if (!vocab_path.empty()) data::check_vocab_matches_spm(*side.vocab, *spm, vocab_path, model);
    side.tokenizer = spm;
    say(detail::concat("SentencePiece model ", model, ", ", side.vocab->size(), " pieces"));
    return side;
  }
  if (type != data::TokenizerType::Spm) side.tokenizer = data::make_simple_tokenizer(type);
  if (!vocab_path.empty()) {
    side.vocab = std::make_shared<data::Vocab>(data::Vocab::load(vocab_path));
    say(detail::concat(type_name, " vocabulary ", vocab_path, ", ", side.vocab->size(), " tokens"));
    return side;
  }
  S2S_CHECK(!o.train.empty(), "data.train: no training corpus given (--data.train FILE)");
  data::VocabBuildOptions b;
  b.type = type;
  b.side = which;
  b.strict = o.strict;
  b.limits.min_freq = o.min_freq;
  S2S_CHECK(size <= INT32_MAX, "data.", src ? "src" : "tgt", "_vocab_size: too large (", size, ")");
  b.limits.max_size = static_cast<std::int32_t>(size);
  b.spm.model_type = o.spm_type;
  b.spm.vocab_size = size > 0 ? static_cast<int>(size) : 8000;
  b.spm.size_option = which == data::Side::Both ? "data.vocab_size (--vocab-size)"
                      : src                     ? "data.src_vocab_size"
                                                : "data.tgt_vocab_size";
  data::VocabBuildResult r = data::build_vocab(data::CorpusSpec::parse(o.train), b);
  side.vocab = std::make_shared<data::Vocab>(std::move(r.vocab));
  if (r.spm) {
    side.tokenizer = std::move(r.spm);
    say(detail::concat("trained a ", o.spm_type, " SentencePiece model of ", side.vocab->size(), " pieces on ", r.sentences,
                       " sentences"));
  } else {
    const auto& rep = r.report;
    double coverage = rep.occurrences ? 100.0 * static_cast<double>(rep.covered) / static_cast<double>(rep.occurrences) : 0.0;
    say(detail::concat("built a ", type_name, " vocabulary of ", side.vocab->size(), " tokens from ", rep.distinct,
                       " distinct (", coverage, "% of ", rep.occurrences, " occurrences covered)"));
  }
  return side;
}

}  // namespace

Vocabularies prepare_vocabularies(const DataOptions& o, std::vector<std::string>* messages) {
  Vocabularies v;
  v.shared = o.shared_vocab;
  if (o.shared_vocab) {
    S2S_CHECK(o.src_vocab == o.tgt_vocab || o.tgt_vocab.empty(), "data.shared_vocab: give one vocabulary (data.src_vocab), not two");
    Side s = prepare_side(o, "shared vocabulary", data::Side::Both, messages);
    v.src_tokenizer = v.tgt_tokenizer = s.tokenizer;
    v.src_vocab = v.tgt_vocab = s.vocab;
    return v;
  }
  Side s = prepare_side(o, "source", data::Side::Src, messages);
  Side t = prepare_side(o, "target", data::Side::Tgt, messages);
  v.src_tokenizer = s.tokenizer, v.src_vocab = s.vocab;
  v.tgt_tokenizer = t.tokenizer, v.tgt_vocab = t.vocab;
  return v;
}

}  // namespace s2s::train
