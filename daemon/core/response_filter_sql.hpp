// A ResponseFilter as SQL conditions (internal to core/: the store's files), the one builder for
// every table it filters: the caller names the columns that hold the time, session and cwd.
#pragma once

#include <string>
#include <string_view>

#include "core/response_filter.hpp"

// SQLite's statement handle, declared here so that sqlite3.h stays out of this header.
struct sqlite3_stmt;

namespace ccmeter {

// The columns (as the query names them, e.g. "r.timestamp_ms", "s.session_id") a filter tests.
struct FilterColumns {
    std::string_view time_ms;  // UTC milliseconds, compared with since_ms (>=) and until_ms (<)
    std::string_view session_id;
    std::string_view cwd;
};

// The filter's conditions, each starting with " AND" (empty when it selects everything), on
// parameters ?1 (since_ms), ?2 (until_ms), ?3 (session_id) and ?4 (cwd): the caller's own
// parameters start at ?5. side_calls_only is not one of them (the caller's to add).
std::string response_filter_sql(const ResponseFilter& filter, const FilterColumns& columns);

// Binds the parameters response_filter_sql used. Text is bound SQLITE_STATIC: `filter` must
// outlive the statement's steps.
void bind_response_filter(sqlite3_stmt* statement, const ResponseFilter& filter);

}  // namespace ccmeter
