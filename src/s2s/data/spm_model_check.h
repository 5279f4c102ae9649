#pragma once
// SentencePiece trusts the character maps inside a model (the normalizer's and
// the denormalizer's precompiled_charsmap: a double-array trie and the
// NUL-terminated strings it maps to) and reads wherever their offsets point: a
// damaged map loads without complaint and the first Encode reads out of bounds
// (found by fuzz/models/spm_model_fuzz.cc). This walks the serialized model
// (protobuf wire format, by hand: Debian ships no header for SentencePiece's
// messages) and checks every offset a search can follow, before SentencePiece
// is handed the model.
#include <string>
#include <string_view>

namespace s2s::data {

// Throws "<origin>: not a valid SentencePiece model (<what is damaged>)".
void check_spm_charsmaps(std::string_view model, const std::string& origin);

}  // namespace s2s::data
