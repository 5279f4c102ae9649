// s2s.Vocab and s2s.Tokenizer: data::Vocab and data::Tokenizer as Python
// objects. A Translator hands out its models' own (kept alive with it).
#include <pybind11/stl.h>

#include "s2s/data/spm_tokenizer.h"
#include "s2s/data/tokenizer.h"
#include "s2s/data/vocab.h"
#include "s2s/python/common.h"

namespace s2s::python {

void bind_vocab(py::module_& m) {
  py::class_<data::Vocab>(m, "Vocab",
                          "Token <-> id mapping of a model side. Ids 0-3 are <pad>, <s>, </s>, <unk>; unknown tokens map "
                          "to <unk>. Translator.source_vocab / target_vocab give a model's own; Vocab.load reads a "
                          "vocabulary file (token<TAB>count per line).")
      .def_static(
          "load", [](const py::object& path) { return data::Vocab::load(option_text("Vocab.load: path", path)); },
          py::arg("path"), "Reads a vocabulary file (src.vocab, tgt.vocab, shared.vocab of a model directory).")
      .def("__len__", &data::Vocab::size)
      .def("__contains__", [](const data::Vocab& v, const std::string& t) { return v.contains(t); })
      .def("id", [](const data::Vocab& v, const std::string& t) { return v.id(t); }, py::arg("token"),
           "The id of `token` (3, <unk>, when it is not in the vocabulary).")
      .def(
          "token",
          [](const data::Vocab& v, std::int32_t id) {
            if (id < 0 || id >= v.size()) throw py::index_error("Vocab.token: id " + std::to_string(id) + " is outside 0.." + std::to_string(v.size() - 1));
            return v.token(id);
          },
          py::arg("id"), "The token of `id`.")
      .def(
          "count",
          [](const data::Vocab& v, std::int32_t id) {
            if (id < 0 || id >= v.size()) throw py::index_error("Vocab.count: id " + std::to_string(id) + " is outside 0.." + std::to_string(v.size() - 1));
            return v.count(id);
          },
          py::arg("id"), "How often the token of `id` occurred in the training data.")
      .def(
          "encode",
          [](const data::Vocab& v, const std::vector<std::string>& tokens) {
            std::vector<std::int32_t> ids;
            v.encode(tokens, ids);
            return ids;
          },
          py::arg("tokens"), "Ids of `tokens` (unknown ones: 3, <unk>).")
      .def(
          "decode",
          [](const data::Vocab& v, const std::vector<std::int32_t>& ids, bool skip_reserved) {
            for (std::int32_t id : ids)
              if (id < 0 || id >= v.size()) throw py::index_error("Vocab.decode: id " + std::to_string(id) + " is outside 0.." + std::to_string(v.size() - 1));
            return v.decode(ids, skip_reserved);
          },
          py::arg("ids"), py::arg("skip_reserved") = false,
          "Tokens of `ids`; with skip_reserved, <pad>, <s> and </s> are left out.")
      .def_property_readonly(
          "tokens",
          [](const data::Vocab& v) {
            std::vector<std::string> out;
            for (std::int32_t id = 0; id < v.size(); ++id) out.push_back(v.token(id));
            return out;
          },
          "Every token in id order.")
      .def("__repr__", [](const data::Vocab& v) { return "<s2s.Vocab of " + std::to_string(v.size()) + " tokens>"; });

  py::class_<data::Tokenizer>(m, "Tokenizer",
                              "Splits text into a model's tokens and joins them back: 'char' (code points, a space "
                              "becomes U+2581), 'word' (space-separated tokens) or 'spm' (SentencePiece). "
                              "Translator.source_tokenizer / target_tokenizer give a model's own.")
      .def(py::init([](const std::string& type) { return data::make_simple_tokenizer(data::parse_tokenizer_type(type)); }),
           py::arg("type"), "A 'char' or 'word' tokenizer (SentencePiece ones: Tokenizer.load_spm).")
      .def_static(
          "load_spm",
          [](const py::object& path) -> std::unique_ptr<data::Tokenizer> {
            return data::SpmTokenizer::load(option_text("Tokenizer.load_spm: path", path));
          },
          py::arg("path"), "A SentencePiece tokenizer from a model file (src.spm.model of a model directory).")
      .def_property_readonly("type", [](const data::Tokenizer& t) { return std::string(data::tokenizer_type_name(t.type())); },
                             "'char', 'word' or 'spm'.")
      .def(
          "tokenize", [](const data::Tokenizer& t, const std::string& text) { return t.tokenize(text); }, py::arg("text"),
          "The tokens of `text`.")
      .def(
          "detokenize", [](const data::Tokenizer& t, const std::vector<std::string>& tokens) { return t.detokenize(tokens); },
          py::arg("tokens"), "The text of `tokens`.")
      .def("__repr__", [](const data::Tokenizer& t) {
        return "<s2s.Tokenizer " + std::string(data::tokenizer_type_name(t.type())) + ">";
      });
}

}  // namespace s2s::python
