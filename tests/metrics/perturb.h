#pragma once
// Hypothesis sets for the sacreBLEU comparison: real references with
// deterministic perturbations (dropped, swapped, substituted words,
// punctuation edits, tokenizer edge cases, empty lines).
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace s2s::metrics::testing_support {

struct HypSet {
  std::string name;
  std::vector<std::string> hyps;
  std::vector<const std::vector<std::string>*> refs;  // reference streams, each hyps.size() lines
  bool chrfpp = false;  // also compare chrF++ (slow in Python, so only some sets)
};

// mt19937_64's output sequence is fixed by the standard; the distributions
// are not, so draws go through these helpers only.
class Draw {
 public:
  explicit Draw(std::uint64_t seed) : gen_(seed) {}
  bool chance(double p) { return static_cast<double>(gen_() >> 11) * 0x1.0p-53 < p; }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(gen_() % n); }
  template <typename T>
  const T& pick(const std::vector<T>& v) { return v[below(v.size())]; }

 private:
  std::mt19937_64 gen_;
};

inline std::vector<std::string> words_of(const std::string& s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t sp = s.find(' ', pos);
    if (sp == std::string::npos) sp = s.size();
    if (sp > pos) out.push_back(s.substr(pos, sp - pos));
    pos = sp + 1;
  }
  return out;
}

inline std::string join(const std::vector<std::string>& w, const std::string& sep = " ") {
  std::string out;
  for (std::size_t i = 0; i < w.size(); ++i) out += (i ? sep : "") + w[i];
  return out;
}

inline bool is_ascii_punct(char c) {
  return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
}

// Reads the (source, target) columns of a two-column TSV file.
inline void read_tsv(const std::filesystem::path& path, std::vector<std::string>& src, std::vector<std::string>& tgt) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    src.push_back(line.substr(0, tab));
    tgt.push_back(line.substr(tab + 1));
  }
}

struct Perturb {
  double drop = 0, swap = 0, substitute = 0, punct = 0, empty = 0, stress = 0;
};

inline std::string perturb_line(const std::string& line, const Perturb& p, Draw& d,
                                const std::vector<std::string>& vocab) {
  static const std::vector<std::string> puncts = {",", ".", ";", ":", "!", "?", "\"", "'", "(", ")", "-", "&quot;",
                                                  "&amp;", "...", " .", " ,", "¿", "¡", "«", "»"};
  // Tokenizer edge cases: digits around . , -, entities in odd orders,
  // ASCII symbols, non-ASCII digits and punctuation.
  static const std::vector<std::string> stress = {
      "1,000.5", "3-4", "12.", ".5", "a.b", "x,y", "&quot;", "&amp;amp;", "&amp;quot;", "&lt;b&gt;", "<skipped>",
      "--", "...", "(hola)", "¿qué?", "¡sí!", "\"cita\"", "'x'", "\\", "`", "{}", "[a]", "a/b", "@user", "#tag",
      "50%", "$5", "a_b", "x^2", "~", "|", "1.", "2,", "e.g.", "U.S.A.", "3.14-2", "9-", "-9", "’", "—", "…", "«a»",
      "½", "٣.٤", "１２.３", "5-.", ",.", ".,a", "0,-", "-&", "&&", "&#39;", "ŉ", "İ"};
  // Separators: Python whitespace of every kind, plus look-alikes that are not whitespace.
  static const std::vector<std::string> seps = {" ",      "  ",       "\t",      "\u00a0", "\u2009", "\u3000",
                                                "\x0b",   "\x0c",     "\x1c",    "\x1f",   "\u0085", "\u2028",
                                                "\u202f", "\r",       "\u200b",  "\ufeff", " \t "};
  if (d.chance(p.empty)) return "";
  std::vector<std::string> w = words_of(line);
  std::vector<std::string> out;
  for (std::string& word : w) {
    if (d.chance(p.drop)) continue;
    if (d.chance(p.substitute)) word = d.pick(vocab);
    if (d.chance(p.punct)) {
      if (!word.empty() && is_ascii_punct(word.back()) && d.chance(0.5)) word.pop_back();
      else word += d.pick(puncts);
    }
    if (d.chance(p.stress)) word = d.chance(0.5) ? word + d.pick(stress) : d.pick(stress) + word;
    out.push_back(word);
  }
  for (std::size_t i = 0; i + 1 < out.size(); ++i)
    if (d.chance(p.swap)) std::swap(out[i], out[i + 1]);
  if (p.stress == 0) return join(out);
  // Stress lines also get random separators and leading/trailing whitespace.
  std::string s = d.chance(0.2) ? d.pick(seps) : "";
  for (std::size_t i = 0; i < out.size(); ++i) s += (i ? (d.chance(0.3) ? d.pick(seps) : " ") : "") + out[i];
  if (d.chance(0.3)) s += d.pick(seps);
  return s;
}

// The sets scored against sacreBLEU. Owns the reference streams.
inline std::vector<HypSet> make_hypothesis_sets(const std::filesystem::path& data_dir) {
  static std::vector<std::string> src, ref, ref_alt, ref_alt2;
  src.clear(), ref.clear(), ref_alt.clear(), ref_alt2.clear();
  read_tsv(data_dir / "test.tsv", src, ref);
  read_tsv(data_dir / "dev.tsv", src, ref);
  std::vector<std::string> vocab;
  for (std::size_t i = 0; i < ref.size(); i += 7)
    for (const std::string& w : words_of(ref[i])) vocab.push_back(w);

  auto make = [&](std::uint64_t seed, const Perturb& p) {
    Draw d(seed);
    std::vector<std::string> out;
    for (const std::string& r : ref) out.push_back(perturb_line(r, p, d, vocab));
    return out;
  };
  ref_alt = make(101, Perturb{.drop = 0.1, .swap = 0.1, .substitute = 0.1});
  ref_alt2 = make(102, Perturb{.drop = 0.05, .substitute = 0.2, .punct = 0.1, .empty = 0.3});

  std::vector<HypSet> sets;
  const std::vector<const std::vector<std::string>*> one{&ref}, two{&ref, &ref_alt},
      three{&ref, &ref_alt, &ref_alt2};
  sets.push_back({"identical", ref, one});
  sets.push_back({"drop10", make(1, Perturb{.drop = 0.1}), one});
  sets.push_back({"swap15", make(2, Perturb{.swap = 0.15}), one});
  sets.push_back({"punct20", make(3, Perturb{.punct = 0.2}), one, true});
  const std::vector<std::string> mixed =
      make(4, Perturb{.drop = 0.08, .swap = 0.08, .substitute = 0.1, .punct = 0.1, .empty = 0.05});
  sets.push_back({"mixed_empty_lines", mixed, one, true});
  sets.push_back({"all_empty", std::vector<std::string>(ref.size()), one, true});
  sets.push_back({"english_source", src, one, true});
  const std::vector<std::string> stressed = make(5, Perturb{.drop = 0.05, .punct = 0.1, .stress = 0.25});
  sets.push_back({"tokenizer_stress", stressed, one, true});
  std::vector<std::string> shorter, longer;
  Draw d(6);
  for (const std::string& r : ref) {
    std::vector<std::string> w = words_of(r);
    w.resize(std::min(w.size(), 1 + d.below(3)));
    shorter.push_back(join(w));
    longer.push_back(r + " " + d.pick(vocab) + " " + d.pick(vocab) + " y " + d.pick(vocab));
  }
  sets.push_back({"first_words_only", shorter, one});
  sets.push_back({"longer", longer, one});
  sets.push_back({"mixed_2refs", mixed, two});
  sets.push_back({"stress_2refs", stressed, two});
  sets.push_back({"mixed_3refs_some_empty", mixed, three, true});
  sets.push_back({"all_empty_2refs", std::vector<std::string>(ref.size()), two});
  return sets;
}

}  // namespace s2s::metrics::testing_support
