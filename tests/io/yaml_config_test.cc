// YAML configs: flattening to dotted keys, line numbers, errors naming file:line.
#include "s2s/io/yaml_config.h"

#include <gtest/gtest.h>

#include "s2s/core/error.h"
#include "support/temp_dir.h"

namespace s2s::io {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_yaml_config(text, "run.yaml");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(YamlConfig, FlattensNestedMappings) {
  auto c = parse_yaml_config(
      "# comment\n"
      "model:\n"
      "  hidden: 256\n"
      "  encoder: {layers: 2, cell: lstm}\n"
      "train:\n"
      "  lr: 1e-3   # trailing comment\n"
      "  files: [a.tsv, b.tsv]\n"
      "  log:\n"
      "  name: \"quoted: value\"\n"
      "seed: 7\n",
      "run.yaml");
  FlatConfig expect{{"model.hidden", "256"},     {"model.encoder.layers", "2"}, {"model.encoder.cell", "lstm"},
                    {"train.lr", "1e-3"},        {"train.files", "a.tsv,b.tsv"}, {"train.log", ""},
                    {"train.name", "quoted: value"}, {"seed", "7"}};
  EXPECT_EQ(c.values, expect);
  EXPECT_EQ(c.where("model.hidden"), "run.yaml:3");
  EXPECT_EQ(c.where("model.encoder.cell"), "run.yaml:4");
  EXPECT_EQ(c.where("train.lr"), "run.yaml:6");
  EXPECT_EQ(c.where("seed"), "run.yaml:10");
  EXPECT_EQ(c.where("nope"), "");
}

TEST(YamlConfig, EmptyFileIsEmptyConfig) {
  EXPECT_TRUE(parse_yaml_config("", "run.yaml").values.empty());
  EXPECT_TRUE(parse_yaml_config("# only a comment\n", "run.yaml").values.empty());
}

TEST(YamlConfig, ErrorsNameFileAndLine) {
  EXPECT_EQ(error_of("a: 1\nb: [1, 2\n"), "run.yaml:3: end of sequence flow not found");
  EXPECT_EQ(error_of("- 1\n- 2\n"), "run.yaml:1: the top level must be a mapping of option names to values");
  EXPECT_EQ(error_of("a:\n  b: 1\nc:\n  - x: 1\n"), "run.yaml:4: 'c' may hold only a list of plain values");
  EXPECT_EQ(error_of("train:\n  lr: 1\n  lr: 2\n"), "run.yaml:3: 'train.lr' is set twice (first at line 2)");
  EXPECT_EQ(error_of("train.lr: 1\ntrain:\n  lr: 2\n"), "run.yaml:3: 'train.lr' is set twice (first at line 1)");
  EXPECT_EQ(error_of("a: x\n\tb: y\n").rfind("run.yaml:2: ", 0), 0u) << error_of("a: x\n\tb: y\n");
}

TEST(YamlConfig, WritesNestedYamlThatReadsBack) {
  FlatConfig c{{"model.hidden", "256"}, {"model.encoder.cell", "gru"}, {"train.lr", "0.001"},
               {"train.name", "a: b # c"}, {"train.empty", ""}, {"seed", "1"}, {"model-x", "y"}};
  std::string text = to_yaml(c);
  EXPECT_NE(text.find("model:\n  encoder:\n    cell: gru\n  hidden: 256\n"), std::string::npos) << text;
  EXPECT_EQ(parse_yaml_config(text, "x").values, c);
  testing::TempDir dir;
  write_yaml_config(dir.file("config.yaml"), c, "effective configuration");
  EXPECT_EQ(read_yaml_config(dir.file("config.yaml")).values, c);
}

TEST(YamlConfig, RejectsAKeyThatIsAlsoASection) {
  try {
    to_yaml({{"model", "x"}, {"model.hidden", "1"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "config: 'model' is both a value and a section ('model.hidden')");
  }
}

TEST(YamlConfig, MissingFile) {
  testing::TempDir dir;
  EXPECT_THROW(read_yaml_config(dir.file("none.yaml")), Error);
}

// A directory opens as an empty stream on Linux; `s2s train --config DIR`
// used to run with every default.
TEST(YamlConfig, ADirectoryIsNotAnEmptyConfig) {
  testing::TempDir dir;
  try {
    read_yaml_config(dir.path());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), dir.path() + ": is a directory, expected a file");
  }
}

// Found by fuzz/models/model_config_fuzz.cc: after a NUL, yaml-cpp quotes
// the line end as an "unknown escape character", which broke the one-line error.
TEST(YamlConfig, ControlCharactersInTheTextGiveOneLineErrors) {
  const std::string error = error_of(std::string("a: 16\0\nb: 1\n", 12));
  EXPECT_EQ(error.rfind("run.yaml:2: unknown escape character: \\x0A", 0), 0u) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  EXPECT_EQ(error.find('\0'), std::string::npos) << error;
  // A key with a line end in it (a quoted YAML key) is quoted as \x0A.
  EXPECT_EQ(error_of("\"a\\nb\": 1\n\"a\\nb\": 2\n"), "run.yaml:2: 'a\\x0Ab' is set twice (first at line 1)");
}

}  // namespace
}  // namespace s2s::io
