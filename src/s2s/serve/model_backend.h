#pragma once
// The TranslationBackend over a trained model directory (io/model_dir.h): the
// directory's source tokenizer and vocabulary turn text into ids, search/
// decodes (greedy, beam or sampling, with attention when alignments are
// asked for), and the target vocabulary and detokenizer turn ids back into
// text. search/ guarantees a sentence's output does not depend on its batch
// mates, which is what dynamic batching needs.
#include <memory>
#include <string>
#include <utility>

#include "s2s/kernels/compute_type.h"
#include "s2s/serve/translation_backend.h"

namespace s2s::serve {

// "NAME=DIR" -> {NAME, DIR}; "DIR" -> {DIR's last path component, DIR}.
// A '=' counts only when what precedes it is a plain name (no '/').
std::pair<std::string, std::string> parse_model_spec(const std::string& spec);

// Loads and checks the directory (fails with s2s::Error naming what is wrong);
// the model decodes in compute_type (int8: its matrices held in int8, loaded
// or quantized once, here; auto: the type the directory stores).
std::shared_ptr<TranslationBackend> load_model_backend(const std::string& name, const std::string& dir,
                                                      kernels::ComputeType compute_type = kernels::ComputeType::Auto);

}  // namespace s2s::serve
