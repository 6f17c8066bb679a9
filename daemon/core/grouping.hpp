// What a report groups responses by: the one grouping of every layer (the store's aggregate(),
// the group queries, the ingest command's report; the wire's v1::GroupBy maps onto it in
// wire/usage_proto).
#pragma once

namespace ccmeter {

// none: one total. session, project: the source's session id or cwd. branch: the source's git
// branch ("" outside a repository), per project (a branch is named per project). model: the
// model's name. day_utc: the UTC day of each response ("YYYY-MM-DD").
enum class Grouping { none, session, project, branch, model, day_utc };

// Whether the grouping is a column of a response's source (session, project, branch): the
// store then reads rows per source and the caller adds up each group. Model and day need no
// source: every aggregated row already carries its model and time bucket.
constexpr bool groups_by_source(Grouping grouping) {
    return grouping == Grouping::session || grouping == Grouping::project ||
           grouping == Grouping::branch;
}

}  // namespace ccmeter
