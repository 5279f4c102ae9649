#pragma once
// Helpers for the data tests: temporary files, gzip, fixtures, and checking
// that a call fails with a given message.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/error_of.h"

namespace s2s::testing {

inline std::string fixture(const std::string& name) { return std::string(S2S_SOURCE_DIR) + "/tests/data/fixtures/" + name; }

inline std::string shared_data(const std::string& rel) { return std::string(S2S_SOURCE_DIR) + "/../shared/data/" + rel; }

// A fresh directory per test, removed at the end.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "s2s_data_test_XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name, const std::string& content) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  std::string gz(const std::string& name, const std::string& content) const {
    std::string p = path_ + "/" + name;
    gzFile f = gzopen(p.c_str(), "wb");
    gzwrite(f, content.data(), static_cast<unsigned>(content.size()));
    gzclose(f);
    return p;
  }
  std::string path(const std::string& name) const { return path_ + "/" + name; }
  const std::string& dir() const { return path_; }

 private:
  std::string path_;
};

#define EXPECT_ERROR(stmt, text) EXPECT_EQ(::s2s::testing::error_of([&] { stmt; }), text)
#define EXPECT_ERROR_HAS(stmt, part) \
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, part, ::s2s::testing::error_of([&] { stmt; }))

}  // namespace s2s::testing
