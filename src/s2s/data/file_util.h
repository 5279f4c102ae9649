#pragma once
// Whole-file helpers for the data layer (vocabularies, SentencePiece models).
// Writes go to a temporary file that is renamed over the target, so readers
// never see a half-written file.
#include <string>

namespace s2s::data {

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& bytes);

}  // namespace s2s::data
