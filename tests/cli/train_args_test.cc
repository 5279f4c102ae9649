// cli::parse_train_args, which `s2s train` and the Python binding's
// s2s.train share: a configuration already read stands for --config FILE,
// options on top of it win, and its values are checked as the file's are.
#include "s2s/cli/train_args.h"

#include <gtest/gtest.h>

#include "s2s/core/error.h"

namespace s2s::cli {
namespace {

TEST(TrainArgs, ConfigAlreadyReadStandsForTheFileAndOptionsWin) {
  io::ConfigFile config = io::parse_yaml_config("{\"train\": {\"steps\": 7, \"seed\": 3}, \"optim\": {\"lr\": 0.5}}",
                                                "<config dict>");
  const std::vector<std::string> argv = {"--steps=9", "--save-dir=run/x"};
  TrainArgs parsed = parse_train_args(argv, &config);
  EXPECT_FALSE(parsed.help);
  EXPECT_EQ(parsed.config.train.steps, 9);
  EXPECT_EQ(parsed.config.train.seed, 3u);
  EXPECT_EQ(parsed.config.optim.lr, 0.5);
  EXPECT_EQ(parsed.config.train.save_dir, "run/x");
  EXPECT_TRUE(parsed.resume.empty());
}

TEST(TrainArgs, BadValuesAndTwoConfigsAreRefused) {
  io::ConfigFile config = io::parse_yaml_config("{\"optim\": {\"lr\": \"fast\"}}", "<config dict>");
  EXPECT_THROW(parse_train_args(std::vector<std::string>{}, &config), Error);
  io::ConfigFile good = io::parse_yaml_config("{}", "<config dict>");
  try {
    parse_train_args(std::vector<std::string>{"--config=x.yaml"}, &good);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "s2s train: --config and a configuration already read: give one");
  }
  EXPECT_TRUE(parse_train_args(std::vector<std::string>{"--help"}).help);
}

}  // namespace
}  // namespace s2s::cli
