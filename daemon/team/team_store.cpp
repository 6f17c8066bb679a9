#include "team/team_store.hpp"

#include <libpq-fe.h>

#include <cstdlib>
#include <string_view>

#include "team/team_schema.hpp"

namespace ccmeter {

namespace {

struct ResultClearer {
    void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, ResultClearer>;

// COPY's text format: backslash, tab, newline and carriage return escaped.
void append_copy_text(std::string& line, std::string_view text) {
    for (const char c : text) {
        switch (c) {
            case '\\':
                line += "\\\\";
                break;
            case '\t':
                line += "\\t";
                break;
            case '\n':
                line += "\\n";
                break;
            case '\r':
                line += "\\r";
                break;
            default:
                line += c;
        }
    }
}

constexpr const char* k_incoming_table_sql =
    "CREATE TEMPORARY TABLE IF NOT EXISTS incoming_responses (LIKE ccmeter_team.responses "
    "INCLUDING DEFAULTS) ON COMMIT DELETE ROWS";

constexpr const char* k_copy_sql =
    "COPY incoming_responses(message_id, request_id, machine, timestamp_ms, model, session_id, "
    "project, git_branch, is_sidechain, speed, service_tier, input_tokens, output_tokens, "
    "cache_creation_input_tokens, cache_read_input_tokens, cache_5m, cache_1h, "
    "web_search_requests, web_fetch_requests) FROM STDIN";

// The local merge rule (usage_store.hpp): each token field its maximum; a main-chain line's
// time and metadata replace a sidechain replay's; the machine stays the first sender's.
constexpr const char* k_merge_sql = R"sql(
INSERT INTO ccmeter_team.responses AS t (member, message_id, request_id, machine, timestamp_ms,
  model, session_id, project, git_branch, is_sidechain, speed, service_tier, input_tokens,
  output_tokens, cache_creation_input_tokens, cache_read_input_tokens, cache_5m, cache_1h,
  web_search_requests, web_fetch_requests)
SELECT current_user, message_id, request_id, machine, timestamp_ms, model, session_id, project,
  git_branch, is_sidechain, speed, service_tier, input_tokens, output_tokens,
  cache_creation_input_tokens, cache_read_input_tokens, cache_5m, cache_1h, web_search_requests,
  web_fetch_requests
FROM incoming_responses
ON CONFLICT (member, message_id, request_id) DO UPDATE SET
  input_tokens = GREATEST(t.input_tokens, excluded.input_tokens),
  output_tokens = GREATEST(t.output_tokens, excluded.output_tokens),
  cache_creation_input_tokens = GREATEST(t.cache_creation_input_tokens,
                                         excluded.cache_creation_input_tokens),
  cache_read_input_tokens = GREATEST(t.cache_read_input_tokens, excluded.cache_read_input_tokens),
  cache_5m = GREATEST(t.cache_5m, excluded.cache_5m),
  cache_1h = GREATEST(t.cache_1h, excluded.cache_1h),
  web_search_requests = GREATEST(t.web_search_requests, excluded.web_search_requests),
  web_fetch_requests = GREATEST(t.web_fetch_requests, excluded.web_fetch_requests),
  speed = CASE WHEN t.speed = '' THEN excluded.speed ELSE t.speed END,
  service_tier = CASE WHEN t.service_tier = '' THEN excluded.service_tier ELSE t.service_tier END,
  timestamp_ms = CASE WHEN t.is_sidechain AND NOT excluded.is_sidechain
                      THEN excluded.timestamp_ms ELSE t.timestamp_ms END,
  session_id = CASE WHEN t.is_sidechain AND NOT excluded.is_sidechain
                    THEN excluded.session_id ELSE t.session_id END,
  project = CASE WHEN t.is_sidechain AND NOT excluded.is_sidechain
                 THEN excluded.project ELSE t.project END,
  git_branch = CASE WHEN t.is_sidechain AND NOT excluded.is_sidechain
                    THEN excluded.git_branch ELSE t.git_branch END,
  is_sidechain = t.is_sidechain AND excluded.is_sidechain,
  updated_at = now()
)sql";

// libpq's message on one line: its newlines and tabs become single spaces, trailing ones go.
std::string one_line(const char* message) {
    std::string out;
    for (const char* c = message; c && *c; ++c) {
        const bool space = *c == '\n' || *c == '\t' || *c == '\r' || *c == ' ';
        if (space) {
            if (!out.empty() && out.back() != ' ')
                out += ' ';
        } else {
            out += *c;
        }
    }
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}

}  // namespace

Result<std::unique_ptr<TeamStore>> TeamStore::connect(const std::string& dsn, int timeout_seconds) {
    const std::string timeout = std::to_string(timeout_seconds);
    // expand_dbname: `dsn` (key=value pairs or a URI) is expanded where "dbname" stands, so the
    // keys before it are defaults the string may override: a connection timeout, and TCP
    // keepalives so that a store that vanished mid-query is noticed within about a minute.
    const char* keys[] = {"connect_timeout",
                          "application_name",
                          "keepalives_idle",
                          "keepalives_interval",
                          "keepalives_count",
                          "dbname",
                          nullptr};
    const char* values[] = {timeout.c_str(), "ccmeterd", "30", "10", "3", dsn.c_str(), nullptr};
    PGconn* connection = PQconnectdbParams(keys, values, 1);
    if (!connection)
        return Error{"team store: out of memory", ErrorKind::unavailable};
    std::unique_ptr<TeamStore> store(new TeamStore(connection));
    if (PQstatus(connection) != CONNECTION_OK) {
        return Error{"team store unreachable: " + one_line(PQerrorMessage(connection)),
                     ErrorKind::unavailable};
    }
    if (Result<void> quiet = store->execute("SET client_min_messages = warning", "configure");
        !quiet)
        return quiet.error();
    return store;
}

TeamStore::~TeamStore() {
    PQfinish(m_connection);
}

std::string TeamStore::role() const {
    const char* user = PQuser(m_connection);
    return user ? user : "";
}

Error TeamStore::error(const std::string& what) const {
    const std::string message = one_line(PQerrorMessage(m_connection));
    const bool broken = PQstatus(m_connection) != CONNECTION_OK;
    return Error{"team store: " + what + ": " + message,
                 broken ? ErrorKind::unavailable : ErrorKind::internal};
}

Result<void> TeamStore::execute(const char* sql, const std::string& what) {
    PgResult result(PQexec(m_connection, sql));
    const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        return error(what);
    return {};
}

Result<int> TeamStore::init() {
    CCMETER_TRY(
        execute("BEGIN; SELECT pg_advisory_xact_lock(7681012);"
                "CREATE SCHEMA IF NOT EXISTS ccmeter_team;"
                "CREATE TABLE IF NOT EXISTS ccmeter_team.meta(key text PRIMARY KEY, "
                "value text NOT NULL);"
                "INSERT INTO ccmeter_team.meta VALUES ('schema_version', '0') "
                "ON CONFLICT DO NOTHING;"
                "INSERT INTO ccmeter_team.meta VALUES ('store_id', "
                "md5(random()::text || clock_timestamp()::text)) ON CONFLICT DO NOTHING;",
                "create schema ccmeter_team"));
    PgResult version(PQexec(m_connection,
                            "SELECT value::int FROM ccmeter_team.meta WHERE key = "
                            "'schema_version'"));
    if (PQresultStatus(version.get()) != PGRES_TUPLES_OK || PQntuples(version.get()) != 1) {
        execute("ROLLBACK", "roll back");
        return error("read the schema version");
    }
    const int before = std::atoi(PQgetvalue(version.get(), 0, 0));
    if (before > team_schema_version()) {
        execute("ROLLBACK", "roll back");
        return Error{"team store schema " + std::to_string(before) +
                     " is newer than this ccmeter understands (" +
                     std::to_string(team_schema_version()) + "); upgrade ccmeter"};
    }
    for (int from = before; from < team_schema_version(); ++from) {
        if (Result<void> done = execute(team_migrations()[static_cast<size_t>(from)],
                                        "migrate to schema " + std::to_string(from + 1));
            !done) {
            execute("ROLLBACK", "roll back");
            return done.error();
        }
    }
    const std::string bump = "UPDATE ccmeter_team.meta SET value = '" +
                             std::to_string(team_schema_version()) +
                             "' WHERE key = 'schema_version'; COMMIT";
    if (Result<void> done = execute(bump.c_str(), "commit the schema"); !done) {
        execute("ROLLBACK", "roll back");
        return done.error();
    }
    return before;
}

Result<void> TeamStore::add_member(const std::string& name) {
    if (name.empty())
        return Error{"a member needs a name", ErrorKind::invalid_argument};
    char* quoted = PQescapeIdentifier(m_connection, name.c_str(), name.size());
    char* literal = PQescapeLiteral(m_connection, name.c_str(), name.size());
    if (!quoted || !literal) {
        PQfreemem(quoted);
        PQfreemem(literal);
        return error("quote the member's name");
    }
    const std::string sql =
        std::string("BEGIN; DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ") +
        literal + ") THEN CREATE ROLE " + quoted + " LOGIN; END IF; END $$; GRANT " +
        k_team_member_role + " TO " + quoted + "; INSERT INTO ccmeter_team.members(name) VALUES(" +
        literal + ") ON CONFLICT DO NOTHING; COMMIT";
    PQfreemem(quoted);
    PQfreemem(literal);
    if (Result<void> done = execute(sql.c_str(), "add member " + name); !done) {
        execute("ROLLBACK", "roll back");
        return done.error();
    }
    return {};
}

Result<std::string> TeamStore::store_id() {
    PgResult result(PQexec(m_connection,
                           "SELECT (SELECT value FROM ccmeter_team.meta WHERE key = 'store_id'), "
                           "(SELECT value::int FROM ccmeter_team.meta WHERE key = "
                           "'schema_version')"));
    if (PQresultStatus(result.get()) != PGRES_TUPLES_OK || PQntuples(result.get()) != 1)
        return error("read the store's id (was `ccmeterd team init` run?)");
    const int version = std::atoi(PQgetvalue(result.get(), 0, 1));
    if (PQgetisnull(result.get(), 0, 0) || version < 1)
        return Error{"team store: not initialised (run `ccmeterd team init`)"};
    if (version > team_schema_version())
        return Error{"team store schema " + std::to_string(version) +
                     " is newer than this ccmeter understands; upgrade ccmeter"};
    return Result<std::string>(boost::system::in_place_value, PQgetvalue(result.get(), 0, 0));
}

Result<void> TeamStore::merge_responses(const std::vector<UsageRecord>& responses,
                                        const std::string& machine) {
    if (responses.empty())
        return {};
    CCMETER_TRY(execute(k_incoming_table_sql, "create the incoming table"));
    CCMETER_TRY(execute("BEGIN", "begin"));
    auto fail = [&](const std::string& what) {
        Error e = error(what);
        PgResult drained;
        while ((drained = PgResult(PQgetResult(m_connection))))
            ;
        execute("ROLLBACK", "roll back");
        return e;
    };
    {
        PgResult copy(PQexec(m_connection, k_copy_sql));
        if (PQresultStatus(copy.get()) != PGRES_COPY_IN)
            return fail("start COPY");
    }
    std::string data;
    data.reserve(responses.size() * 200);
    for (const UsageRecord& r : responses) {
        for (const std::string* text : {&r.message_id, &r.request_id, &machine}) {
            append_copy_text(data, *text);
            data += '\t';
        }
        data += std::to_string(r.timestamp_ms);
        for (const std::string* text : {&r.model, &r.session_id, &r.cwd, &r.git_branch}) {
            data += '\t';
            append_copy_text(data, *text);
        }
        data += r.is_sidechain ? "\tt\t" : "\tf\t";
        append_copy_text(data, r.speed);
        data += '\t';
        append_copy_text(data, r.service_tier);
        const TokenCounts& t = r.tokens;
        for (const int64_t n : {t.input_tokens, t.output_tokens, t.cache_creation_input_tokens,
                                t.cache_read_input_tokens, t.cache_5m, t.cache_1h,
                                t.web_search_requests, t.web_fetch_requests}) {
            data += '\t';
            data += std::to_string(n);
        }
        data += '\n';
    }
    if (PQputCopyData(m_connection, data.data(), static_cast<int>(data.size())) != 1 ||
        PQputCopyEnd(m_connection, nullptr) != 1)
        return fail("send COPY data");
    {
        PgResult copied(PQgetResult(m_connection));
        if (PQresultStatus(copied.get()) != PGRES_COMMAND_OK)
            return fail("COPY");
    }
    while (PgResult(PQgetResult(m_connection)))
        ;
    PgResult merged(PQexec(m_connection, k_merge_sql));
    if (PQresultStatus(merged.get()) != PGRES_COMMAND_OK)
        return fail("merge responses");
    PgResult committed(PQexec(m_connection, "COMMIT"));
    if (PQresultStatus(committed.get()) != PGRES_COMMAND_OK)
        return fail("commit");
    return {};
}

Result<std::vector<TeamTotalsRow>> TeamStore::team_totals(int64_t since_ms, int64_t until_ms,
                                                          int64_t bucket_ms) {
    const std::string since = std::to_string(since_ms);
    const std::string until = std::to_string(until_ms);
    const std::string bucket = std::to_string(bucket_ms);
    const char* params[] = {since.c_str(), until.c_str(), bucket.c_str()};
    PgResult result(PQexecParams(m_connection,
                                 "SELECT * FROM ccmeter_team.team_totals($1::bigint, $2::bigint, "
                                 "$3::bigint)",
                                 3, nullptr, params, nullptr, nullptr, 0));
    if (PQresultStatus(result.get()) != PGRES_TUPLES_OK)
        return error("read the team's totals");
    std::vector<TeamTotalsRow> rows;
    const int count = PQntuples(result.get());
    rows.reserve(static_cast<size_t>(count));
    auto number = [&](int row, int column) {
        return std::strtoll(PQgetvalue(result.get(), row, column), nullptr, 10);
    };
    for (int i = 0; i < count; ++i) {
        TeamTotalsRow& row = rows.emplace_back();
        row.member = PQgetvalue(result.get(), i, 0);
        row.machine = PQgetvalue(result.get(), i, 1);
        row.project = PQgetvalue(result.get(), i, 2);
        row.model = PQgetvalue(result.get(), i, 3);
        row.bucket_start_ms = number(i, 4);
        row.speed = PQgetvalue(result.get(), i, 5);
        row.long_context = PQgetvalue(result.get(), i, 6)[0] == 't';
        row.responses = number(i, 7);
        int64_t* fields[] = {&row.tokens.input_tokens,
                             &row.tokens.output_tokens,
                             &row.tokens.cache_creation_input_tokens,
                             &row.tokens.cache_read_input_tokens,
                             &row.tokens.cache_5m,
                             &row.tokens.cache_1h,
                             &row.tokens.web_search_requests,
                             &row.tokens.web_fetch_requests};
        for (int f = 0; f < 8; ++f)
            *fields[f] = number(i, 8 + f);
    }
    return rows;
}

Result<std::vector<TeamViewRow>> TeamStore::team_view_totals(int64_t since_ms, int64_t until_ms,
                                                             int64_t bucket_ms,
                                                             const std::string& view) {
    const std::string since = std::to_string(since_ms);
    const std::string until = std::to_string(until_ms);
    const std::string bucket = std::to_string(bucket_ms);
    const char* params[] = {since.c_str(), until.c_str(), bucket.c_str(), view.c_str()};
    PgResult result(PQexecParams(m_connection,
                                 "SELECT * FROM ccmeter_team.team_view_totals($1::bigint, "
                                 "$2::bigint, $3::bigint, $4::text)",
                                 4, nullptr, params, nullptr, nullptr, 0));
    if (PQresultStatus(result.get()) != PGRES_TUPLES_OK)
        return error("read the team's totals");
    std::vector<TeamViewRow> rows;
    const int count = PQntuples(result.get());
    rows.reserve(static_cast<size_t>(count));
    auto number = [&](int row, int column) {
        return std::strtoll(PQgetvalue(result.get(), row, column), nullptr, 10);
    };
    for (int i = 0; i < count; ++i) {
        TeamViewRow& row = rows.emplace_back();
        row.key = PQgetvalue(result.get(), i, 0);
        row.presence = !PQgetisnull(result.get(), i, 1);
        if (row.presence) {
            row.member = PQgetvalue(result.get(), i, 1);
            row.machine = PQgetvalue(result.get(), i, 2);
            continue;
        }
        row.model = PQgetvalue(result.get(), i, 3);
        row.bucket_start_ms = number(i, 4);
        row.speed = PQgetvalue(result.get(), i, 5);
        row.long_context = PQgetvalue(result.get(), i, 6)[0] == 't';
        row.responses = number(i, 7);
        int64_t* fields[] = {&row.tokens.input_tokens,
                             &row.tokens.output_tokens,
                             &row.tokens.cache_creation_input_tokens,
                             &row.tokens.cache_read_input_tokens,
                             &row.tokens.cache_5m,
                             &row.tokens.cache_1h,
                             &row.tokens.web_search_requests,
                             &row.tokens.web_fetch_requests};
        for (int f = 0; f < 8; ++f)
            *fields[f] = number(i, 8 + f);
    }
    return rows;
}

}  // namespace ccmeter
