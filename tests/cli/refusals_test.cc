// What the commands refuse and how they stop: no output may be one of the
// inputs (however spelled), an unwritable attention plot is a user error, and
// an input line that is not UTF-8 either stops translate after a clean prefix
// of the output or, with --skip-bad-lines, becomes an empty line.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <fstream>
#include <sstream>

#include "s2s/cli/commands.h"
#include "s2s/core/error.h"
#include "support/error_of.h"
#include "support/temp_dir.h"
#include "support/text_file.h"

namespace s2s::cli {
namespace {

namespace fs = std::filesystem;

void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::string error_of(int (*command)(std::span<const std::string>), std::vector<std::string> args) {
  return s2s::testing::error_of([&] { command(args); });
}

std::string same_file_error(const std::string& command, const std::string& out_option, const std::string& out,
                            const std::string& in_option, const std::string& in) {
  return command + ": " + out_option + " " + out + " is the same file as " + in_option + " " + in +
         ": writing it would destroy the input; choose another output file";
}

// A model trained for a few updates: the tests need a model, not a good one.
class Refusals : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new s2s::testing::TempDir();
    std::string train;
    for (const std::string w : {"abc", "bca", "cab", "aab", "bba", "cca", "abca", "bcab"})
      train += w + '\t' + std::string(w.rbegin(), w.rend()) + '\n';
    for (int i = 0; i < 4; ++i) train += train;
    write(file("train.tsv"), train);
    write(file("test.tsv"), "abc\tcba\nbca\tacb\n");
    write(file("input.txt"), "abc\nbca\n");
    std::vector<std::string> args = {"--train", file("train.tsv"), "--save-dir", file("model"), "--steps", "5",
                                     "--model.hidden_size", "8", "--model.embedding_size", "8", "--threads", "1",
                                     "--report-every", "1000", "--train.progress", "false"};
    ASSERT_EQ(train_command(args), 0);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string file(const std::string& name) { return dir_->file(name); }

  static std::string translate(const std::string& input, const std::string& output, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"-m", file("model"), "--input", input, "--output", output, "--chunk", "2", "--beam", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    EXPECT_EQ(translate_command(args), 0);
    return testing::read_text(output);
  }

  static s2s::testing::TempDir* dir_;
};
s2s::testing::TempDir* Refusals::dir_ = nullptr;

TEST_F(Refusals, TranslateOutputIsNeverItsInput) {
  const std::string in = file("input.txt"), before = testing::read_text(in);
  fs::create_symlink(in, file("input_link.txt"));
  for (const std::string& out : {in, file("input_link.txt"), dir_->path() + "/./input.txt"}) {
    EXPECT_EQ(error_of(translate_command, {"-m", file("model"), "--input", in, "--output", out}),
              same_file_error("s2s translate", "--output", out, "--input", in));
    EXPECT_EQ(testing::read_text(in), before) << out;
  }
  // An attention plot that would land on the input is refused the same way.
  write(file("sent.0.svg"), before);
  EXPECT_EQ(error_of(translate_command, {"-m", file("model"), "--input", file("sent.0.svg"), "--output",
                                          file("plot_out.txt"), "--attention-plot", file("sent.svg")}),
            same_file_error("s2s translate", "--attention-plot", file("sent.0.svg"), "--input", file("sent.0.svg")));
  EXPECT_EQ(testing::read_text(file("sent.0.svg")), before);
}

TEST_F(Refusals, EvalOutputIsNeverTheTestSet) {
  const std::string test = file("test.tsv"), before = testing::read_text(test);
  EXPECT_EQ(error_of(eval_command, {"-m", file("model"), "--test", test, "--output", test}),
            same_file_error("s2s eval", "--output", test, "--test", test));
  EXPECT_EQ(testing::read_text(test), before);
  write(file("test.src"), "abc\n");
  write(file("test.ref"), "cba\n");
  EXPECT_EQ(error_of(eval_command, {"-m", file("model"), "--test", file("test.src") + "," + file("test.ref"), "--output",
                                    file("test.ref")}),
            same_file_error("s2s eval", "--output", file("test.ref"), "--test", file("test.ref")));
  EXPECT_EQ(testing::read_text(file("test.ref")), "cba\n");
}

TEST_F(Refusals, VocabOutputIsNeverItsInput) {
  const std::string corpus = file("train.tsv"), before = testing::read_text(corpus);
  EXPECT_EQ(error_of(vocab_command, {"--type", "char", "--input", corpus, "--output", corpus}),
            same_file_error("s2s vocab", "--output", corpus, "--input", corpus));
  EXPECT_EQ(testing::read_text(corpus), before);
  // --type spm also writes OUTPUT.spm.
  write(file("c.vocab.spm"), before);
  EXPECT_EQ(error_of(vocab_command, {"--type", "spm", "--input", file("c.vocab.spm"), "--output", file("c.vocab")}),
            same_file_error("s2s vocab", "--output's SentencePiece model", file("c.vocab.spm"), "--input",
                            file("c.vocab.spm")));
  EXPECT_EQ(testing::read_text(file("c.vocab.spm")), before);
}

TEST_F(Refusals, UnwritableAttentionPlotIsAUserError) {
  // A folder cannot be made under a regular file, whoever runs the test.
  const std::string pattern = file("input.txt") + "/plots/att.svg";
  std::string error = error_of(translate_command, {"-m", file("model"), "--input", file("input.txt"), "--output",
                                                   file("plot_fail.txt"), "--attention-plot", pattern});
  EXPECT_TRUE(error.starts_with("s2s translate: --attention-plot " + pattern + ": cannot create the folder " +
                                file("input.txt") + "/plots (")) << error;
}

TEST_F(Refusals, InvalidUtf8StopsAfterTheLinesBeforeIt) {
  write(file("bad.txt"), "abc\nbca\ncab\nb\xFFq\naab\n");
  write(file("good3.txt"), "abc\nbca\ncab\n");
  const std::string expected = translate(file("good3.txt"), file("good3.out"));
  EXPECT_EQ(error_of(translate_command, {"-m", file("model"), "--input", file("bad.txt"), "--output", file("bad.out"),
                                         "--chunk", "2", "--beam", "2"}),
            "s2s translate: " + file("bad.txt") +
                ":4:2: invalid UTF-8 (byte 0xFF); the output holds the translations of the 3 lines before it "
                "(--skip-bad-lines translates such a line as an empty line and goes on)");
  EXPECT_EQ(testing::read_text(file("bad.out")), expected);
}

TEST_F(Refusals, SkipBadLinesTranslatesThemAsEmptyLines) {
  const std::string long_line(std::size_t{1} << 21, 'a');  // over the 1 MiB line limit
  write(file("bad2.txt"), "abc\n\xC3(\nbca\n" + long_line + "\ncab\n");
  write(file("blank2.txt"), "abc\n\nbca\n\ncab\n");
  const std::string expected = translate(file("blank2.txt"), file("blank2.out"));
  ::testing::internal::CaptureStderr();
  const std::string out = translate(file("bad2.txt"), file("bad2.out"), {"--skip-bad-lines"});
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(out, expected);
  EXPECT_EQ(err, "s2s translate: warning: " + file("bad2.txt") +
                     ":2:1: invalid UTF-8 (byte 0xC3): translated as an empty line\n"
                     "s2s translate: warning: " + file("bad2.txt") + ":4: line too long: translated as an empty line\n"
                     "s2s translate: 2 input lines were not UTF-8 or too long; each was translated as an empty line\n");
}

// A gzip input cut short: the lines before the cut are translated and written.
TEST_F(Refusals, TruncatedGzipInputKeepsTheTranslationsBeforeTheCut) {
  std::string text;
  std::uint32_t x = 12345;  // varied lines, so the compressed stream is long enough to cut in the middle
  for (int i = 0; i < 3000; ++i) {
    for (int k = 0; k < 5; ++k) text += static_cast<char>('a' + (x = x * 1103515245u + 12345u) % 3);
    text += '\n';
  }
  const std::string full = file("full.gz");
  gzFile f = gzopen(full.c_str(), "wb");
  gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);
  const std::string bytes = testing::read_text(full);
  write(file("cut.gz"), bytes.substr(0, bytes.size() / 2));
  std::string error = error_of(translate_command, {"-m", file("model"), "--input", file("cut.gz"), "--output", file("cut.out"),
                                                   "--chunk", "64"});
  std::smatch m;
  ASSERT_TRUE(std::regex_match(error, m, std::regex("s2s translate: .*cut\\.gz:([0-9]+): cannot read: unexpected end of file "
                                                    "\\(corrupt or truncated gzip data\\?\\); the output holds the "
                                                    "translations of the ([0-9]+) lines before it")))
      << error;
  const int cut = std::stoi(m[1]);
  EXPECT_GT(cut, 64);
  EXPECT_EQ(std::stoi(m[2]), cut - 1);
  std::string out = testing::read_text(file("cut.out"));
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), cut - 1);
}

TEST_F(Refusals, ResumeOfAnEmptyOrMissingDirectoryNamesIt) {
  fs::create_directories(file("empty_run"));
  EXPECT_EQ(error_of(train_command, {"--resume", file("empty_run")}),
            file("empty_run") + ": nothing to resume: no config.yaml (a run that failed before training began leaves none; "
                                "start it again without --resume)");
  EXPECT_EQ(error_of(train_command, {"--resume", file("no_run")}), file("no_run") + ": no such directory to resume from");
}

}  // namespace
}  // namespace s2s::cli
