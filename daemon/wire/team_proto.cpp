#include "wire/team_proto.hpp"

#include "wire/usage_proto.hpp"

namespace ccmeter {

v1::TeamReply team_proto(const TeamAnswer& answer) {
    v1::TeamReply reply;
    reply.set_view(std::string(team_view_name(answer.view)));
    reply.set_member(answer.member);
    reply.set_machine(answer.machine);
    for (const TeamReportRow& row : answer.rows) {
        v1::TeamRow& out = *reply.add_rows();
        out.set_key(row.key);
        fill_usage(row.totals, *out.mutable_usage());
        out.set_members(row.members);
        out.set_machines(row.machines);
    }
    return reply;
}

}  // namespace ccmeter
