// A connection to the team store (team_schema.hpp) through libpq: the only file pair besides
// team_store.cpp's callers' headers that knows PostgreSQL. The connection string is libpq's
// (team_config.hpp); the role it logs in as is the member (or, for init and add-member, the
// store's owner).
//
// Errors are returned, never thrown; an error of kind `unavailable` means the store could not
// be reached or the connection broke (retry later), others that it refused (e.g. a privilege).
// Threads: one TeamStore is used from one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "core/usage_record.hpp"

struct pg_conn;

namespace ccmeter {

// One row of team_totals(): the summed responses of one (member, machine, project, model,
// bucket, speed, tier).
struct TeamTotalsRow {
    std::string member;
    std::string machine;
    std::string project;  // the responses' cwd
    std::string model;
    int64_t bucket_start_ms = 0;
    std::string speed;
    bool long_context = false;
    int64_t responses = 0;
    TokenCounts tokens;
};

// One row of team_view_totals(): one view's sums per (key, model, bucket, speed, tier), or, when
// `presence`, one (key, member, machine) that has responses (no sums: a view counts its rows'
// members and machines from these). The key is the view's (team_report.hpp): "" for summary,
// the bucket start in decimal for daily, else the member, machine, project or model.
struct TeamViewRow {
    bool presence = false;
    std::string key;
    std::string member;   // presence rows only
    std::string machine;  // presence rows only
    std::string model;
    int64_t bucket_start_ms = 0;
    std::string speed;
    bool long_context = false;
    int64_t responses = 0;
    TokenCounts tokens;
};

class TeamStore {
  public:
    // Connects, waiting at most `timeout_seconds` (unless the DSN sets connect_timeout).
    static Result<std::unique_ptr<TeamStore>> connect(const std::string& dsn,
                                                      int timeout_seconds = 5);
    ~TeamStore();
    TeamStore(const TeamStore&) = delete;
    TeamStore& operator=(const TeamStore&) = delete;

    // The role this connection logged in as.
    std::string role() const;

    // Creates schema ccmeter_team if needed and migrates it to team_schema_version(); returns
    // the version it had before. Run by the store's owner (needs CREATE on the database and
    // CREATEROLE for the group role).
    Result<int> init();
    // A login role `name` (created if missing, without password: set one with ALTER ROLE or use
    // another authentication) granted ccmeter_member, and its row in members.
    Result<void> add_member(const std::string& name);

    // The store's id, after checking its schema is one this build writes (1..current).
    Result<std::string> store_id();

    // Merges `responses` as this role's rows, sent from `machine`, in one transaction: COPY into
    // a temporary table, then one INSERT ... ON CONFLICT DO UPDATE taking each token field's
    // GREATEST. Returns once PostgreSQL committed; on error nothing of it is stored.
    Result<void> merge_responses(const std::vector<UsageRecord>& responses,
                                 const std::string& machine);

    // team_totals(since, until, bucket): every member's sums (SECURITY DEFINER), from the
    // rollups.
    Result<std::vector<TeamTotalsRow>> team_totals(int64_t since_ms, int64_t until_ms,
                                                   int64_t bucket_ms);
    // team_view_totals(since, until, bucket, view): one view of every member's sums, grouped by
    // the store (SECURITY DEFINER, from the rollups). `view`: "summary", "daily", "members",
    // "machines", "projects" or "models".
    Result<std::vector<TeamViewRow>> team_view_totals(int64_t since_ms, int64_t until_ms,
                                                      int64_t bucket_ms, const std::string& view);

  private:
    explicit TeamStore(pg_conn* connection) : m_connection(connection) {}
    // Runs `sql` (no parameters, any number of statements); an error names `what`.
    Result<void> execute(const char* sql, const std::string& what);
    Error error(const std::string& what) const;

    pg_conn* m_connection;
};

}  // namespace ccmeter
