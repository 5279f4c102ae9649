// What s2s.Translator returns: s2s.TranslationResult, s2s.Hypothesis and
// s2s.ScoreResult, built from search::Translation once decoding is done
// (with the GIL held), alignments and attention as numpy arrays.
#include "s2s/python/results.h"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstring>

#include "s2s/core/error.h"
#include "s2s/search/output_format.h"

namespace s2s::python {

namespace {

struct Hypothesis {
  std::string text;
  std::vector<std::string> tokens;
  py::object score, log_prob, alignment, attention;
};

struct TranslationResult {
  std::int64_t id = 0;
  std::string source;
  std::vector<std::string> source_tokens;
  py::list hypotheses;
  search::Translation translation;  // for format(); attention moved out
  bool alignments = false;
};

py::array alignment_array(const search::TranslatedHypothesis& h) {
  py::array_t<std::int32_t> a({static_cast<py::ssize_t>(h.alignment.size()), py::ssize_t{2}});
  auto v = a.mutable_unchecked<2>();
  for (std::size_t j = 0; j < h.alignment.size(); ++j) {
    v(static_cast<py::ssize_t>(j), 0) = h.alignment[j].first;
    v(static_cast<py::ssize_t>(j), 1) = h.alignment[j].second;
  }
  return a;
}

py::array attention_array(const search::TranslatedHypothesis& h, std::size_t src_len) {
  const std::size_t rows = src_len == 0 ? 0 : h.attention.size() / src_len;
  py::array_t<float> a({static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(src_len)});
  if (rows) std::memcpy(a.mutable_data(), h.attention.data(), rows * src_len * sizeof(float));
  return a;
}

std::string format_result(const TranslationResult& r, const std::string& format, const py::object& alignments) {
  search::FormatOptions f;
  f.format = search::parse_output_format(format);
  f.alignments = alignments.is_none() ? r.alignments : alignments.cast<bool>();
  S2S_CHECK(!f.alignments || r.alignments, "format: this result holds no alignments (translate with return_alignments=True)");
  return search::format_translation(r.translation, f);
}

}  // namespace

py::object make_result(search::Translation&& t, const ResultOptions& o) {
  TranslationResult r;
  r.id = t.id;
  r.source = o.pretokenized ? "" : t.source;
  r.source_tokens = t.src_tokens;
  r.alignments = o.alignments;
  for (search::TranslatedHypothesis& h : t.hypotheses) {
    Hypothesis p{h.text, h.tokens, py::none(), py::none(), py::none(), py::none()};
    if (o.scores) {
      p.score = py::float_(h.score);
      p.log_prob = py::float_(h.log_prob);
    }
    if (o.alignments) p.alignment = alignment_array(h);
    if (o.attention) p.attention = attention_array(h, t.src_tokens.size());
    h.attention.clear();  // the numpy copy is the one kept
    r.hypotheses.append(py::cast(std::move(p)));
  }
  if (o.pretokenized) {
    for (const std::string& tok : t.src_tokens) r.source += (r.source.empty() ? "" : " ") + tok;
    t.source = r.source;
  }
  r.translation = std::move(t);
  return py::cast(std::move(r));
}

void bind_results(py::module_& m) {
  py::class_<Hypothesis>(m, "Hypothesis", "One output for a source sentence.")
      .def_readonly("text", &Hypothesis::text, "The output, detokenized.")
      .def_readonly("tokens", &Hypothesis::tokens, "The output tokens (</s> not included).")
      .def_readonly("score", &Hypothesis::score, "The ranking score (length-normalised; return_scores=True), else None.")
      .def_readonly("log_prob", &Hypothesis::log_prob, "The summed log-probability, </s> included (return_scores=True), else None.")
      .def_readonly("alignment", &Hypothesis::alignment,
                    "int32 array [len(tokens), 2] of (source position, output position): each output token's most "
                    "attended source token (return_alignments=True), else None.")
      .def_readonly("attention", &Hypothesis::attention,
                    "float32 array [len(tokens) + 1, len(source_tokens)]: the attention weights of each output token, "
                    "the last row for </s> (return_attention=True), else None.")
      .def("__repr__", [](const Hypothesis& h) { return "<s2s.Hypothesis " + py::repr(py::str(h.text)).cast<std::string>() + ">"; });

  py::class_<TranslationResult>(m, "TranslationResult", "The outputs for one source sentence, best first.")
      .def_readonly("id", &TranslationResult::id, "The sentence's number (first_id + its index; sampling draws from it).")
      .def_readonly("source", &TranslationResult::source, "The source sentence (pre-tokenized: its tokens joined by spaces).")
      .def_readonly("source_tokens", &TranslationResult::source_tokens,
                    "The source tokens as the first model reads them (with </s> when it appends one).")
      .def_readonly("hypotheses", &TranslationResult::hypotheses, "list[Hypothesis], best first (n_best of them).")
      .def_property_readonly(
          "text",
          [](const TranslationResult& r) {
            return r.hypotheses.empty() ? std::string() : r.hypotheses[0].cast<const Hypothesis&>().text;
          },
          "The best hypothesis's text.")
      .def("format", &format_result, py::arg("format") = "text", py::arg("alignments") = py::none(),
           "The lines `s2s translate --format FORMAT` writes for this sentence ('text', 'nbest' or 'json'), each "
           "ending with a newline; alignments (default: when returned) appends them as --alignments does.")
      .def("__repr__", [](const TranslationResult& r) {
        return "<s2s.TranslationResult " + std::to_string(r.id) + ": " + py::repr(py::str(r.source)).cast<std::string>() + ">";
      });

  py::class_<search::ForcedScore>(m, "ScoreResult", "The log-probability a model gives a target sentence.")
      .def_readonly("log_prob", &search::ForcedScore::log_prob, "Natural log-probability of the target, </s> included.")
      .def_readonly("num_tokens", &search::ForcedScore::tokens, "Target tokens scored (+1 for </s>).")
      .def("__repr__", [](const search::ForcedScore& s) {
        return "<s2s.ScoreResult log_prob=" + search::number_text(s.log_prob) + " num_tokens=" + std::to_string(s.tokens) + ">";
      });

}

}  // namespace s2s::python
