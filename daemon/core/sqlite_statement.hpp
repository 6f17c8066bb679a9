// The few SQLite helpers the store's files share (internal to core/: the store's own
// connection and thread). Text is bound SQLITE_STATIC: the caller keeps it alive until the
// statement is stepped.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace ccmeter {

inline Error sqlite_error(sqlite3* db, std::string_view what) {
    return Error{std::string(what) + ": " + sqlite3_errmsg(db)};
}

inline void bind_text(sqlite3_stmt* statement, int index, std::string_view text) {
    sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

inline std::string column_text(sqlite3_stmt* statement, int index) {
    const unsigned char* text = sqlite3_column_text(statement, index);
    return text ? std::string(reinterpret_cast<const char*>(text),
                              static_cast<size_t>(sqlite3_column_bytes(statement, index)))
                : std::string();
}

// Runs one statement to completion and resets it.
inline bool step_done(sqlite3_stmt* statement) {
    const int rc = sqlite3_step(statement);
    sqlite3_reset(statement);
    return rc == SQLITE_DONE;
}

struct StatementFinalizer {
    void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
// A statement prepared for one piece of work, finalized with it.
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

inline Result<Statement> prepare_statement(sqlite3* db, const char* sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) != SQLITE_OK)
        return sqlite_error(db, "cannot prepare a statement");
    return Statement(statement);
}

}  // namespace ccmeter
