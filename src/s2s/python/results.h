#pragma once
// The result objects of s2s.Translator (results.cc).
#include "s2s/python/common.h"
#include "s2s/search/translator.h"

namespace s2s::python {

struct ResultOptions {
  bool scores = false, alignments = false, attention = false;
  bool pretokenized = false;  // the source was given as tokens: `source` is them joined by spaces
};

// One sentence's s2s.TranslationResult (t.error must be empty).
py::object make_result(search::Translation&& t, const ResultOptions& options);

void bind_results(py::module_& m);

}  // namespace s2s::python
