#include "s2s/train/gradient_exchange.h"

#include <algorithm>

#include "s2s/core/error.h"
#include "s2s/kernels/elementwise.h"

namespace s2s::train {

namespace {

template <class T>
std::span<std::byte> bytes_of(std::vector<T>& v) {
  return std::as_writable_bytes(std::span<T>(v));
}

template <class T>
std::span<std::byte> bytes_of(T& v) {
  return std::as_writable_bytes(std::span<T>(&v, 1));
}

std::span<std::byte> bytes_of(const Tensor& t, std::int64_t begin, std::int64_t end) {
  return std::as_writable_bytes(std::span<float>(t.f32() + begin, static_cast<std::size_t>(end - begin)));
}

}  // namespace

GradientExchange::GradientExchange(Communicator& comm, std::vector<autograd::Parameter*> params, std::int64_t chunk_floats)
    : comm_(comm), params_(std::move(params)), chunk_(chunk_floats) {
  S2S_CHECK(chunk_ > 0, "gradient exchange: chunk size must be positive");
  offsets_.push_back(0);
  for (const autograd::Parameter* p : params_) {
    S2S_CHECK(p->value.dtype() == DType::F32, "gradient exchange: ", p->name, " is not fp32");
    offsets_.push_back(offsets_.back() + p->value.numel());
  }
  flat_ = Tensor::empty(Shape{std::max<std::int64_t>(offsets_.back(), 1)});
  incoming_ = Tensor::empty(Shape{std::min(chunk_, std::max<std::int64_t>(offsets_.back(), 1))});
  mine_.assign(params_.size(), 0);
  prefix_.assign(params_.size(), 0);
  combined_.assign(params_.size(), 0);
}

std::int64_t GradientExchange::bytes_per_update() const {
  return static_cast<std::int64_t>(sizeof(Header) + params_.size()) + offsets_.back() * static_cast<std::int64_t>(sizeof(float));
}

void GradientExchange::pack() {
  for (std::size_t i = 0; i < params_.size(); ++i) {
    Tensor part = flat_.narrow0(offsets_[i], offsets_[i + 1] - offsets_[i]);
    mine_[i] = params_[i]->grad.defined();
    if (mine_[i]) part.copy_from(params_[i]->grad);
    else part.zero();  // sent but never read: zeros keep the bytes on the wire defined
  }
}

// flat_[begin, end) = received prefix (incoming_) + this rank's gradient,
// parameter by parameter: where only one side has a gradient, that one.
void GradientExchange::combine_chunk(std::int64_t begin, std::int64_t end) {
  auto first = std::upper_bound(offsets_.begin(), offsets_.end(), begin) - offsets_.begin() - 1;
  for (auto i = static_cast<std::size_t>(first); i < params_.size() && offsets_[i] < end; ++i) {
    const std::int64_t a = std::max(begin, offsets_[i]), b = std::min(end, offsets_[i + 1]);
    if (a >= b || !prefix_[i]) continue;  // nothing received for it: this rank's stands
    Tensor received = incoming_.narrow0(a - begin, b - a), here = flat_.narrow0(a, b - a);
    if (mine_[i]) kernels::axpy(1.0f, received, here);  // prefix + mine: one rounding, as accumulation's +=
    else here.copy_from(received);
  }
}

void GradientExchange::unpack() {
  for (std::size_t i = 0; i < params_.size(); ++i) {
    autograd::Parameter& p = *params_[i];
    if (!combined_[i]) {
      p.grad.reset();
      continue;
    }
    if (!p.grad.defined()) p.grad = Tensor::empty(p.value.shape());
    p.grad.copy_from(flat_.narrow0(offsets_[i], offsets_[i + 1] - offsets_[i]));
  }
}

void GradientExchange::sum(UpdateShare& share) {
  const int rank = comm_.rank(), last = comm_.size() - 1;
  if (last == 0) return;
  pack();
  Header h{share.loss_sum, share.coverage_sum, share.elapsed_s, share.rng.seed, share.rng.offset, share.stop ? 1u : 0u};
  if (rank > 0) {
    Header before{};
    comm_.recv(rank - 1, bytes_of(before));
    comm_.recv(rank - 1, bytes_of(prefix_));
    h.loss_sum = before.loss_sum + share.loss_sum;  // the order accumulation adds its batches' losses in
    h.coverage_sum = before.coverage_sum + share.coverage_sum;
    h.elapsed_s = before.elapsed_s;
    h.rng_seed = before.rng_seed, h.rng_offset = before.rng_offset;
    h.stop |= before.stop;
  } else {
    std::fill(prefix_.begin(), prefix_.end(), 0);
  }
  for (std::size_t i = 0; i < params_.size(); ++i) combined_[i] = prefix_[i] || mine_[i];
  if (rank < last) {
    comm_.send(rank + 1, bytes_of(h));
    comm_.send(rank + 1, bytes_of(combined_));
  }
  const std::int64_t total = offsets_.back();
  for (std::int64_t begin = 0; begin < total; begin += chunk_) {
    const std::int64_t end = std::min(total, begin + chunk_);
    if (rank > 0) {
      comm_.recv(rank - 1, bytes_of(incoming_, 0, end - begin));
      combine_chunk(begin, end);
    }
    if (rank < last) comm_.send(rank + 1, bytes_of(flat_, begin, end));
  }
  // The last rank holds the total; everyone gets it from there.
  comm_.broadcast(bytes_of(h), last);
  comm_.broadcast(bytes_of(combined_), last);
  if (total > 0) comm_.broadcast(bytes_of(flat_, 0, total), last);
  unpack();
  share.loss_sum = h.loss_sum;
  share.coverage_sum = h.coverage_sum;
  share.elapsed_s = h.elapsed_s;
  share.rng = {h.rng_seed, h.rng_offset};
  share.stop = h.stop != 0;
}

}  // namespace s2s::train
