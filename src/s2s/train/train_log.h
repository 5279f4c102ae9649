#pragma once
// What a training run tells people and machines: one console line per report
// interval (step, epoch, loss, perplexity, tokens/s, tokens/update, learning rate, ETA), a
// progress bar between those lines when the console is a terminal, and a
// JSON-lines log file with one object per event.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace s2s::train {

struct ReportRecord {
  std::int64_t step = 0;
  std::int64_t epoch = 0;        // 1-based epoch the step belongs to
  double loss = 0;               // mean token cross-entropy over the interval (label smoothing included)
  double ppl = 0;                // exp(loss without smoothing)
  double tokens_per_s = 0;       // target tokens
  double sentences_per_s = 0;
  double tokens_per_update = 0;  // target tokens per update (all train.accum_steps batches)
  double lr = 0;
  double grad_norm = 0;          // mean over the interval, before clipping
  double elapsed_s = 0;          // since the run started (resumed runs include earlier time)
  double eta_s = -1;             // < 0: unknown
  // Seconds of the interval spent exchanging gradients between processes
  // (waiting for the slowest included); < 0: one process.
  double comm_s = -1;
  // Mean coverage loss per target token over the interval (unweighted); < 0:
  // the model has no coverage.
  double coverage_loss = -1;
};

struct ValidationRecord {
  std::int64_t step = 0;
  std::int64_t epoch = 0;
  double loss = 0;
  double ppl = 0;
  double accuracy = 0;           // token accuracy, teacher-forced
  std::int64_t tokens = 0;
  std::vector<std::pair<std::string, double>> decoded;  // decoding metrics ("bleu", 25.4)
  bool improved = false;         // new best: the best model was saved
  std::int64_t best_step = 0;    // step of the best model so far
  std::int64_t bad_checks = 0;   // regular validations since the last improvement
  std::int64_t patience = 0;     // 0: early stopping off
};

class TrainLog {
 public:
  // console: nullptr for silence. json_path: "" for no log file; appended to
  // (a resumed run continues its log). progress_bar: draw one on `console`.
  TrainLog(std::FILE* console, const std::string& json_path, bool progress_bar);
  ~TrainLog();
  TrainLog(const TrainLog&) = delete;
  TrainLog& operator=(const TrainLog&) = delete;

  void report(const ReportRecord& r);
  void validation(const ValidationRecord& r);
  // Free-form event: a console line (when `text` is non-empty) and a JSON object
  // {"event": kind, "text": text, <json_fields>} where json_fields is "" or `"k": v, ...`.
  void event(const std::string& kind, const std::string& text, const std::string& json_fields = "");
  // Redraws the progress bar (throttled); total <= 0 draws a spinner-less counter.
  void progress(std::int64_t step, std::int64_t total, double eta_s);

  // Receives every record as the JSON object the log file gets, whether or
  // not there is a file (a library caller's progress callback). It must not throw.
  void set_listener(std::function<void(const std::string& json)> listener) { listener_ = std::move(listener); }

  // True when fd 1 is a terminal and TERM is not "dumb".
  static bool stdout_is_terminal();

 private:
  void console_line(const std::string& line);
  void json_line(const std::string& object);
  void clear_bar();

  std::FILE* console_;
  std::ofstream json_;
  std::string json_path_;
  bool bar_;
  bool bar_drawn_ = false;
  double last_draw_ = -1;
  std::function<void(const std::string&)> listener_;
};

// "1:02:03", "4:05" (minutes:seconds under an hour), "?" for negative.
std::string format_duration(double seconds);

}  // namespace s2s::train
