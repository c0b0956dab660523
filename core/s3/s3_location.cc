// The S3 location from ROOT, the AWS environment and the registry's config.yml. The rules follow
// the tools the operator already configured: the AWS CLI for AWS_* and ~/.aws/credentials, and
// distribution (the registry) for config.yml and its REGISTRY_* overrides. No message quotes a
// key or a line of a credentials file.
#include "core/s3/s3_location.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

namespace regsweep::s3 {
namespace {

constexpr std::string_view kS3Scheme = "s3://";

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string_view Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
}

// ASCII only: the C library's case mapping would follow the locale.
std::string Lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string Uppercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool ReadFile(const std::string& path, std::string* text, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) {
    *error = "cannot read " + path;
    return false;
  }
  *text = content.str();
  return true;
}

// An environment variable that is set and not empty (the AWS CLI and the registry treat an
// empty one as unset).
std::optional<std::string> EnvValue(const EnvLookup& env, std::string_view name) {
  std::optional<std::string> value = env(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

// ------------------------------------------------------------------------------------------
// Buckets, prefixes and endpoints.

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Why `bucket` is not an S3 bucket name, or "" when it is one.
std::string BucketProblem(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return "must be 3 to 63 characters long";
  const bool allowed = std::all_of(bucket.begin(), bucket.end(),
                                   [](char c) { return IsLowerAlnum(c) || c == '.' || c == '-'; });
  if (!allowed) return "may hold only a-z, 0-9, '.' and '-'";
  if (!IsLowerAlnum(bucket.front()) || !IsLowerAlnum(bucket.back())) {
    return "must start and end with a letter or a digit";
  }
  if (bucket.find("..") != std::string_view::npos) return "must not hold \"..\"";
  return "";
}

// A key prefix without empty components ("/a//b/" is "a/b": the registry's AWS SDK cleans the
// object paths it sends alike) and without "." or ".." components, which are refused rather
// than guessed at.
bool NormalisePrefix(std::string_view text, std::string* prefix, std::string* error) {
  std::string out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t slash = std::min(text.find('/', start), text.size());
    const std::string_view part = text.substr(start, slash - start);
    if (part == "." || part == "..") {
      *error = "the prefix " + Quoted(text) + " holds a " + Quoted(part) + " component";
      return false;
    }
    if (!part.empty()) {
      if (!out.empty()) out += '/';
      out += part;
    }
    start = slash + 1;
  }
  *prefix = std::move(out);
  return true;
}

// "scheme://host[:port]", lowercase scheme, no trailing '/'. A URL without a scheme takes
// https, or http when `secure` is false (as the registry's AWS SDK does).
bool EndpointUrl(std::string_view text, bool secure, std::string* url, std::string* error) {
  while (!text.empty() && text.back() == '/') text.remove_suffix(1);
  std::string out(text);
  const size_t separator = out.find("://");
  if (separator == std::string::npos) {
    out = (secure ? "https://" : "http://") + out;
  } else {
    const std::string scheme = Lowercase(out.substr(0, separator));
    if (scheme != "http" && scheme != "https") {
      *error = Quoted(text) + " is not an http or https URL";
      return false;
    }
    out = scheme + out.substr(separator);
  }
  const std::string host = out.substr(out.find("://") + 3);
  if (host.empty() || host.find_first_of("/?#@ ") != std::string::npos) {
    *error = Quoted(text) + " is not scheme://host[:port] (without a path)";
    return false;
  }
  *url = std::move(out);
  return true;
}

std::string AwsUrl(std::string_view region, bool secure) {
  return std::string(secure ? "https://" : "http://") + "s3." + std::string(region) +
         ".amazonaws.com";
}

// Virtual-hosted requests put the bucket in the host name, which the TLS certificate of
// *.s3.amazonaws.com does not cover when the name holds a '.': path style then, as the AWS
// SDKs do.
bool DottedOverTls(const Endpoint& endpoint) {
  return endpoint.url.rfind("https://", 0) == 0 && endpoint.bucket.find('.') != std::string::npos;
}

// ------------------------------------------------------------------------------------------
// The AWS environment and shared credentials file.

std::optional<std::string> FirstOf(const EnvLookup& env, std::string_view a, std::string_view b) {
  std::optional<std::string> value = EnvValue(env, a);
  return value ? value : EnvValue(env, b);
}

// The endpoint, when nothing set it (its URL is empty): a URL from the environment is a
// compatible store, spoken to path style; otherwise AWS's regional endpoint.
bool FillEndpoint(const EnvLookup& env, Endpoint* endpoint, std::string* error) {
  if (!endpoint->url.empty()) return true;
  if (auto region = FirstOf(env, "AWS_REGION", "AWS_DEFAULT_REGION")) endpoint->region = *region;
  const std::optional<std::string> url = FirstOf(env, "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL");
  if (!url) {
    endpoint->url = AwsUrl(endpoint->region, /*secure=*/true);
    endpoint->path_style = DottedOverTls(*endpoint);
    return true;
  }
  std::string reason;
  if (!EndpointUrl(*url, /*secure=*/true, &endpoint->url, &reason)) {
    *error = "the endpoint URL from the environment: " + reason;
    return false;
  }
  endpoint->path_style = true;
  return true;
}

using Profile = std::map<std::string, std::string, std::less<>>;

// Reads section [profile] of an INI file in the AWS CLI's format: "[name]" headers, "key = value"
// (or "key: value") lines, whole-line comments starting with '#' or ';'. *found tells whether
// the section is there; a line that is none of these is an error naming the line only.
bool ReadProfile(std::string_view text, std::string_view profile, const std::string& path,
                 Profile* keys, bool* found, std::string* error) {
  bool in_section = false;
  bool any_section = false;
  size_t number = 0;
  std::istringstream lines{std::string(text)};
  for (std::string raw; std::getline(lines, raw);) {
    ++number;
    const std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    const std::string where = path + ":" + std::to_string(number) + ": ";
    if (line.front() == '[') {
      if (line.back() != ']') {
        *error = where + "a [profile] header without its ']'";
        return false;
      }
      in_section = Trim(line.substr(1, line.size() - 2)) == profile;
      any_section = true;
      *found = *found || in_section;
      continue;
    }
    const size_t separator = line.find_first_of("=:");
    if (separator == std::string_view::npos || !any_section) {
      *error = where + (any_section ? "neither a [profile] header nor a key = value line"
                                    : "a line before the first [profile] header");
      return false;
    }
    if (in_section) {
      (*keys)[Lowercase(Trim(line.substr(0, separator)))] =
          std::string(Trim(line.substr(separator + 1)));
    }
  }
  return true;
}

// The credentials file the AWS CLI reads: AWS_SHARED_CREDENTIALS_FILE ("~/" meaning HOME), or
// ~/.aws/credentials; "" when there is no HOME to find it in.
std::string CredentialsPath(const EnvLookup& env) {
  const std::optional<std::string> home = EnvValue(env, "HOME");
  if (const std::optional<std::string> file = EnvValue(env, "AWS_SHARED_CREDENTIALS_FILE")) {
    if (file->rfind("~/", 0) == 0 && home) return *home + file->substr(1);
    return *file;
  }
  return home ? *home + "/.aws/credentials" : "";
}

constexpr std::string_view kNoEnvironmentKeys =
    "no S3 credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set, and ";

bool CredentialsFromFile(const EnvLookup& env, Credentials* credentials, std::string* error) {
  const std::string profile = EnvValue(env, "AWS_PROFILE").value_or("default");
  const std::string path = CredentialsPath(env);
  if (path.empty()) {
    *error = std::string(kNoEnvironmentKeys) + "HOME is not set to find ~/.aws/credentials";
    return false;
  }
  std::string text;
  std::string reason;
  if (!ReadFile(path, &text, &reason)) {
    *error = std::string(kNoEnvironmentKeys) + reason;
    return false;
  }
  Profile keys;
  bool found = false;
  if (!ReadProfile(text, profile, path, &keys, &found, error)) return false;
  if (!found) {
    *error = std::string(kNoEnvironmentKeys) + path + " has no [" + profile + "] profile";
    return false;
  }
  const std::string section = path + " [" + profile + "]";
  const auto access_key = keys.find("aws_access_key_id");
  const auto secret_key = keys.find("aws_secret_access_key");
  if (access_key == keys.end() || access_key->second.empty() || secret_key == keys.end() ||
      secret_key->second.empty()) {
    *error = section + " lacks aws_access_key_id or aws_secret_access_key";
    return false;
  }
  const auto token = keys.find("aws_session_token");
  *credentials = {access_key->second, secret_key->second, token == keys.end() ? "" : token->second};
  return true;
}

bool FillCredentials(const EnvLookup& env, Credentials* credentials, std::string* error) {
  const std::optional<std::string> access_key = EnvValue(env, "AWS_ACCESS_KEY_ID");
  const std::optional<std::string> secret_key = EnvValue(env, "AWS_SECRET_ACCESS_KEY");
  if (access_key && secret_key) {
    *credentials = {*access_key, *secret_key, EnvValue(env, "AWS_SESSION_TOKEN").value_or("")};
    return true;
  }
  // Half a key pair is a mistake to report, not a reason to try the file (the AWS CLI stops too).
  if (access_key || secret_key) {
    *error = access_key ? "AWS_ACCESS_KEY_ID is set without AWS_SECRET_ACCESS_KEY"
                        : "AWS_SECRET_ACCESS_KEY is set without AWS_ACCESS_KEY_ID";
    return false;
  }
  return CredentialsFromFile(env, credentials, error);
}

// ------------------------------------------------------------------------------------------
// The registry's config.yml.

// The keys under storage: that configure the registry rather than name a driver.
constexpr std::array<std::string_view, 5> kNotDrivers = {"cache", "delete", "maintenance",
                                                         "redirect", "tag"};
constexpr std::array<std::string_view, 1> kFilesystemKeys = {"rootdirectory"};
constexpr std::array<std::string_view, 10> kS3Keys = {
    "accesskey",     "bucket",    "forcepathstyle", "region",       "regionendpoint",
    "rootdirectory", "secretkey", "secure",         "sessiontoken", "v4auth"};
constexpr std::string_view kDefaultFilesystemRoot = "/var/lib/registry";

std::string Located(const std::string& path, const YAML::Mark& mark) {
  if (mark.is_null()) return path;
  return path + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

// A storage parameter and where it was set, for messages: "config.yml:12:5" or
// "config.yml: REGISTRY_STORAGE_S3_BUCKET".
struct Param {
  std::string text;
  std::string where;
};
using Params = std::map<std::string, Param, std::less<>>;

// The driver storage: names, and its parameters in the file (none when REGISTRY_STORAGE chose
// the driver: the registry then drops the file's storage section).
struct Driver {
  std::string name;
  YAML::Node params;
  std::string where;
};

std::string EnvName(std::string_view driver, std::string_view key) {
  return "REGISTRY_STORAGE_" + Uppercase(driver) + "_" + Uppercase(key);
}

std::vector<std::string_view> KeysOf(std::string_view driver) {
  if (driver == "s3") return {kS3Keys.begin(), kS3Keys.end()};
  return {kFilesystemKeys.begin(), kFilesystemKeys.end()};
}

// The drivers storage: names in the file: its keys but the registry's own, or a bare name
// ("storage: s3").
bool DriversInFile(const std::string& path, const YAML::Node& root, std::vector<Driver>* drivers,
                   std::string* error) {
  const YAML::Node storage = root.IsMap() ? root["storage"] : YAML::Node();
  if (!storage || storage.IsNull()) {
    *error = Located(path, root.Mark()) + ": no storage section (the registry requires one)";
    return false;
  }
  if (storage.IsScalar()) {
    drivers->push_back({storage.Scalar(), YAML::Node(), Located(path, storage.Mark())});
    return true;
  }
  if (!storage.IsMap()) {
    *error = Located(path, storage.Mark()) + ": storage is not a mapping";
    return false;
  }
  for (const auto& entry : storage) {
    const std::string name = entry.first.as<std::string>();
    if (std::find(kNotDrivers.begin(), kNotDrivers.end(), name) != kNotDrivers.end()) continue;
    drivers->push_back({name, entry.second, Located(path, entry.first.Mark())});
  }
  return true;
}

// The storage driver, as the registry chooses it: REGISTRY_STORAGE replaces the file's storage
// section; a REGISTRY_STORAGE_<DRIVER>_* variable adds <driver> when it is not there; exactly
// one driver must remain.
std::optional<Driver> FindDriver(const std::string& path, const YAML::Node& root,
                                 const EnvLookup& env, std::string* error) {
  std::vector<Driver> drivers;
  if (const std::optional<std::string> chosen = EnvValue(env, "REGISTRY_STORAGE")) {
    drivers.push_back({std::string(Trim(*chosen)), YAML::Node(), path + ": REGISTRY_STORAGE"});
  } else if (!DriversInFile(path, root, &drivers, error)) {
    return std::nullopt;
  }
  for (const std::string_view name : {"filesystem", "s3"}) {
    const bool named = std::any_of(drivers.begin(), drivers.end(),
                                   [&](const Driver& d) { return d.name == name; });
    const std::vector<std::string_view> keys = KeysOf(name);
    const auto set = std::find_if(keys.begin(), keys.end(), [&](std::string_view key) {
      return EnvValue(env, EnvName(name, key)).has_value();
    });
    if (!named && set != keys.end()) {
      drivers.push_back({std::string(name), YAML::Node(), path + ": " + EnvName(name, *set)});
    }
  }
  if (drivers.size() != 1) {
    std::string names;
    for (const Driver& d : drivers) {
      names += (names.empty() ? "" : ", ") + d.name + " (" + d.where + ")";
    }
    *error = path + ": the storage section must name exactly one driver, as the registry requires" +
             (names.empty() ? "" : "; it names " + names);
    return std::nullopt;
  }
  if (drivers[0].name != "filesystem" && drivers[0].name != "s3") {
    *error = drivers[0].where + ": storage driver " + Quoted(drivers[0].name) +
             " is not supported (only filesystem and s3)";
    return std::nullopt;
  }
  // Returned by construction: assigning a YAML::Node would rebind the node it replaces.
  return std::move(drivers[0]);
}

// The driver's parameters regsweep reads, each from the registry's environment variable when
// set, else from the file.
bool CollectParams(const std::string& path, const Driver& driver, const EnvLookup& env,
                   Params* params, std::string* error) {
  for (const std::string_view key : KeysOf(driver.name)) {
    const std::string variable = EnvName(driver.name, key);
    if (const std::optional<std::string> value = EnvValue(env, variable)) {
      (*params)[std::string(key)] = {*value, path + ": " + variable};
      continue;
    }
    if (!driver.params.IsMap()) continue;
    const YAML::Node node = driver.params[std::string(key)];
    if (!node || node.IsNull()) continue;
    if (!node.IsScalar()) {
      *error = Located(path, node.Mark()) + ": storage." + driver.name + "." + std::string(key) +
               " is not a single value";
      return false;
    }
    (*params)[std::string(key)] = {node.Scalar(), Located(path, node.Mark())};
  }
  return true;
}

const Param* Find(const Params& params, std::string_view key) {
  const auto it = params.find(key);
  return it == params.end() ? nullptr : &it->second;
}

// YAML 1.1's booleans (the registry's YAML library reads those) and Go's strconv.ParseBool's.
std::optional<bool> ParseBool(std::string_view text) {
  const std::string lower = Lowercase(text);
  for (const char* yes : {"true", "yes", "on", "y", "t", "1"}) {
    if (lower == yes) return true;
  }
  for (const char* no : {"false", "no", "off", "n", "f", "0"}) {
    if (lower == no) return false;
  }
  return std::nullopt;
}

bool BoolParam(const Params& params, std::string_view key, bool fallback, bool* value,
               std::string* error) {
  const Param* param = Find(params, key);
  if (param == nullptr) {
    *value = fallback;
    return true;
  }
  const std::optional<bool> parsed = ParseBool(param->text);
  if (!parsed) {
    *error = param->where + ": " + std::string(key) + " " + Quoted(param->text) +
             " is neither true nor false";
    return false;
  }
  *value = *parsed;
  return true;
}

// A required string parameter.
const Param* Required(const std::string& path, const Params& params, std::string_view key,
                      std::string* error) {
  const Param* param = Find(params, key);
  if (param == nullptr) {
    *error = path + ": storage.s3." + std::string(key) + " is not set (the registry requires it)";
  }
  return param;
}

bool LoadS3Endpoint(const std::string& path, const Params& params, Endpoint* endpoint,
                    std::string* error) {
  const Param* bucket = Required(path, params, "bucket", error);
  if (bucket == nullptr) return false;
  const Param* region = Required(path, params, "region", error);
  if (region == nullptr) return false;
  if (const std::string problem = BucketProblem(bucket->text); !problem.empty()) {
    *error = bucket->where + ": bucket " + Quoted(bucket->text) + " " + problem;
    return false;
  }
  endpoint->bucket = bucket->text;
  endpoint->region = region->text;
  bool secure = true;
  bool v4auth = true;
  if (!BoolParam(params, "secure", true, &secure, error) ||
      !BoolParam(params, "v4auth", true, &v4auth, error)) {
    return false;
  }
  if (!v4auth) {
    *error = Find(params, "v4auth")->where +
             ": v4auth is false, but regsweep signs with Signature Version 4 only";
    return false;
  }
  const Param* region_endpoint = Find(params, "regionendpoint");
  if (region_endpoint == nullptr) {
    endpoint->url = AwsUrl(endpoint->region, secure);
  } else if (std::string reason;
             !EndpointUrl(region_endpoint->text, secure, &endpoint->url, &reason)) {
    *error = region_endpoint->where + ": regionendpoint " + reason;
    return false;
  }
  // regsweep's default (the registry's is false): a regionendpoint is a compatible store such as
  // Ceph RGW or MinIO, which expect path style.
  if (!BoolParam(params, "forcepathstyle", region_endpoint != nullptr, &endpoint->path_style,
                 error)) {
    return false;
  }
  endpoint->path_style = endpoint->path_style || DottedOverTls(*endpoint);
  return true;
}

// accesskey and secretkey when both are set; otherwise the registry's AWS SDK looks further,
// and so does FillFromEnvironment.
void LoadS3Keys(const Params& params, Credentials* credentials) {
  const Param* access_key = Find(params, "accesskey");
  const Param* secret_key = Find(params, "secretkey");
  if (access_key == nullptr || secret_key == nullptr) return;
  const Param* token = Find(params, "sessiontoken");
  *credentials = {access_key->text, secret_key->text, token == nullptr ? "" : token->text};
}

bool LoadS3(const std::string& path, const Params& params, const EnvLookup& env, Location* location,
            std::string* error) {
  if (!LoadS3Endpoint(path, params, &location->endpoint, error)) return false;
  if (const Param* root = Find(params, "rootdirectory")) {
    if (std::string reason; !NormalisePrefix(root->text, &location->prefix, &reason)) {
      *error = root->where + ": rootdirectory: " + reason;
      return false;
    }
  }
  LoadS3Keys(params, &location->credentials);
  if (location->credentials.access_key.empty() && !FillFromEnvironment(env, location, error)) {
    *error = path + ": storage.s3 sets no accesskey and secretkey; " + *error;
    return false;
  }
  return true;
}

bool LoadStorage(const std::string& path, const YAML::Node& root, const EnvLookup& env,
                 RegistryStorage* storage, std::string* error) {
  const std::optional<Driver> driver = FindDriver(path, root, env, error);
  Params params;
  if (!driver || !CollectParams(path, *driver, env, &params, error)) return false;
  if (driver->name == "filesystem") {
    const Param* root_directory = Find(params, "rootdirectory");
    storage->kind = RegistryStorage::Kind::kFilesystem;
    storage->filesystem_root =
        root_directory == nullptr ? std::string(kDefaultFilesystemRoot) : root_directory->text;
    return true;
  }
  storage->kind = RegistryStorage::Kind::kS3;
  return LoadS3(path, params, env, &storage->s3, error);
}

}  // namespace

EnvLookup ProcessEnvironment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::string Location::Describe() const {
  return "s3://" + endpoint.bucket + (prefix.empty() ? "" : "/" + prefix) + " at " + endpoint.url;
}

bool IsS3Root(std::string_view root) { return root.rfind(kS3Scheme, 0) == 0; }

bool ParseS3Root(std::string_view root, Location* location, std::string* error) {
  if (!IsS3Root(root)) {
    *error = Quoted(root) + " is not s3://BUCKET[/PREFIX]";
    return false;
  }
  const std::string_view rest = root.substr(kS3Scheme.size());
  const size_t slash = std::min(rest.find('/'), rest.size());
  const std::string_view bucket = rest.substr(0, slash);
  if (const std::string problem = BucketProblem(bucket); !problem.empty()) {
    *error = "in " + Quoted(root) + ": the bucket name " + Quoted(bucket) + " " + problem;
    return false;
  }
  std::string prefix;
  if (std::string reason; !NormalisePrefix(rest.substr(slash), &prefix, &reason)) {
    *error = "in " + Quoted(root) + ": " + reason;
    return false;
  }
  location->endpoint.bucket = std::string(bucket);
  location->prefix = std::move(prefix);
  return true;
}

bool FillFromEnvironment(const EnvLookup& env, Location* location, std::string* error) {
  if (!FillEndpoint(env, &location->endpoint, error)) return false;
  if (!location->credentials.access_key.empty()) return true;
  return FillCredentials(env, &location->credentials, error);
}

bool LoadRegistryConfig(const std::string& path, const EnvLookup& env, RegistryStorage* storage,
                        std::string* error) {
  std::string text;
  if (!ReadFile(path, &text, error)) return false;
  // yaml-cpp reports malformed YAML, and conversions it cannot make, by throwing.
  try {
    const YAML::Node root = YAML::Load(text);
    if (root && !root.IsNull() && !root.IsMap()) {
      *error = Located(path, root.Mark()) + ": not a registry configuration (a YAML mapping)";
      return false;
    }
    RegistryStorage loaded;
    if (!LoadStorage(path, root, env, &loaded, error)) return false;
    *storage = std::move(loaded);
    return true;
  } catch (const YAML::Exception& e) {
    *error = Located(path, e.mark) + ": " + e.msg;
    return false;
  }
}

}  // namespace regsweep::s3
