#include "s2s/cli/args.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "s2s/core/error.h"

namespace s2s::cli {

namespace {

bool parse_int(const std::string& s, std::int64_t& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

bool parse_float(const std::string& s, double& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && std::isfinite(out);
}

bool parse_bool(const std::string& s, bool& out) {
  if (s == "true" || s == "1" || s == "yes") return out = true, true;
  if (s == "false" || s == "0" || s == "no") return out = false, true;
  return false;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
      diag = up;
    }
  }
  return row[b.size()];
}

const char* kind_placeholder(Args::Kind k) {
  switch (k) {
    case Args::Kind::Int: return "N";
    case Args::Kind::Float: return "X";
    default: return "VALUE";
  }
}

}  // namespace

Args::Args(std::string command, std::string summary) : command_(std::move(command)), summary_(std::move(summary)) {}

Args& Args::add(Option o) {
  S2S_CHECK(!find(o.name) && o.name != "help", "args: option --", o.name, " declared twice");
  if (o.default_value) check_value(o, *o.default_value);
  options_.push_back(std::move(o));
  return *this;
}

Args& Args::add_string(std::string name, std::string value_name, std::optional<std::string> def, std::string help) {
  return add({std::move(name), std::move(value_name), std::move(help), Kind::String, std::move(def), {}, {}});
}

Args& Args::add_unlisted_string(std::string name) {
  Option o{std::move(name), "VALUE", std::string(), Kind::String, std::string(), {}, {}};
  o.listed = false;
  return add(std::move(o));
}

Args& Args::add_int(std::string name, std::optional<std::int64_t> def, std::string help) {
  std::optional<std::string> d;
  if (def) d = std::to_string(*def);
  return add({std::move(name), "N", std::move(help), Kind::Int, d, {}, {}});
}

Args& Args::add_float(std::string name, std::optional<double> def, std::string help) {
  std::optional<std::string> d;
  if (def) {
    std::string s = std::to_string(*def);
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
    d = s;
  }
  return add({std::move(name), "X", std::move(help), Kind::Float, d, {}, {}});
}

Args& Args::add_flag(std::string name, std::string help) {
  return add({std::move(name), "", std::move(help), Kind::Flag, std::string("false"), {}, {}});
}

Args& Args::add_choice(std::string name, std::vector<std::string> choices, std::optional<std::string> def,
                       std::string help) {
  std::string value_name;
  for (const std::string& c : choices) value_name += (value_name.empty() ? "" : "|") + c;
  return add({std::move(name), value_name, std::move(help), Kind::Choice, std::move(def), std::move(choices), {}});
}

bool Args::declared(std::string_view name) const {
  for (const Option& o : options_)
    if (o.name == name) return true;
  return false;
}

Args::Option* Args::find(std::string_view name) {
  for (Option& o : options_)
    if (o.name == name) return &o;
  return nullptr;
}

void Args::check_value(const Option& o, const std::string& v) const {
  std::int64_t i;
  double f;
  bool b;
  switch (o.kind) {
    case Kind::Int:
      S2S_CHECK(parse_int(v, i), command_, ": option --", o.name, " expects an integer, got '", v, "'");
      break;
    case Kind::Float:
      S2S_CHECK(parse_float(v, f), command_, ": option --", o.name, " expects a number, got '", v, "'");
      break;
    case Kind::Flag:
      S2S_CHECK(parse_bool(v, b), command_, ": option --", o.name, " expects true or false, got '", v, "'");
      break;
    case Kind::Choice:
      S2S_CHECK(std::find(o.choices.begin(), o.choices.end(), v) != o.choices.end(), command_, ": option --", o.name,
                " expects one of ", o.value_name, ", got '", v, "'");
      break;
    case Kind::String:
      break;
  }
}

std::string Args::unknown_option_message(std::string_view name) const {
  std::string msg = command_ + ": unknown option --" + std::string(name);
  const Option* best = nullptr;
  std::size_t best_d = 3;  // suggest only near misses
  for (const Option& o : options_) {
    std::size_t d = edit_distance(name, o.name);
    if (d < best_d) best_d = d, best = &o;
  }
  if (best) msg += " (did you mean --" + best->name + "?)";
  return msg + " (see " + command_ + " --help)";
}

bool Args::parse(std::span<const std::string> args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") return false;
    S2S_CHECK(a.size() > 2 && a.starts_with("--"), command_, ": unexpected argument '", a, "' (options start with --)");
    std::size_t eq = a.find('=');
    std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    Option* o = find(name);
    if (!o) fail(unknown_option_message(name));
    S2S_CHECK(!o->value, command_, ": option --", name, " given more than once");
    std::string value;
    if (eq != std::string::npos) {
      value = a.substr(eq + 1);
    } else if (o->kind == Kind::Flag) {
      value = "true";
    } else {
      S2S_CHECK(i + 1 < args.size() && !args[i + 1].starts_with("--"), command_, ": option --", name,
                " expects a value (", o->value_name, ")");
      value = args[++i];
    }
    check_value(*o, value);
    o->value = value;
  }
  for (const Option& o : options_)
    S2S_CHECK(o.value || o.default_value, command_, ": missing required option --", o.name, " ", o.value_name);
  return true;
}

const Args::Option& Args::lookup(std::string_view name, Kind kind) const {
  for (const Option& o : options_)
    if (o.name == name) {
      bool compatible = o.kind == kind || (kind == Kind::String && o.kind == Kind::Choice);
      S2S_CHECK(compatible, "args: option --", name, " read with the wrong type");
      return o;
    }
  fail("args: option --", name, " was never declared");
}

std::string Args::get_string(std::string_view name) const {
  const Option& o = lookup(name, Kind::String);
  return o.value ? *o.value : *o.default_value;
}

std::int64_t Args::get_int(std::string_view name) const {
  const Option& o = lookup(name, Kind::Int);
  std::int64_t v = 0;
  parse_int(o.value ? *o.value : *o.default_value, v);
  return v;
}

double Args::get_float(std::string_view name) const {
  const Option& o = lookup(name, Kind::Float);
  double v = 0;
  parse_float(o.value ? *o.value : *o.default_value, v);
  return v;
}

bool Args::get_flag(std::string_view name) const {
  const Option& o = lookup(name, Kind::Flag);
  bool v = false;
  parse_bool(o.value ? *o.value : *o.default_value, v);
  return v;
}

bool Args::given(std::string_view name) const {
  for (const Option& o : options_)
    if (o.name == name) return o.value.has_value();
  fail("args: option --", name, " was never declared");
}

std::string Args::help() const {
  std::string out = "usage: " + command_ + " [options]\n\n" + summary_ + "\n\noptions:\n";
  std::vector<std::string> left;
  std::size_t width = 0;
  for (const Option& o : options_) {
    if (!o.listed) {
      left.emplace_back();
      continue;
    }
    std::string l = "  --" + o.name;
    if (o.kind != Kind::Flag) l += " " + (o.value_name.empty() ? std::string(kind_placeholder(o.kind)) : o.value_name);
    width = std::max(width, l.size());
    left.push_back(std::move(l));
  }
  for (std::size_t i = 0; i < options_.size(); ++i) {
    const Option& o = options_[i];
    if (!o.listed) continue;
    out += left[i] + std::string(width - left[i].size() + 2, ' ') + o.help;
    if (!o.default_value)
      out += " (required)";
    else if (o.kind != Kind::Flag && !o.default_value->empty())
      out += " (default: " + *o.default_value + ")";
    out += "\n";
  }
  out += "  --help" + std::string(width > 8 ? width - 8 + 2 : 2, ' ') + "show this help\n";
  return out;
}

}  // namespace s2s::cli
