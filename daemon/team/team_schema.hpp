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
// - team_totals(since_ms, until_ms, bucket_ms): the team's sums per member, machine, project,
//   model, bucket (bucket_ms wide, aligned to the epoch, UTC), speed and tier, for every member's
//   rows: SECURITY DEFINER (runs as the store's owner), executable by ccmeter_member only.
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
