// The s2s program end to end: `s2s vocab` on good and bad inputs, checking
// the files written, the one-line error and the exit status.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "s2s/data/spm_tokenizer.h"
#include "s2s/data/vocab.h"

namespace {

namespace fs = std::filesystem;

std::string fixture(const std::string& name) { return std::string(S2S_SOURCE_DIR) + "/tests/data/fixtures/" + name; }

// The s2s binary next to the tests directory of this build.
std::string s2s_binary() { return (fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "s2s").string(); }

struct Result {
  int status;
  std::string err;  // stderr
};

Result run(const std::string& args) {
  fs::path err_file = fs::temp_directory_path() / ("s2s_cli_test_" + std::to_string(::getpid()) + ".err");
  std::string cmd = s2s_binary() + " " + args + " >/dev/null 2>" + err_file.string();
  int raw = std::system(cmd.c_str());
  std::ifstream in(err_file);
  std::string err((std::istreambuf_iterator<char>(in)), {});
  fs::remove(err_file);
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, err};
}

class VocabCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(s2s_binary())) GTEST_SKIP() << "s2s binary not built at " << s2s_binary();
    dir_ = fs::temp_directory_path() / ("s2s_cli_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string out(const std::string& name) { return (dir_ / name).string(); }
  void expect_error(const std::string& args, const std::string& message) {
    Result r = run(args);
    EXPECT_EQ(r.status, 1) << args;
    EXPECT_EQ(r.err, "s2s: error: " + message + "\n") << args;
  }
  fs::path dir_;
};

TEST_F(VocabCommand, WritesWordAndCharVocabularies) {
  Result r = run("vocab --type word --input " + fixture("crlf_bom.tsv") + " --side tgt --output " + out("w.vocab"));
  ASSERT_EQ(r.status, 0) << r.err;
  auto v = s2s::data::Vocab::load(out("w.vocab"));
  EXPECT_EQ(v.size(), 4 + 7);  // HH AH L OW W ER D; L twice
  EXPECT_EQ(v.token(4), "L");
  r = run("vocab --type char --input " + fixture("crlf_bom.tsv") + " --side src --size 6 --output " + out("c.vocab"));
  ASSERT_EQ(r.status, 0) << r.err;
  v = s2s::data::Vocab::load(out("c.vocab"));
  EXPECT_EQ(v.size(), 6);
  EXPECT_EQ(v.token(4), "▁");  // 8 spaces
  EXPECT_EQ(v.token(5), "l");  // 3 l's
}

TEST_F(VocabCommand, TrainsSentencePiece) {
  std::string tsv = out("spm.tsv");
  {
    std::ofstream f(tsv);
    const char* words[] = {"kari", "mote", "suna", "lope", "vidu", "geba", "kamo", "teri"};
    for (int i = 0; i < 300; ++i) f << words[i % 8] << " " << words[(i * 3) % 8] << "\t" << words[(i * 5) % 8] << "\n";
  }
  Result r = run("vocab --type spm --model-type bpe --size 40 --input " + tsv + " --output " + out("s.vocab"));
  ASSERT_EQ(r.status, 0) << r.err;
  auto spm = s2s::data::SpmTokenizer::load(out("s.vocab.spm"));
  auto v = s2s::data::Vocab::load(out("s.vocab"));
  s2s::data::check_vocab_matches_spm(v, *spm, "vocab", "model");
  EXPECT_EQ(v.size(), 40);
}

TEST_F(VocabCommand, EveryBadInputIsOneLineAndExitStatusOne) {
  std::string o = " --output " + out("v");
  expect_error("vocab --type word --input /nonexistent.tsv" + o, "cannot open /nonexistent.tsv: No such file or directory");
  expect_error("vocab --type word --input " + dir_.string() + o, "cannot read " + dir_.string() + ": is a directory");
  expect_error("vocab --type word --input " + fixture("empty.tsv") + o, fixture("empty.tsv") + ": empty file");
  expect_error("vocab --type word --input " + fixture("invalid_utf8.tsv") + o,
               fixture("invalid_utf8.tsv") + ":2:5: invalid UTF-8 (byte 0xFF)");
  expect_error("vocab --type word --input " + fixture("no_tab.tsv") + o,
               fixture("no_tab.tsv") + ":2: expected source<TAB>target, found no TAB");
  expect_error("vocab --type word --input " + fixture("two_tabs.tsv") + o,
               fixture("two_tabs.tsv") + ":2: expected one TAB between source and target, found 2");
  std::string s = fixture("parallel.src"), g = fixture("parallel.tgt");
  expect_error("vocab --type word --input " + s + "," + g + o,
               "parallel files differ in length: " + s + " has 3 lines, " + g + " has 2 (" + g + " ran out first)");
  expect_error("vocab --type word --input " + fixture("empty_side.tsv") + " --strict" + o,
               fixture("empty_side.tsv") + ":2: empty source side (--strict)");
  expect_error("vocab --type word --input " + fixture("crlf_bom.tsv") + " --max-line-bytes 5 --strict" + o,
               fixture("crlf_bom.tsv") + ":1: line over the length limit of 5 bytes (--strict)");
  expect_error("vocab --type wrd", "s2s vocab: option --type expects one of char|word|spm, got 'wrd'");
  expect_error("vocab --type word --input x --output y --min-freq 0", "s2s vocab: --min-freq must be at least 1, got 0");
  expect_error("vocab --type spm --input x --output y --min-freq 2",
               "s2s vocab: --min-freq does not apply to --type spm (use --size)");
  expect_error("vocab --type word", "s2s vocab: missing required option --input FILE");
  expect_error("no-such-command", "unknown command 'no-such-command' (see s2s help)");
}

TEST_F(VocabCommand, SkipsAreCountedWithAWarning) {
  Result r = run("vocab --type word --input " + fixture("empty_side.tsv") + " --output " + out("v"));
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.err.find("s2s: warning: skipped 3 pairs with an empty side (first at " + fixture("empty_side.tsv") +
                       ":2; --strict makes this an error)\n"),
            std::string::npos)
      << r.err;
}

TEST_F(VocabCommand, VersionAndHelp) {
  EXPECT_EQ(run("--version").status, 0);
  EXPECT_EQ(run("help vocab").status, 0);
  EXPECT_EQ(run("vocab --help").status, 0);
  EXPECT_EQ(run("").status, 1);
}

}  // namespace
