// libFuzzer target: the input is a model.safetensors file, loaded into the
// parameters of the reference model (load_parameters, as load_model_dir and
// --resume do). A bad file must be refused with one line, and a refused load
// must leave the model's values untouched.
#include <cstring>
#include <memory>

#include "fuzz/models/fuzz_util.h"
#include "s2s/io/model_dir.h"

using namespace s2s;

namespace {
std::unique_ptr<io::ModelDir> g_model;
std::vector<autograd::Parameter*> g_params;
std::unique_ptr<fuzz::MemFile> g_file;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_model = std::make_unique<io::ModelDir>(io::load_model_dir(fuzz::reference_model_dir()));
  g_params = g_model->model->parameters();
  g_file = std::make_unique<fuzz::MemFile>("model.safetensors");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  g_file->set(data, size);
  // A cheap fingerprint of the values before: a refused load must not change them.
  std::vector<std::string> before;
  for (auto* p : g_params) before.emplace_back(p->value.data<char>(), p->value.nbytes());
  bool bad = fuzz::refused([&] { io::load_parameters(g_file->path(), g_params); });
  if (bad)
    for (std::size_t i = 0; i < g_params.size(); ++i)
      fuzz::promise(std::memcmp(before[i].data(), g_params[i]->value.data<char>(), before[i].size()) == 0,
                    "a refused load changed the model");
  fuzz::refused([&] { io::decode_safetensors(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz"); });
  return 0;
}
