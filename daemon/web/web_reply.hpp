// One answer of the web view before it becomes HTTP: a status code, a media type and a body.
// Plain data; the router adds the headers every answer carries (see http_policy.hpp).
#pragma once

#include <string>

namespace ccmeter {

struct WebReply {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
};

}  // namespace ccmeter
