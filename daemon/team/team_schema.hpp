// The team store's schema in PostgreSQL (README, "Team store (PostgreSQL)"), as migrations.
//
// Everything lives in schema ccmeter_team:
// - meta(key, value): schema_version and store_id (random, made once by the first migration;
//   a machine's replication cursor is kept per store_id, so a new store gets everything).
// - members(name): who was added (`ccmeterd team add-member`); each member is a login role of
//   the same name, granted the group role ccmeter_member.
// - responses: one row per (member, message_id, request_id): token metadata only, as the local
//   history stores it, with the machine that sent it first. Two machines of one member (a synced
//   ~/.claude) send the same response: it is one row, merged as locally (each token field its
//   maximum; a main-chain line's metadata replaces a sidechain replay's).
//   Row-level security: a member reads and writes only rows whose member is their own role
//   (member defaults to current_user; the policy's check refuses any other).
// - rollups (schema 2): the sums of responses per (width, bucket, member, machine, project,
//   model, speed, tier) for widths of 15 minutes, 1 hour and 1 day (UTC buckets aligned to the
//   epoch; tier: input + cache write + cache read over 200,000 tokens). Statement-level AFTER
//   triggers on responses (INSERT, UPDATE, DELETE with transition tables; TRUNCATE) apply each
//   statement's difference (its new rows minus its old rows) in the writer's own transaction,
//   so a merge that raises a field moves its group by exactly that much, a response whose time,
//   project or tier a main-chain line replaced moves to its new group, and a group left with no
//   response is deleted. SECURITY DEFINER: members cannot read or write rollups themselves.
// - team_totals(since_ms, until_ms, bucket_ms): the team's sums per member, machine, project,
//   model, bucket (bucket_ms wide, aligned to the epoch, UTC), speed and tier, for every member's
//   rows: SECURITY DEFINER (runs as the store's owner), executable by ccmeter_member only. From
//   the rollups (schema 2): the widest width that divides bucket_ms for the whole buckets of the
//   range, narrower ones at its edges, the responses themselves for edges off the quarter hour.
//   response_totals() (owner only) is the same from the responses alone.
// - team_view_totals(since_ms, until_ms, bucket_ms, view_name) (schema 2): one report's sums,
//   grouped in the store (team_store.hpp, TeamViewRow), from the rollups; what every team report
//   reads. SECURITY DEFINER, executable by ccmeter_member only.
//
// Migrations run in one transaction each, under an advisory lock, by the store's owner
// (`ccmeterd team init`); never edit a shipped entry: append.
#pragma once

#include <span>

namespace ccmeter {

// k_team_migrations[i] takes the store from schema i to i + 1.
std::span<const char* const> team_migrations();

// The schema this build creates (team_migrations().size()).
int team_schema_version();

// The group role every member is granted.
constexpr const char* k_team_member_role = "ccmeter_member";

}  // namespace ccmeter
