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
    // 1 -> 2: rollups. The lock keeps every writer out until the rollups are built and their
    // triggers in place (replicators wait, then go on), so none of their rows is missed.
    R"sql(
LOCK TABLE ccmeter_team.responses IN SHARE ROW EXCLUSIVE MODE;
CREATE TABLE ccmeter_team.rollups(
  width_ms bigint NOT NULL,
  bucket_start_ms bigint NOT NULL,
  member text NOT NULL,
  machine text NOT NULL,
  project text NOT NULL,
  model text NOT NULL,
  speed text NOT NULL,
  long_context boolean NOT NULL,
  responses bigint NOT NULL,
  input_tokens bigint NOT NULL,
  output_tokens bigint NOT NULL,
  cache_creation_input_tokens bigint NOT NULL,
  cache_read_input_tokens bigint NOT NULL,
  cache_5m bigint NOT NULL,
  cache_1h bigint NOT NULL,
  web_search_requests bigint NOT NULL,
  web_fetch_requests bigint NOT NULL,
  PRIMARY KEY(width_ms, bucket_start_ms, member, machine, project, model, speed, long_context)
);
REVOKE ALL ON ccmeter_team.rollups FROM PUBLIC;
CREATE FUNCTION ccmeter_team.rollup_widths() RETURNS TABLE(width_ms bigint)
LANGUAGE sql IMMUTABLE AS $$ VALUES (86400000::bigint), (3600000::bigint), (900000::bigint) $$;
CREATE FUNCTION ccmeter_team.apply_to_rollups() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = ccmeter_team, pg_temp AS $fn$
DECLARE
  changes text := CASE TG_OP
    WHEN 'INSERT' THEN 'SELECT 1::bigint AS sign, * FROM new_rows'
    WHEN 'UPDATE' THEN 'SELECT 1::bigint AS sign, * FROM new_rows '
                       || 'UNION ALL SELECT -1::bigint, * FROM old_rows'
    ELSE 'SELECT -1::bigint AS sign, * FROM old_rows' END;
BEGIN
  EXECUTE format($q$
    INSERT INTO ccmeter_team.rollups AS r
    SELECT w.width_ms, c.timestamp_ms - ((c.timestamp_ms %% w.width_ms) + w.width_ms) %% w.width_ms,
           c.member, c.machine, c.project, c.model, c.speed,
           c.input_tokens + c.cache_creation_input_tokens + c.cache_read_input_tokens > 200000,
           sum(c.sign), sum(c.sign * c.input_tokens), sum(c.sign * c.output_tokens),
           sum(c.sign * c.cache_creation_input_tokens), sum(c.sign * c.cache_read_input_tokens),
           sum(c.sign * c.cache_5m), sum(c.sign * c.cache_1h), sum(c.sign * c.web_search_requests),
           sum(c.sign * c.web_fetch_requests)
    FROM (%s) c CROSS JOIN ccmeter_team.rollup_widths() w
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    HAVING sum(c.sign) <> 0 OR sum(c.sign * c.input_tokens) <> 0
        OR sum(c.sign * c.output_tokens) <> 0 OR sum(c.sign * c.cache_creation_input_tokens) <> 0
        OR sum(c.sign * c.cache_read_input_tokens) <> 0 OR sum(c.sign * c.cache_5m) <> 0
        OR sum(c.sign * c.cache_1h) <> 0 OR sum(c.sign * c.web_search_requests) <> 0
        OR sum(c.sign * c.web_fetch_requests) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT (width_ms, bucket_start_ms, member, machine, project, model, speed, long_context)
    DO UPDATE SET
      responses = r.responses + excluded.responses,
      input_tokens = r.input_tokens + excluded.input_tokens,
      output_tokens = r.output_tokens + excluded.output_tokens,
      cache_creation_input_tokens = r.cache_creation_input_tokens
                                    + excluded.cache_creation_input_tokens,
      cache_read_input_tokens = r.cache_read_input_tokens + excluded.cache_read_input_tokens,
      cache_5m = r.cache_5m + excluded.cache_5m,
      cache_1h = r.cache_1h + excluded.cache_1h,
      web_search_requests = r.web_search_requests + excluded.web_search_requests,
      web_fetch_requests = r.web_fetch_requests + excluded.web_fetch_requests
  $q$, changes);
  IF TG_OP <> 'INSERT' THEN
    -- A group every response left (a replay's time, project or tier replaced) is no group.
    DELETE FROM ccmeter_team.rollups r
    USING (SELECT DISTINCT w.width_ms,
                  o.timestamp_ms - ((o.timestamp_ms % w.width_ms) + w.width_ms) % w.width_ms
                    AS bucket_start_ms,
                  o.member, o.machine, o.project, o.model, o.speed,
                  o.input_tokens + o.cache_creation_input_tokens + o.cache_read_input_tokens
                    > 200000 AS long_context
           FROM old_rows o CROSS JOIN ccmeter_team.rollup_widths() w) k
    WHERE r.responses = 0 AND r.width_ms = k.width_ms AND r.bucket_start_ms = k.bucket_start_ms
      AND r.member = k.member AND r.machine = k.machine AND r.project = k.project
      AND r.model = k.model AND r.speed = k.speed AND r.long_context = k.long_context;
  END IF;
  RETURN NULL;
END $fn$;
REVOKE ALL ON FUNCTION ccmeter_team.apply_to_rollups() FROM PUBLIC;
CREATE TRIGGER responses_rollups_insert AFTER INSERT ON ccmeter_team.responses
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION ccmeter_team.apply_to_rollups();
CREATE TRIGGER responses_rollups_update AFTER UPDATE ON ccmeter_team.responses
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION ccmeter_team.apply_to_rollups();
CREATE TRIGGER responses_rollups_delete AFTER DELETE ON ccmeter_team.responses
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION ccmeter_team.apply_to_rollups();
CREATE FUNCTION ccmeter_team.rollups_truncated() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = ccmeter_team, pg_temp AS $fn$
BEGIN
  TRUNCATE ccmeter_team.rollups;
  RETURN NULL;
END $fn$;
REVOKE ALL ON FUNCTION ccmeter_team.rollups_truncated() FROM PUBLIC;
CREATE TRIGGER responses_rollups_truncate AFTER TRUNCATE ON ccmeter_team.responses
  FOR EACH STATEMENT EXECUTE FUNCTION ccmeter_team.rollups_truncated();
INSERT INTO ccmeter_team.rollups
SELECT w.width_ms, r.timestamp_ms - ((r.timestamp_ms % w.width_ms) + w.width_ms) % w.width_ms,
       r.member, r.machine, r.project, r.model, r.speed,
       r.input_tokens + r.cache_creation_input_tokens + r.cache_read_input_tokens > 200000,
       count(*), sum(r.input_tokens), sum(r.output_tokens), sum(r.cache_creation_input_tokens),
       sum(r.cache_read_input_tokens), sum(r.cache_5m), sum(r.cache_1h),
       sum(r.web_search_requests), sum(r.web_fetch_requests)
FROM ccmeter_team.responses r CROSS JOIN ccmeter_team.rollup_widths() w
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
ALTER FUNCTION ccmeter_team.team_totals(bigint, bigint, bigint)
  RENAME TO response_totals;
REVOKE ALL ON FUNCTION ccmeter_team.response_totals(bigint, bigint, bigint) FROM ccmeter_member;
-- The rows to sum over [since_ms, until_ms), as the text of a query of columns (member,
-- machine, project, model, t, speed, long_context, responses, the eight token sums), t the
-- row's time or bucket start: the widest rollup that fits in a bucket_ms bucket first, each
-- narrower one for the whole buckets of its width the wider ones left at the edges, the
-- responses themselves for the rest (an edge off the quarter hours).
CREATE FUNCTION ccmeter_team.rollup_source(since_ms bigint, until_ms bigint, bucket_ms bigint)
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $fn$
DECLARE
  w bigint;
  inner_from bigint;  -- [inner_from, inner_to): what the rollups read so far
  inner_to bigint;
  from_ms bigint;
  to_ms bigint;
  parts text[] := '{}';
  rollup_part constant text := 'SELECT member, machine, project, model, bucket_start_ms, '
    'speed, long_context, responses, input_tokens, output_tokens, cache_creation_input_tokens, '
    'cache_read_input_tokens, cache_5m, cache_1h, web_search_requests, web_fetch_requests '
    'FROM ccmeter_team.rollups WHERE width_ms = %s AND bucket_start_ms >= %s '
    'AND bucket_start_ms < %s';
BEGIN
  IF bucket_ms <= 0 THEN
    RAISE EXCEPTION 'bucket_ms must be positive';
  END IF;
  FOR w IN SELECT x.width_ms FROM ccmeter_team.rollup_widths() x ORDER BY 1 DESC LOOP
    CONTINUE WHEN bucket_ms % w <> 0 OR since_ms >= until_ms;
    from_ms := LEAST(ceil(since_ms::numeric / w) * w, until_ms::numeric)::bigint;
    to_ms := GREATEST(floor(until_ms::numeric / w) * w, since_ms::numeric)::bigint;
    IF inner_from IS NULL THEN
      IF from_ms < to_ms THEN
        parts := parts || format(rollup_part, w, from_ms, to_ms);
        inner_from := from_ms;
        inner_to := to_ms;
      END IF;
    ELSE
      IF from_ms < inner_from THEN
        parts := parts || format(rollup_part, w, from_ms, inner_from);
      END IF;
      IF inner_to < to_ms THEN
        parts := parts || format(rollup_part, w, inner_to, to_ms);
      END IF;
      inner_from := from_ms;
      inner_to := to_ms;
    END IF;
  END LOOP;
  IF inner_from IS NULL THEN
    RETURN ccmeter_team.response_source(since_ms, until_ms, bucket_ms);
  END IF;
  IF since_ms < inner_from THEN
    parts := parts || ccmeter_team.response_source(since_ms, inner_from, bucket_ms);
  END IF;
  IF inner_to < until_ms THEN
    parts := parts || ccmeter_team.response_source(inner_to, until_ms, bucket_ms);
  END IF;
  RETURN array_to_string(parts, ' UNION ALL ');
END $fn$;
-- The same from the responses alone (what the rollups must equal).
CREATE FUNCTION ccmeter_team.response_source(since_ms bigint, until_ms bigint, bucket_ms bigint)
RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
  SELECT format('SELECT member, machine, project, model, timestamp_ms, speed, '
    'input_tokens + cache_creation_input_tokens + cache_read_input_tokens > 200000, 1, '
    'input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens, '
    'cache_5m, cache_1h, web_search_requests, web_fetch_requests '
    'FROM ccmeter_team.responses WHERE timestamp_ms >= %s AND timestamp_ms < %s',
    since_ms, until_ms)
$fn$;
-- The bucket (bucket_ms wide, aligned to the epoch) of time `t`, as SQL text.
CREATE FUNCTION ccmeter_team.bucket_of(t text, bucket_ms bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
  SELECT format('CASE WHEN %1$s >= 0 OR %1$s %% %2$s = 0 THEN %1$s - %1$s %% %2$s '
                'ELSE %1$s - %1$s %% %2$s - %2$s END', t, bucket_ms)
$fn$;
CREATE FUNCTION ccmeter_team.rollup_totals(since_ms bigint, until_ms bigint, bucket_ms bigint)
RETURNS TABLE(member text, machine text, project text, model text, bucket_start_ms bigint,
              speed text, long_context boolean, responses bigint, input_tokens bigint,
              output_tokens bigint, cache_creation_input_tokens bigint,
              cache_read_input_tokens bigint, cache_5m bigint, cache_1h bigint,
              web_search_requests bigint, web_fetch_requests bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = ccmeter_team, pg_temp SET work_mem = '64MB'
SET max_parallel_workers_per_gather = 0 AS $fn$
BEGIN
  -- EXECUTE: planned for these bounds each time (the edges are short).
  RETURN QUERY EXECUTE format($q$
  SELECT a.member, a.machine, a.project, a.model, %1$s, a.speed, a.long_context,
         sum(a.responses)::bigint, sum(a.input_tokens)::bigint, sum(a.output_tokens)::bigint,
         sum(a.cache_creation_input_tokens)::bigint, sum(a.cache_read_input_tokens)::bigint,
         sum(a.cache_5m)::bigint, sum(a.cache_1h)::bigint, sum(a.web_search_requests)::bigint,
         sum(a.web_fetch_requests)::bigint
  FROM (%2$s) a(member, machine, project, model, t, speed, long_context, responses,
                input_tokens, output_tokens, cache_creation_input_tokens,
                cache_read_input_tokens, cache_5m, cache_1h, web_search_requests,
                web_fetch_requests)
  GROUP BY 1, 2, 3, 4, 5, 6, 7
  $q$, ccmeter_team.bucket_of('a.t', bucket_ms),
       ccmeter_team.rollup_source(since_ms, until_ms, bucket_ms));
END $fn$;
REVOKE ALL ON FUNCTION ccmeter_team.rollup_totals(bigint, bigint, bigint) FROM PUBLIC;
-- One view of the team (`view_name`: summary, daily, members, machines, projects or models) in
-- one pass over the rollups: the sums per (key, model, bucket, speed, tier), member and machine
-- NULL; and each (key, member, machine) that has responses, model NULL (so that a view can count
-- the members and machines in each row). The key: '' (summary), the bucket start (daily), the
-- member, machine, project or model.
CREATE FUNCTION ccmeter_team.team_view_totals(since_ms bigint, until_ms bigint, bucket_ms bigint,
                                              view_name text)
RETURNS TABLE(key text, member text, machine text, model text, bucket_start_ms bigint,
              speed text, long_context boolean, responses bigint, input_tokens bigint,
              output_tokens bigint, cache_creation_input_tokens bigint,
              cache_read_input_tokens bigint, cache_5m bigint, cache_1h bigint,
              web_search_requests bigint, web_fetch_requests bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = ccmeter_team, pg_temp SET work_mem = '64MB'
SET max_parallel_workers_per_gather = 0 AS $fn$
DECLARE
  key_sql text := CASE view_name WHEN 'summary' THEN quote_literal('')
                                WHEN 'daily' THEN '(b)::text'
                                WHEN 'members' THEN 'member'
                                WHEN 'machines' THEN 'machine'
                                WHEN 'projects' THEN 'project'
                                WHEN 'models' THEN 'model' END;
BEGIN
  IF key_sql IS NULL THEN
    RAISE EXCEPTION 'no team view %', view_name;
  END IF;
  RETURN QUERY EXECUTE format($q$
  SELECT k, z.member, z.machine, z.model, z.b, z.speed, z.long_context,
         sum(z.responses)::bigint, sum(z.input_tokens)::bigint, sum(z.output_tokens)::bigint,
         sum(z.cache_creation_input_tokens)::bigint, sum(z.cache_read_input_tokens)::bigint,
         sum(z.cache_5m)::bigint, sum(z.cache_1h)::bigint, sum(z.web_search_requests)::bigint,
         sum(z.web_fetch_requests)::bigint
  FROM (SELECT %1$s AS k, y.* FROM (SELECT %2$s AS b, a.* FROM (%3$s)
        a(member, machine, project, model, t, speed, long_context, responses, input_tokens,
          output_tokens, cache_creation_input_tokens, cache_read_input_tokens, cache_5m,
          cache_1h, web_search_requests, web_fetch_requests)) y) z
  GROUP BY GROUPING SETS ((k, z.model, z.b, z.speed, z.long_context), (k, z.member, z.machine))
  $q$, key_sql, ccmeter_team.bucket_of('a.t', bucket_ms),
       ccmeter_team.rollup_source(since_ms, until_ms, bucket_ms));
END $fn$;
REVOKE ALL ON FUNCTION ccmeter_team.team_view_totals(bigint, bigint, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ccmeter_team.team_view_totals(bigint, bigint, bigint, text)
  TO ccmeter_member;
CREATE FUNCTION ccmeter_team.team_totals(since_ms bigint, until_ms bigint, bucket_ms bigint)
RETURNS TABLE(member text, machine text, project text, model text, bucket_start_ms bigint,
              speed text, long_context boolean, responses bigint, input_tokens bigint,
              output_tokens bigint, cache_creation_input_tokens bigint,
              cache_read_input_tokens bigint, cache_5m bigint, cache_1h bigint,
              web_search_requests bigint, web_fetch_requests bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = ccmeter_team, pg_temp AS $$
  SELECT * FROM ccmeter_team.rollup_totals(since_ms, until_ms, bucket_ms)
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
