// Escaping text for XML and HTML: the one escaper of the S3 requests (core/s3/s3_xml), the
// HTML usage report and the tests' fake bucket.
#ifndef REGSWEEP_CORE_XML_ESCAPE_H_
#define REGSWEEP_CORE_XML_ESCAPE_H_

#include <string>
#include <string_view>

namespace regsweep {

// `text` with XML's five special characters as named entities (&amp; &lt; &gt; &quot; &apos;)
// and carriage return, line feed and tab as numeric ones, which a parser would otherwise
// normalise (S3's key-naming guide asks for &#13; and &#10;). Safe in XML and HTML text and in
// quoted attributes.
std::string EscapeXml(std::string_view text);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_XML_ESCAPE_H_
