#pragma once
// The page GET / serves: one self-contained HTML document (styles and script
// inline, nothing fetched from elsewhere). Type or paste text (one sentence a
// line), pick the model and beam, and see each output with its score and an
// SVG attention heatmap (source tokens across, output tokens down).
//
// Query parameters fill the form: ?text=...&model=...&beam=...; adding
// &auto=1 submits on load (the browser test uses it). When a translation has
// been rendered, <body data-state="done"> (or "error") is set.
#include <string_view>

namespace s2s::serve {

std::string_view web_page_html();

}  // namespace s2s::serve
