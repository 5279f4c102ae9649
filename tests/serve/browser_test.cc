// The web page in a real browser: headless Chromium loads GET /, the page
// auto-submits a sentence (?text=...&auto=1), and the test reads the rendered
// DOM: the output text, the models list, and the SVG heatmap's cells. A
// screenshot is kept under the build directory (tests/serve_artifacts/).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "serve/server_fixture.h"

namespace s2s::serve {
namespace {

namespace fs = std::filesystem;

std::string find_chromium() {
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    std::string cmd = std::string("command -v ") + name + " > /dev/null 2>&1";
    if (std::system(cmd.c_str()) == 0) return name;
  }
  return "";
}

fs::path artifacts_dir() {
  fs::path dir = fs::read_symlink("/proc/self/exe").parent_path() / "serve_artifacts";
  fs::create_directories(dir);
  return dir;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

// Runs headless Chromium on `url` with `mode` (--dump-dom > out, or
// --screenshot=...). Each call gets its own profile (tests may run in
// parallel; Chromium locks a profile) and appends to dir/<tag>.chromium.log.
int run_chromium(const std::string& chromium, const fs::path& dir, const std::string& tag, const std::string& url,
                 const std::string& mode, const fs::path& stdout_file) {
  fs::path profile = fs::temp_directory_path() / ("s2s_chromium_" + tag + "_" + std::to_string(getpid()));
  std::string cmd = "timeout 120 " + chromium +
                    " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run"
                    " --disable-extensions --hide-scrollbars --user-data-dir=" +
                    profile.string() + " --window-size=1000,760 --virtual-time-budget=15000 " + mode + " '" + url +
                    "' > " + stdout_file.string() + " 2>> " + (dir / (tag + ".chromium.log")).string();
  int rc = std::system(cmd.c_str());
  std::error_code ec;
  fs::remove_all(profile, ec);
  return rc;
}

TEST(ServeBrowser, PageTranslatesAndDrawsTheHeatmap) {
  std::string chromium = find_chromium();
  if (chromium.empty())
    GTEST_SKIP() << "headless Chromium not found: install the Debian package `chromium` (scripts/setup.sh does)";
  testing::RunningServer s;
  fs::path dir = artifacts_dir();
  std::string url = "http://127.0.0.1:" + std::to_string(s.port()) + "/?text=the%20cat%20sat&beam=2&auto=1";

  fs::path dom_file = dir / "web_page.dom.html";
  std::ofstream(dir / "web_page.chromium.log", std::ios::trunc);  // this run's messages only
  ASSERT_EQ(run_chromium(chromium, dir, "web_page", url, "--dump-dom", dom_file), 0)
      << "see " << (dir / "web_page.chromium.log");
  std::string dom = read_file(dom_file);
  ASSERT_NE(dom.find("data-state=\"done\""), std::string::npos) << dom;
  EXPECT_NE(dom.find("<div class=\"output\">sat cat the &lt;b=2&gt;</div>"), std::string::npos) << dom;
  EXPECT_NE(dom.find("<div class=\"score\">score -2.0200</div>"), std::string::npos) << dom;
  EXPECT_NE(dom.find("<option value=\"fake\""), std::string::npos);
  EXPECT_NE(dom.find("<option value=\"upper\""), std::string::npos);
  // Heatmap: 4 output tokens x 3 source tokens, the reversal on the anti-diagonal.
  EXPECT_NE(dom.find("data-rows=\"4\" data-cols=\"3\""), std::string::npos) << dom;
  EXPECT_EQ(count(dom, "class=\"cell\""), 12u);
  EXPECT_EQ(count(dom, "class=\"src-token\""), 3u);
  EXPECT_EQ(count(dom, "class=\"tgt-token\""), 4u);
  for (const char* cell : {"data-i=\"0\" data-j=\"2\" data-w=\"1\"", "data-i=\"1\" data-j=\"1\" data-w=\"1\"",
                           "data-i=\"2\" data-j=\"0\" data-w=\"1\"", "data-i=\"0\" data-j=\"0\" data-w=\"0\"",
                           "data-i=\"3\" data-j=\"1\" data-w=\"0.3333\""})
    EXPECT_NE(dom.find(cell), std::string::npos) << cell;
  // The request the page sent.
  auto calls = s.model(0).calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].inputs, std::vector<std::string>{"the cat sat"});
  EXPECT_EQ(calls[0].options.beam, 2);
  EXPECT_TRUE(calls[0].options.return_alignments);

  fs::path png = dir / "web_page.png";
  fs::remove(png);
  ASSERT_EQ(run_chromium(chromium, dir, "web_page", url, "--screenshot=" + png.string(), dir / "screenshot.stdout"), 0);
  std::string image = read_file(png);
  ASSERT_GT(image.size(), 1000u) << "no screenshot at " << png;
  EXPECT_EQ(image.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  std::printf("screenshot: %s\n", png.c_str());
}

TEST(ServeBrowser, PageShowsServerErrors) {
  std::string chromium = find_chromium();
  if (chromium.empty())
    GTEST_SKIP() << "headless Chromium not found: install the Debian package `chromium` (scripts/setup.sh does)";
  testing::RunningServer s;
  fs::path dir = artifacts_dir();
  std::string url = "http://127.0.0.1:" + std::to_string(s.port()) + "/?text=FAIL&beam=1&auto=1";
  fs::path dom_file = dir / "web_page_error.dom.html";
  std::ofstream(dir / "web_page_error.chromium.log", std::ios::trunc);
  ASSERT_EQ(run_chromium(chromium, dir, "web_page_error", url, "--dump-dom", dom_file), 0);
  std::string dom = read_file(dom_file);
  EXPECT_NE(dom.find("data-state=\"error\""), std::string::npos) << dom;
  EXPECT_NE(dom.find("<div id=\"error\">fake: cannot translate FAIL</div>"), std::string::npos) << dom;
}

}  // namespace
}  // namespace s2s::serve
