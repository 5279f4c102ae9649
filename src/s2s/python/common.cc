#include "s2s/python/common.h"

#include <Python.h>

namespace s2s::python {

std::string option_text(const std::string& what, py::handle value) {
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>() ? "true" : "false";
  if (py::isinstance<py::int_>(value)) return py::str(value).cast<std::string>();
  if (py::isinstance<py::float_>(value)) return py::repr(value).cast<std::string>();  // shortest round trip
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (py::hasattr(value, "__fspath__")) return py::module_::import("os").attr("fspath")(value).cast<std::string>();
  throw py::type_error(what + ": expected a bool, int, float, str or path, got " +
                       py::str(py::type::handle_of(value).attr("__name__")).cast<std::string>());
}

void add_option(std::vector<std::string>& argv, const std::string& name, const std::string& what, py::handle value) {
  if (value.is_none()) return;
  argv.push_back("--" + name + "=" + option_text(what, value));
}

InterruptPoll::InterruptPoll() {
  py::gil_scoped_acquire gil;  // may be built with or without the GIL held
  py::module_ threading = py::module_::import("threading");
  main_thread_ = threading.attr("current_thread")().is(threading.attr("main_thread")());
  last_ = std::chrono::steady_clock::now();
}

bool InterruptPoll::operator()() {
  if (raised_) return true;
  if (!main_thread_) return false;  // Python runs signal handlers in the main thread only
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(50)) return false;
  last_ = now;
  py::gil_scoped_acquire gil;
  if (PyErr_CheckSignals() != 0) raised_ = true;  // the exception stays set in this thread
  return raised_;
}

}  // namespace s2s::python
