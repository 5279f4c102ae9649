#pragma once
// The subcommands of the s2s program. To add one: write
// src/s2s/cli/<name>_command.cc defining `int <name>_command(std::span<const
// std::string> args)` and add one line to S2S_COMMANDS.
#include <span>
#include <string>

#define S2S_COMMANDS(X) \
  X(vocab, "build a vocabulary (char, word or SentencePiece) from a corpus") \
  X(train, "train a model (from a YAML config and/or options); --resume continues a run exactly") \
  X(serve, "serve models over HTTP: JSON API, web page, dynamic batching, metrics") \
  X(translate, "translate text with a model or an ensemble: beam search, sampling, n-best, alignments") \
  X(eval, "score hypotheses (BLEU, chrF, WER...), or translate a test set with a model and score it") \
  X(average, "average the parameters of a run's last N (or listed) checkpoints into a new model directory") \
  X(quantize, "copy a model directory with its weights stored in int8 or bf16 (smaller file and memory)")

namespace s2s::cli {

inline constexpr const char* kVersion = "0.1.0";

// Each returns the process exit status; errors are thrown as s2s::Error.
#define S2S_DECLARE_COMMAND(name, summary) int name##_command(std::span<const std::string> args);
S2S_COMMANDS(S2S_DECLARE_COMMAND)
#undef S2S_DECLARE_COMMAND

}  // namespace s2s::cli
