// The error type of the core: a message meant for a person, and the Result alias that carries
// it. Core functions return these; only each main() catches exceptions.
#pragma once

#include <boost/system/result.hpp>
#include <stdexcept>
#include <string>
#include <utility>

namespace ccmeter {

// What kind of failure an Error is, for the transports that map it to a status (gRPC codes,
// HTTP statuses). Most errors are `internal`.
enum class ErrorKind { internal, invalid_argument, not_found, unavailable };

struct Error {
    // Explicit, so that Result<std::string> never mistakes a value for an error.
    Error() = default;
    explicit Error(std::string text, ErrorKind error_kind = ErrorKind::internal)
        : message(std::move(text)), kind(error_kind) {}
    std::string message;
    ErrorKind kind = ErrorKind::internal;
};

template <class T>
using Result = boost::system::result<T, Error>;

// What Result<T>::value() throws when it holds an error (boost::system::result finds this by
// argument-dependent lookup). Core code tests a Result or uses CCMETER_TRY instead; value() is
// for tests and for code whose only handler of the error is the catch-all of main().
[[noreturn]] inline void throw_exception_from_error(const Error& error,
                                                    const boost::source_location&) {
    throw std::runtime_error(error.message);
}

// Returns the error of a failed Result<T> expression from the enclosing function (which returns
// a Result of any type); otherwise evaluates to nothing.
//   CCMETER_TRY(store.commit(batch));
#define CCMETER_TRY(expression)                                          \
    do {                                                                 \
        if (auto ccmeter_try_result = (expression); !ccmeter_try_result) \
            return ccmeter_try_result.error();                           \
    } while (false)

// Declares `name` as the value of a successful Result<T> expression, or returns its error.
//   CCMETER_TRY_ASSIGN(auto rows, store.rows());
#define CCMETER_TRY_ASSIGN(declaration, expression)                 \
    auto CCMETER_TRY_CONCAT(ccmeter_try_, __LINE__) = (expression); \
    if (!CCMETER_TRY_CONCAT(ccmeter_try_, __LINE__))                \
        return CCMETER_TRY_CONCAT(ccmeter_try_, __LINE__).error();  \
    declaration = std::move(*CCMETER_TRY_CONCAT(ccmeter_try_, __LINE__))
#define CCMETER_TRY_CONCAT(a, b) CCMETER_TRY_CONCAT_INNER(a, b)
#define CCMETER_TRY_CONCAT_INNER(a, b) a##b

}  // namespace ccmeter
