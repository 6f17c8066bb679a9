// Who and where this daemon runs, as a team store and metrics name them.
//
// machine_name(): $CCMETER_MACHINE when set and not empty, else the host name (gethostname),
// else "unknown". user_name(): the login name of the effective uid (getpwuid), else "uid<N>".
// Both are read each call (cheap); neither ever fails.
#pragma once

#include <string>

namespace ccmeter {

std::string machine_name();
std::string user_name();

}  // namespace ccmeter
