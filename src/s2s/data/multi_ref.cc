#include "s2s/data/multi_ref.h"

#include <memory>

#include "s2s/core/error.h"

namespace s2s::data {

namespace {

void split_refs(std::string_view text, char sep, const std::string& where, std::vector<std::string>& out) {
  std::size_t start = 0;
  for (int k = 1;; ++k) {
    std::size_t end = text.find(sep, start);
    std::string_view ref = text.substr(start, end == std::string_view::npos ? text.npos : end - start);
    S2S_CHECK(!ref.empty(), where, ": reference ", k, " is empty");
    out.emplace_back(ref);
    if (end == std::string_view::npos) return;
    start = end + 1;
  }
}

std::vector<MultiRefPair> read_tsv(const std::string& path, const MultiRefOptions& o) {
  LineReader reader(path, o.lines);
  std::vector<MultiRefPair> out;
  std::string_view line;
  while (reader.next(line)) {
    std::string where = reader.where();
    S2S_CHECK(!reader.too_long(), where, ": line over the length limit of ", o.lines.max_line_bytes, " bytes");
    std::size_t tab = line.find('\t');
    S2S_CHECK(tab != std::string_view::npos, where, ": expected source<TAB>reference[<TAB>reference...], found no TAB");
    MultiRefPair p;
    p.line = reader.line_number();
    p.src = line.substr(0, tab);
    S2S_CHECK(!p.src.empty(), where, ": empty source");
    std::string_view rest = line.substr(tab + 1);
    if (o.ref_separator != '\t')
      S2S_CHECK(rest.find('\t') == std::string_view::npos, where, ": expected source<TAB>references separated by '",
                o.ref_separator, "', found more than one TAB");
    split_refs(rest, o.ref_separator, where, p.refs);
    out.push_back(std::move(p));
  }
  S2S_CHECK(reader.line_number() > 0, path, ": empty file");
  return out;
}

}  // namespace

std::vector<MultiRefPair> read_multi_ref(const CorpusSpec& spec, const MultiRefOptions& o) {
  S2S_CHECK(!spec.paths.empty(), "multi-reference set: no file given");
  if (spec.paths.size() == 1) return read_tsv(spec.paths[0], o);
  std::vector<std::unique_ptr<LineReader>> readers;
  for (const std::string& p : spec.paths) readers.push_back(std::make_unique<LineReader>(p, o.lines));
  std::vector<MultiRefPair> out;
  std::string_view line;
  for (;;) {
    bool any = false, all = true;
    MultiRefPair p;
    for (std::size_t f = 0; f < readers.size(); ++f) {
      LineReader& r = *readers[f];
      bool has = r.next(line);
      any |= has;
      all &= has;
      if (!has) continue;
      S2S_CHECK(!r.too_long(), r.where(), ": line over the length limit of ", o.lines.max_line_bytes, " bytes");
      S2S_CHECK(!line.empty(), r.where(), f == 0 ? ": empty source" : ": empty reference");
      (f == 0 ? p.src : p.refs.emplace_back()) = line;
    }
    if (!any) break;
    if (!all) {
      std::string counts;
      for (auto& r : readers)
        counts += (counts.empty() ? "" : ", ") + r->path() + " has " + std::to_string(r->line_number() + r->skip(UINT64_MAX)) + " lines";
      fail("multi-reference files differ in length: ", counts);
    }
    p.line = readers[0]->line_number();
    out.push_back(std::move(p));
  }
  S2S_CHECK(!out.empty(), spec.paths[0], ": empty file");
  return out;
}

}  // namespace s2s::data
