// Untrusted text made valid UTF-8 (protobuf strings) and safe for terminals.
#include <catch2/catch.hpp>
#include <string>

#include "common/text_sanitizer.hpp"

using namespace ccmeter;

TEST_CASE("valid UTF-8 passes unchanged; each invalid byte becomes U+FFFD", "[text]") {
    CHECK(valid_utf8("plain /home/dev/päckchen 😀") == "plain /home/dev/päckchen 😀");
    CHECK(valid_utf8("a\xff"
                     "b") ==
          "a\xEF\xBF\xBD"
          "b");
    CHECK(valid_utf8("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
    CHECK(valid_utf8("\xED\xA0\x80") ==
          "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");                // a UTF-16 surrogate
    CHECK(valid_utf8("\xE2\x82") == "\xEF\xBF\xBD\xEF\xBF\xBD");  // cut short
    CHECK(valid_utf8("\x1b[2J") == "\x1b[2J");                    // controls are valid UTF-8
}

TEST_CASE("terminal text has no control characters left", "[text]") {
    CHECK(terminal_safe("\x1b]0;pwned\x07/home/dev") == "?]0;pwned?/home/dev");
    CHECK(terminal_safe("a\tb\nc\x7f"
                        "d") == "a?b?c?d");
    CHECK(terminal_safe("\xC2\x9B"
                        "31m") == "?31m");  // C1 CSI
    CHECK(terminal_safe("päckchen") == "päckchen");
    CHECK(terminal_safe("\xff") == "\xEF\xBF\xBD");
}
