// Pretty JSON text in the layout Claude Code writes its settings.json with: exactly what
// JavaScript's `JSON.stringify(value, null, 2)` gives (the client's own writer, checked in
// 2.1.197: `JSON.stringify(settings, null, 2) + "\n"`). Contract:
// - objects keep their key order (boost::json::object keeps insertion order);
// - 2-space indentation, one member or element per line, `"key": value`, no trailing newline
//   (callers writing a file add one); empty containers are `{}` and `[]`;
// - strings: `"` `\` and control characters escaped as JavaScript does (\b \f \n \r \t, others
//   as \u00xx), everything else (non-ASCII included) written as is;
// - numbers as JavaScript prints them: integers in full, doubles in their shortest round-trip
//   form (1.5, 0.0001, 1e-7, 1e+21, 2 for 2.0), non-finite doubles as null.
// So parse_json_exactly then to_pretty_json on a file Claude Code wrote gives the same text.
#pragma once

#include "common/error.hpp"

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace ccmeter {

// Strict JSON (RFC 8259: no comments, no trailing commas, valid UTF-8, one value with only
// whitespace around it, nesting up to 512 levels). Unlike boost::json::parse in Boost 1.81,
// every double is read exactly (the nearest double, as JavaScript reads it). The error says what
// and where: "not valid JSON (syntax error at line 3, column 1)".
Result<boost::json::value> parse_json_exactly(std::string_view text);

std::string to_pretty_json(const boost::json::value& value);

}  // namespace ccmeter
