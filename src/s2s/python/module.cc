// The compiled part of the `s2s` Python package (python/s2s/): translation,
// training, scoring and vocabularies over the same library the s2s program
// links. python/s2s/_s2s.pyi documents every name for editors.
#include "s2s/cli/commands.h"
#include "s2s/core/error.h"
#include "s2s/python/common.h"

namespace s2s::python {

namespace {
PyObject* g_error = nullptr;  // owned by the module; a global py::object would be released after the interpreter
}

py::object error_type() { return py::reinterpret_borrow<py::object>(g_error); }
void set_error_type(py::handle type) { g_error = type.ptr(); }

}  // namespace s2s::python

PYBIND11_MODULE(_s2s, m) {
  namespace py = pybind11;
  m.doc() = "s2s: sequence-to-sequence training, translation and scoring (the compiled core of the s2s package)";
  auto error = py::register_exception<s2s::Error>(m, "Error", PyExc_RuntimeError);
  error.attr("__module__") = "s2s";
  error.attr("__doc__") =
      "An error s2s reports: a bad option or value, a model directory that is not one, unreadable data. "
      "The message is the one-line message the s2s program prints.";
  s2s::python::set_error_type(error);
  m.attr("__version__") = s2s::cli::kVersion;
  s2s::python::bind_vocab(m);
  s2s::python::bind_translator(m);
  s2s::python::bind_training(m);
  s2s::python::bind_metrics(m);
}
