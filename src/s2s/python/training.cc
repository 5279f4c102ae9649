// s2s.train: `s2s train` from Python. The configuration (a YAML path, or a
// dict read as YAML) and the keyword overrides go through the program's own
// parser (cli::parse_train_args), so names, checks and messages are the
// program's; the run is app::run_training, with the GIL released.
#include <cstdio>

#include "s2s/app/training_run.h"
#include "s2s/cli/train_args.h"
#include "s2s/core/error.h"
#include "s2s/io/yaml_config.h"
#include "s2s/python/common.h"

namespace s2s::python {

namespace {

// A keyword override as the program's option: "steps" -> --steps, "save_dir"
// -> --save-dir, "model.rnn.hidden_size" (dotted: **{...}) -> itself.
std::string option_name(const std::string& key) {
  if (key.find('.') != std::string::npos) return key;
  std::string out = key;
  for (char& c : out)
    if (c == '_') c = '-';
  return out;
}

// What the progress callback (or the log listener) left for the caller.
struct Progress {
  py::object callback;
  py::object error;  // an exception the callback raised: training stops, then it is re-raised
};

std::string train(const py::object& config, const py::object& resume, const py::object& progress, bool verbose,
                  const py::kwargs& overrides) {
  std::vector<std::string> argv;
  io::ConfigFile from_dict;
  const bool dict = !config.is_none() && py::isinstance<py::dict>(config);
  if (dict) {
    // JSON is YAML: the dict flattens exactly as a config file would.
    const std::string text =
        py::module_::import("json")
            .attr("dumps")(config, py::arg("indent") = 1, py::arg("default") = py::module_::import("os").attr("fspath"))
            .cast<std::string>();
    from_dict = io::parse_yaml_config(text, "<config dict>");
  } else {
    add_option(argv, "config", "config", config);
  }
  add_option(argv, "resume", "resume", resume);
  for (auto [key, value] : overrides) {
    const std::string name = key.cast<std::string>();
    S2S_CHECK(name != "config" && name != "dump_config" && name != "examples" && name != "help", "s2s.train: ", name,
              " is not an option of s2s.train (see its docstring)");
    add_option(argv, option_name(name), name, value);
  }
  cli::TrainArgs parsed = cli::parse_train_args(argv, dict ? &from_dict : nullptr);
  if (!progress.is_none() && !PyCallable_Check(progress.ptr()))
    throw py::type_error("s2s.train: progress: expected a callable taking one dict, got " +
                         py::str(py::type::handle_of(progress).attr("__name__")).cast<std::string>());

  Progress state{progress, py::none()};
  InterruptPoll poll;
  app::TrainingRunOptions run;
  run.resume = parsed.resume;
  run.console = verbose ? stdout : nullptr;
  run.interrupted = [&] { return poll() || !state.error.is_none(); };
  if (!progress.is_none()) {
    py::object loads = py::module_::import("json").attr("loads");
    run.on_record = [&state, &loads](const std::string& json) {  // copied without the GIL: no Python object by value
      py::gil_scoped_acquire gil;
      if (!state.error.is_none()) return;
      try {
        state.callback(loads(json));
      } catch (py::error_already_set& e) {
        state.error = e.value();  // stops training after this update
      } catch (const std::exception& e) {
        state.error = py::reinterpret_borrow<py::object>(PyExc_RuntimeError)(e.what());
      }
    };
  }
  app::TrainingRunResult result;
  {
    py::gil_scoped_release release;
    result = app::run_training(parsed.config, run);
    if (verbose) std::fflush(stdout);
  }
  // What stopped the run: the progress callback's exception, or what a
  // signal handler raised (Ctrl-C: KeyboardInterrupt), still pending here.
  py::object raised = state.error;
  if (raised.is_none() && poll.raised()) raised = py::error_already_set().value();
  const bool keyboard = !raised.is_none() && PyErr_GivenExceptionMatches(raised.ptr(), PyExc_KeyboardInterrupt);
  if (result.train.reason == train::StopReason::Interrupted && (raised.is_none() || keyboard)) {
    const std::string message = "s2s.train: interrupted at step " + std::to_string(result.train.step) +
                                "; continue with: s2s.train(resume=" + py::repr(py::str(result.save_dir)).cast<std::string>() + ")";
    PyErr_SetString(PyExc_KeyboardInterrupt, message.c_str());
    throw py::error_already_set();
  }
  if (!raised.is_none()) {
    PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(raised.ptr())), raised.ptr());
    throw py::error_already_set();
  }
  return result.save_dir;
}

}  // namespace

void bind_training(py::module_& m) {
  m.def("train", &train, py::arg("config") = py::none(), py::kw_only(), py::arg("resume") = py::none(),
        py::arg("progress") = py::none(), py::arg("verbose") = true,
        "Trains a model as `s2s train` does and returns its model directory.\n\n"
        "config: a YAML file (--config) or a dict with the same sections (data, model, optim, schedule, train).\n"
        "**overrides: the program's options, which win over the config: short names as keywords (steps=100,\n"
        "save_dir='run/x', lr=0.001, threads=2: --steps, --save-dir, ...) and dotted keys through a dict\n"
        "(**{'model.rnn.hidden_size': 64}). Names, checks and error messages are the program's.\n"
        "resume: a model directory (or one of its checkpoints) to continue exactly (--resume).\n"
        "progress: called with each training-log record as a dict ({'event': 'train', 'step': ..., 'loss': ...},\n"
        "'valid', 'start', 'done', ...), the records train.log.jsonl gets; an exception it raises stops training\n"
        "(resumable) and is raised again here.\n"
        "verbose: print the program's console lines to standard output.\n"
        "Ctrl-C stops after the current update, checkpoints, and raises KeyboardInterrupt naming how to resume.");
}

}  // namespace s2s::python
