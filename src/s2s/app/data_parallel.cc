#include "s2s/app/data_parallel.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <vector>

#include "s2s/core/error.h"
#include "s2s/data/corpus.h"

namespace s2s::app {

namespace {

// FNV-1a over 64-bit words (bytes for the tail): fast enough to read a corpus
// once at start, and any difference shows with near certainty.
class Hash {
 public:
  void add(const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      mix(w);
    }
    for (; i < n; ++i) mix(p[i]);
  }
  void add(const std::string& s) {
    add(s.data(), s.size());
    mix(s.size());  // "ab","c" differs from "a","bc"
  }
  void add(std::uint64_t v) { mix(v); }
  std::uint64_t value() const { return h_; }

 private:
  void mix(std::uint64_t w) { h_ = (h_ ^ w) * 0x100000001B3ull; }
  std::uint64_t h_ = 0xCBF29CE484222325ull;
};

std::uint64_t file_hash(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  Hash h;
  if (!in) {
    h.add(std::string("unreadable"));  // the run fails on it later, with its own message
    return h.value();
  }
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h.add(buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  return h.value();
}

void add_tensor(Hash& h, const Tensor& t) {
  if (!t.defined()) return h.add(std::uint64_t{0});
  h.add(t.shape().str());
  h.add(t.f32(), t.nbytes());
}

// Every rank's value of `mine`; fails naming the ranks whose value differs from rank 0's.
void agree(train::Communicator& comm, std::uint64_t mine, const std::string& what, const std::string& hint = "") {
  std::vector<std::uint64_t> all = train::exchange_values(comm, mine);
  std::string ranks;
  int count = 0;
  for (std::size_t r = 1; r < all.size(); ++r)
    if (all[r] != all[0]) ranks += detail::concat(count++ ? ", " : "", r);
  if (count == 0) return;
  fail(count == 1 ? "rank " : "ranks ", ranks, " of ", comm.size(), " ", what, " than rank 0",
       hint.empty() ? "" : ": " + hint, comm.rank() == 0 ? "" : detail::concat(" (this is rank ", comm.rank(), ")"));
}

}  // namespace

void check_same_run(train::Communicator& comm, const train::RunConfig& config, const std::string& resume) {
  if (comm.size() == 1) return;
  Hash options;
  for (const auto& [key, value] : train::run_config_to_map(config)) {
    if (key == "train.threads" || key == "train.progress" || key == "train.log" || key == "train.comm_timeout") continue;
    options.add(key);
    options.add(value);
  }
  options.add(resume.empty() ? std::string("fresh") : "resume " + resume);
  agree(comm, options.value(), "got other options (command line, --config file or --resume)");
  const auto& d = config.data;
  std::vector<std::pair<std::string, std::string>> files;  // option, path
  for (const auto& [key, spec] : {std::pair{"data.train", d.train}, std::pair{"data.dev", d.dev}})
    if (!spec.empty())
      for (const std::string& p : data::CorpusSpec::parse(spec).paths) files.emplace_back(key, p);
  for (const auto& [key, path] : {std::pair{"data.src_vocab", d.src_vocab}, std::pair{"data.tgt_vocab", d.tgt_vocab},
                                  std::pair{"data.src_spm_model", d.src_spm_model}, std::pair{"data.tgt_spm_model", d.tgt_spm_model},
                                  std::pair{"data.src_embeddings", d.src_embeddings}, std::pair{"data.tgt_embeddings", d.tgt_embeddings}})
    if (!path.empty()) files.emplace_back(key, path);
  for (const auto& [key, path] : files)
    agree(comm, file_hash(path), detail::concat("read other bytes from ", path, " (", key, ")"),
          "every process must see the same files (copy them to every machine, or share the directory)");
}

void check_same_start(train::Communicator& comm, const train::Trainer& trainer, const train::Vocabularies& vocab) {
  if (comm.size() == 1) return;
  Hash h;
  for (const data::Vocab* v : {vocab.src_vocab.get(), vocab.tgt_vocab.get()})
    for (std::int32_t id = 0; id < v->size(); ++id) h.add(v->token(id));
  for (const autograd::Parameter* p : trainer.model().parameters()) {
    h.add(p->name);
    add_tensor(h, p->value);
  }
  for (const auto& [name, t] : trainer.optimizer().state_tensors()) {
    h.add(name);
    add_tensor(h, t);
  }
  for (const auto& [name, v] : trainer.optimizer().state_scalars()) {
    h.add(name);
    h.add(&v, sizeof v);
  }
  const train::TrainerState& s = trainer.state();
  for (std::uint64_t v : {static_cast<std::uint64_t>(s.step), s.rng.seed, s.rng.offset, s.data.epoch, s.data.batch}) h.add(v);
  agree(comm, h.value(), "would start from other vocabularies, weights or optimizer state",
        "on a resume every process reads the model directory, so several machines need it on a shared filesystem");
}

}  // namespace s2s::app
