// Where an S3 registry is and how to reach it: the `s3://BUCKET/PREFIX` form of ROOT, the
// registry's own config.yml (`--config`), and the credentials, from the places the registry
// and the AWS tools take them, in their order. Credentials are never printed: Describe() and
// every message name the endpoint, bucket and prefix only.
#ifndef REGSWEEP_CORE_S3_S3_LOCATION_H_
#define REGSWEEP_CORE_S3_S3_LOCATION_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/s3/s3_client.h"
#include "core/s3/sigv4.h"

namespace regsweep::s3 {

// Looks up an environment variable (std::getenv in the program, a map in tests).
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvLookup ProcessEnvironment();

struct Location {
  Endpoint endpoint;
  // The registry's rootdirectory inside the bucket, without leading or trailing '/' ("" for the
  // bucket's top); the v2 folder is PREFIX/docker/registry/v2/.
  std::string prefix;
  Credentials credentials;

  // "s3://BUCKET/PREFIX at URL": for messages and saved plans; no secrets.
  std::string Describe() const;
};

// True when `root` names an object store ("s3://...").
bool IsS3Root(std::string_view root);

// Parses "s3://BUCKET[/PREFIX]" into location->endpoint.bucket and location->prefix. The
// bucket must be a valid S3 bucket name (3-63 of a-z 0-9 . -); the prefix is normalised
// (leading, trailing and doubled '/' dropped; "." and ".." components refused).
bool ParseS3Root(std::string_view root, Location* location, std::string* error);

// Fills what ParseS3Root leaves open, from the environment (empty variables count as unset;
// HOME is looked up in `env` too):
// - when endpoint.url is empty, the endpoint: the region (AWS_REGION, then AWS_DEFAULT_REGION;
//   otherwise endpoint.region is kept, us-east-1 by default) and the URL (AWS_ENDPOINT_URL_S3,
//   then AWS_ENDPOINT_URL, spoken to path style as a compatible store; otherwise
//   https://s3.REGION.amazonaws.com, virtual-hosted style unless the bucket name holds a '.');
//   an endpoint with a URL is kept whole;
// - when credentials.access_key is empty, the credentials: AWS_ACCESS_KEY_ID,
//   AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, otherwise the profile AWS_PROFILE (default
//   "default") of AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials; keys
//   aws_access_key_id, aws_secret_access_key, aws_session_token).
// False with *error when no credentials are found, only half a key pair is set, the
// credentials file is malformed, or the endpoint URL is not http(s)://HOST[:PORT].
bool FillFromEnvironment(const EnvLookup& env, Location* location, std::string* error);

// What a registry's config.yml says about its storage.
struct RegistryStorage {
  enum class Kind { kFilesystem, kS3 };
  Kind kind = Kind::kFilesystem;
  std::string filesystem_root;  // storage.filesystem.rootdirectory (default /var/lib/registry)
  Location s3;                  // storage.s3, with credentials when the config has them
};

// Reads the registry's config.yml at `path`: storage.filesystem.rootdirectory, or storage.s3
// (bucket, region, regionendpoint, rootdirectory, accesskey, secretkey, sessiontoken, secure,
// v4auth, forcepathstyle), each overridden by the registry's environment variable
// (REGISTRY_STORAGE_S3_BUCKET, REGISTRY_STORAGE_S3_REGIONENDPOINT, ...,
// REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY), as the registry itself does: REGISTRY_STORAGE
// names the driver and drops the file's storage section, a REGISTRY_STORAGE_<DRIVER>_ variable
// adds its driver, and storage must then name exactly one driver (cache, delete, maintenance,
// redirect and tag are not drivers). bucket and region are required, as by the registry. An S3
// config without both keys takes them as FillFromEnvironment does. The endpoint is
// regionendpoint (a URL without a scheme gets https://, or http:// with `secure: false`) or
// https://s3.REGION.amazonaws.com; forcepathstyle defaults to true when regionendpoint is set
// (Ceph RGW, MinIO), else to false (the registry's default is always false). `v4auth: false` is
// refused (only SigV4 is spoken). False with *error ("config.yml:LINE:COL: reason",
// "config.yml: REGISTRY_STORAGE_S3_BUCKET: reason", or the file and why it cannot be read).
bool LoadRegistryConfig(const std::string& path, const EnvLookup& env, RegistryStorage* storage,
                        std::string* error);

}  // namespace regsweep::s3

#endif  // REGSWEEP_CORE_S3_S3_LOCATION_H_
