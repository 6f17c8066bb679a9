#include "team/team_schema.hpp"

#include <iterator>

namespace ccmeter {

namespace {

constexpr const char* k_team_migration_sql[] = {
    // 0 -> 1
    R"sql(
CREATE TABLE ccmeter_team.members(
  name text PRIMARY KEY,
  added_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE ccmeter_team.responses(
  member text NOT NULL DEFAULT current_user,
  message_id text NOT NULL,
  request_id text NOT NULL,
  machine text NOT NULL,
  timestamp_ms bigint NOT NULL,
  model text NOT NULL,
  session_id text NOT NULL,
  project text NOT NULL,
  git_branch text NOT NULL,
  is_sidechain boolean NOT NULL,
  speed text NOT NULL,
  service_tier text NOT NULL,
  input_tokens bigint NOT NULL,
  output_tokens bigint NOT NULL,
  cache_creation_input_tokens bigint NOT NULL,
  cache_read_input_tokens bigint NOT NULL,
  cache_5m bigint NOT NULL,
  cache_1h bigint NOT NULL,
  web_search_requests bigint NOT NULL,
  web_fetch_requests bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY(member, message_id, request_id)
);
CREATE INDEX responses_by_time ON ccmeter_team.responses(timestamp_ms);
ALTER TABLE ccmeter_team.responses ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON ccmeter_team.responses
  USING (member = current_user) WITH CHECK (member = current_user);
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ccmeter_member') THEN
    CREATE ROLE ccmeter_member NOLOGIN;
  END IF;
END $$;
GRANT USAGE ON SCHEMA ccmeter_team TO ccmeter_member;
GRANT SELECT ON ccmeter_team.meta, ccmeter_team.members TO ccmeter_member;
GRANT SELECT, INSERT, UPDATE ON ccmeter_team.responses TO ccmeter_member;
CREATE FUNCTION ccmeter_team.team_totals(since_ms bigint, until_ms bigint, bucket_ms bigint)
RETURNS TABLE(member text, machine text, project text, model text, bucket_start_ms bigint,
              speed text, long_context boolean, responses bigint, input_tokens bigint,
              output_tokens bigint, cache_creation_input_tokens bigint,
              cache_read_input_tokens bigint, cache_5m bigint, cache_1h bigint,
              web_search_requests bigint, web_fetch_requests bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = ccmeter_team, pg_temp AS $$
  SELECT r.member, r.machine, r.project, r.model,
         floor(r.timestamp_ms::numeric / bucket_ms)::bigint * bucket_ms, r.speed,
         r.input_tokens + r.cache_creation_input_tokens + r.cache_read_input_tokens > 200000,
         count(*), sum(r.input_tokens)::bigint, sum(r.output_tokens)::bigint,
         sum(r.cache_creation_input_tokens)::bigint, sum(r.cache_read_input_tokens)::bigint,
         sum(r.cache_5m)::bigint, sum(r.cache_1h)::bigint, sum(r.web_search_requests)::bigint,
         sum(r.web_fetch_requests)::bigint
  FROM ccmeter_team.responses r
  WHERE r.timestamp_ms >= since_ms AND r.timestamp_ms < until_ms
  GROUP BY 1, 2, 3, 4, 5, 6, 7
$$;
REVOKE ALL ON FUNCTION ccmeter_team.team_totals(bigint, bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ccmeter_team.team_totals(bigint, bigint, bigint) TO ccmeter_member;
)sql",
};

}  // namespace

std::span<const char* const> team_migrations() {
    return k_team_migration_sql;
}

int team_schema_version() {
    return static_cast<int>(std::size(k_team_migration_sql));
}

}  // namespace ccmeter
