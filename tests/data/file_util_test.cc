// same_file and check_output_is_not_input: the guard every command runs
// before it opens an output, so that no spelling of an input path (relative,
// "..", a symbolic or a hard link) lets the output destroy the input.
#include <unistd.h>

#include <filesystem>

#include "data/data_test_util.h"
#include "s2s/data/file_util.h"

namespace s2s::data {
namespace {

using s2s::testing::TempDir;

TEST(SameFile, SeesEverySpellingOfOneFile) {
  TempDir t;
  std::string a = t.file("a.txt", "x\n"), b = t.file("b.txt", "x\n");
  std::filesystem::create_directories(t.path("sub"));
  std::filesystem::create_symlink(a, t.path("link.txt"));
  ASSERT_EQ(::link(a.c_str(), t.path("hard.txt").c_str()), 0);
  EXPECT_TRUE(same_file(a, a));
  EXPECT_TRUE(same_file(a, t.dir() + "/sub/../a.txt"));
  EXPECT_TRUE(same_file(a, t.dir() + "/./a.txt"));
  EXPECT_TRUE(same_file(a, t.path("link.txt")));
  EXPECT_TRUE(same_file(t.path("hard.txt"), a));
  EXPECT_FALSE(same_file(a, b));  // same content, other file
}

TEST(SameFile, MissingFilesAndStdioAreNeverTheSame) {
  TempDir t;
  std::string a = t.file("a.txt", "x\n");
  EXPECT_FALSE(same_file(t.path("new.txt"), t.path("new.txt")));  // an output yet to be written
  EXPECT_FALSE(same_file("-", "-"));
  EXPECT_FALSE(same_file(a, ""));
}

TEST(CheckOutputIsNotInput, NamesBothOptionsAndLeavesTheInputAlone) {
  TempDir t;
  std::string in = t.file("in.txt", "keep me\n"), other = t.file("other.txt", "y\n");
  const NamedPath inputs[] = {{"--src", other}, {"--input", in}};
  EXPECT_ERROR(check_output_is_not_input("s2s x", {"--output", t.dir() + "/./in.txt"}, inputs),
               "s2s x: --output " + t.dir() + "/./in.txt is the same file as --input " + in +
                   ": writing it would destroy the input; choose another output file");
  EXPECT_ERROR(check_output_is_not_input("s2s x", {"--output", t.path("out.txt")}, inputs), "(no error)");
  EXPECT_ERROR(check_output_is_not_input("s2s x", {"--output", "-"}, inputs), "(no error)");
  EXPECT_EQ(read_file(in), "keep me\n");
}

}  // namespace
}  // namespace s2s::data
