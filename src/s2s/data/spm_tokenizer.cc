#include "s2s/data/spm_tokenizer.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <charconv>

#include "s2s/core/error.h"
#include "s2s/core/one_line.h"
#include "s2s/data/file_util.h"
#include "s2s/data/spm_model_check.h"
#include "s2s/data/vocab.h"

// Declared in SentencePiece's internal common.h, exported by the library:
// silences its training log, which would otherwise flood stderr.
namespace sentencepiece::logging {
void SetMinLogLevel(int v);
}

namespace s2s::data {

namespace {

class FunctionIterator final : public sentencepiece::SentenceIterator {
 public:
  explicit FunctionIterator(const std::function<bool(std::string&)>& next) : next_(next) { Next(); }
  bool done() const override { return done_; }
  void Next() override { done_ = !next_(value_); }
  const std::string& value() const override { return value_; }
  sentencepiece::util::Status status() const override { return {}; }

 private:
  const std::function<bool(std::string&)>& next_;
  std::string value_;
  bool done_ = false;
};

// A SentencePiece status message without what only its developers can use:
// "Internal: ./src/x.cc(232) [check] text" -> "text" (possibly empty).
std::string spm_text(const std::string& message) {
  std::string m = message;
  for (const char* code : {"Internal: ", "INTERNAL: "})
    if (m.starts_with(code)) m.erase(0, std::string(code).size());
  if (std::size_t at = m.find(".cc("); at != std::string::npos) {
    if (std::size_t check = m.find(") [", at); check != std::string::npos) {
      std::size_t end = m.find("] ", check);
      m = end == std::string::npos ? std::string() : m.substr(end + 2);
    }
  }
  while (!m.empty() && m.back() == ' ') m.pop_back();
  return m;
}

// " (text)" when SentencePiece said something beyond its internals, else "".
std::string spm_detail(const sentencepiece::util::Status& status) {
  std::string t = spm_text(status.error_message());
  return t.empty() ? std::string() : " (" + t + ")";
}

// The number after `key` in `text`, or -1.
long long number_after(const std::string& text, const std::string& key) {
  std::size_t at = text.find(key);
  if (at == std::string::npos) return -1;
  long long v = -1;
  auto [end, ec] = std::from_chars(text.data() + at + key.size(), text.data() + text.size(), v);
  return ec == std::errc() ? v : -1;
}

// SentencePiece reports "Internal: src/trainer_interface.cc(660) [check] text"
// naming its own flags (--character_coverage); say instead what happened in
// s2s's terms and which s2s option fixes it.
std::string spm_training_error(const std::string& message, const SpmTrainOptions& o) {
  const std::string& opt = o.size_option;
  const std::string asked = detail::concat(o.vocab_size, o.vocab_size == 8000 ? " (the default)" : "");
  if (long long most = number_after(message, "Please set it to a value <= "); most >= 0)
    return detail::concat("SentencePiece: the corpus yields at most ", most, " pieces, fewer than the ", asked,
                          " asked for: set ", opt, " to ", most, " or less");
  if (long long least = number_after(message, std::to_string(o.vocab_size) + " vs "); least >= 0 &&
      message.find("smaller than required_chars") != std::string::npos)
    return detail::concat("SentencePiece: ", asked, " pieces cannot hold every character of the corpus and the reserved "
                          "tokens: set ", opt, " to at least ", least);
  if (message.find("sentences_.empty()") != std::string::npos) return "SentencePiece: no sentences to train on";
  std::string text = spm_text(message);
  return "SentencePiece training failed" + (text.empty() ? std::string() : ": " + text);
}

}  // namespace

SpmTokenizer::SpmTokenizer(std::unique_ptr<sentencepiece::SentencePieceProcessor> sp) : sp_(std::move(sp)) {}
SpmTokenizer::~SpmTokenizer() = default;

std::unique_ptr<SpmTokenizer> SpmTokenizer::from_serialized(const std::string& bytes, const std::string& origin) {
  auto sp = std::make_unique<sentencepiece::SentencePieceProcessor>();
  sentencepiece::util::Status status;
  check_spm_charsmaps(bytes, origin);  // loading runs the model's self-test, which reads the maps
  try {
    status = sp->LoadFromSerializedProto(bytes);
  } catch (const std::exception& e) {
    // SentencePiece's trie builder throws on some malformed models (an empty
    // piece: found by fuzz/models/spm_model_fuzz.cc) instead of returning a status.
    fail(origin, ": not a valid SentencePiece model (", one_line(e.what()), ")");
  }
  if (!status.ok()) fail(origin, ": not a valid SentencePiece model", spm_detail(status));
  S2S_CHECK(sp->GetPieceSize() > 3 && sp->pad_id() == 0 && sp->bos_id() == 1 && sp->eos_id() == 2 && sp->unk_id() == 3,
            origin, ": SentencePiece model must reserve ids <pad>=0 <s>=1 </s>=2 <unk>=3 (train it with s2s vocab --type spm)");
  return std::unique_ptr<SpmTokenizer>(new SpmTokenizer(std::move(sp)));
}

std::unique_ptr<SpmTokenizer> SpmTokenizer::load(const std::string& path) { return from_serialized(read_file(path), path); }

std::unique_ptr<SpmTokenizer> SpmTokenizer::train(const std::function<bool(std::string&)>& next,
                                                  const SpmTrainOptions& o) {
  S2S_CHECK(o.model_type == "unigram" || o.model_type == "bpe", "spm: unknown model type '", o.model_type,
            "' (expected unigram or bpe)");
  S2S_CHECK(o.vocab_size > 4, "spm: vocabulary size must be above 4 (the reserved pieces), got ", o.vocab_size);
  std::unordered_map<std::string, std::string> args = {
      {"model_type", o.model_type},
      {"vocab_size", std::to_string(o.vocab_size)},
      {"character_coverage", std::to_string(o.character_coverage)},
      {"input_sentence_size", std::to_string(o.max_sentences)},
      {"shuffle_input_sentence", "true"},
      {"pad_id", "0"}, {"bos_id", "1"}, {"eos_id", "2"}, {"unk_id", "3"},
      {"num_threads", "1"},
  };
  sentencepiece::SetRandomGeneratorSeed(o.seed);  // sentence sampling
  sentencepiece::logging::SetMinLogLevel(2);
  FunctionIterator it(next);
  std::string proto;
  auto status = sentencepiece::SentencePieceTrainer::Train(args, &it, &proto);
  if (!status.ok()) fail(spm_training_error(status.error_message(), o));
  return from_serialized(proto, "trained SentencePiece model");
}

void SpmTokenizer::tokenize(std::string_view text, TokenList& out) const {
  out.clear();
  std::vector<std::string> pieces;
  auto status = sp_->Encode(text, &pieces);
  if (!status.ok()) fail("SentencePiece cannot encode the text", spm_detail(status));
  for (const std::string& p : pieces) out.push(p);
}

std::string SpmTokenizer::detokenize(std::span<const std::string> tokens) const {
  std::vector<std::string> pieces(tokens.begin(), tokens.end());
  std::string text;
  auto status = sp_->Decode(pieces, &text);
  if (!status.ok()) fail("SentencePiece cannot decode the pieces", spm_detail(status));
  return text;
}

int SpmTokenizer::piece_count() const { return sp_->GetPieceSize(); }
std::string SpmTokenizer::piece(int id) const { return sp_->IdToPiece(id); }
std::string SpmTokenizer::serialized() const { return sp_->serialized_model_proto(); }
void SpmTokenizer::save(const std::string& path) const { write_file(path, serialized()); }

std::string spm_model_path_for(const std::string& vocab_path) { return vocab_path + ".spm"; }

void copy_spm_model(const std::string& model_path, const std::string& model_dir) {
  std::string bytes = read_file(model_path);
  SpmTokenizer::from_serialized(bytes, model_path);  // refuse to copy something that is not a model
  write_file(model_dir + "/" + kSpmModelFile, bytes);
}

std::unique_ptr<SpmTokenizer> load_spm_from_dir(const std::string& model_dir) {
  return SpmTokenizer::load(model_dir + "/" + kSpmModelFile);
}

void check_vocab_matches_spm(const Vocab& vocab, const SpmTokenizer& spm, const std::string& vocab_origin,
                             const std::string& spm_origin) {
  S2S_CHECK(vocab.size() == spm.piece_count(), vocab_origin, " has ", vocab.size(), " tokens but SentencePiece model ",
            spm_origin, " has ", spm.piece_count(), " pieces");
  for (int id = 0; id < vocab.size(); ++id)
    S2S_CHECK(vocab.token(id) == spm.piece(id), vocab_origin, " does not match SentencePiece model ", spm_origin,
              ": id ", id, " is '", vocab.token(id), "' in the vocabulary and '", spm.piece(id), "' in the model");
}

}  // namespace s2s::data
