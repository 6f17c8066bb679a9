#include "hookctl/pretty_json.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <limits>
#include <string>

namespace json = boost::json;
using ccmeter::parse_json_exactly;
using ccmeter::to_pretty_json;

namespace {

// Written by node: process.stdout.write(JSON.stringify(sample, null, 2)).
std::string node_sample() {
    return R"({
  "a": [
    1,
    2.5,
    0.0001,
    1e-7,
    1e+21,
    123456789012345680000,
    0,
    0.30000000000000004,
    5e-324,
    1.7976931348623157e+308,
    -1.5e-10,
    100000000000000000000,
    12345.678
  ],
  "s": "q\"b\\s/\u0001\u001f\b\f\n\r\t)"
           "\x7f \xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8"
           R"(",
  "e": {},
  "ea": [],
  "n": null,
  "t": true,
  "f": false,
  "nested": {
    "z": {
      "y": [
        {},
        []
      ]
    }
  }
})";
}

std::string number_text(double number) {
    return to_pretty_json(json::value(number));
}

json::value parsed(const std::string& text) {
    auto value = parse_json_exactly(text);
    REQUIRE(value.has_value());
    return *value;
}

}  // namespace

TEST_CASE("pretty_json: reproduces JavaScript's JSON.stringify(value, null, 2)", "[pretty_json]") {
    const std::string text = node_sample();
    CHECK(to_pretty_json(parsed(text)) == text);
}

TEST_CASE("pretty_json: keeps key order", "[pretty_json]") {
    CHECK(to_pretty_json(json::parse(R"({"z":1,"a":2,"m":{"y":1,"b":2}})")) ==
          "{\n  \"z\": 1,\n  \"a\": 2,\n  \"m\": {\n    \"y\": 1,\n    \"b\": 2\n  }\n}");
}

TEST_CASE("pretty_json: writes scalars and empty containers on one line", "[pretty_json]") {
    CHECK(to_pretty_json(json::parse("{}")) == "{}");
    CHECK(to_pretty_json(json::parse("[]")) == "[]");
    CHECK(to_pretty_json(json::parse("\"x\"")) == "\"x\"");
    CHECK(to_pretty_json(json::parse("-42")) == "-42");
    CHECK(to_pretty_json(json::parse("18446744073709551615")) == "18446744073709551615");
    CHECK(to_pretty_json(json::parse("[null,true]")) == "[\n  null,\n  true\n]");
}

TEST_CASE("pretty_json: writes doubles the way JavaScript does", "[pretty_json]") {
    CHECK(number_text(2.0) == "2");
    CHECK(number_text(-0.0) == "0");
    CHECK(number_text(0.5) == "0.5");
    CHECK(number_text(-1234.5) == "-1234.5");
    CHECK(number_text(0.000001) == "0.000001");
    CHECK(number_text(0.0000001) == "1e-7");
    CHECK(number_text(1e21) == "1e+21");
    CHECK(number_text(1.5e300) == "1.5e+300");
    CHECK(number_text(123e18) == "123000000000000000000");
    CHECK(number_text(std::numeric_limits<double>::infinity()) == "null");
    CHECK(number_text(std::numeric_limits<double>::quiet_NaN()) == "null");
}

TEST_CASE("pretty_json: doubles are read exactly", "[pretty_json]") {
    // Boost 1.81's own parser reads this one a unit in the last place low.
    CHECK(parsed("123456789012345680000").as_double() == 123456789012345680000.0);
    CHECK(parsed("[0.1]").at(0).as_double() == 0.1);
    CHECK(parsed("-2.5e-3").as_double() == -0.0025);
    CHECK(parsed("7").is_int64());
    CHECK(parsed("18446744073709551615").is_uint64());
}

TEST_CASE("pretty_json: invalid JSON is an error that says where", "[pretty_json]") {
    for (const char* text : {"{\"a\": 1,}", "{} x", "// c\n{}", "[1, 2", "", "\"\xff\""}) {
        auto value = parse_json_exactly(text);
        CHECK_FALSE(value.has_value());
    }
    auto value = parse_json_exactly("{\n  \"a\": 1,\n}");
    REQUIRE_FALSE(value.has_value());
    CHECK(value.error().message.find("line 3, column 1") != std::string::npos);
}
