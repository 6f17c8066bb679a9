// The error type of the core: a message meant for a person, and the Result alias that carries
// it. Core functions return these; only each main() catches exceptions.
#pragma once

#include <boost/system/result.hpp>
#include <string>
#include <utility>

namespace ccmeter {

struct Error {
    // Explicit, so that Result<std::string> never mistakes a value for an error.
    Error() = default;
    explicit Error(std::string text) : message(std::move(text)) {}
    std::string message;
};

template <class T>
using Result = boost::system::result<T, Error>;

}  // namespace ccmeter
