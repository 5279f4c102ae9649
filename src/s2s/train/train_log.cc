#include "s2s/train/train_log.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "s2s/core/error.h"

namespace s2s::train {

namespace {

double now_s() {
  using Clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

std::string fmt(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* format, ...) {
  char buf[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  return buf;
}

// JSON numbers cannot be inf/nan; those become null.
nlohmann::json num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace

std::string format_duration(double seconds) {
  if (!(seconds >= 0) || !std::isfinite(seconds)) return "?";
  auto s = static_cast<std::int64_t>(seconds + 0.5);
  if (s >= 3600) return fmt("%lld:%02lld:%02lld", static_cast<long long>(s / 3600), static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return fmt("%lld:%02lld", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
}

TrainLog::TrainLog(std::FILE* console, const std::string& json_path, bool progress_bar)
    : console_(console), json_path_(json_path), bar_(progress_bar && console != nullptr) {
  if (!json_path.empty()) {
    json_.open(json_path, std::ios::app);
    S2S_CHECK(json_.good(), json_path, ": cannot open the log file for appending (", std::strerror(errno), ")");
  }
}

TrainLog::~TrainLog() {
  if (console_) clear_bar();
}

bool TrainLog::stdout_is_terminal() {
  const char* term = std::getenv("TERM");
  return ::isatty(STDOUT_FILENO) && !(term && std::strcmp(term, "dumb") == 0);
}

void TrainLog::clear_bar() {
  if (!bar_drawn_) return;
  std::fputs("\r\033[K", console_);
  bar_drawn_ = false;
}

void TrainLog::console_line(const std::string& line) {
  if (!console_) return;
  clear_bar();
  std::fputs(line.c_str(), console_);
  std::fputc('\n', console_);
  std::fflush(console_);
}

void TrainLog::json_line(const std::string& object) {
  if (listener_) listener_(object);
  if (!json_.is_open()) return;
  // A record that cannot be written whole (a full disk) is cut off again, so
  // the log never holds half a line for a resumed run to append after.
  std::error_code ec;
  const std::uintmax_t before = std::filesystem::file_size(json_path_, ec);
  json_ << object << '\n';
  json_.flush();
  if (json_.good()) return;
  const int err = errno;
  json_.close();  // whatever the buffer still holds goes out (or not) before the cut
  if (!ec && ::truncate(json_path_.c_str(), static_cast<off_t>(before)) != 0) { /* the write error is reported */ }
  fail(json_path_, ": write failed (", std::strerror(err), ")");
}

void TrainLog::report(const ReportRecord& r) {
  console_line(fmt("step %7lld | epoch %3lld | loss %7.4f | ppl %9.2f | ", static_cast<long long>(r.step),
                   static_cast<long long>(r.epoch), r.loss, r.ppl) +
               (r.coverage_loss >= 0 ? fmt("coverage %6.4f | ", r.coverage_loss) : std::string()) +
               fmt("%8.0f tok/s | %7.0f tok/upd | lr %.3e | gnorm %6.2f | %s elapsed | ETA %s", r.tokens_per_s,
                   r.tokens_per_update, r.lr, r.grad_norm, format_duration(r.elapsed_s).c_str(),
                   format_duration(r.eta_s).c_str()) +
               (r.comm_s >= 0 ? fmt(" | comm %.1f s", r.comm_s) : std::string()));
  nlohmann::json j{{"event", "train"}, {"step", r.step}, {"epoch", r.epoch}, {"loss", num(r.loss)}, {"ppl", num(r.ppl)},
                   {"tokens_per_s", num(r.tokens_per_s)}, {"sentences_per_s", num(r.sentences_per_s)},
                   {"tokens_per_update", num(r.tokens_per_update)}, {"lr", num(r.lr)},
                   {"grad_norm", num(r.grad_norm)}, {"elapsed_s", num(r.elapsed_s)}, {"eta_s", r.eta_s < 0 ? nlohmann::json(nullptr) : num(r.eta_s)}};
  if (r.comm_s >= 0) j["comm_s"] = num(r.comm_s);
  if (r.coverage_loss >= 0) j["coverage_loss"] = num(r.coverage_loss);
  json_line(j.dump());
}

void TrainLog::validation(const ValidationRecord& r) {
  std::string tail = r.improved ? std::string("new best") : fmt("best at step %lld", static_cast<long long>(r.best_step));
  if (r.patience > 0 && !r.improved)
    tail += fmt(", patience %lld/%lld", static_cast<long long>(r.bad_checks), static_cast<long long>(r.patience));
  std::string decoded;
  for (const auto& [name, value] : r.decoded) decoded += fmt("%s %6.2f | ", name.c_str(), value);
  console_line(fmt("valid %6lld | epoch %3lld | loss %7.4f | ppl %9.2f | acc %6.2f%% | %s%s", static_cast<long long>(r.step),
                   static_cast<long long>(r.epoch), r.loss, r.ppl, 100.0 * r.accuracy, decoded.c_str(), tail.c_str()));
  nlohmann::json j{{"event", "valid"}, {"step", r.step}, {"epoch", r.epoch}, {"loss", num(r.loss)}, {"ppl", num(r.ppl)},
                   {"accuracy", num(r.accuracy)}, {"tokens", r.tokens}, {"improved", r.improved}, {"best_step", r.best_step}, {"bad_checks", r.bad_checks}};
  for (const auto& [name, value] : r.decoded) j[name] = num(value);
  json_line(j.dump());
}

void TrainLog::event(const std::string& kind, const std::string& text, const std::string& json_fields) {
  if (!text.empty()) console_line(text);
  nlohmann::json j{{"event", kind}};
  if (!text.empty()) j["text"] = text;
  std::string head = j.dump();
  head.pop_back();  // reopen the object to append the caller's fields
  json_line(json_fields.empty() ? detail::concat(head, "}") : detail::concat(head, ", ", json_fields, "}"));
}

void TrainLog::progress(std::int64_t step, std::int64_t total, double eta_s) {
  if (!bar_) return;
  double t = now_s();
  if (last_draw_ >= 0 && t - last_draw_ < 0.1) return;  // at most 10 redraws a second
  last_draw_ = t;
  std::string line;
  if (total > 0) {
    constexpr int kWidth = 30;
    double frac = std::min(1.0, static_cast<double>(step) / static_cast<double>(total));
    int fill = static_cast<int>(frac * kWidth);
    line = detail::concat("[", std::string(fill, '#'), std::string(kWidth - fill, '.'), "] ") +
           fmt("%lld/%lld (%.0f%%) ETA %s", static_cast<long long>(step), static_cast<long long>(total), 100 * frac,
               format_duration(eta_s).c_str());
  } else {
    line = fmt("step %lld", static_cast<long long>(step));
  }
  std::fputs("\r\033[K", console_);
  std::fputs(line.c_str(), console_);
  std::fflush(console_);
  bar_drawn_ = true;
}

}  // namespace s2s::train
