// The error type of the core: a message meant for a person, and the Result alias that carries
// it. Core functions return these; only each main() catches exceptions.
#pragma once

#include <boost/system/result.hpp>
#include <string>

namespace ccmeter {

struct Error {
    std::string message;
};

template <class T>
using Result = boost::system::result<T, Error>;

}  // namespace ccmeter
