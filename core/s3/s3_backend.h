// An S3-compatible object store as a registry's backend (core/backend.h): the client
// (core/s3/s3_client.h), the reader over its listings and the storage that deletes in batches,
// for the registry whose rootdirectory is `Location::prefix` in the bucket.
#ifndef REGSWEEP_CORE_S3_S3_BACKEND_H_
#define REGSWEEP_CORE_S3_S3_BACKEND_H_

#include <memory>
#include <string>

#include "core/backend.h"
#include "core/s3/s3_location.h"

namespace regsweep::s3 {

// The backend of the registry at `location`; nullptr with *error when its v2 folder holds
// nothing or cannot be listed (the endpoint, bucket and prefix named; never the keys).
std::unique_ptr<Backend> OpenS3Backend(const Location& location, const BackendSettings& settings,
                                       std::string* error);

}  // namespace regsweep::s3

#endif  // REGSWEEP_CORE_S3_S3_BACKEND_H_
