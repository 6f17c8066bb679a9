// The SQLite layer the store's files share (internal to core/: the store's own connection and
// thread): errors, binding and reading, statements, transactions and read snapshots. Text is
// bound SQLITE_STATIC: the caller keeps it alive until the statement is stepped.
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

// Runs `undo` when it goes out of scope still armed (the work it guards failed).
template <class Undo>
struct OnFailure {
    Undo undo;
    bool armed = true;
    ~OnFailure() {
        if (armed)
            undo();
    }
};
template <class Undo>
OnFailure(Undo) -> OnFailure<Undo>;

// A write transaction (BEGIN IMMEDIATE), rolled back unless committed.
class Transaction {
  public:
    explicit Transaction(sqlite3* db) : m_db(db) {}
    ~Transaction() {
        if (m_open)
            sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    bool begin() {
        return m_open =
                   sqlite3_exec(m_db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
    }
    bool commit() {
        if (sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
            return false;
        m_open = false;
        return true;
    }

  private:
    sqlite3* m_db;
    bool m_open = false;
};

// One read transaction over several statements (none if the caller has one open already):
// they all see the same snapshot, and WAL's read lock is taken once, not per statement.
class ReadSnapshot {
  public:
    explicit ReadSnapshot(sqlite3* db)
        : m_db(db),
          m_open(sqlite3_get_autocommit(db) != 0 &&
                 sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK) {}
    ~ReadSnapshot() {
        if (m_open)
            sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr);
    }
    ReadSnapshot(const ReadSnapshot&) = delete;
    ReadSnapshot& operator=(const ReadSnapshot&) = delete;

  private:
    sqlite3* m_db;
    bool m_open;
};

}  // namespace ccmeter
