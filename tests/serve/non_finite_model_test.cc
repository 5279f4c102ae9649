// A served model whose scores become non-finite (finite weights so large
// that the logits overflow): each request fails with a 500 naming the input
// and the cause, for greedy search (the default, once a heap corruption),
// beam search and sampling; the server process is unharmed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "s2s/io/model_dir.h"
#include "s2s/serve/model_backend.h"
#include "s2s/serve/request.h"
#include "serve/tiny_model_dir.h"

namespace s2s::serve {
namespace {

namespace fs = std::filesystem;

TEST(NonFiniteModel, EveryRequestGetsAServerErrorNamingTheInput) {
  const fs::path work = fs::temp_directory_path() / ("s2s_serve_nonfinite_" + std::to_string(getpid()));
  fs::create_directories(work);
  const std::string dir = testing::train_tiny_model_dir(work.string(), 20);
  {
    io::ModelDir d = io::load_model_dir(dir);
    for (autograd::Parameter* p : d.model->parameters())
      for (float& x : p->value.span()) x = x >= 0.0f ? 3e38f : -3e38f;
    io::write_model_weights(dir, *d.model, d.vocab);
  }
  auto t = load_model_backend("huge", dir);
  std::vector<DecodeOptions> sets(3);
  sets[1].beam = 4, sets[1].n_best = 2;
  sets[2].sampling.enabled = true, sets[2].n_best = 2;
  for (const DecodeOptions& o : sets) {
    try {
      t->translate({"abc", "hgfedc"}, o);
      ADD_FAILURE() << "expected an error, beam " << o.beam;
    } catch (const HttpError& e) {
      EXPECT_EQ(e.status(), 500);
      EXPECT_EQ(std::string(e.what()),
                "model huge: input \"abc\": the model's scores became non-finite (NaN or infinite) at output token 1: "
                "its weights hold NaN/Inf or are so large that the logits overflow");
    }
  }
  fs::remove_all(work);
}

}  // namespace
}  // namespace s2s::serve
