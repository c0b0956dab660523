// Plan file writing (JsonWriter) and reading (simdjson).
#include "gc/plan_file.h"

#include <simdjson.h>

#include <algorithm>

#include "core/json_writer.h"
#include "core/names.h"

namespace regsweep {
namespace {

// Appends the repository names listed under `key` in `policy` to *names (nothing when the key is
// absent); false when one is not a valid repository name.
bool ReadRepositoryNames(simdjson::dom::object policy, const char* key,
                         std::vector<std::string>* names) {
  simdjson::dom::array list;
  if (policy[key].get_array().get(list) != simdjson::SUCCESS) return true;
  for (simdjson::dom::element item : list) {
    std::string_view text;
    std::string why;
    if (item.get_string().get(text) != simdjson::SUCCESS ||
        !IsValidRepositoryName(std::string(text), &why)) {
      return false;
    }
    names->emplace_back(text);
  }
  return true;
}

}  // namespace

std::string PlanToJson(const Plan& plan, const GcPolicy& policy, const std::string& root) {
  JsonWriter json;
  json.BeginObject();
  json.Field("format", "regsweep-plan").Key("version").Int(1).Field("root", root);
  json.Key("policy").BeginObject();
  json.Field("delete_untagged", policy.delete_untagged);
  json.Key("min_age_ns").Int(policy.min_age_ns);
  json.Key("upload_max_age_ns").Int(policy.upload_max_age_ns);
  json.Field("prune_empty_repos", policy.prune_empty_repositories);
  json.Key("untag").BeginArray();
  for (const TagRef& ref : policy.untag) json.String(ref.repository + ":" + ref.tag);
  json.EndArray().Key("untag_regex").BeginArray();
  for (const TagPattern& pattern : policy.untag_patterns) {
    json.String(pattern.repository + ":" + pattern.tag);
  }
  json.EndArray().Key("delete_repositories").BeginArray();
  for (const std::string& name : policy.delete_repositories) json.String(name);
  json.EndArray().Key("delete_untagged_repositories").BeginArray();
  for (const std::string& name : policy.delete_untagged_repositories) json.String(name);
  json.EndArray().EndObject();
  json.Key("actions").BeginArray();
  for (const Action& action : plan.actions) {
    json.BeginObject().Field("action", ActionKindName(action.kind));
    const std::string& repository = plan.Repository(action);
    if (!repository.empty()) json.Field("repository", repository);
    if (!action.name.empty()) json.Field("name", action.name);
    if (action.kind != ActionKind::kDeleteTag && action.kind != ActionKind::kDeleteUpload &&
        action.kind != ActionKind::kPruneRepository) {
      json.Field("digest", action.digest.ToString());
    }
    if (action.size != 0) json.Field("size", action.size);
    json.Field("path", plan.Path(action)).EndObject();
  }
  json.EndArray().EndObject();
  return json.str() + "\n";
}

bool LoadPlanFile(const std::string& path, SavedPlan* out, std::string* error) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto e = parser.load(path).get(root); e != simdjson::SUCCESS) {
    *error = "cannot read plan " + path + ": " + simdjson::error_message(e);
    return false;
  }
  auto fail = [&](const std::string& why) {
    *error = "plan " + path + " is not a regsweep plan: " + why;
    return false;
  };
  std::string_view format;
  if (root["format"].get_string().get(format) != simdjson::SUCCESS || format != "regsweep-plan") {
    return fail("no \"format\": \"regsweep-plan\"");
  }
  std::string_view root_path;
  if (root["root"].get_string().get(root_path) != simdjson::SUCCESS) return fail("no root");
  out->root = std::string(root_path);
  simdjson::dom::object policy;
  if (root["policy"].get_object().get(policy) != simdjson::SUCCESS) return fail("no policy");
  bool delete_untagged = false;
  bool prune = false;
  if (policy["delete_untagged"].get_bool().get(delete_untagged) != simdjson::SUCCESS ||
      policy["min_age_ns"].get_int64().get(out->policy.min_age_ns) != simdjson::SUCCESS ||
      policy["upload_max_age_ns"].get_int64().get(out->policy.upload_max_age_ns) !=
          simdjson::SUCCESS ||
      policy["prune_empty_repos"].get_bool().get(prune) != simdjson::SUCCESS) {
    return fail("incomplete policy");
  }
  out->policy.delete_untagged = delete_untagged;
  out->policy.prune_empty_repositories = prune;
  simdjson::dom::array untag;
  if (policy["untag"].get_array().get(untag) != simdjson::SUCCESS) return fail("no untag list");
  for (simdjson::dom::element item : untag) {
    std::string_view text;
    TagRef ref;
    std::string why;
    if (item.get_string().get(text) != simdjson::SUCCESS ||
        !ParseTagRef(std::string(text), &ref, &why)) {
      return fail("bad untag entry");
    }
    out->policy.untag.push_back(ref);
  }
  // Absent from plans written before --untag-regex and --delete-repo existed.
  simdjson::dom::array list;
  if (policy["untag_regex"].get_array().get(list) == simdjson::SUCCESS) {
    for (simdjson::dom::element item : list) {
      std::string_view text;
      TagPattern pattern;
      std::string why;
      if (item.get_string().get(text) != simdjson::SUCCESS ||
          !ParseTagPattern(std::string(text), &pattern, &why)) {
        return fail("bad untag_regex entry");
      }
      out->policy.untag_patterns.push_back(pattern);
    }
  }
  // Absent from plans written before --delete-repo and gc --policy existed.
  if (!ReadRepositoryNames(policy, "delete_repositories", &out->policy.delete_repositories) ||
      !ReadRepositoryNames(policy, "delete_untagged_repositories",
                           &out->policy.delete_untagged_repositories)) {
    return fail("bad repository name in the policy");
  }
  std::sort(out->policy.delete_untagged_repositories.begin(),
            out->policy.delete_untagged_repositories.end());
  simdjson::dom::array actions;
  if (root["actions"].get_array().get(actions) != simdjson::SUCCESS) return fail("no actions");
  for (simdjson::dom::element item : actions) {
    std::string_view kind_name;
    Action action;
    if (item["action"].get_string().get(kind_name) != simdjson::SUCCESS ||
        !ParseActionKind(kind_name, &action.kind)) {
      return fail("unknown action");
    }
    std::string_view text;
    std::string repository;
    if (item["repository"].get_string().get(text) == simdjson::SUCCESS) {
      repository = std::string(text);
    }
    if (item["name"].get_string().get(text) == simdjson::SUCCESS) action.name = std::string(text);
    if (item["digest"].get_string().get(text) == simdjson::SUCCESS) {
      std::string why;
      const auto digest = Digest::Parse(text, &why);
      if (!digest) return fail("bad digest in an action: " + why);
      action.digest = *digest;
    }
    out->action_keys.insert(ActionKey(action, repository));
    ++out->action_count;
  }
  return true;
}

}  // namespace regsweep
