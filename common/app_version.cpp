#include "common/app_version.hpp"

namespace ccmeter {

std::string program_version() {
    return CCMETER_VERSION;
}

}  // namespace ccmeter
