// Tests for the S3 location: s3:// roots, the AWS environment and credentials file, and the
// registry's config.yml with its REGISTRY_* overrides. Every error and Describe() is checked
// for the secret key.
#include "core/s3/s3_location.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace regsweep::s3 {
namespace {

constexpr const char* kAccessKey = "AKIAIOSFODNN7EXAMPLE";
constexpr const char* kSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

using Env = std::map<std::string, std::string, std::less<>>;

EnvLookup Lookup(const Env& env) {
  return [env](std::string_view name) -> std::optional<std::string> {
    const auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

// A fresh folder for config and credentials files, removed afterwards.
class S3LocationFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "s3_location_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::string dir_;
};

// ---------------------------------------------------------------------------------------------
// s3://BUCKET[/PREFIX]

TEST(S3LocationRootTest, RecognisesS3Roots) {
  EXPECT_TRUE(IsS3Root("s3://bucket"));
  EXPECT_TRUE(IsS3Root("s3://bucket/prefix"));
  EXPECT_FALSE(IsS3Root("/var/lib/registry"));
  EXPECT_FALSE(IsS3Root("s3:/bucket"));
  EXPECT_FALSE(IsS3Root("bucket"));
}

TEST(S3LocationRootTest, ParsesBucketAndNormalisesPrefix) {
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"s3://registry", "registry", ""},
      {"s3://registry/", "registry", ""},
      {"s3://my.registry-1/docker", "my.registry-1", "docker"},
      {"s3://abc/a//b/", "abc", "a/b"},
      {"s3://abc///a/b/c///", "abc", "a/b/c"},
      {"s3://abc/.hidden/..x/x..", "abc", ".hidden/..x/x.."},
      {"s3://" + std::string(63, 'a') + "/p", std::string(63, 'a'), "p"},
  };
  for (const auto& [root, bucket, prefix] : cases) {
    Location location;
    std::string error;
    ASSERT_TRUE(ParseS3Root(root, &location, &error)) << root << ": " << error;
    EXPECT_EQ(location.endpoint.bucket, bucket) << root;
    EXPECT_EQ(location.prefix, prefix) << root;
  }
}

TEST(S3LocationRootTest, RefusesBadBucketsAndDotComponents) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/var/lib/registry", "is not s3://BUCKET[/PREFIX]"},
      {"s3://", "must be 3 to 63 characters long"},
      {"s3:///prefix", "must be 3 to 63 characters long"},
      {"s3://ab", "must be 3 to 63 characters long"},
      {"s3://" + std::string(64, 'a'), "must be 3 to 63 characters long"},
      {"s3://My-Bucket", "may hold only a-z, 0-9, '.' and '-'"},
      {"s3://my_bucket", "may hold only a-z, 0-9, '.' and '-'"},
      {"s3://my bucket", "may hold only a-z, 0-9, '.' and '-'"},
      {"s3://-bucket", "must start and end with a letter or a digit"},
      {"s3://bucket.", "must start and end with a letter or a digit"},
      {"s3://my..bucket", "must not hold \"..\""},
      {"s3://bucket/a/../b", "holds a \"..\" component"},
      {"s3://bucket/..", "holds a \"..\" component"},
      {"s3://bucket/./a", "holds a \".\" component"},
      {"s3://bucket/a/.", "holds a \".\" component"},
  };
  for (const auto& [root, reason] : cases) {
    Location location;
    location.prefix = "untouched";
    std::string error;
    EXPECT_FALSE(ParseS3Root(root, &location, &error)) << root;
    EXPECT_NE(error.find(reason), std::string::npos) << root << ": " << error;
    EXPECT_EQ(location.prefix, "untouched") << root;
    EXPECT_EQ(location.endpoint.bucket, "") << root;
  }
}

TEST(S3LocationRootTest, DescribeNamesBucketPrefixAndEndpointOnly) {
  Location location;
  location.endpoint.url = "http://127.0.0.1:7480";
  location.endpoint.bucket = "registry";
  location.prefix = "docker";
  location.credentials = {kAccessKey, kSecretKey, "token-secret"};
  EXPECT_EQ(location.Describe(), "s3://registry/docker at http://127.0.0.1:7480");
  location.prefix = "";
  EXPECT_EQ(location.Describe(), "s3://registry at http://127.0.0.1:7480");
  EXPECT_EQ(location.Describe().find(kSecretKey), std::string::npos);
  EXPECT_EQ(location.Describe().find(kAccessKey), std::string::npos);
  EXPECT_EQ(location.Describe().find("token-secret"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// The AWS environment.

Location Bucket(const std::string& name) {
  Location location;
  location.endpoint.bucket = name;
  return location;
}

TEST(S3LocationEnvTest, KeysAndDefaultAwsEndpoint) {
  Location location = Bucket("registry");
  std::string error;
  ASSERT_TRUE(FillFromEnvironment(
      Lookup({{"AWS_ACCESS_KEY_ID", kAccessKey}, {"AWS_SECRET_ACCESS_KEY", kSecretKey}}), &location,
      &error))
      << error;
  EXPECT_EQ(location.endpoint.url, "https://s3.us-east-1.amazonaws.com");
  EXPECT_EQ(location.endpoint.region, "us-east-1");
  EXPECT_FALSE(location.endpoint.path_style);
  EXPECT_EQ(location.credentials.access_key, kAccessKey);
  EXPECT_EQ(location.credentials.secret_key, kSecretKey);
  EXPECT_EQ(location.credentials.session_token, "");
}

TEST(S3LocationEnvTest, RegionAndEndpointVariablesInOrder) {
  const Env keys = {{"AWS_ACCESS_KEY_ID", kAccessKey}, {"AWS_SECRET_ACCESS_KEY", kSecretKey}};
  struct Case {
    Env env;
    std::string url;
    std::string region;
    bool path_style;
  };
  const std::vector<Case> cases = {
      {{{"AWS_DEFAULT_REGION", "eu-west-1"}},
       "https://s3.eu-west-1.amazonaws.com",
       "eu-west-1",
       false},
      {{{"AWS_REGION", "eu-central-1"}, {"AWS_DEFAULT_REGION", "eu-west-1"}},
       "https://s3.eu-central-1.amazonaws.com",
       "eu-central-1",
       false},
      {{{"AWS_REGION", ""}, {"AWS_DEFAULT_REGION", "eu-west-1"}},
       "https://s3.eu-west-1.amazonaws.com",
       "eu-west-1",
       false},
      {{{"AWS_ENDPOINT_URL", "http://127.0.0.1:7480/"}},
       "http://127.0.0.1:7480",
       "us-east-1",
       true},
      {{{"AWS_ENDPOINT_URL", "http://other:9000"},
        {"AWS_ENDPOINT_URL_S3", "HTTPS://minio.example:9000"},
        {"AWS_REGION", "local"}},
       "https://minio.example:9000",
       "local",
       true},
  };
  for (const Case& c : cases) {
    Env env = keys;
    env.insert(c.env.begin(), c.env.end());
    Location location = Bucket("registry");
    std::string error;
    ASSERT_TRUE(FillFromEnvironment(Lookup(env), &location, &error)) << error;
    EXPECT_EQ(location.endpoint.url, c.url);
    EXPECT_EQ(location.endpoint.region, c.region);
    EXPECT_EQ(location.endpoint.path_style, c.path_style) << c.url;
  }
}

// *.s3.amazonaws.com's certificate does not cover "my.bucket.s3.amazonaws.com".
TEST(S3LocationEnvTest, DottedBucketOnAwsUsesPathStyle) {
  Location location = Bucket("my.registry");
  std::string error;
  ASSERT_TRUE(FillFromEnvironment(
      Lookup({{"AWS_ACCESS_KEY_ID", kAccessKey}, {"AWS_SECRET_ACCESS_KEY", kSecretKey}}), &location,
      &error));
  EXPECT_TRUE(location.endpoint.path_style);
}

TEST(S3LocationEnvTest, SetEndpointAndCredentialsAreKept) {
  Location location = Bucket("registry");
  location.endpoint.url = "http://127.0.0.1:7480";
  location.endpoint.region = "default";
  location.credentials = {"config-key", "config-secret", ""};
  std::string error;
  ASSERT_TRUE(FillFromEnvironment(Lookup({{"AWS_ACCESS_KEY_ID", kAccessKey},
                                          {"AWS_SECRET_ACCESS_KEY", kSecretKey},
                                          {"AWS_REGION", "eu-west-1"},
                                          {"AWS_ENDPOINT_URL", "https://elsewhere"}}),
                                  &location, &error));
  EXPECT_EQ(location.endpoint.url, "http://127.0.0.1:7480");
  EXPECT_EQ(location.endpoint.region, "default");
  EXPECT_EQ(location.credentials.access_key, "config-key");
  EXPECT_EQ(location.credentials.secret_key, "config-secret");
}

TEST(S3LocationEnvTest, SessionTokenFromEnvironment) {
  Location location = Bucket("registry");
  std::string error;
  ASSERT_TRUE(FillFromEnvironment(Lookup({{"AWS_ACCESS_KEY_ID", kAccessKey},
                                          {"AWS_SECRET_ACCESS_KEY", kSecretKey},
                                          {"AWS_SESSION_TOKEN", "token"}}),
                                  &location, &error));
  EXPECT_EQ(location.credentials.session_token, "token");
}

TEST(S3LocationEnvTest, RefusesHalfAKeyPairAndBadEndpoints) {
  const std::vector<std::pair<Env, std::string>> cases = {
      {{{"AWS_ACCESS_KEY_ID", kAccessKey}},
       "AWS_ACCESS_KEY_ID is set without AWS_SECRET_ACCESS_KEY"},
      {{{"AWS_SECRET_ACCESS_KEY", kSecretKey}},
       "AWS_SECRET_ACCESS_KEY is set without AWS_ACCESS_KEY_ID"},
      {{{"AWS_ACCESS_KEY_ID", kAccessKey},
        {"AWS_SECRET_ACCESS_KEY", kSecretKey},
        {"AWS_ENDPOINT_URL", "ftp://store"}},
       "\"ftp://store\" is not an http or https URL"},
      {{{"AWS_ACCESS_KEY_ID", kAccessKey},
        {"AWS_SECRET_ACCESS_KEY", kSecretKey},
        {"AWS_ENDPOINT_URL_S3", "http://store:7480/bucket"}},
       "\"http://store:7480/bucket\" is not scheme://host[:port] (without a path)"},
      {{},
       "no S3 credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set, and HOME "
       "is not set to find ~/.aws/credentials"},
  };
  for (const auto& [env, reason] : cases) {
    Location location = Bucket("registry");
    std::string error;
    EXPECT_FALSE(FillFromEnvironment(Lookup(env), &location, &error)) << reason;
    EXPECT_NE(error.find(reason), std::string::npos) << error;
    EXPECT_EQ(error.find(kSecretKey), std::string::npos) << error;
  }
}

// ---------------------------------------------------------------------------------------------
// ~/.aws/credentials

using S3LocationCredentialsFileTest = S3LocationFiles;

constexpr const char* kCredentialsFile =
    "# written by aws configure\n"
    "[default]\n"
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
    "\n"
    "; the registry's own user\n"
    "  [ registry ]  \r\n"
    "  AWS_Access_Key_Id=AKIDREGISTRY\r\n"
    "\taws_secret_access_key  :  registry/secret+key=\r\n"
    "aws_session_token = FwoGZXIvYXdzEXAMPLE\r\n"
    "[other]\n"
    "aws_access_key_id = AKIDOTHER\n";

TEST_F(S3LocationCredentialsFileTest, DefaultProfileFromHome) {
  Write("home/.aws/credentials", kCredentialsFile);
  Location location = Bucket("registry");
  std::string error;
  ASSERT_TRUE(FillFromEnvironment(Lookup({{"HOME", dir_ + "/home"}}), &location, &error)) << error;
  EXPECT_EQ(location.credentials.access_key, kAccessKey);
  EXPECT_EQ(location.credentials.secret_key, kSecretKey);
  EXPECT_EQ(location.credentials.session_token, "");
}

TEST_F(S3LocationCredentialsFileTest, NamedProfileWithSpacesCaseAndCrlf) {
  Write("home/.aws/credentials", kCredentialsFile);
  Location location = Bucket("registry");
  std::string error;
  ASSERT_TRUE(FillFromEnvironment(Lookup({{"HOME", dir_ + "/home"}, {"AWS_PROFILE", "registry"}}),
                                  &location, &error))
      << error;
  EXPECT_EQ(location.credentials.access_key, "AKIDREGISTRY");
  EXPECT_EQ(location.credentials.secret_key, "registry/secret+key=");
  EXPECT_EQ(location.credentials.session_token, "FwoGZXIvYXdzEXAMPLE");
}

TEST_F(S3LocationCredentialsFileTest, SharedCredentialsFileVariable) {
  Write("home/elsewhere", "[default]\naws_access_key_id=A\naws_secret_access_key=B\n");
  for (const std::string& file : {dir_ + "/home/elsewhere", std::string("~/elsewhere")}) {
    Location location = Bucket("registry");
    std::string error;
    ASSERT_TRUE(FillFromEnvironment(
        Lookup({{"HOME", dir_ + "/home"}, {"AWS_SHARED_CREDENTIALS_FILE", file}}), &location,
        &error))
        << file << ": " << error;
    EXPECT_EQ(location.credentials.access_key, "A");
    EXPECT_EQ(location.credentials.secret_key, "B");
  }
}

TEST_F(S3LocationCredentialsFileTest, EnvironmentKeysWinOverTheFile) {
  Write("home/.aws/credentials", kCredentialsFile);
  Location location = Bucket("registry");
  std::string error;
  ASSERT_TRUE(FillFromEnvironment(Lookup({{"HOME", dir_ + "/home"},
                                          {"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                          {"AWS_SECRET_ACCESS_KEY", "envsecret"}}),
                                  &location, &error));
  EXPECT_EQ(location.credentials.access_key, "AKIDENV");
}

TEST_F(S3LocationCredentialsFileTest, ReportsWhatIsMissingWithoutSecrets) {
  const std::string good = Write("good", kCredentialsFile);
  const std::string bad_line = Write(
      "bad_line", "[default]\naws_access_key_id = A\nwJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n");
  const std::string before = Write("before", "aws_secret_access_key = " + std::string(kSecretKey));
  const std::string unclosed = Write("unclosed", "[default\naws_access_key_id = A\n");
  const std::vector<std::pair<Env, std::string>> cases = {
      {{{"AWS_SHARED_CREDENTIALS_FILE", dir_ + "/none"}},
       "no S3 credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set, and cannot "
       "open " +
           dir_ + "/none: No such file or directory"},
      {{{"AWS_SHARED_CREDENTIALS_FILE", good}, {"AWS_PROFILE", "prod"}},
       "no S3 credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set, and " + good +
           " has no [prod] profile"},
      {{{"AWS_SHARED_CREDENTIALS_FILE", good}, {"AWS_PROFILE", "other"}},
       good + " [other] lacks aws_access_key_id or aws_secret_access_key"},
      {{{"AWS_SHARED_CREDENTIALS_FILE", bad_line}},
       bad_line + ":3: neither a [profile] header nor a key = value line"},
      {{{"AWS_SHARED_CREDENTIALS_FILE", before}},
       before + ":1: a line before the first [profile] header"},
      {{{"AWS_SHARED_CREDENTIALS_FILE", unclosed}},
       unclosed + ":1: a [profile] header without its ']'"},
  };
  for (const auto& [env, reason] : cases) {
    Location location = Bucket("registry");
    std::string error;
    EXPECT_FALSE(FillFromEnvironment(Lookup(env), &location, &error)) << reason;
    EXPECT_EQ(error, reason);
    EXPECT_EQ(error.find(kSecretKey), std::string::npos) << error;
  }
}

// ---------------------------------------------------------------------------------------------
// The registry's config.yml.

using S3LocationConfigTest = S3LocationFiles;

// /etc/docker/registry/config.yml as Debian's docker-registry 2.8.2+ds1-1 installs it.
constexpr const char* kDebianConfig = R"(version: 0.1
log:
  fields:
    service: registry
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: /var/lib/docker-registry
  delete:
    enabled: true
http:
  addr: :5000
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  htpasswd:
    realm: basic-realm
    path: /etc/docker/registry
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
)";

// The s3 section of distribution's configuration reference (configuration.md, "storage"), with
// the storage keys that are not drivers and a Ceph RGW endpoint.
constexpr const char* kS3Config = R"(version: 0.1
storage:
  s3:
    accesskey: AKIAIOSFODNN7EXAMPLE
    secretkey: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
    region: us-west-1
    regionendpoint: http://127.0.0.1:7480/
    bucket: bucketname
    encrypt: true
    keyid: mykeyid
    secure: true
    v4auth: true
    chunksize: 5242880
    multipartcopychunksize: 33554432
    multipartcopymaxconcurrency: 100
    multipartcopythresholdsize: 33554432
    rootdirectory: /s3/object/name/prefix
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
  maintenance:
    uploadpurging:
      enabled: false
    readonly:
      enabled: false
  redirect:
    disable: true
  tag:
    concurrencylimit: 8
)";

TEST_F(S3LocationConfigTest, DebianFilesystemConfig) {
  const std::string path = Write("config.yml", kDebianConfig);
  RegistryStorage storage;
  std::string error;
  ASSERT_TRUE(LoadRegistryConfig(path, Lookup({}), &storage, &error)) << error;
  EXPECT_EQ(storage.kind, RegistryStorage::Kind::kFilesystem);
  EXPECT_EQ(storage.filesystem_root, "/var/lib/docker-registry");
}

TEST_F(S3LocationConfigTest, FilesystemDefaultsAndOverride) {
  const std::string path =
      Write("config.yml", "version: 0.1\nstorage:\n  filesystem:\n  delete:\n    enabled: true\n");
  RegistryStorage storage;
  std::string error;
  ASSERT_TRUE(LoadRegistryConfig(path, Lookup({}), &storage, &error)) << error;
  EXPECT_EQ(storage.filesystem_root, "/var/lib/registry");
  ASSERT_TRUE(LoadRegistryConfig(
      Write("debian.yml", kDebianConfig),
      Lookup({{"REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", "/srv/registry"}}), &storage, &error));
  EXPECT_EQ(storage.filesystem_root, "/srv/registry");
}

TEST_F(S3LocationConfigTest, S3ConfigWithRegionEndpoint) {
  const std::string path = Write("config.yml", kS3Config);
  RegistryStorage storage;
  std::string error;
  ASSERT_TRUE(LoadRegistryConfig(path, Lookup({}), &storage, &error)) << error;
  EXPECT_EQ(storage.kind, RegistryStorage::Kind::kS3);
  const Location& s3 = storage.s3;
  EXPECT_EQ(s3.endpoint.url, "http://127.0.0.1:7480");
  EXPECT_EQ(s3.endpoint.region, "us-west-1");
  EXPECT_EQ(s3.endpoint.bucket, "bucketname");
  EXPECT_TRUE(s3.endpoint.path_style);  // the default with a regionendpoint
  EXPECT_EQ(s3.prefix, "s3/object/name/prefix");
  EXPECT_EQ(s3.credentials.access_key, kAccessKey);
  EXPECT_EQ(s3.credentials.secret_key, kSecretKey);
  EXPECT_EQ(s3.Describe(), "s3://bucketname/s3/object/name/prefix at http://127.0.0.1:7480");
}

std::string S3Section(const std::string& lines) {
  return "version: 0.1\nstorage:\n  s3:\n    bucket: registry\n    region: eu-west-1\n" + lines;
}

TEST_F(S3LocationConfigTest, EndpointSchemeAndPathStyle) {
  struct Case {
    std::string lines;
    std::string url;
    bool path_style;
  };
  const std::vector<Case> cases = {
      {"", "https://s3.eu-west-1.amazonaws.com", false},
      {"    secure: false\n", "http://s3.eu-west-1.amazonaws.com", false},
      {"    regionendpoint: rgw.example:7480\n", "https://rgw.example:7480", true},
      {"    regionendpoint: rgw.example:7480\n    secure: false\n", "http://rgw.example:7480",
       true},
      {"    regionendpoint: https://rgw.example\n    secure: false\n", "https://rgw.example", true},
      {"    regionendpoint: http://127.0.0.1:7480\n    forcepathstyle: false\n",
       "http://127.0.0.1:7480", false},
      {"    forcepathstyle: true\n", "https://s3.eu-west-1.amazonaws.com", true},
      {"    secure: \"False\"\n    v4auth: yes\n", "http://s3.eu-west-1.amazonaws.com", false},
  };
  for (const Case& c : cases) {
    const std::string path = Write("config.yml", S3Section(c.lines));
    RegistryStorage storage;
    std::string error;
    ASSERT_TRUE(LoadRegistryConfig(
        path, Lookup({{"AWS_ACCESS_KEY_ID", kAccessKey}, {"AWS_SECRET_ACCESS_KEY", kSecretKey}}),
        &storage, &error))
        << c.lines << error;
    EXPECT_EQ(storage.s3.endpoint.url, c.url) << c.lines;
    EXPECT_EQ(storage.s3.endpoint.path_style, c.path_style) << c.lines;
  }
}

TEST_F(S3LocationConfigTest, KeysFromTheEnvironmentWhenTheConfigHasNone) {
  const std::string path = Write("config.yml", S3Section("    accesskey: only-half\n"));
  RegistryStorage storage;
  std::string error;
  ASSERT_TRUE(LoadRegistryConfig(path,
                                 Lookup({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                         {"AWS_SECRET_ACCESS_KEY", "envsecret"},
                                         {"AWS_SESSION_TOKEN", "token"},
                                         {"AWS_ENDPOINT_URL", "http://ignored:1"}}),
                                 &storage, &error))
      << error;
  EXPECT_EQ(storage.s3.credentials.access_key, "AKIDENV");
  EXPECT_EQ(storage.s3.credentials.session_token, "token");
  EXPECT_EQ(storage.s3.endpoint.url, "https://s3.eu-west-1.amazonaws.com");  // the config's

  EXPECT_FALSE(LoadRegistryConfig(path, Lookup({}), &storage, &error));
  EXPECT_EQ(error, path +
                       ": storage.s3 sets no accesskey and secretkey; no S3 credentials: "
                       "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set, and HOME is not "
                       "set to find ~/.aws/credentials");
}

TEST_F(S3LocationConfigTest, SessionTokenFromConfig) {
  const std::string path =
      Write("config.yml", S3Section("    accesskey: A\n    secretkey: B\n    sessiontoken: T\n"));
  RegistryStorage storage;
  std::string error;
  ASSERT_TRUE(LoadRegistryConfig(path, Lookup({}), &storage, &error)) << error;
  EXPECT_EQ(storage.s3.credentials.session_token, "T");
}

TEST_F(S3LocationConfigTest, RegistryEnvironmentOverridesTheFile) {
  const std::string path = Write("config.yml", kS3Config);
  RegistryStorage storage;
  std::string error;
  ASSERT_TRUE(LoadRegistryConfig(path,
                                 Lookup({{"REGISTRY_STORAGE_S3_BUCKET", "other-bucket"},
                                         {"REGISTRY_STORAGE_S3_REGIONENDPOINT", "minio:9000"},
                                         {"REGISTRY_STORAGE_S3_SECURE", "false"},
                                         {"REGISTRY_STORAGE_S3_ROOTDIRECTORY", "/"},
                                         {"REGISTRY_STORAGE_S3_ACCESSKEY", "AKIDENV"},
                                         {"REGISTRY_STORAGE_S3_SECRETKEY", "envsecret"}}),
                                 &storage, &error))
      << error;
  EXPECT_EQ(storage.s3.endpoint.bucket, "other-bucket");
  EXPECT_EQ(storage.s3.endpoint.url, "http://minio:9000");
  EXPECT_EQ(storage.s3.prefix, "");
  EXPECT_EQ(storage.s3.credentials.access_key, "AKIDENV");
  EXPECT_EQ(storage.s3.credentials.secret_key, "envsecret");
}

// REGISTRY_STORAGE replaces the whole storage section, as the registry's parser does.
TEST_F(S3LocationConfigTest, RegistryStorageChoosesTheDriver) {
  const std::string debian = Write("debian.yml", kDebianConfig);
  RegistryStorage storage;
  std::string error;
  ASSERT_TRUE(LoadRegistryConfig(debian,
                                 Lookup({{"REGISTRY_STORAGE", "s3"},
                                         {"REGISTRY_STORAGE_S3_BUCKET", "registry"},
                                         {"REGISTRY_STORAGE_S3_REGION", "us-east-1"},
                                         {"REGISTRY_STORAGE_S3_ACCESSKEY", "A"},
                                         {"REGISTRY_STORAGE_S3_SECRETKEY", "B"}}),
                                 &storage, &error))
      << error;
  EXPECT_EQ(storage.kind, RegistryStorage::Kind::kS3);
  EXPECT_EQ(storage.s3.endpoint.url, "https://s3.us-east-1.amazonaws.com");

  const std::string s3 = Write("s3.yml", kS3Config);
  EXPECT_FALSE(LoadRegistryConfig(s3, Lookup({{"REGISTRY_STORAGE", "s3"}}), &storage, &error));
  EXPECT_EQ(error, s3 + ": storage.s3.bucket is not set (the registry requires it)");

  ASSERT_TRUE(
      LoadRegistryConfig(s3, Lookup({{"REGISTRY_STORAGE", "filesystem"}}), &storage, &error))
      << error;
  EXPECT_EQ(storage.kind, RegistryStorage::Kind::kFilesystem);
  EXPECT_EQ(storage.filesystem_root, "/var/lib/registry");
}

TEST_F(S3LocationConfigTest, BareDriverName) {
  const std::string path = Write("config.yml", "version: 0.1\nstorage: s3\n");
  RegistryStorage storage;
  std::string error;
  ASSERT_TRUE(LoadRegistryConfig(path,
                                 Lookup({{"REGISTRY_STORAGE_S3_BUCKET", "registry"},
                                         {"REGISTRY_STORAGE_S3_REGION", "us-east-1"},
                                         {"REGISTRY_STORAGE_S3_ACCESSKEY", "A"},
                                         {"REGISTRY_STORAGE_S3_SECRETKEY", "B"}}),
                                 &storage, &error))
      << error;
  EXPECT_EQ(storage.kind, RegistryStorage::Kind::kS3);
}

// Each case: the config's text, the environment, and the whole error after "PATH".
struct BadConfig {
  std::string text;
  Env env;
  std::string error;
};

TEST_F(S3LocationConfigTest, RefusesWithFileLineAndColumn) {
  const std::vector<BadConfig> cases = {
      {"version: 0.1\nstorage:\n  s3:\n    bucket: b: c\n", {}, ":4:14: illegal map value"},
      {"", {}, ": no storage section (the registry requires one)"},
      {"version: 0.1\nlog:\n  level: info\n",
       {},
       ":1:1: no storage section (the registry requires one)"},
      {"- storage\n", {}, ":1:1: not a registry configuration (a YAML mapping)"},
      {"storage:\n  - s3\n", {}, ":2:3: storage is not a mapping"},
      {"storage:\n  delete:\n    enabled: true\n",
       {},
       ": the storage section must name exactly one driver, as the registry requires"},
      {"storage:\n  filesystem:\n  s3:\n    bucket: b\n",
       {},
       ": the storage section must name exactly one driver, as the registry requires; it names "
       "filesystem (PATH:2:3), s3 (PATH:3:3)"},
      {kDebianConfig,
       {{"REGISTRY_STORAGE_S3_BUCKET", "b"}},
       ": the storage section must name exactly one driver, as the registry requires; it names "
       "filesystem (PATH:8:3), s3 (PATH: REGISTRY_STORAGE_S3_BUCKET)"},
      {"storage:\n  cache:\n    blobdescriptor: inmemory\n  gcs:\n    bucket: b\n",
       {},
       ":4:3: storage driver \"gcs\" is not supported (only filesystem and s3)"},
      {"storage:\n  filesystem:\n    rootdirectory: x\n",
       {{"REGISTRY_STORAGE", "inmemory"}},
       ": REGISTRY_STORAGE: storage driver \"inmemory\" is not supported (only filesystem and s3)"},
      {"storage:\n  s3:\n    region: r\n",
       {},
       ": storage.s3.bucket is not set (the registry requires it)"},
      {"storage:\n  s3:\n    bucket: registry\n",
       {},
       ": storage.s3.region is not set (the registry requires it)"},
      {"storage:\n  s3:\n    region: r\n    bucket: Registry_1\n",
       {},
       ":4:13: bucket \"Registry_1\" may hold only a-z, 0-9, '.' and '-'"},
      {"storage:\n  s3:\n    region: r\n    bucket: {a: b}\n",
       {},
       ":4:13: storage.s3.bucket is not a single value"},
      {S3Section("    v4auth: false\n"),
       {},
       ":6:13: v4auth is false, but regsweep signs with "
       "Signature Version 4 only"},
      {S3Section(""),
       {{"REGISTRY_STORAGE_S3_V4AUTH", "false"}},
       ": REGISTRY_STORAGE_S3_V4AUTH: v4auth is false, but regsweep signs with Signature Version "
       "4 only"},
      {S3Section("    secure: maybe\n"), {}, ":6:13: secure \"maybe\" is neither true nor false"},
      {S3Section("    forcepathstyle: 2\n"),
       {},
       ":6:21: forcepathstyle \"2\" is neither true nor false"},
      {S3Section("    regionendpoint: ftp://rgw\n"),
       {},
       ":6:21: regionendpoint \"ftp://rgw\" is not an http or https URL"},
      {S3Section("    regionendpoint: http://rgw/prefix\n"),
       {},
       ":6:21: regionendpoint \"http://rgw/prefix\" is not scheme://host[:port] (without a path)"},
      {S3Section("    rootdirectory: /registry/../other\n"),
       {},
       ":6:20: rootdirectory: the prefix \"/registry/../other\" holds a \"..\" component"},
  };
  const std::string secret_keys =
      "    accesskey: AKIAIOSFODNN7EXAMPLE\n    secretkey: "
      "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
  for (const BadConfig& c : cases) {
    // Keys in the s3 section too (it comes last), to check that no message shows them.
    const bool has_s3 = c.text.find("  s3:\n") != std::string::npos;
    const std::string path = Write("config.yml", has_s3 ? c.text + secret_keys : c.text);
    RegistryStorage storage;
    std::string error;
    EXPECT_FALSE(LoadRegistryConfig(path, Lookup(c.env), &storage, &error)) << c.text;
    std::string expected = path + c.error;
    for (size_t at = expected.find("PATH"); at != std::string::npos; at = expected.find("PATH")) {
      expected.replace(at, 4, path);
    }
    EXPECT_EQ(error, expected) << c.text;
    EXPECT_EQ(error.find(kSecretKey), std::string::npos) << error;
    EXPECT_EQ(error.find(kAccessKey), std::string::npos) << error;
  }
}

TEST_F(S3LocationConfigTest, UnreadableFile) {
  RegistryStorage storage;
  std::string error;
  EXPECT_FALSE(LoadRegistryConfig(dir_ + "/missing.yml", Lookup({}), &storage, &error));
  EXPECT_EQ(error, "cannot open " + dir_ + "/missing.yml: No such file or directory");
}

}  // namespace
}  // namespace regsweep::s3
