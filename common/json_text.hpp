// JSON text for people and scripts: like boost::json::serialize, except that doubles (money in
// dollars) are written as plain decimals with at most 6 fraction digits ("51.704418", not
// "5.1704418E1"). Key order is kept.
#pragma once

#include <boost/json/value.hpp>
#include <string>

namespace ccmeter {

std::string to_json_text(const boost::json::value& value);

}  // namespace ccmeter
