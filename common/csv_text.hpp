// CSV as RFC 4180 writes it: fields separated by commas, records ended by CRLF; a field that
// holds a comma, a double quote, CR or LF is enclosed in double quotes, its quotes doubled.
// Other fields are written as they are (no quotes), so numbers stay plain.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ccmeter {

// One field, quoted when it must be.
std::string csv_field(std::string_view text);

// One record: the fields, each through csv_field, comma-separated, then CRLF.
std::string csv_record(const std::vector<std::string>& fields);

}  // namespace ccmeter
