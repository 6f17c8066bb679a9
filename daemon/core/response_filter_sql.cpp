#include "core/response_filter_sql.hpp"

#include "core/sqlite_statement.hpp"

namespace ccmeter {

std::string response_filter_sql(const ResponseFilter& filter, const FilterColumns& columns) {
    std::string sql;
    auto add = [&](std::string_view column, std::string_view test) {
        sql += " AND ";
        sql += column;
        sql += test;
    };
    if (filter.since_ms)
        add(columns.time_ms, " >= ?1");
    if (filter.until_ms)
        add(columns.time_ms, " < ?2");
    if (filter.session_id)
        add(columns.session_id, " = ?3");
    if (filter.cwd)
        add(columns.cwd, " = ?4");
    return sql;
}

void bind_response_filter(sqlite3_stmt* statement, const ResponseFilter& filter) {
    if (filter.since_ms)
        sqlite3_bind_int64(statement, 1, *filter.since_ms);
    if (filter.until_ms)
        sqlite3_bind_int64(statement, 2, *filter.until_ms);
    if (filter.session_id)
        bind_text(statement, 3, *filter.session_id);
    if (filter.cwd)
        bind_text(statement, 4, *filter.cwd);
}

}  // namespace ccmeter
