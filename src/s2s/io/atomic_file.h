#pragma once
// Whole-file reads and crash-safe writes. A write goes to a temporary file in
// the target's directory, is fsynced, renamed over the target and the
// directory is fsynced, so a reader (or a resumed run after a crash) sees
// either the old file or the complete new one, never a torn mix.
#include <functional>
#include <string>
#include <string_view>

namespace s2s::io {

// Reads a whole file; fails with "<path>: cannot open (...)" when it cannot.
std::string read_file(const std::string& path);

// Atomically replaces `path` with `bytes`.
void write_file_atomic(const std::string& path, std::string_view bytes);

// Writes a new directory `dir` as a whole: fill(tmp) writes its files into a
// temporary directory beside it, which is fsynced and renamed to `dir` (never
// over one that appeared meanwhile); on any failure the temporary is removed.
// `what` names the contents in messages ("the averaged model"). Returns the
// final path, normalized.
std::string write_dir_atomic(const std::string& dir, std::string_view what,
                             const std::function<void(const std::string& tmp)>& fill);

// Creates a directory and its parents (no error when it exists).
void make_dirs(const std::string& path);

// Fsyncs a directory so that renames inside it are durable.
void sync_dir(const std::string& path);

bool file_exists(const std::string& path);

// Joins two path parts with exactly one '/'.
std::string join_path(const std::string& dir, const std::string& name);

}  // namespace s2s::io
