// BLEU, chrF and chrF++ against sacreBLEU itself on 3,000 real Spanish
// segments (KJV-SPARV test + dev) with perturbed hypothesis sets. The
// reference figures come from tests/metrics/sacrebleu_reference.py, run with
// the venv that scripts/python_env.sh creates (or $S2S_PYTHON). Without that
// Python or the shared data the tests skip, saying what is missing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "metrics/perturb.h"
#include "s2s/metrics/bleu.h"
#include "s2s/metrics/chrf.h"
#include "s2s/metrics/sacrebleu_compat.h"
#include "s2s/metrics/text.h"
#include "s2s/metrics/tokenizer_13a.h"

namespace s2s::metrics {
namespace {

namespace fs = std::filesystem;
using testing_support::HypSet;

struct RefFigures {  // one hypothesis set as sacreBLEU scored it
  std::string name;
  double bleu = 0, chrf = 0;
  std::optional<double> chrfpp;
  std::int64_t sys_len = 0, ref_len = 0;
  std::vector<std::int64_t> counts, totals;
  std::vector<std::string> lines;  // BLEU, chrF2[, chrF2++] text lines
  std::vector<std::string> tokens;
  std::vector<std::pair<double, double>> sentence;  // sentence BLEU, sentence chrF
};

std::string getenv_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

fs::path find_data_dir() {
  std::vector<fs::path> candidates;
  if (const char* d = std::getenv("S2S_SHARED_DIR")) candidates.emplace_back(fs::path(d) / "data/bible/kjv-sparv");
  candidates.emplace_back(fs::path(S2S_SOURCE_DIR) / "shared/data/bible/kjv-sparv");
  candidates.emplace_back(fs::path(S2S_SOURCE_DIR) / "../shared/data/bible/kjv-sparv");
  for (const fs::path& p : candidates)
    if (fs::exists(p / "test.tsv") && fs::exists(p / "dev.tsv")) return p;
  return {};
}

std::string find_python() {
  if (const char* p = std::getenv("S2S_PYTHON"); p && *p) return p;
  const std::string home = getenv_or("HOME", "/root");
  return getenv_or("S2S_VENV", home + "/.cache/s2s/venv") + "/bin/python";
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  for (std::size_t hit; (hit = s.find(sep, pos)) != std::string::npos; pos = hit + 1) out.push_back(s.substr(pos, hit - pos));
  out.push_back(s.substr(pos));
  return out;
}

std::vector<std::int64_t> ints(const std::string& csv) {
  std::vector<std::int64_t> out;
  for (const std::string& f : split(csv, ',')) out.push_back(std::stoll(f));
  return out;
}

void write_lines(const fs::path& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::binary);
  for (const std::string& l : lines) out << l << '\n';
}

class SacrebleuCompat : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const fs::path data = find_data_dir();
    if (data.empty()) {
      skip_ = "shared data bible/kjv-sparv not found (set S2S_SHARED_DIR)";
      return;
    }
    const std::string python = find_python();
    if (!fs::exists(python) ||
        std::system(("\"" + python + "\" -c 'import sacrebleu' >/dev/null 2>&1").c_str()) != 0) {
      skip_ = "no Python with sacrebleu at " + python + " (run scripts/python_env.sh or set S2S_PYTHON)";
      return;
    }
    sets_ = testing_support::make_hypothesis_sets(data);

    const fs::path dir = fs::temp_directory_path() / ("s2s_sacrebleu_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::map<const std::vector<std::string>*, fs::path> written;
    auto file_for = [&](const std::vector<std::string>* lines) {
      auto it = written.find(lines);
      if (it != written.end()) return it->second;
      const fs::path p = dir / ("lines" + std::to_string(written.size()) + ".txt");
      write_lines(p, *lines);
      return written[lines] = p;
    };
    std::ofstream manifest(dir / "manifest.tsv", std::ios::binary);
    for (const HypSet& s : sets_) {
      manifest << s.name << '\t' << (s.chrfpp ? "pp" : "-") << '\t' << file_for(&s.hyps).string();
      for (const std::vector<std::string>* r : s.refs) manifest << '\t' << file_for(r).string();
      manifest << '\n';
    }
    manifest.close();
    const fs::path out = dir / "figures.tsv";
    const std::string cmd = "\"" + python + "\" \"" S2S_SOURCE_DIR "/tests/metrics/sacrebleu_reference.py\" \"" +
                            (dir / "manifest.tsv").string() + "\" \"" + out.string() + "\" 2>\"" +
                            (dir / "stderr.txt").string() + "\"";
    const int rc = std::system(cmd.c_str());
    std::ifstream in(out, std::ios::binary);
    std::stringstream err;
    err << std::ifstream(dir / "stderr.txt").rdbuf();
    if (rc != 0 || !in) {
      error_ = "sacrebleu_reference.py failed (rc " + std::to_string(rc) + "): " + err.str();
    } else {
      parse(in);
    }
    fs::remove_all(dir);
  }

  static void parse(std::istream& in) {
    std::string line;
    while (std::getline(in, line)) {
      const std::vector<std::string> f = split(line, '\t');
      if (f[0] == "version") {
        version_ = f[1];
      } else if (f[0] == "set") {
        figures_.emplace_back().name = f[1];
      } else if (f[0] == "bleu") {
        RefFigures& r = figures_.back();
        r.bleu = std::stod(f[1]), r.sys_len = std::stoll(f[2]), r.ref_len = std::stoll(f[3]);
        r.counts = ints(f[4]), r.totals = ints(f[5]);
      } else if (f[0] == "line") {
        figures_.back().lines.push_back(f[1]);
      } else if (f[0] == "chrf") {
        figures_.back().chrf = std::stod(f[1]);
      } else if (f[0] == "chrfpp") {
        figures_.back().chrfpp = std::stod(f[1]);
      } else if (f[0] == "tok") {
        figures_.back().tokens.push_back(f[2]);
      } else if (f[0] == "sent") {
        figures_.back().sentence.emplace_back(std::stod(f[2]), std::stod(f[3]));
      }
    }
  }

  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_TRUE(error_.empty()) << error_;
    ASSERT_EQ(version_, kSacrebleuVersion) << "the reference Python has sacreBLEU " << version_
                                           << "; this code reproduces " << kSacrebleuVersion
                                           << " (scripts/python_env.sh installs it)";
    ASSERT_EQ(figures_.size(), sets_.size());
  }

  static std::vector<std::string> refs_of(const HypSet& s, std::size_t i) {
    std::vector<std::string> refs;
    for (const std::vector<std::string>* r : s.refs) refs.push_back((*r)[i]);
    return refs;
  }

  static void check_tokenizer();
  static void check_corpus_bleu();
  static void check_corpus_chrf();
  static void check_sentence_scores();

  static inline std::string skip_, error_, version_;
  static inline std::vector<HypSet> sets_;
  static inline std::vector<RefFigures> figures_;
};

// The task's bar is 0.01; equal summation order makes the match exact up to
// printing, so the bound here is far tighter.
constexpr double kTol = 1e-9;

void SacrebleuCompat::check_tokenizer() {
  for (std::size_t k = 0; k < sets_.size(); ++k) {
    const HypSet& s = sets_[k];
    ASSERT_EQ(figures_[k].tokens.size(), s.hyps.size()) << s.name;
    int mismatches = 0;
    for (std::size_t i = 0; i < s.hyps.size(); ++i) {
      const std::string mine = tokenize_13a_joined(rstrip_py(s.hyps[i]));
      if (mine != figures_[k].tokens[i] && ++mismatches <= 5)
        ADD_FAILURE() << s.name << " line " << i << "\n  input:     " << s.hyps[i] << "\n  sacreBLEU: "
                      << figures_[k].tokens[i] << "\n  s2s:       " << mine;
    }
    EXPECT_EQ(mismatches, 0) << s.name;
  }
}

void SacrebleuCompat::check_corpus_bleu() {
  for (std::size_t k = 0; k < sets_.size(); ++k) {
    const HypSet& s = sets_[k];
    const RefFigures& f = figures_[k];
    Bleu bleu;
    for (std::size_t i = 0; i < s.hyps.size(); ++i) bleu.add(s.hyps[i], refs_of(s, i));
    const BleuScore b = bleu.score();
    EXPECT_EQ(b.hyp_len, f.sys_len) << s.name;
    EXPECT_EQ(b.ref_len, f.ref_len) << s.name;
    EXPECT_EQ(b.counts, f.counts) << s.name;
    EXPECT_EQ(b.totals, f.totals) << s.name;
    EXPECT_NEAR(b.score, f.bleu, kTol) << s.name;
    EXPECT_EQ(bleu.format(), f.lines.at(0)) << s.name;
  }
}

void SacrebleuCompat::check_corpus_chrf() {
  int plus_plus_sets = 0;
  for (std::size_t k = 0; k < sets_.size(); ++k) {
    const HypSet& s = sets_[k];
    const RefFigures& f = figures_[k];
    Chrf chrf;
    for (std::size_t i = 0; i < s.hyps.size(); ++i) chrf.add(s.hyps[i], refs_of(s, i));
    EXPECT_NEAR(chrf.score(), f.chrf, kTol) << s.name;
    EXPECT_EQ(chrf.format(), f.lines.at(1)) << s.name;
    ASSERT_EQ(f.chrfpp.has_value(), s.chrfpp) << s.name;
    if (!s.chrfpp) continue;
    ++plus_plus_sets;
    Chrf chrfpp(ChrfOptions::plus_plus());
    for (std::size_t i = 0; i < s.hyps.size(); ++i) chrfpp.add(s.hyps[i], refs_of(s, i));
    EXPECT_NEAR(chrfpp.score(), *f.chrfpp, kTol) << s.name;
    EXPECT_EQ(chrfpp.format(), f.lines.at(2)) << s.name;
  }
  EXPECT_GE(plus_plus_sets, 5);
}

void SacrebleuCompat::check_sentence_scores() {
  for (std::size_t k = 0; k < sets_.size(); ++k) {
    const HypSet& s = sets_[k];
    const RefFigures& f = figures_[k];
    ASSERT_FALSE(f.sentence.empty()) << s.name;
    int mismatches = 0;
    for (std::size_t i = 0; i < f.sentence.size(); ++i) {
      const std::vector<std::string> refs = refs_of(s, i);
      const double b = sentence_bleu(s.hyps[i], refs).score;
      const double c = sentence_chrf(s.hyps[i], refs);
      if ((std::abs(b - f.sentence[i].first) > kTol || std::abs(c - f.sentence[i].second) > kTol) && ++mismatches <= 5)
        ADD_FAILURE() << s.name << " line " << i << ": BLEU " << b << " vs " << f.sentence[i].first << ", chrF " << c
                      << " vs " << f.sentence[i].second;
    }
    EXPECT_EQ(mismatches, 0) << s.name;
  }
}

// One test, because gtest_discover_tests runs every test in its own process
// and the Python side is the slow part: it should run once.
TEST_F(SacrebleuCompat, MatchesSacrebleuOnRealSentencePairs) {
  for (const HypSet& s : sets_) EXPECT_GE(s.hyps.size(), 2000u) << s.name;
  EXPECT_GE(sets_.size(), 10u);
  check_tokenizer();
  check_corpus_bleu();
  check_corpus_chrf();
  check_sentence_scores();
}

}  // namespace
}  // namespace s2s::metrics
