// The strict YAML reader of retention policy files (yaml-cpp for the syntax, every key, type
// and value checked here).
#include "gc/retention/policy_file.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <initializer_list>
#include <sstream>
#include <utility>

#include "core/duration.h"

namespace regsweep {
namespace {

constexpr int64_t kMaxCount = 1000000000;
constexpr double kMaxYears = 100;

// A rough length of a duration in years, computed in floating point so that no input can
// overflow (ParseDuration then checks the syntax exactly).
double Years(std::string_view text) {
  double seconds = 0;
  double number = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      number = number * 10 + (c - '0');
      continue;
    }
    double unit = 0;
    if (c == 'm' && i + 1 < text.size() && text[i + 1] == 's') {
      unit = 0.001;
      ++i;
    } else if (c == 's') {
      unit = 1;
    } else if (c == 'm') {
      unit = 60;
    } else if (c == 'h') {
      unit = 3600;
    } else if (c == 'd') {
      unit = 86400;
    }
    seconds += number * unit;
    number = 0;
  }
  return seconds / (365.25 * 86400);
}

// Thrown inside the parser only; ParseRetentionPolicy turns it into "FILE:LINE:COL: reason".
struct PolicyError {
  YAML::Mark mark;
  std::string reason;
};

[[noreturn]] void Fail(const YAML::Mark& mark, std::string reason) {
  throw PolicyError{mark, std::move(reason)};
}

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string NodeKind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return "the scalar " + Quoted(node.Scalar());
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  RetentionPolicy Document(const YAML::Node& root) {
    if (!root.IsMap()) Fail(root.Mark(), "expected a mapping with a `policies:` list");
    RetentionPolicy result;
    bool seen_policies = false;
    ForEachField(root, "the policy file", {"policies"},
                 [&](const std::string&, const YAML::Node& key, const YAML::Node& value) {
                   seen_policies = true;
                   if (!value.IsSequence()) {
                     Fail(MarkOf(key, value), "`policies` must be a list, not " + NodeKind(value));
                   }
                   for (const YAML::Node& item : value) result.policies.push_back(Policy(item));
                 });
    if (!seen_policies) Fail(root.Mark(), "missing `policies:` list");
    return result;
  }

 private:
  // The position to blame for a value: a null value has the position of what follows it.
  static YAML::Mark MarkOf(const YAML::Node& key, const YAML::Node& value) {
    return value.IsNull() ? key.Mark() : value.Mark();
  }

  // Calls fn(name, key, value) for every field of `map`, rejecting non-scalar, duplicate and
  // unknown keys (`what` names the mapping in messages).
  template <typename Fn>
  void ForEachField(const YAML::Node& map, std::string_view what,
                    std::initializer_list<std::string_view> allowed, Fn fn) {
    std::vector<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      const YAML::Node key = it->first;
      const YAML::Node value = it->second;
      if (!key.IsScalar()) Fail(key.Mark(), "keys of " + std::string(what) + " must be names");
      const std::string& name = key.Scalar();
      bool known = false;
      for (std::string_view candidate : allowed) known = known || candidate == name;
      if (!known) {
        std::string expected;
        for (std::string_view candidate : allowed) {
          expected += expected.empty() ? "" : ", ";
          expected += candidate;
        }
        Fail(key.Mark(), "unknown key " + Quoted(name) + " in " + std::string(what) +
                             " (expected " + expected + ")");
      }
      for (const std::string& earlier : seen) {
        if (earlier == name) Fail(key.Mark(), "duplicate key " + Quoted(name));
      }
      seen.push_back(name);
      fn(name, key, value);
    }
  }

  RepositoryPolicy Policy(const YAML::Node& node) {
    if (!node.IsMap()) Fail(node.Mark(), "a policy must be a mapping, not " + NodeKind(node));
    RepositoryPolicy policy;
    policy.line = node.Mark().line + 1;
    bool seen_repositories = false;
    bool seen_keep = false;
    ForEachField(node, "a policy", {"repositories", "delete_untagged", "allow_empty", "keep"},
                 [&](const std::string& name, const YAML::Node& key, const YAML::Node& value) {
                   if (name == "repositories") {
                     policy.repositories = Pattern(key, value);
                     seen_repositories = true;
                   } else if (name == "delete_untagged") {
                     policy.delete_untagged = Bool(key, value);
                   } else if (name == "allow_empty") {
                     policy.allow_empty = Bool(key, value);
                   } else {
                     if (!value.IsSequence()) {
                       Fail(MarkOf(key, value), "`keep` must be a list, not " + NodeKind(value));
                     }
                     for (const YAML::Node& item : value) policy.keep.push_back(Entry(item));
                     seen_keep = true;
                   }
                 });
    if (!seen_repositories) Fail(node.Mark(), "policy without `repositories` pattern");
    if (!seen_keep) {
      Fail(node.Mark(), "policy without `keep` list (`keep: [{tags: \".*\"}]` keeps every tag)");
    }
    return policy;
  }

  KeepEntry Entry(const YAML::Node& node) {
    if (!node.IsMap()) Fail(node.Mark(), "a keep entry must be a mapping, not " + NodeKind(node));
    KeepEntry entry;
    entry.line = node.Mark().line + 1;
    std::string condition_key;
    std::optional<YAML::Mark> order_mark;
    ForEachField(
        node, "a keep entry",
        {"tags", "most_recent", "order", "pushed_within", "pulled_within", "most_recently_pulled"},
        [&](const std::string& name, const YAML::Node& key, const YAML::Node& value) {
          if (name == "tags") {
            entry.tags = Pattern(key, value);
            return;
          }
          if (name == "order") {
            const std::string text = Scalar(key, value);
            if (text == "push") {
              entry.order = RecentOrder::kPush;
            } else if (text == "semver") {
              entry.order = RecentOrder::kSemver;
            } else {
              Fail(value.Mark(), "`order` must be push or semver, not " + Quoted(text));
            }
            order_mark = key.Mark();
            return;
          }
          if (!condition_key.empty()) {
            Fail(key.Mark(), "two conditions in one keep entry (" + condition_key + " and " + name +
                                 "): a tag is kept if any entry keeps it, so write "
                                 "them as separate entries");
          }
          condition_key = name;
          if (name == "most_recent") {
            entry.condition = KeepCondition::kMostRecent;
            entry.count = Count(key, value);
          } else if (name == "most_recently_pulled") {
            entry.condition = KeepCondition::kMostRecentlyPulled;
            entry.count = Count(key, value);
          } else if (name == "pushed_within") {
            entry.condition = KeepCondition::kPushedWithin;
            entry.within_ns = Duration(key, value);
          } else {
            entry.condition = KeepCondition::kPulledWithin;
            entry.within_ns = Duration(key, value);
          }
        });
    if (order_mark && entry.condition != KeepCondition::kMostRecent) {
      Fail(*order_mark, "`order` only applies to `most_recent`");
    }
    if (!entry.tags && entry.condition == KeepCondition::kNone) {
      Fail(node.Mark(), "empty keep entry: give `tags`, a condition, or both");
    }
    return entry;
  }

  // The text of a scalar value (quoted or not).
  std::string Scalar(const YAML::Node& key, const YAML::Node& value) {
    if (!value.IsScalar()) {
      Fail(MarkOf(key, value), Quoted(key.Scalar()) + " needs a value, not " + NodeKind(value));
    }
    CheckQuotesClosed(value);
    return value.Scalar();
  }

  // A plain (unquoted) scalar: where YAML types matter (booleans, counts), "5" is a string.
  std::string Plain(const YAML::Node& key, const YAML::Node& value, std::string_view type) {
    std::string text = Scalar(key, value);
    if (value.Tag() != "?") {
      Fail(value.Mark(), Quoted(key.Scalar()) + " must be " + std::string(type) +
                             ", not the string " + Quoted(text));
    }
    return text;
  }

  bool Bool(const YAML::Node& key, const YAML::Node& value) {
    const std::string text = Plain(key, value, "true or false");
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
    Fail(value.Mark(), Quoted(key.Scalar()) + " must be true or false, not " + Quoted(text));
  }

  int64_t Count(const YAML::Node& key, const YAML::Node& value) {
    const std::string text = Plain(key, value, "a number");
    std::string_view digits = text;
    const bool negative = !digits.empty() && digits.front() == '-';
    if (negative) digits.remove_prefix(1);
    bool all_digits = !digits.empty();
    for (char c : digits) all_digits = all_digits && c >= '0' && c <= '9';
    if (!all_digits) {
      Fail(value.Mark(), Quoted(key.Scalar()) + " must be a whole number, not " + Quoted(text));
    }
    if (negative) {
      Fail(value.Mark(), "negative count " + text + " for " + Quoted(key.Scalar()));
    }
    int64_t count = 0;
    for (char c : digits) {
      count = count * 10 + (c - '0');
      if (count > kMaxCount) Fail(value.Mark(), "count " + text + " is too large");
    }
    return count;
  }

  int64_t Duration(const YAML::Node& key, const YAML::Node& value) {
    const std::string text = Scalar(key, value);
    if (Years(text) > kMaxYears) {
      Fail(value.Mark(), "duration " + Quoted(text) + " is longer than 100 years");
    }
    const std::optional<int64_t> ns = ParseDuration(text);
    if (!ns) {
      Fail(value.Mark(), "bad duration " + Quoted(text) + " for " + Quoted(key.Scalar()) +
                             " (expected e.g. 30d, 12h, 1h30m, 90s)");
    }
    return *ns;
  }

  NamePattern Pattern(const YAML::Node& key, const YAML::Node& value) {
    NamePattern pattern;
    pattern.source = Scalar(key, value);
    if (pattern.source.empty()) Fail(value.Mark(), "empty pattern for " + Quoted(key.Scalar()));
    try {
      pattern.regex = std::regex(pattern.source, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      Fail(value.Mark(), "bad regular expression " + Quoted(pattern.source) + " for " +
                             Quoted(key.Scalar()) + ": " + e.what());
    }
    return pattern;
  }

  // yaml-cpp 0.7 ends a quoted scalar that is never closed at the end of the file instead of
  // failing ("a → "a "): a pattern silently changed that way would keep less, so refuse it.
  void CheckQuotesClosed(const YAML::Node& value) const {
    const YAML::Mark mark = value.Mark();
    if (mark.pos < 0 || static_cast<size_t>(mark.pos) >= text_.size()) return;
    const char quote = text_[static_cast<size_t>(mark.pos)];
    if (quote != '"' && quote != '\'') return;
    for (size_t i = static_cast<size_t>(mark.pos) + 1; i < text_.size(); ++i) {
      if (quote == '"' && text_[i] == '\\') {
        ++i;
      } else if (text_[i] == quote) {
        if (quote == '\'' && i + 1 < text_.size() && text_[i + 1] == '\'') {
          ++i;  // '' is an escaped quote inside a single-quoted scalar
        } else {
          return;
        }
      }
    }
    Fail(mark, "quoted string never closed");
  }

  std::string_view text_;
};

std::string Located(std::string_view file_name, const YAML::Mark& mark, const std::string& why) {
  const int line = mark.line < 0 ? 1 : mark.line + 1;
  const int column = mark.column < 0 ? 1 : mark.column + 1;
  return std::string(file_name) + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
         why;
}

}  // namespace

bool ParseRetentionPolicy(std::string_view yaml, std::string_view file_name, RetentionPolicy* out,
                          std::string* error) {
  try {
    const std::vector<YAML::Node> documents = YAML::LoadAll(std::string(yaml));
    if (documents.empty()) {
      *error = Located(file_name, YAML::Mark(), "empty policy file (expected `policies:`)");
      return false;
    }
    if (documents.size() > 1) {
      *error = Located(file_name, documents[1].Mark(), "more than one YAML document");
      return false;
    }
    *out = Parser(yaml).Document(documents[0]);
    return true;
  } catch (const YAML::Exception& e) {
    *error = Located(file_name, e.mark, e.msg);
  } catch (const PolicyError& e) {
    *error = Located(file_name, e.mark, e.reason);
  }
  return false;
}

bool LoadRetentionPolicyFile(const std::string& path, RetentionPolicy* out, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = path + ": cannot open the policy file";
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    *error = path + ": cannot read the policy file";
    return false;
  }
  return ParseRetentionPolicy(text.str(), path, out, error);
}

}  // namespace regsweep
