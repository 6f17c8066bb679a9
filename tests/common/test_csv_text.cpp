#include <catch2/catch.hpp>
#include <string>

#include "common/csv_text.hpp"

using namespace ccmeter;

TEST_CASE("csv_field leaves plain text as it is") {
    CHECK(csv_field("claude-opus-4-5") == "claude-opus-4-5");
    CHECK(csv_field("") == "");
    CHECK(csv_field("12.5") == "12.5");
    CHECK(csv_field("semi;colon and 'single' quotes") == "semi;colon and 'single' quotes");
}

TEST_CASE("csv_field quotes a comma, a quote, CR and LF, doubling quotes (RFC 4180)") {
    CHECK(csv_field("/home/dev/a,b") == "\"/home/dev/a,b\"");
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_field("\"") == "\"\"\"\"");
    CHECK(csv_field("line\nbreak") == "\"line\nbreak\"");
    CHECK(csv_field("carriage\rreturn") == "\"carriage\rreturn\"");
    CHECK(csv_field("a\r\nb") == "\"a\r\nb\"");
}

TEST_CASE("csv_record joins fields with commas and ends with CRLF") {
    CHECK(csv_record({"a", "b,c", "", "d\"e"}) == "a,\"b,c\",,\"d\"\"e\"\r\n");
    CHECK(csv_record({}) == "\r\n");
    CHECK(csv_record({""}) == "\r\n");
}
