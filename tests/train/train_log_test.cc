// The training log: console lines, the progress bar, and one JSON object per
// line in the log file.
#include "s2s/train/train_log.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "s2s/core/error.h"
#include "s2s/io/atomic_file.h"
#include "support/temp_dir.h"

namespace s2s::train {
namespace {

std::string contents(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, f)) out.append(buf, n);
  return out;
}

std::vector<nlohmann::json> json_lines(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::string text = io::read_file(path), line;
  for (char c : text) {
    if (c != '\n') {
      line += c;
      continue;
    }
    out.push_back(nlohmann::json::parse(line));
    line.clear();
  }
  EXPECT_TRUE(line.empty()) << "the last line must end with a newline";
  return out;
}

TEST(TrainLog, FormatsDurations) {
  EXPECT_EQ(format_duration(0), "0:00");
  EXPECT_EQ(format_duration(59.6), "1:00");
  EXPECT_EQ(format_duration(754), "12:34");
  EXPECT_EQ(format_duration(3600 * 5 + 62), "5:01:02");
  EXPECT_EQ(format_duration(-1), "?");
  EXPECT_EQ(format_duration(NAN), "?");
}

TEST(TrainLog, ConsoleAndJsonLines) {
  testing::TempDir dir;
  std::FILE* console = std::tmpfile();
  {
    TrainLog log(console, dir.file("log.jsonl"), /*progress_bar=*/false);
    ReportRecord r;
    r.step = 200, r.epoch = 2, r.loss = 1.5, r.ppl = std::exp(1.5), r.tokens_per_s = 1234, r.tokens_per_update = 2048, r.lr = 1e-3, r.grad_norm = 0.5;
    r.elapsed_s = 65, r.eta_s = 130;
    log.report(r);
    ValidationRecord v;
    v.step = 200, v.epoch = 2, v.loss = 2.0, v.ppl = std::exp(2.0), v.accuracy = 0.25, v.tokens = 40, v.bad_checks = 2, v.patience = 5;
    v.best_step = 100;
    log.validation(v);
    log.event("note", "a \"quoted\" note", "\"n\": 3");
    log.progress(10, 100, 5);  // no bar requested: draws nothing
  }
  std::string text = contents(console);
  std::fclose(console);
  EXPECT_EQ(text,
            "step     200 | epoch   2 | loss  1.5000 | ppl      4.48 |     1234 tok/s |    2048 tok/upd | lr 1.000e-03 | gnorm   0.50 | 1:05 elapsed | ETA 2:10\n"
            "valid    200 | epoch   2 | loss  2.0000 | ppl      7.39 | acc  25.00% | best at step 100, patience 2/5\n"
            "a \"quoted\" note\n");
  auto lines = json_lines(dir.file("log.jsonl"));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["event"], "train");
  EXPECT_EQ(lines[0]["step"], 200);
  EXPECT_EQ(lines[0]["loss"], 1.5);
  EXPECT_EQ(lines[0]["eta_s"], 130.0);
  EXPECT_EQ(lines[0]["tokens_per_update"], 2048.0);
  EXPECT_EQ(lines[1]["event"], "valid");
  EXPECT_EQ(lines[1]["accuracy"], 0.25);
  EXPECT_EQ(lines[1]["improved"], false);
  EXPECT_EQ(lines[2]["event"], "note");
  EXPECT_EQ(lines[2]["text"], "a \"quoted\" note");
  EXPECT_EQ(lines[2]["n"], 3);
}

// The listener (the Python progress callback) gets the file's lines, with or without a file.
TEST(TrainLog, ListenerGetsEveryRecordAsTheFileDoes) {
  testing::TempDir dir;
  for (const std::string& path : {dir.file("log.jsonl"), std::string()}) {
    std::vector<std::string> heard;
    {
      TrainLog log(nullptr, path, /*progress_bar=*/false);
      log.set_listener([&](const std::string& json) { heard.push_back(json); });
      ReportRecord r;
      r.step = 7, r.loss = 0.5;
      log.report(r);
      log.event("done", "finished", "\"step\": 7");
    }
    ASSERT_EQ(heard.size(), 2u) << path;
    EXPECT_EQ(nlohmann::json::parse(heard[0])["step"], 7);
    EXPECT_EQ(nlohmann::json::parse(heard[1])["event"], "done");
    if (!path.empty()) {
      auto lines = json_lines(path);
      ASSERT_EQ(lines.size(), 2u);
      EXPECT_EQ(lines[0], nlohmann::json::parse(heard[0]));
      EXPECT_EQ(lines[1], nlohmann::json::parse(heard[1]));
    }
  }
}

TEST(TrainLog, ProgressBarIsClearedBeforeEachLine) {
  std::FILE* console = std::tmpfile();
  {
    TrainLog log(console, "", /*progress_bar=*/true);
    log.progress(25, 100, 30);
    log.event("x", "line");
  }
  std::string text = contents(console);
  std::fclose(console);
  EXPECT_EQ(text, "\r\033[K[#######.......................] 25/100 (25%) ETA 0:30\r\033[Kline\n");
}

TEST(TrainLog, NonFiniteNumbersBecomeNull) {
  testing::TempDir dir;
  {
    TrainLog log(nullptr, dir.file("log.jsonl"), false);
    ReportRecord r;
    r.loss = INFINITY;
    r.ppl = NAN;
    log.report(r);
  }
  auto lines = json_lines(dir.file("log.jsonl"));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0]["loss"].is_null());
  EXPECT_TRUE(lines[0]["ppl"].is_null());
  EXPECT_TRUE(lines[0]["eta_s"].is_null());  // unknown
}

TEST(TrainLog, UnwritableLogIsAClearError) {
  testing::TempDir dir;
  EXPECT_THROW(TrainLog(nullptr, dir.file("no/such/dir/log.jsonl"), false), Error);
}

}  // namespace
}  // namespace s2s::train
