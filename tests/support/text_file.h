#pragma once
// Whole files as text, and text as lines, for tests that check written output.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace s2s::testing {

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::vector<std::string> text_lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  for (std::string l; std::getline(s, l);) out.push_back(l);
  return out;
}

}  // namespace s2s::testing
