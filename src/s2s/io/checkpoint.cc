#include "s2s/io/checkpoint.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string_view>
#include <nlohmann/json.hpp>

#include "s2s/core/error.h"
#include "s2s/core/one_line.h"
#include "s2s/io/atomic_file.h"
#include "s2s/io/model_dir.h"
#include "s2s/io/safetensors.h"
#include "s2s/train/option_values.h"

namespace s2s::io {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

constexpr int kFormat = 1;
constexpr const char* kTrainerFile = "trainer.json";
constexpr const char* kOptimizerFile = "optimizer.safetensors";

// Doubles travel as shortest round-trip text, which also covers inf and nan
// (the plateau schedule's "best" starts at +-inf; "no best yet" is nan).
std::string dbl(double v) { return train::format_double(v); }

double parse_dbl(const Json& j, const std::string& what) {
  S2S_CHECK(j.is_string(), what, ": expected a number as text");
  const std::string s = j.get<std::string>();
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  S2S_CHECK(ec == std::errc() && end == s.data() + s.size(), what, ": '", s, "' is not a number");
  return v;
}

// Integers are checked before conversion: a number past 2^64 parses as a
// double, and converting that is undefined (found by checkpoint_fuzz).
std::uint64_t u64(const Json& j, const char* key) {
  const Json& v = j.at(key);
  if (!(v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0)))
    fail("'", key, "' must be a non-negative integer, got ", one_line(v.dump()));
  return v.get<std::uint64_t>();
}
std::int64_t i64(const Json& j, const char* key) {
  const Json& v = j.at(key);
  if (!v.is_number_integer() || (v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t{INT64_MAX}))
    fail("'", key, "' must be an integer, got ", one_line(v.dump()));
  return v.get<std::int64_t>();
}

Json rng_json(const RngState& r) { return {{"seed", r.seed}, {"offset", r.offset}}; }
RngState rng_from(const Json& j) { return {u64(j, "seed"), u64(j, "offset")}; }

Json state_json(const train::Trainer& t) {
  const auto& s = t.state();
  const auto& l = t.schedule().state();
  const auto& d = s.data;
  return {{"format", kFormat},
          {"step", s.step},
          {"skipped_updates", s.skipped_updates},
          {"target_tokens", s.target_tokens},
          {"sentences", s.sentences},
          {"processes", s.processes},
          {"elapsed_s", dbl(s.elapsed_s)},
          {"rng", rng_json(s.rng)},
          {"data", {{"epoch", d.epoch}, {"pool", d.pool}, {"batch", d.batch}, {"lines", d.lines}, {"rng", rng_json(d.rng)}}},
          {"best_metric", dbl(s.best_metric)},
          {"best_step", s.best_step},
          {"bad_checks", s.bad_checks},
          {"last_valid_step", s.last_valid_step},
          {"saved_metric", dbl(s.saved_metric)},
          {"saved_step", s.saved_step},
          {"schedule",
           {{"step", l.step}, {"reports", l.reports}, {"lr", dbl(l.lr)}, {"best", dbl(l.best)}, {"num_bad", l.num_bad},
            {"cooldown_counter", l.cooldown_counter}}}};
}

struct Parsed {
  train::TrainerState state;
  train::LrScheduleState schedule;
};

Parsed parse_state(const std::string& path) {
  Json j;
  try {
    j = Json::parse(read_file(path));
  } catch (const Json::exception& e) {
    fail(path, ": corrupt checkpoint state, not valid JSON (", e.what(), ")");
  }
  Parsed p;
  try {
    S2S_CHECK(i64(j, "format") == kFormat, path, ": checkpoint format ", j.at("format").dump(), ", this s2s reads ", kFormat);
    auto& s = p.state;
    s.step = i64(j, "step");
    s.skipped_updates = i64(j, "skipped_updates");
    s.target_tokens = u64(j, "target_tokens");
    s.sentences = u64(j, "sentences");
    s.processes = j.contains("processes") ? i64(j, "processes") : 1;  // absent: written before data-parallel training
    s.elapsed_s = parse_dbl(j.at("elapsed_s"), path + ": elapsed_s");
    s.rng = rng_from(j.at("rng"));
    const Json& d = j.at("data");
    s.data.epoch = u64(d, "epoch");
    s.data.pool = u64(d, "pool");
    s.data.batch = u64(d, "batch");
    s.data.lines = u64(d, "lines");
    s.data.rng = rng_from(d.at("rng"));
    s.best_metric = parse_dbl(j.at("best_metric"), path + ": best_metric");
    s.best_step = i64(j, "best_step");
    s.bad_checks = i64(j, "bad_checks");
    s.last_valid_step = i64(j, "last_valid_step");
    s.saved_metric = parse_dbl(j.at("saved_metric"), path + ": saved_metric");
    s.saved_step = i64(j, "saved_step");
    const Json& l = j.at("schedule");
    p.schedule.step = i64(l, "step");
    p.schedule.reports = i64(l, "reports");
    p.schedule.lr = parse_dbl(l.at("lr"), path + ": schedule.lr");
    p.schedule.best = parse_dbl(l.at("best"), path + ": schedule.best");
    p.schedule.num_bad = i64(l, "num_bad");
    p.schedule.cooldown_counter = i64(l, "cooldown_counter");
  } catch (const Json::exception& e) {
    fail(path, ": corrupt checkpoint state (", e.what(), ")");
  } catch (const Error& e) {
    if (std::string_view(e.what()).starts_with(path)) throw;  // it names the file already
    fail(path, ": corrupt checkpoint state (", e.what(), ")");
  }
  S2S_CHECK(p.state.step >= 0, path, ": corrupt checkpoint state (negative step)");
  return p;
}

struct Entry {
  std::uint64_t seq;
  fs::path path;
  std::string step;  // as in the name "<seq>-step-<step>"
};

// Complete checkpoints (renamed into place), oldest first.
std::vector<Entry> list_checkpoints(const fs::path& root) {
  std::vector<Entry> out;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return out;
  for (const auto& e : fs::directory_iterator(root)) {
    std::string name = e.path().filename().string();
    auto dash = name.find("-step-");
    if (!e.is_directory() || dash == std::string::npos || name.find('.') != std::string::npos) continue;
    std::uint64_t seq = 0;
    auto [end, err] = std::from_chars(name.data(), name.data() + dash, seq);
    if (err != std::errc() || end != name.data() + dash) continue;
    out.push_back({seq, e.path(), name.substr(dash + 6)});
  }
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.seq < b.seq; });
  return out;
}

}  // namespace

std::string save_checkpoint(const std::string& save_dir, const train::Trainer& trainer, std::int64_t keep) {
  fs::path root = fs::path(save_dir) / kCheckpointsDir;
  make_dirs(root.string());
  auto existing = list_checkpoints(root);
  std::uint64_t seq = existing.empty() ? 1 : existing.back().seq + 1;
  char name[64];
  std::snprintf(name, sizeof name, "%06llu-step-%lld", static_cast<unsigned long long>(seq),
                static_cast<long long>(trainer.state().step));
  fs::path final_dir = root / name;
  fs::path tmp = root / (std::string(name) + ".tmp" + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove_all(tmp, ec);
  make_dirs(tmp.string());

  try {
    auto params = trainer.model().parameters();
    save_parameters((tmp / kWeightsFile).string(), params);
    const auto& opt = trainer.optimizer();
    Metadata meta{{"optimizer", opt.name()}};
    for (const auto& [k, v] : opt.state_scalars()) meta["scalar." + k] = train::format_double(v);
    std::vector<NamedTensor> tensors;
    for (const auto& [k, t] : opt.state_tensors()) tensors.push_back({k, t});
    save_safetensors((tmp / kOptimizerFile).string(), tensors, meta);
    // trainer.json last: its presence marks a complete checkpoint.
    write_file_atomic((tmp / kTrainerFile).string(), state_json(trainer).dump(1) + "\n");
    fs::rename(tmp, final_dir, ec);
    S2S_CHECK(!ec, final_dir.string(), ": cannot move the new checkpoint into place (", ec.message(), ")");
  } catch (const Error& e) {
    // A full disk: the half-written checkpoint goes (it would hold the space
    // a resume needs), the previous ones stay as they were.
    fs::remove_all(tmp, ec);
    const std::string previous = existing.empty() ? std::string("none was saved before")
                                                  : "the previous one, " + existing.back().path.string() + ", is intact";
    fail("cannot save checkpoint ", name, " (", e.what(), "); ", previous);
  }
  sync_dir(root.string());

  // An older checkpoint of the same step (the last periodic one, when the run
  // ends on a save_every step) is superseded by this one and does not count
  // towards `keep`: otherwise it would push out a distinct, older step.
  std::vector<Entry> kept;
  const std::string step = std::to_string(trainer.state().step);
  for (Entry& e : existing) {
    if (e.step == step) fs::remove_all(e.path, ec);  // best effort, as below
    else kept.push_back(std::move(e));
  }
  kept.push_back({seq, final_dir, step});
  for (std::size_t i = 0; i + static_cast<std::size_t>(std::max<std::int64_t>(keep, 1)) < kept.size(); ++i)
    fs::remove_all(kept[i].path, ec);  // best effort: an old checkpoint left behind is harmless
  return final_dir.string();
}

namespace {

// The newest complete checkpoint under a model directory; "" when there is none.
std::string newest_checkpoint(const std::string& model_dir) {
  auto list = list_checkpoints(fs::path(model_dir) / kCheckpointsDir);
  for (auto it = list.rbegin(); it != list.rend(); ++it)
    if (file_exists((it->path / kTrainerFile).string())) return it->path.string();
  return "";
}

}  // namespace

std::string find_checkpoint(const std::string& dir) {
  std::error_code ec;
  S2S_CHECK(!dir.empty() && fs::is_directory(dir, ec), dir.empty() ? "\"\"" : dir, ": no such directory to resume from");
  if (file_exists(join_path(dir, kTrainerFile))) return dir;
  if (std::string newest = newest_checkpoint(dir); !newest.empty()) return newest;
  S2S_CHECK(file_exists(join_path(dir, kWeightsFile)), dir,
            ": no checkpoint to resume from: the run stopped before it saved one, so there is nothing to continue; "
            "start it again without --resume");
  fail(dir, ": no checkpoint to resume from (expected ", join_path(dir, kCheckpointsDir), "/<n>-step-<step>/", kTrainerFile, ")");
}

bool holds_trained_model(const std::string& dir) {
  return file_exists(join_path(dir, kWeightsFile)) || !newest_checkpoint(dir).empty();
}

std::vector<std::string> list_checkpoint_dirs(const std::string& model_dir) {
  std::vector<std::string> out;
  for (const Entry& e : list_checkpoints(fs::path(model_dir) / kCheckpointsDir))
    if (file_exists((e.path / kTrainerFile).string())) out.push_back(e.path.string());
  return out;
}

std::int64_t checkpoint_step(const std::string& checkpoint_dir) {
  return parse_state(join_path(checkpoint_dir, kTrainerFile)).state.step;
}

void load_checkpoint(const std::string& checkpoint_dir, train::Trainer& trainer) {
  Parsed p = parse_state(join_path(checkpoint_dir, kTrainerFile));
  train::check_process_count(p.state.processes, trainer.state().processes, checkpoint_dir);
  std::string weights_path = join_path(checkpoint_dir, kWeightsFile);
  SafetensorsFile weights = load_safetensors(weights_path);
  std::string opt_path = join_path(checkpoint_dir, kOptimizerFile);
  SafetensorsFile opt = load_safetensors(opt_path);
  auto& optimizer = trainer.optimizer();
  auto it = opt.metadata.find("optimizer");
  S2S_CHECK(it != opt.metadata.end(), opt_path, ": no optimizer name in the metadata");
  S2S_CHECK(it->second == optimizer.name(), opt_path, ": the checkpoint holds ", it->second, " state, this run uses ",
            optimizer.name(), " (optim.optimizer)");
  train::NamedScalars scalars;
  for (const auto& [k, v] : opt.metadata)
    if (k.rfind("scalar.", 0) == 0) scalars.emplace_back(k.substr(7), parse_dbl(Json(v), opt_path + ": " + k));
  train::NamedTensors tensors;
  for (auto& t : opt.tensors) {
    check_finite(t.tensor, opt_path, t.name);  // NaN moments would turn every update into NaN
    tensors.emplace_back(t.name, t.tensor);
  }
  // A failure below aborts the resume, so a half-restored trainer is never used.
  auto params = trainer.model().parameters();
  assign_parameters(weights, weights_path, params);
  try {
    optimizer.load_state(tensors, scalars);
  } catch (const Error& e) {
    fail(opt_path, ": ", e.what());
  }
  trainer.schedule().load_state(p.schedule);
  trainer.restore(p.state);
}

}  // namespace s2s::io
