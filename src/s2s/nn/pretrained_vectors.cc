#include "s2s/nn/pretrained_vectors.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <string_view>
#include <unordered_map>

namespace s2s::nn {

namespace {

void split_fields(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
}

bool parse_int(std::string_view s, std::int64_t& v) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

PretrainedStats load_pretrained_vectors(Embedding& table, const std::string& path,
                                        const std::vector<std::string>& tokens, bool freeze) {
  const std::int64_t vocab = table.vocab_size(), dim = table.dim();
  S2S_CHECK(static_cast<std::int64_t>(tokens.size()) == vocab, path, ": the vocabulary has ", tokens.size(),
            " tokens but the embedding ", table.name(), " has ", vocab, " rows");
  std::ifstream in(path, std::ios::binary);
  S2S_CHECK(in.good(), path, ": cannot open the pretrained vectors file");

  std::unordered_map<std::string_view, std::int32_t> want;
  for (std::int32_t id = 0; id < static_cast<std::int32_t>(vocab); ++id)
    if (id != table.padding_idx()) want.emplace(tokens[static_cast<std::size_t>(id)], id);
  std::vector<bool> seen(static_cast<std::size_t>(vocab), false);

  float* w = table.weight().value.f32();
  std::string line;
  std::vector<std::string_view> fields;
  std::int64_t line_no = 0, vectors = 0, file_dim = -1;
  PretrainedStats stats;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    split_fields(line, fields);
    if (fields.empty()) continue;
    std::int64_t count = 0, header_dim = 0;
    if (line_no == 1 && fields.size() == 2 && parse_int(fields[0], count) && parse_int(fields[1], header_dim)) {
      file_dim = header_dim;  // word2vec header "count dim"
      S2S_CHECK(file_dim == dim, path, ":1: the vectors have ", file_dim, " dimensions but ", table.name(), " has ",
                dim);
      continue;
    }
    if (file_dim < 0) {
      file_dim = static_cast<std::int64_t>(fields.size()) - 1;
      S2S_CHECK(file_dim == dim, path, ":", line_no, ": the vectors have ", file_dim, " dimensions but ",
                table.name(), " has ", dim);
    }
    // A few published files (GloVe 840B) have words containing spaces: the last
    // `dim` fields are the vector, everything before them is the word.
    S2S_CHECK(static_cast<std::int64_t>(fields.size()) >= dim + 1, path, ":", line_no, ": expected a word and ", dim,
              " numbers, got ", fields.size(), " fields");
    std::size_t first_num = fields.size() - static_cast<std::size_t>(dim);
    std::string_view word(fields[0].data(),
                          static_cast<std::size_t>(fields[first_num - 1].data() + fields[first_num - 1].size() -
                                                   fields[0].data()));
    ++vectors;
    auto it = want.find(word);
    if (it == want.end() || seen[static_cast<std::size_t>(it->second)]) continue;
    float* row = w + static_cast<std::int64_t>(it->second) * dim;
    for (std::int64_t k = 0; k < dim; ++k) {
      std::string_view f = fields[first_num + static_cast<std::size_t>(k)];
      float v = 0;
      auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
      S2S_CHECK(ec == std::errc() && end == f.data() + f.size() && std::isfinite(v), path, ":", line_no,
                ": bad number '", f, "' (expected a text file of 'word v1 ... v", dim,
                "' lines; binary word2vec files are not supported)");
      row[k] = v;
    }
    seen[static_cast<std::size_t>(it->second)] = true;
    ++stats.found;
  }
  S2S_CHECK(vectors > 0, path, ": no word vectors found");
  stats.missing = vocab - (table.padding_idx() >= 0 ? 1 : 0) - stats.found;
  table.set_frozen(freeze);
  return stats;
}

}  // namespace s2s::nn
