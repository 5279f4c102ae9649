#include "s2s/search/attention_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "s2s/core/error.h"

namespace s2s::search {

namespace {

constexpr int kCell = 24;       // px per matrix cell
constexpr int kCharWidth = 8;   // px per character of a label (monospace estimate)
constexpr int kPad = 8;

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::size_t longest(std::span<const std::string> labels) {
  std::size_t n = 1;
  for (const std::string& l : labels) n = std::max(n, code_points(l));
  return n;
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 forbids most control characters even escaped.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') out += "?";
        else out += c;
    }
  }
  return out;
}

std::string attention_svg(std::span<const std::string> src, std::span<const std::string> out,
                          std::span<const float> w, std::string_view title) {
  S2S_CHECK(w.size() == src.size() * out.size(), "attention plot: ", w.size(), " weights for ", out.size(),
            " output x ", src.size(), " source tokens");
  const int left = static_cast<int>(longest(out)) * kCharWidth + 2 * kPad;
  const int title_h = title.empty() ? 0 : 2 * kPad + 12;
  const int top = title_h + static_cast<int>(std::ceil(static_cast<double>(longest(src) * kCharWidth) * 0.75)) + 2 * kPad;
  const int width = left + static_cast<int>(src.size()) * kCell + kPad;
  const int height = top + static_cast<int>(out.size()) * kCell + kPad;
  std::string s;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                "font-family=\"monospace\" font-size=\"12\">\n"
                "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
                width, height, width, height);
  s += buf;
  if (!title.empty()) s += "<text x=\"" + std::to_string(kPad) + "\" y=\"" + std::to_string(kPad + 12) + "\">" + xml_escape(title) + "</text>\n";
  // Source labels: rotated -45 degrees above their column.
  for (std::size_t i = 0; i < src.size(); ++i) {
    const int x = left + static_cast<int>(i) * kCell + kCell / 2, y = top - kPad / 2;
    std::snprintf(buf, sizeof buf, "<text x=\"%d\" y=\"%d\" transform=\"rotate(-45 %d %d)\">", x, y, x, y);
    s += buf + xml_escape(src[i]) + "</text>\n";
  }
  // Output labels: right-aligned left of their row.
  for (std::size_t j = 0; j < out.size(); ++j) {
    std::snprintf(buf, sizeof buf, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - kPad,
                  top + static_cast<int>(j) * kCell + kCell / 2 + 4);
    s += buf + xml_escape(out[j]) + "</text>\n";
  }
  for (std::size_t j = 0; j < out.size(); ++j)
    for (std::size_t i = 0; i < src.size(); ++i) {
      const float v = std::clamp(w[j * src.size() + i], 0.0f, 1.0f);
      const int shade = static_cast<int>(std::lround(255.0 * (1.0 - static_cast<double>(v))));
      std::snprintf(buf, sizeof buf,
                    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"rgb(%d,%d,%d)\" stroke=\"#ddd\">"
                    "<title>%.4f</title></rect>\n",
                    left + static_cast<int>(i) * kCell, top + static_cast<int>(j) * kCell, kCell, kCell, shade, shade,
                    shade, static_cast<double>(w[j * src.size() + i]));
      s += buf;
    }
  s += "</svg>\n";
  return s;
}

}  // namespace s2s::search
