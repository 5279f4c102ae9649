#include "s2s/data/batcher.h"

#include "s2s/core/error.h"

namespace s2s::data {

Batcher::Batcher(std::shared_ptr<const Dataset> data, BatchOptions options)
    : options_(options), pool_(std::move(data)), rng_(options.seed) {
  options_.validate();
  S2S_CHECK(pool_ && !pool_->empty(), "batcher: empty dataset");
}

Batcher::Batcher(CorpusSpec corpus, PairEncoder* encoder, LoadOptions load, BatchOptions options)
    : options_(options), corpus_(std::move(corpus)), encoder_(encoder), load_(load), rng_(options.seed) {
  options_.validate();
  S2S_CHECK(encoder_, "batcher: missing encoder");
  buffer_ = std::make_shared<Dataset>(encoder_->max_vocab_size(), encoder_->copies());
  pool_ = buffer_;
}

void Batcher::start_pool() {
  pool_rng_ = rng_.state();
  if (streaming()) {
    if (!reader_) {
      reader_ = open_pairs(corpus_, load_.lines);
      load_stats_ = LoadStats{};
      stream_done_ = false;
      if (pos_.lines > 0) {
        std::uint64_t skipped = reader_->skip(pos_.lines);
        S2S_CHECK(skipped == pos_.lines, "batcher: cannot resume at line ", pos_.lines, " of ", corpus_.str(),
                  ": it has only ", skipped, " lines");
        load_stats_.pairs_read = skipped;
      }
    }
    buffer_->clear();
    stream_done_ = !load_pairs(*reader_, *encoder_, load_, *buffer_, load_stats_, options_.buffer_pairs);
  }
  plan_ = plan_batches(*pool_, options_, rng_);
  planned_ = true;
  epoch_has_pairs_ |= !pool_->empty();
}

bool Batcher::next(Batch& out) {
  if (!planned_) {
    if (pos_.pool == 0 && pos_.batch == 0) stats_ = EpochStats{};  // a new epoch
    start_pool();
  }
  while (pos_.batch >= plan_.batches()) {
    if (!streaming() || stream_done_) {
      S2S_CHECK(epoch_has_pairs_, "batcher: ", corpus_.str(), " gave no usable pairs in epoch ", pos_.epoch + 1);
      epoch_has_pairs_ = false;
      ++pos_.epoch;
      pos_.pool = pos_.batch = pos_.lines = 0;
      reader_.reset();
      planned_ = false;
      return false;
    }
    ++pos_.pool;
    pos_.batch = 0;
    pos_.lines = load_stats_.pairs_read;
    start_pool();
  }
  make_batch(*pool_, plan_.batch(pos_.batch), options_.src_eos, out);
  ++pos_.batch;
  ++stats_.batches;
  stats_.pairs += static_cast<std::uint64_t>(out.size());
  stats_.tokens += static_cast<std::uint64_t>(out.src_tokens + out.tgt_tokens);
  stats_.positions += static_cast<std::uint64_t>(out.positions);
  return true;
}

BatcherState Batcher::state() const {
  BatcherState s = pos_;
  s.rng = planned_ ? pool_rng_ : rng_.state();
  return s;
}

void Batcher::restore(const BatcherState& s) {
  S2S_CHECK(streaming() || (s.pool == 0 && s.lines == 0), "batcher: a streaming state cannot resume an in-memory batcher");
  pos_ = s;
  rng_.set_state(s.rng);
  reader_.reset();
  stats_ = EpochStats{};
  epoch_has_pairs_ = s.pool > 0;  // earlier buffers of this epoch were not empty
  start_pool();
  S2S_CHECK(pos_.batch <= plan_.batches(), "batcher: saved position (batch ", pos_.batch, ") is past the ",
            plan_.batches(), " batches of the data: the corpus or batch options changed since it was saved");
}

}  // namespace s2s::data
