// s2s.evaluate: metrics::evaluate, which `s2s eval --hyp --ref` prints.
#include <pybind11/stl.h>

#include "s2s/core/error.h"
#include "s2s/metrics/evaluate.h"
#include "s2s/python/common.h"

namespace s2s::python {

namespace {

std::vector<std::string> lines_of(const py::handle& seq, const std::string& what) {
  if (py::isinstance<py::str>(seq) || !py::isinstance<py::sequence>(seq))
    throw py::type_error(what + ": expected a list of sentences (str)");
  std::vector<std::string> out;
  for (py::handle item : seq) {
    if (!py::isinstance<py::str>(item))
      throw py::type_error(what + "[" + std::to_string(out.size()) + "]: expected a sentence (str), got " +
                           py::str(py::type::handle_of(item).attr("__name__")).cast<std::string>());
    out.push_back(item.cast<std::string>());
  }
  return out;
}

py::dict evaluate(const py::object& hyps_in, const py::object& refs_in, const py::object& metrics_in) {
  std::vector<std::string> hyps = lines_of(hyps_in, "hyps");
  // refs: one reference stream (list[str]) or several (list[list[str]]), as sacrebleu takes them.
  if (py::isinstance<py::str>(refs_in) || !py::isinstance<py::sequence>(refs_in))
    throw py::type_error("refs: expected a list of reference sentences (str), or a list of such lists");
  std::vector<std::vector<std::string>> refs;
  const auto seq = py::reinterpret_borrow<py::sequence>(refs_in);
  if (seq.size() > 0 && !py::isinstance<py::str>(seq[0])) {
    for (std::size_t k = 0; k < seq.size(); ++k) refs.push_back(lines_of(seq[k], "refs[" + std::to_string(k) + "]"));
  } else {
    refs.push_back(lines_of(seq, "refs"));
  }
  S2S_CHECK(!refs.empty(), "s2s.evaluate: refs holds no reference stream");
  for (std::size_t k = 0; k < refs.size(); ++k)
    S2S_CHECK(refs[k].size() == hyps.size(), "s2s.evaluate: reference stream ", k + 1, " has ", refs[k].size(),
              " lines, hyps has ", hyps.size());
  std::string csv = py::isinstance<py::str>(metrics_in) ? metrics_in.cast<std::string>() : std::string();
  if (!py::isinstance<py::str>(metrics_in))
    for (const std::string& name : lines_of(metrics_in, "metrics")) csv += (csv.empty() ? "" : ",") + name;
  const std::vector<std::string> names = metrics::parse_metric_list(csv);
  std::vector<metrics::MetricScore> scores;
  {
    py::gil_scoped_release release;
    scores = metrics::evaluate(hyps, refs, names);
  }
  py::dict out;
  for (metrics::MetricScore& s : scores) {
    py::str key(s.metric);  // before s is moved from
    out[key] = py::cast(std::move(s));
  }
  return out;
}

}  // namespace

void bind_metrics(py::module_& m) {
  py::class_<metrics::MetricScore>(m, "MetricScore", "One corpus-level score, as `s2s eval` prints it.")
      .def_readonly("metric", &metrics::MetricScore::metric, "The requested name: 'bleu', 'chrf', 'chrf++', 'wer', 'ser', 'per'.")
      .def_readonly("name", &metrics::MetricScore::name, "The display name: 'BLEU', 'chrF2', 'chrF2++', 'WER', 'SER', 'PER'.")
      .def_readonly("score", &metrics::MetricScore::score, "BLEU and chrF 0-100; error rates in percent.")
      .def_readonly("higher_is_better", &metrics::MetricScore::higher_is_better)
      .def_readonly("signature", &metrics::MetricScore::signature, "sacreBLEU's signature for BLEU and chrF ('nrefs:1|...').")
      .def_readonly("line", &metrics::MetricScore::line, "The line `s2s eval` prints ('BLEU|nrefs:1|... = 25.43 ...').")
      .def("__str__", [](const metrics::MetricScore& s) { return s.line; })
      .def("__float__", [](const metrics::MetricScore& s) { return s.score; })
      .def("__repr__", [](const metrics::MetricScore& s) { return "<s2s.MetricScore " + s.line + ">"; });

  m.def("evaluate", &evaluate, py::arg("hyps"), py::arg("refs"), py::arg("metrics") = std::vector<std::string>{"bleu", "chrf"},
        "Scores hypotheses against references as `s2s eval --hyp --ref` does (BLEU and chrF exactly as sacreBLEU). "
        "refs: one reference per hypothesis (list[str]) or several streams (list[list[str]], each as long as hyps). "
        "metrics: names (or one comma-separated str) among bleu, chrf, chrf++, wer, ser, per. Returns "
        "{metric: MetricScore} in the order asked.");
}

}  // namespace s2s::python
