// libFuzzer target: the S3 answers regsweep parses (core/s3/s3_xml.h), which come from the
// network. Parsing must never crash; a page accepted is whole (a truncated page has its token,
// every key its size and time), and a refusal always says why.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/s3/s3_xml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  std::string error;
  regsweep::s3::ListPage page;
  if (regsweep::s3::ParseListPage(xml, &page, &error)) {
    if (page.truncated && page.next_token.empty()) std::abort();
  } else if (error.empty()) {
    std::abort();
  }
  std::vector<regsweep::s3::DeleteError> failed;
  error.clear();
  if (!regsweep::s3::ParseDeleteResult(xml, &failed, &error) && error.empty()) std::abort();
  std::string code;
  std::string message;
  regsweep::s3::ParseErrorBody(xml, &code, &message);
  int64_t ns = 0;
  regsweep::s3::ParseS3Time(xml, &ns);
  return 0;
}
