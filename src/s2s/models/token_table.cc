#include "s2s/models/token_table.h"

#include <algorithm>

#include "s2s/models/batch.h"

namespace s2s::models {

std::unique_ptr<nn::Embedding> normal_token_table(std::string name, std::int64_t vocab, std::int64_t dim, float stddev,
                                                  Rng& rng) {
  auto table = std::make_unique<nn::Embedding>(std::move(name), vocab, dim, kPad, rng);
  Tensor w = nn::init_normal(Shape{vocab, dim}, stddev, rng);
  std::fill_n(w.f32() + kPad * dim, dim, 0.0f);
  table->weight().value = w;
  return table;
}

}  // namespace s2s::models
