// Atomic writes: the target holds either the old or the new content, and no
// temporary files are left behind, also when a write fails.
#include "s2s/io/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "s2s/core/error.h"
#include "support/temp_dir.h"

namespace s2s::io {
namespace {

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(AtomicFile, WritesAndReplaces) {
  testing::TempDir dir;
  std::string path = dir.file("a.txt");
  write_file_atomic(path, "first");
  EXPECT_EQ(read_file(path), "first");
  write_file_atomic(path, std::string("sec\0ond", 7));
  EXPECT_EQ(read_file(path), std::string("sec\0ond", 7));
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"a.txt"});
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::others_read, std::filesystem::perms::others_read);
}

TEST(AtomicFile, FailureLeavesNoFileAndSaysWhy) {
  testing::TempDir dir;
  std::string path = dir.file("missing/a.txt");
  try {
    write_file_atomic(path, "x");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), path + ": cannot create a temporary file next to it (No such file or directory)");
  }
  EXPECT_TRUE(names_in(dir.path()).empty());
}

TEST(AtomicFile, RenameOntoADirectoryFailsAndCleansUp) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.file("d/inner"));
  EXPECT_THROW(write_file_atomic(dir.file("d"), "x"), Error);
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"d"});
}

TEST(AtomicFile, MakeDirsAndJoin) {
  testing::TempDir dir;
  make_dirs(dir.file("x/y/z"));
  make_dirs(dir.file("x/y/z"));  // exists: fine
  EXPECT_TRUE(std::filesystem::is_directory(dir.file("x/y/z")));
  write_file_atomic(dir.file("f"), "");
  EXPECT_THROW(make_dirs(dir.file("f")), Error);
  EXPECT_EQ(join_path("a", "b"), "a/b");
  EXPECT_EQ(join_path("a/", "b"), "a/b");
  EXPECT_EQ(join_path("", "b"), "b");
  EXPECT_TRUE(file_exists(dir.file("f")));
  EXPECT_FALSE(file_exists(dir.file("g")));
}

}  // namespace
}  // namespace s2s::io
