// What every fuzz target uses to fail: an invariant that does not hold prints what it says and
// aborts, which libFuzzer reports as a crash (and saves the input). Header only, no state.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace ccmeter::fuzz {

inline void check(bool holds, const char* invariant) {
    if (holds)
        return;
    std::fprintf(stderr, "invariant violated: %s\n", invariant);
    std::abort();
}

}  // namespace ccmeter::fuzz
