#pragma once
// The option parser every subcommand shares. A command declares its options
// (name, value kind, default, help), parses its arguments, then reads typed
// values. Accepted forms: --key value, --key=value, --flag, --flag=true|false.
// Unknown options, missing values, bad values, repeated options and stray
// arguments are errors naming the option; --help text is generated from the
// declarations.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace s2s::cli {

class Args {
 public:
  enum class Kind { String, Int, Float, Flag, Choice };

  // `command` is the full name, e.g. "s2s vocab".
  Args(std::string command, std::string summary);

  // Declarations. A default of std::nullopt makes the option required;
  // `value_name` is the placeholder shown in help ("FILE", "N").
  Args& add_string(std::string name, std::string value_name, std::optional<std::string> default_value, std::string help);
  Args& add_int(std::string name, std::optional<std::int64_t> default_value, std::string help);
  Args& add_float(std::string name, std::optional<double> default_value, std::string help);
  Args& add_flag(std::string name, std::string help);
  Args& add_choice(std::string name, std::vector<std::string> choices, std::optional<std::string> default_value,
                   std::string help);
  // An optional string option help() does not list (another spelling of a listed one).
  Args& add_unlisted_string(std::string name);

  // Parses; returns false when --help was given (the caller prints help()).
  bool parse(std::span<const std::string> args);

  std::string get_string(std::string_view name) const;
  std::int64_t get_int(std::string_view name) const;
  double get_float(std::string_view name) const;
  bool get_flag(std::string_view name) const;
  bool declared(std::string_view name) const;
  // True when the option was given on the command line (not just defaulted).
  bool given(std::string_view name) const;

  std::string help() const;

 private:
  struct Option {
    std::string name, value_name, help;
    Kind kind = Kind::String;
    std::optional<std::string> default_value;
    std::vector<std::string> choices;
    std::optional<std::string> value;  // as given
    bool listed = true;                // shown by help()
  };
  Args& add(Option option);
  Option* find(std::string_view name);
  const Option& lookup(std::string_view name, Kind kind) const;
  void check_value(const Option& o, const std::string& value) const;
  std::string unknown_option_message(std::string_view name) const;

  std::string command_, summary_;
  std::vector<Option> options_;
};

}  // namespace s2s::cli
