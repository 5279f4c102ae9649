#pragma once
// What `s2s translate` and `s2s eval -m` share: repeated options (-m MODEL
// -m MODEL2, --ref A --ref B) that Args does not take, the decoding options,
// and loading model directories into a Translator. docs/decoding.md lists
// every option.
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "s2s/cli/args.h"
#include "s2s/io/model_dir.h"
#include "s2s/kernels/compute_type.h"
#include "s2s/search/phrase_table.h"
#include "s2s/search/translator.h"

namespace s2s::cli {

// Removes every occurrence of the named options ("-m X", "--model X",
// "--model=X") from args and returns their values in order.
std::vector<std::string> take_repeated(std::vector<std::string>& args, std::initializer_list<std::string_view> names);

// Declares --beam, --n-best, --batch, length, penalty, sampling, UNK, --compute-type and --threads options.
void add_decode_options(Args& args);

// --compute-type's value: one type (fp32, int8, bf16, auto) for every model,
// or a comma-separated list with one per model in -m order, auto resolved to
// the type each directory's weights are stored in (never auto). Fails naming
// `command`. When a model decodes in int8, the instruction set is checked
// now (S2S_CPU_ISA may force one the CPU lacks), so the error comes before loading.
std::vector<kernels::ComputeType> read_compute_types(const std::string& command, const std::string& text,
                                                     const std::vector<std::string>& model_dirs);

// The decoding options of parsed `args` (declared by add_decode_options),
// validated: errors name `command` and the option, as the program prints them.
search::TranslatorOptions read_decode_options(const std::string& command, const Args& args);

// The names add_decode_options declares (to refuse them where no model decodes).
const std::vector<std::string>& decode_option_names();

// Model directories loaded for decoding, with the Translator over them.
struct Decoder {
  std::vector<io::ModelDir> models;
  std::unique_ptr<search::PhraseTable> phrase_table;
  std::unique_ptr<search::Translator> translator;
};

// Loads the model directories and builds the Translator from the options;
// `alignments` / `keep_attention` as the output needs them. `command` names
// the command in messages ("s2s translate").
Decoder make_decoder(const std::string& command, const std::vector<std::string>& model_dirs, const Args& args,
                     bool alignments, bool keep_attention);

// The loaded models with their tokenizers and vocabularies, as a Translator
// takes them; without types, each decodes in the type it was loaded for.
std::vector<search::ModelCodec> model_codecs(const std::vector<io::ModelDir>& models,
                                             const std::vector<kernels::ComputeType>& types = {});

// True when every model has attention (alignments and UNK replacement need it).
bool models_have_attention(const std::vector<std::string>& model_dirs);

}  // namespace s2s::cli
