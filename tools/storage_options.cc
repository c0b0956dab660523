// ROOT, --config and --max-requests-per-second.
#include "tools/storage_options.h"

namespace regsweep::tools {

void AddStorageOptions(CLI::App* cmd, std::string* root, BackendSettings* settings) {
  CLI::Option* root_option = cmd->add_option(
      "ROOT", *root,
      "the registry: its root directory (holding docker/registry/v2) or v2 folder, an OCI "
      "image layout's folder (holding oci-layout), or s3://BUCKET/PREFIX on S3-compatible storage "
      "(PREFIX: the registry's rootdirectory; "
      "endpoint and keys from AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ... or ~/.aws/credentials)");
  CLI::Option* config_option = cmd->add_option(
      "--config", settings->config,
      "the registry's config.yml: its storage section (filesystem or s3, with the registry's "
      "REGISTRY_STORAGE_* overrides) says where the registry is, instead of ROOT");
  cmd->add_option("--max-requests-per-second", settings->max_requests_per_second,
                  "on S3: send at most this many requests a second, retries included "
                  "(default: no limit)")
      ->check(CLI::PositiveNumber);
  cmd->callback([root_option, config_option] {
    if (root_option->count() == 0 && config_option->count() == 0) {
      throw CLI::RequiredError("ROOT or --config");
    }
  });
}

}  // namespace regsweep::tools
