// The team views (team_queries.hpp) as the wire's TeamReply: the gRPC Team call's answer and,
// as JSON, the web view's /api/team.
#pragma once

#include "ccmeter/v1/ccmeter.pb.h"
#include "team/team_queries.hpp"

namespace ccmeter {

v1::TeamReply team_proto(const TeamAnswer& answer);

}  // namespace ccmeter
