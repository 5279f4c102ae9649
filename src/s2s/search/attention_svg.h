#pragma once
// An attention matrix as a standalone SVG heatmap: source tokens label the
// columns (top, rotated), output tokens the rows (left); each cell is shaded
// from white (0) to black (1) and carries its weight as a tooltip.
#include <span>
#include <string>
#include <string_view>

namespace s2s::search {

// weights: [out_tokens.size(), src_tokens.size()] row-major.
std::string attention_svg(std::span<const std::string> src_tokens, std::span<const std::string> out_tokens,
                          std::span<const float> weights, std::string_view title = {});

// Text escaped for XML character data and attribute values.
std::string xml_escape(std::string_view text);

}  // namespace s2s::search
