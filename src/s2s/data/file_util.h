#pragma once
// Whole-file helpers for the data layer (vocabularies, SentencePiece models).
// Writes go to a temporary file that is fsynced and renamed over the target,
// so readers (and a run resumed after a crash) never see a half-written file.
#include <span>
#include <string>
#include <string_view>

namespace s2s::data {

std::string read_file(const std::string& path);
void write_file(const std::string& path, std::string_view bytes);

// True when a and b name the same existing file (same device and inode), however
// spelled: "./f", "d/../f", a symbolic or hard link. "-" (stdin/stdout) is never a file.
bool same_file(const std::string& a, const std::string& b);

// A path as the user gave it, with the option that gave it ("--input").
struct NamedPath {
  std::string option;
  std::string path;
};

// Every command that reads some files and writes others calls this before it
// opens an output: writing a file that is also an input destroys the input
// (truncated before it is read, or replaced by a rename after). Fails with
// "<command>: --output f is the same file as --input f: writing it would
// destroy the input; choose another output file".
void check_output_is_not_input(const std::string& command, const NamedPath& output, std::span<const NamedPath> inputs);

}  // namespace s2s::data
