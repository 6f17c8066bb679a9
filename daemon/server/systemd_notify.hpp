// systemd's readiness protocol (Type=notify), written by hand: one datagram to $NOTIFY_SOCKET.
#pragma once

#include <string_view>

namespace ccmeter {

// Sends `state` (e.g. "READY=1") when the process runs under systemd with NOTIFY_SOCKET set;
// does nothing otherwise. Returns false only when sending failed.
bool systemd_notify(std::string_view state);

}  // namespace ccmeter
