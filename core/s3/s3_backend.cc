// The S3 backend: one client, its reader and its storage.
#include "core/s3/s3_backend.h"

#include <utility>

#include "core/distribution_layout.h"
#include "core/s3/s3_client.h"
#include "core/s3/s3_storage.h"
#include "core/s3/s3_tree_reader.h"

namespace regsweep::s3 {
namespace {

std::string V2Prefix(const std::string& prefix) {
  std::string v2 = prefix;
  if (!v2.empty()) v2 += '/';
  v2 += distribution::kV2Path;
  v2 += '/';
  return v2;
}

class S3Backend final : public Backend {
 public:
  S3Backend(const Location& location, const BackendSettings& settings)
      : location_(location.Describe()),
        client_(location.endpoint, location.credentials, Options(settings)),
        reader_(client_, V2Prefix(location.prefix)),
        root_(reader_.Root()),
        storage_(client_, reader_) {}

  const std::string& location() const override { return location_; }
  const Folder& root() const override { return root_; }
  TreeReader& reader() override { return reader_; }
  Storage& storage() override { return storage_; }
  LockFiles& locks() override { return storage_; }
  std::optional<RequestTally> requests() const override {
    const RequestCounts counts = client_.counts();
    RequestTally tally;
    for (size_t k = 0; k < kRequestKinds; ++k) {
      const std::string kind = RequestKindName(static_cast<RequestKind>(k));
      tally.by_kind.emplace_back(kind, counts.sent[k]);
      tally.cost_usd += S3StandardPrice(kind, counts.sent[k]);
    }
    tally.retries = counts.retries;
    tally.bytes_received = counts.bytes_received;
    tally.keys_deleted = counts.keys_deleted;
    return tally;
  }
  S3TreeReader& s3_reader() { return reader_; }

 private:
  static ClientOptions Options(const BackendSettings& settings) {
    ClientOptions options;
    options.max_in_flight = settings.max_in_flight;
    options.max_requests_per_second = settings.max_requests_per_second;
    return options;
  }

  const std::string location_;
  Client client_;
  S3TreeReader reader_;
  const Folder root_;
  S3Storage storage_;
};

}  // namespace

std::unique_ptr<Backend> OpenS3Backend(const Location& location, const BackendSettings& settings,
                                       std::string* error) {
  auto backend = std::make_unique<S3Backend>(location, settings);
  // The v2 folder must hold something: a wrong prefix or bucket is an error, not an empty
  // registry whose collection would find nothing to keep.
  IoStatus status;
  const Folder v2 = backend->s3_reader().OpenFolder(backend->root(), "", &status);
  if (!v2.valid()) {
    std::string why;
    if (status.http_status == 404) {
      why = "no such bucket (HTTP 404)";
    } else if (status.absent()) {
      why = "no registry there (nothing below " + backend->s3_reader().v2_prefix() + ")";
    } else {
      why = "cannot list it: " + status.Text();
    }
    *error = location.Describe() + ": " + why;
    return nullptr;
  }
  return backend;
}

}  // namespace regsweep::s3
