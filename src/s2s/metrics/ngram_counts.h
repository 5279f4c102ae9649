#pragma once
// Multiset of n-grams keyed by their text, shared by BLEU and chrF++.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace s2s::metrics {

using NgramCounts = std::unordered_map<std::string, std::int64_t>;

// Adds the word n-grams of orders [min_order, max_order] of `tokens`, each
// keyed by its words joined with single spaces (tokens hold no whitespace, so
// keys of different orders never collide).
void add_word_ngrams(const std::vector<std::string>& tokens, int min_order, int max_order, NgramCounts& counts);

// Number of words in an n-gram key (spaces + 1).
int ngram_order(const std::string& key);

}  // namespace s2s::metrics
