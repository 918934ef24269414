#include "xdeploy/s3/s3_xml.h"

#include <catch2/catch.hpp>

namespace xd::s3 {

TEST_CASE("a ListObjectsV2 page: objects, common prefixes, and where to go on") {
  const std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>h/</Prefix>
<MaxKeys>2</MaxKeys><KeyCount>2</KeyCount><IsTruncated>true</IsTruncated>
<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
<Contents><Key>h/a &amp; b.json</Key><ETag>&quot;aa&quot;</ETag><Size>12</Size></Contents>
<CommonPrefixes><Prefix>h/sub/</Prefix></CommonPrefixes></ListBucketResult>)";
  std::string error;
  const auto page = parse_list_page(xml, error);
  REQUIRE(page);
  REQUIRE(page->objects.size() == 1);
  CHECK(page->objects[0].key == "h/a & b.json");
  CHECK(page->objects[0].etag == "\"aa\"");
  CHECK(page->objects[0].size == 12);
  CHECK(page->common_prefixes == std::vector<std::string>{"h/sub/"});
  CHECK(page->truncated);
  CHECK(page->next_token == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST_CASE("what is not a listing is refused with a reason") {
  std::string error;
  CHECK_FALSE(parse_list_page("<ListBucketResult><Contents>", error));
  CHECK(error == "the listing is not well-formed XML");
  CHECK_FALSE(parse_list_page("<Error><Code>AccessDenied</Code></Error>", error));
  CHECK(error == "the listing is not a ListBucketResult");
  CHECK_FALSE(parse_list_page(
      "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>", error));
  CHECK(error == "the listing is truncated but has no NextContinuationToken");
}

TEST_CASE("an S3 error document gives its code and message") {
  const auto e = parse_error(
      "<?xml version=\"1.0\"?><Error><Code>PreconditionFailed</Code><Message>At least one of the "
      "pre-conditions you specified did not hold</Message><RequestId>1</RequestId></Error>");
  CHECK(e.code == "PreconditionFailed");
  CHECK_THAT(e.message, Catch::StartsWith("At least one"));
  CHECK(parse_error("not xml").code.empty());
  CHECK(xml_value("<VersioningConfiguration xmlns=\"x\"><Status>Enabled</Status>"
                  "</VersioningConfiguration>",
                  "VersioningConfiguration/Status") == "Enabled");
}

}  // namespace xd::s3
