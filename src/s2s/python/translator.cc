// s2s.Translator: model directories loaded once (one model or an ensemble)
// and decoded by search::Translator, as `s2s translate` decodes them. The
// decoding keyword arguments become the program's options and go through
// its parser and checks (cli/decode_options.h), so both accept and refuse
// the same values with the same messages.
//
// Threads: the models are shared, and each search::Translator (its Ensemble,
// decoder states and packed weights, for one set of options) comes from a
// pool of idle ones. Decoding itself is serialized per Translator: a model
// keeps step buffers of its own (RnnEncoderDecoder::step_loop_ and the
// like), so two decodes of one model must not overlap. Each call uses the
// OpenMP threads; the GIL is released while it waits and while it decodes.
#include <pybind11/stl.h>

#include <map>
#include <mutex>
#include <numeric>
#include <tuple>

#include "s2s/cli/args.h"
#include "s2s/cli/decode_options.h"
#include "s2s/core/error.h"
#include "s2s/core/parallel.h"
#include "s2s/python/common.h"
#include "s2s/python/results.h"

namespace s2s::python {

namespace {

// Pre-tokenized sentences travel through search::Translator as their tokens
// joined with U+001F (a control character no tokenizer produces), which
// this tokenizer splits again; detokenizing is the model's own.
constexpr char kTokenSeparator = '\x1f';

class PretokenizedTokenizer final : public data::Tokenizer {
 public:
  explicit PretokenizedTokenizer(const data::Tokenizer& model) : model_(model) {}
  data::TokenizerType type() const override { return model_.type(); }  // ensembles compare it
  void tokenize(std::string_view text, data::TokenList& out) const override {
    out.clear();
    if (text.empty()) return;
    for (std::size_t start = 0;;) {
      std::size_t end = text.find(kTokenSeparator, start);
      out.push(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
      if (end == std::string_view::npos) return;
      start = end + 1;
    }
  }
  std::string detokenize(std::span<const std::string> tokens) const override { return model_.detokenize(tokens); }

 private:
  const data::Tokenizer& model_;
};

// Python keyword -> the program's option (docs/python.md lists them).
struct OptionName {
  const char* python;
  const char* cli;
};
constexpr OptionName kDecodeOptions[] = {
    {"beam_size", "beam"},          {"n_best", "n-best"},
    {"batch_size", "batch"},        {"max_length", "max-length"},
    {"max_length_ratio", "max-length-ratio"}, {"max_length_extra", "max-length-extra"},
    {"min_length", "min-length"},   {"min_length_ratio", "min-length-ratio"},
    {"length_penalty", "length-penalty"}, {"alpha", "alpha"},
    {"coverage_penalty", "coverage-penalty"}, {"no_repeat_ngram", "no-repeat-ngram"},
    {"sampling", "sampling"},       {"temperature", "temperature"},
    {"top_k", "top-k"},             {"top_p", "top-p"},
    {"seed", "seed"},               {"replace_unk", "replace-unk"},
    {"phrase_table", "phrase-table"},
};
constexpr const char* kCommand = "s2s translate";  // errors read as the program's

struct CallOptions {
  search::TranslatorOptions options;
  std::string phrase_table;
};

CallOptions parse_decode_kwargs(const py::kwargs& kwargs, const char* method) {
  std::vector<std::string> argv;
  for (auto [key, value] : kwargs) {
    const std::string name = key.cast<std::string>();
    const OptionName* found = nullptr;
    for (const OptionName& o : kDecodeOptions)
      if (name == o.python) found = &o;
    if (!found) {
      std::string names;
      for (const OptionName& o : kDecodeOptions) names += std::string(names.empty() ? "" : ", ") + o.python;
      throw py::type_error(std::string(method) + "() got an unexpected keyword argument '" + name +
                           "' (decoding options: " + names + ")");
    }
    add_option(argv, found->cli, name, value);
  }
  cli::Args args(kCommand, "");
  cli::add_decode_options(args);
  args.parse(argv);
  return {cli::read_decode_options(kCommand, args), args.get_string("phrase-table")};
}

// The sentences of a call: str each (text), or list[str] each (tokens).
struct Sources {
  std::vector<std::string> lines;
  bool pretokenized = false;
};

Sources read_sources(const py::handle& sources, const char* what) {
  if (py::isinstance<py::str>(sources) || py::isinstance<py::bytes>(sources) || !py::isinstance<py::sequence>(sources))
    throw py::type_error(std::string(what) + ": expected a list of sentences (str) or of token lists (list[str]), got " +
                         py::str(py::type::handle_of(sources).attr("__name__")).cast<std::string>());
  Sources out;
  const auto seq = py::reinterpret_borrow<py::sequence>(sources);
  std::size_t i = 0;
  for (py::handle item : seq) {
    const bool text = py::isinstance<py::str>(item);
    const bool tokens = !text && py::isinstance<py::sequence>(item) && !py::isinstance<py::bytes>(item);
    if ((!text && !tokens) || (i > 0 && tokens != out.pretokenized))
      throw py::type_error(std::string(what) + "[" + std::to_string(i) + "]: expected " +
                           (i == 0 ? "a sentence (str) or a token list (list[str])"
                                   : out.pretokenized ? "a token list (list[str]) like the first" : "a sentence (str) like the first") +
                           ", got " + py::str(py::type::handle_of(item).attr("__name__")).cast<std::string>());
    if (i == 0) out.pretokenized = tokens;
    if (text) {
      out.lines.push_back(item.cast<std::string>());
    } else {
      std::string line;
      std::size_t k = 0;
      for (py::handle token : py::reinterpret_borrow<py::sequence>(item)) {
        if (!py::isinstance<py::str>(token))
          throw py::type_error(std::string(what) + "[" + std::to_string(i) + "][" + std::to_string(k) + "]: expected a token (str)");
        std::string t = token.cast<std::string>();
        S2S_CHECK(!t.empty() && t.find(kTokenSeparator) == std::string::npos, what, "[", i, "][", k,
                  "]: a token must be non-empty and hold no U+001F");
        if (k++) line += kTokenSeparator;
        line += t;
      }
      out.lines.push_back(std::move(line));
    }
    ++i;
  }
  return out;
}

// The calling thread's OpenMP thread count for one call (it is per thread).
struct ThreadsGuard {
  int before = num_threads();
  explicit ThreadsGuard(int n) {
    if (n > 0) set_num_threads(n);
  }
  ~ThreadsGuard() { set_num_threads(before); }
};

class Translator {
 public:
  Translator(const py::object& model_dirs, int threads, const std::string& compute_type) : threads_(threads) {
    if (py::isinstance<py::str>(model_dirs) || py::hasattr(model_dirs, "__fspath__")) {
      dirs_.push_back(option_text("Translator: model_dir", model_dirs));
    } else {
      for (py::handle d : model_dirs) dirs_.push_back(option_text("Translator: model_dir", d));
    }
    S2S_CHECK(!dirs_.empty(), "Translator: no model directory given (a directory, or a list of them for an ensemble)");
    S2S_CHECK(threads >= 0, kCommand, ": --threads must be >= 0 (0: all cores), got ", threads);
    // One type for every model, or "fp32,int8" with one per model, as --compute-type takes it.
    const std::vector<kernels::ComputeType> types = cli::read_compute_types(kCommand, compute_type, dirs_);
    py::gil_scoped_release release;
    for (std::size_t m = 0; m < dirs_.size(); ++m) models_.push_back(io::load_model_dir(dirs_[m], types[m]));
    codecs_ = cli::model_codecs(models_, types);
    for (const search::ModelCodec& c : codecs_) {
      pretokenizers_.push_back(std::make_unique<PretokenizedTokenizer>(*c.src_tokenizer));
      pretokenizers_.push_back(std::make_unique<PretokenizedTokenizer>(*c.tgt_tokenizer));
      search::ModelCodec p = c;
      p.src_tokenizer = pretokenizers_[pretokenizers_.size() - 2].get();
      p.tgt_tokenizer = pretokenizers_.back().get();
      pretokenized_codecs_.push_back(p);
    }
    give_back(Key{}, make(Key{}));  // checks now that the models can be ensembled
  }

  py::list translate_batch(const py::object& sources, bool return_scores, bool return_alignments, bool return_attention,
                           std::int64_t first_id, const py::kwargs& kwargs) {
    Sources in = read_sources(sources, "sources");
    CallOptions call = parse_decode_kwargs(kwargs, "translate_batch");
    S2S_CHECK(first_id >= 0, "translate_batch: first_id must be >= 0, got ", first_id);
    const search::TranslatorOptions& o = call.options;
    const bool needs_attention = return_alignments || return_attention || o.replace_unk || o.search.coverage_beta > 0.0f;
    S2S_CHECK(!needs_attention || has_attention(), kCommand,
              ": alignments, attention plots, --replace-unk and --coverage-penalty need models with attention");
    Key key{o.batch_size, return_alignments, return_attention, o.replace_unk, call.phrase_table, in.pretokenized};
    std::vector<search::Translation> done;
    InterruptPoll poll;
    {
      py::gil_scoped_release release;
      std::lock_guard decoding(decode_mutex_);
      ThreadsGuard threads(threads_);
      Lease lease(*this, key);
      search::SearchOptions so = o.search;
      so.cancelled = [&poll] { return poll(); };
      std::vector<std::int64_t> ids(in.lines.size());
      std::iota(ids.begin(), ids.end(), first_id);
      try {
        done = lease.translator->translate(in.lines, ids, so);
      } catch (const search::Cancelled&) {
        if (!poll.raised()) throw;
      }
    }
    if (poll.raised()) throw py::error_already_set();  // KeyboardInterrupt (or what a signal handler raised)
    py::list out;
    for (std::size_t i = 0; i < done.size(); ++i) {
      S2S_CHECK(done[i].error.empty(), kCommand, ": sources[", i, "]: ", done[i].error);
      out.append(make_result(std::move(done[i]), {return_scores, return_alignments, return_attention, in.pretokenized}));
    }
    return out;
  }

  std::vector<search::ForcedScore> score(const py::object& sources, const py::object& targets, std::int64_t batch_size) {
    Sources src = read_sources(sources, "sources"), tgt = read_sources(targets, "targets");
    S2S_CHECK(src.lines.empty() || tgt.lines.empty() || src.pretokenized == tgt.pretokenized,
              "score: sources and targets must both be sentences (str) or both token lists (list[str])");
    S2S_CHECK(batch_size >= 1, kCommand, ": --batch must be at least 1, got ", batch_size);
    Key key;
    key.batch_size = batch_size;
    key.pretokenized = src.pretokenized || tgt.pretokenized;
    py::gil_scoped_release release;
    std::lock_guard decoding(decode_mutex_);
    ThreadsGuard threads(threads_);
    Lease lease(*this, key);
    return lease.translator->score(src.lines, tgt.lines);
  }

  bool has_attention() const {
    for (const io::ModelDir& m : models_)
      if (!m.model->has_alignments()) return false;
    return true;
  }

  const io::ModelDir& first() const { return models_[0]; }
  const std::vector<std::string>& dirs() const { return dirs_; }
  std::vector<std::string> descriptions() const {
    std::vector<std::string> out;
    for (const io::ModelDir& m : models_) out.push_back(m.model->describe());
    return out;
  }
  int threads() const { return threads_; }

  std::vector<std::int32_t> encode(const std::string& text) const {
    const search::ModelCodec& c = codecs_[0];
    std::vector<std::int32_t> ids;
    c.src_vocab->encode(c.src_tokenizer->tokenize(text), ids);
    if (c.src_eos) ids.push_back(data::kEosId);
    return ids;
  }

  std::string decode(const std::vector<std::int32_t>& ids) const {
    const search::ModelCodec& c = codecs_[0];
    for (std::int32_t id : ids)
      if (id < 0 || id >= c.tgt_vocab->size())
        throw py::index_error("decode: id " + std::to_string(id) + " is outside 0.." + std::to_string(c.tgt_vocab->size() - 1));
    return c.tgt_tokenizer->detokenize(c.tgt_vocab->decode(ids, true));
  }

 private:
  struct Key {
    std::int64_t batch_size = 32;
    bool alignments = false, keep_attention = false, replace_unk = false;
    std::string phrase_table;
    bool pretokenized = false;
    auto tie() const { return std::tie(batch_size, alignments, keep_attention, replace_unk, phrase_table, pretokenized); }
    bool operator<(const Key& k) const { return tie() < k.tie(); }
  };

  std::unique_ptr<search::Translator> make(const Key& k) {
    search::TranslatorOptions o;
    o.batch_size = k.batch_size;
    o.alignments = k.alignments;
    o.keep_attention = k.keep_attention;
    o.replace_unk = k.replace_unk;
    if (!k.phrase_table.empty()) {
      std::lock_guard lock(mutex_);
      auto& table = phrase_tables_[k.phrase_table];
      if (!table) table = std::make_unique<search::PhraseTable>(search::PhraseTable::load(k.phrase_table));
      o.phrase_table = table.get();
    }
    return std::make_unique<search::Translator>(k.pretokenized ? pretokenized_codecs_ : codecs_, o);
  }

  std::unique_ptr<search::Translator> take(const Key& k) {
    {
      std::lock_guard lock(mutex_);
      auto& idle = pool_[k];
      if (!idle.empty()) {
        auto t = std::move(idle.back());
        idle.pop_back();
        return t;
      }
    }
    return make(k);
  }

  void give_back(const Key& k, std::unique_ptr<search::Translator> t) {
    std::lock_guard lock(mutex_);
    pool_[k].push_back(std::move(t));
  }

  struct Lease {
    Translator& owner;
    Key key;
    std::unique_ptr<search::Translator> translator;
    Lease(Translator& o, Key k) : owner(o), key(std::move(k)), translator(owner.take(key)) {}
    ~Lease() { owner.give_back(key, std::move(translator)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
  };

  std::vector<std::string> dirs_;
  int threads_ = 0;
  std::vector<io::ModelDir> models_;
  std::vector<search::ModelCodec> codecs_, pretokenized_codecs_;
  std::vector<std::unique_ptr<PretokenizedTokenizer>> pretokenizers_;
  std::mutex decode_mutex_;  // one decode at a time: the models' step buffers are theirs
  std::mutex mutex_;         // the pool and the phrase tables
  std::map<Key, std::vector<std::unique_ptr<search::Translator>>> pool_;
  std::map<std::string, std::unique_ptr<search::PhraseTable>> phrase_tables_;
};

}  // namespace

void bind_translator(py::module_& m) {
  bind_results(m);
  py::class_<Translator>(m, "Translator",
                         "A model directory, or a list of them decoded as an ensemble (their log-probabilities "
                         "averaged), loaded once. Calls may come from several Python threads at once: the model is "
                         "shared, calls decode one at a time (each on all its threads), and the GIL is released "
                         "while a call waits or decodes.")
      .def(py::init<const py::object&, int, const std::string&>(), py::arg("model_dir"), py::arg("threads") = 0,
           py::arg("compute_type") = "auto",
           "model_dir: a model directory (s2s train's --save-dir) or a list of them (an ensemble). threads: threads "
           "per call (0: all cores). compute_type: 'fp32', 'int8', 'bf16' or 'auto', the type the model is stored "
           "in (as s2s translate --compute-type; a comma-separated list gives one per model).")
      .def("translate_batch", &Translator::translate_batch, py::arg("sources"), py::kw_only(),
           py::arg("return_scores") = false, py::arg("return_alignments") = false, py::arg("return_attention") = false,
           py::arg("first_id") = 0,
           "Translates sentences (str) or pre-tokenized sentences (list[str]) and returns one TranslationResult "
           "each, in order. Decoding options are those of `s2s translate`: beam_size=5, n_best=1, batch_size=32, "
           "max_length=256, max_length_ratio=2.0, max_length_extra=10, min_length=0, min_length_ratio=0.0, "
           "length_penalty='average', alpha=0.6, coverage_penalty=0.0, no_repeat_ngram=0, sampling=False, "
           "temperature=1.0, top_k=0, top_p=1.0, seed=0, replace_unk=False, phrase_table=None. first_id numbers "
           "the sentences (as the program numbers input lines from 0; sampling draws from it).")
      .def("score", &Translator::score, py::arg("sources"), py::arg("targets"), py::kw_only(), py::arg("batch_size") = 32,
           "Teacher-forced log-probability of each target given its source: list[ScoreResult].")
      .def("encode", &Translator::encode, py::arg("text"),
           "The source ids the model reads for `text` (its tokenizer and vocabulary; </s> last when it appends one).")
      .def("decode", &Translator::decode, py::arg("ids"),
           "The text of target ids (reserved ids <pad>, <s>, </s> left out), as outputs are detokenized.")
      .def_property_readonly("model_dirs", &Translator::dirs, "The model directories.")
      .def_property_readonly("descriptions", &Translator::descriptions, "Each model's one-line description.")
      .def_property_readonly("has_attention", &Translator::has_attention,
                             "True when every model has attention (alignments, attention, replace_unk need it).")
      .def_property_readonly("threads", &Translator::threads, "Threads per call (0: all cores).")
      .def_property_readonly(
          "source_vocab", [](const Translator& t) { return t.first().vocab.src_vocab.get(); },
          py::return_value_policy::reference_internal, "The first model's source Vocab.")
      .def_property_readonly(
          "target_vocab", [](const Translator& t) { return t.first().vocab.tgt_vocab.get(); },
          py::return_value_policy::reference_internal, "The first model's target Vocab.")
      .def_property_readonly(
          "source_tokenizer", [](const Translator& t) { return t.first().vocab.src_tokenizer.get(); },
          py::return_value_policy::reference_internal, "The first model's source Tokenizer.")
      .def_property_readonly(
          "target_tokenizer", [](const Translator& t) { return t.first().vocab.tgt_tokenizer.get(); },
          py::return_value_policy::reference_internal, "The first model's target Tokenizer.")
      .def("__repr__", [](const Translator& t) {
        std::string dirs;
        for (const std::string& d : t.dirs()) dirs += (dirs.empty() ? "" : ", ") + d;
        return "<s2s.Translator " + dirs + ">";
      });
}

}  // namespace s2s::python
