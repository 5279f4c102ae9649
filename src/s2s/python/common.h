#pragma once
// What the parts of the Python module share: keyword arguments turned into
// the s2s program's options (so that the program's parser checks them), the
// Ctrl-C poll for calls that run with the GIL released, and one binder per
// part. This layer sits on top of every other (cli/ included): it holds no
// logic a C++ user would need, only the translation to and from Python.
#include <pybind11/pybind11.h>

#include <chrono>
#include <string>
#include <vector>

namespace s2s::python {

namespace py = pybind11;

// A keyword argument's value as the program's option text: bool -> "true" /
// "false", int -> decimal, float -> the shortest text that reads back the
// same, str or os.PathLike -> itself. Anything else is a TypeError naming `what`.
std::string option_text(const std::string& what, py::handle value);

// "--name=value" for a keyword argument (None gives nothing).
void add_option(std::vector<std::string>& argv, const std::string& name, const std::string& what, py::handle value);

// Polled (with the GIL released) from inside long C++ calls: in the main
// thread, at most every 50 ms, it takes the GIL and runs Python's signal
// handlers. True once one of them raised (Ctrl-C: KeyboardInterrupt); the
// exception then stays set for the caller to re-raise once the call has
// unwound (raise_pending).
class InterruptPoll {
 public:
  InterruptPoll();
  bool operator()();
  bool raised() const { return raised_; }

 private:
  bool main_thread_ = false;
  bool raised_ = false;
  std::chrono::steady_clock::time_point last_;
};

// The exception s2s::Error becomes (s2s.Error, a RuntimeError).
py::object error_type();
void set_error_type(py::handle type);

void bind_vocab(py::module_& m);
void bind_translator(py::module_& m);
void bind_training(py::module_& m);
void bind_metrics(py::module_& m);

}  // namespace s2s::python
