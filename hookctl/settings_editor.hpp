// Safe edits of Claude Code's settings.json: puts ccmeter's hooks and status line in, takes
// them out again, and says what is there.
//
// What "ours" is. A hook entry (`{"type": "command", "command": ...}` inside a matcher group)
// or a `statusLine` object is ours when its `command` is exactly the one install writes, or
// when the whole command (blanks around it aside) is exactly one shell word naming a hookctl
// binary, then blanks, then `hook` (`statusline` for the status line): a bare `hookctl`, or a
// path whose last part is `hookctl`, unquoted (characters of [A-Za-z0-9/._+:@%,=-] only) or in
// one pair of quotes (`'/a b/hookctl' hook`). So an entry written by another copy of hookctl,
// or by hand as `hookctl hook`, is recognised too; a command that merely ends that way
// (`echo hi; hookctl hook`, `x && hookctl hook`), `myhookctl hook` and `hookctl hook --x` are
// not ours: install never rewrites them and uninstall never removes them.
//
// What install writes. For each event of k_hook_events that holds none of our hooks, one
// matcher group appended at the end of that event's array (the array and "hooks" are created
// when missing, at the end of their parent):
//   {"matcher": "", "hooks": [{"type": "command", "command": "<hookctl> hook", "timeout": 10}]}
// and `"statusLine": {"type": "command", "command": "<hookctl> statusline", "padding": 0,
// "refreshInterval": 5}` (appended at the end of the root object when missing). <hookctl> is the
// absolute path of the binary, single-quoted for the shell when it holds anything but
// [A-Za-z0-9/._+:@%,=-]. When one of our entries is already there with another command (the
// binary moved), only its `command` is rewritten, in place; other fields are the user's.
// A statusLine that is not ours (whatever its shape) is kept, unless `force`, which replaces it
// in place. Everything else (other hooks, unknown keys, their order) is kept.
//
// What uninstall removes. Our hook entries in every event, and the statusLine when it is ours.
// A container that becomes empty because our entries left it is removed too (the matcher group,
// then the event's array, then "hooks"); containers that were empty before are kept.
//
// Telemetry (the "env" object; only when the caller passes a TelemetryRequest / TelemetryEnv,
// see telemetry_env.hpp for the entries and which values are ours).
// - Install adds our entries that are missing at the end of "env" (created at the end of the
//   root when missing) and rewrites, in place, a header that holds an older token of ours.
//   Unless the user has OpenTelemetry settings of their own: a telemetry key in "env" whose
//   value is not ours (or not a string), or a telemetry variable in the request's environment
//   (the installing process's, which Claude Code inherits) whose value is not ours. Then "env"
//   is left entirely alone and the report names those keys (never their values: headers hold
//   secrets). "env" that is not an object fails the install like any part of the wrong shape.
//   With `enable` false (--no-telemetry) nothing is added and our entries are removed as
//   uninstall removes them.
// - Uninstall removes each key install writes whose value is still exactly ours (this port,
//   this token); keys install writes that hold another value are kept and reported. The fixed
//   values ("1", "otlp", "http/json", "1000") are anybody's, so they count as ours only while
//   the endpoint or the header is still ours; otherwise all are the user's and stay. An "env"
//   that becomes empty because our entries left it is removed; one that was empty before is
//   kept (as for "hooks").
//
// File rules, for install and uninstall alike.
// - The file is read as strict JSON (no comments, no trailing commas, valid UTF-8). When it
//   does not parse, its root is not an object, or a part install has to change has the wrong
//   shape ("hooks" not an object; one of our events not an array, or holding a matcher group
//   that is not an object or whose "hooks" is not an array), the call fails with a message
//   naming the file and the problem, and nothing is written. Uninstall only needs the root to
//   be an object: parts of an unexpected shape hold nothing of ours and are left alone. An empty
//   (or all-whitespace) file counts as `{}`.
// - A file its owner may not write (no u+w, such as 0444) is never replaced: an edit that would
//   change it fails with a message saying so, and nothing is written.
// - Nothing is written when nothing changes: re-installing is a no-op and leaves the bytes alone.
// - Output format: Claude Code's own, `JSON.stringify(settings, null, 2)` plus a newline
//   (see pretty_json.hpp), except that numbers and repeated keys are written back exactly as
//   they were (`1.50` stays `1.50`, `1e400` stays `1e400`, a key given twice stays twice; the
//   last one is the one edited, as JSON.parse reads it). Hence the round trip: for a file
//   without our entries, install then uninstall gives back the same bytes when the file was in
//   that layout (anything Claude Code wrote, hand-edited numbers and repeated keys included),
//   and the same JSON otherwise. Exceptions, by the rule above: an originally empty
//   "hooks" object, event array or "env" object that install filled is removed by uninstall.
// - Before an existing file is changed it is copied to `<settings path>.ccmeter-backup-<UTC
//   time as 20261122T104957Z>` (`-1`, `-2`... appended if that name is taken), same mode.
// - The new content goes to a temporary file in the same directory, is fsync'ed and renamed
//   over the file (then the directory is fsync'ed): readers see the old or the new file, never
//   a mix. The file keeps its permission bits; a new file gets 0600. A missing directory is
//   created (0700 for the last level). A symlinked settings.json is followed: its target is
//   replaced and the link stays.
#pragma once

#include "common/error.hpp"
#include "hookctl/telemetry_env.hpp"

#include <array>
#include <boost/json/value.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccmeter {

// The hook events ccmeter listens to, in the order install adds them.
inline constexpr std::array<std::string_view, 5> k_hook_events = {
    "SessionStart", "Stop", "SubagentStop", "SessionEnd", "StopFailure"};

// Fields of the entries install writes.
inline constexpr int k_hook_timeout_seconds = 10;
inline constexpr int k_status_line_padding = 0;
inline constexpr int k_status_line_refresh_seconds = 5;

enum class StatusLineChange {
    unchanged,         // ours was there already (or uninstall: none of ours to remove)
    added,             // there was none
    updated,           // ours was there with another command
    kept_foreign,      // someone else's is there and force was not given: left alone
    replaced_foreign,  // someone else's was there and force replaced it
};

// What install does with telemetry.
struct TelemetryRequest {
    TelemetryEnv ours;                  // our values, with the token
    std::vector<EnvEntry> environment;  // telemetry variables of the installing process
    bool enable = true;                 // false (--no-telemetry): add nothing, remove ours
};

enum class TelemetryChange {
    untouched,       // no request: "env" not looked at
    unchanged,       // all our entries were there already
    configured,      // some of our entries were added or updated (telemetry_added/_updated)
    kept_users_own,  // the user's own OpenTelemetry settings: "env" left alone
    disabled,        // enable was false (our entries removed: telemetry_removed)
};

enum class TelemetryState {
    off,         // no telemetry key in "env"
    ours,        // every entry install writes, nothing else
    incomplete,  // only ours, but some are missing (telemetry_missing)
    users_own,   // a telemetry key with a value that is not ours (telemetry_foreign)
};

struct InstallReport {
    bool changed = false;                              // the settings were (to be) rewritten
    std::optional<std::filesystem::path> backup_path;  // set when an existing file was copied
    std::vector<std::string> hooks_added;              // events that got our hook
    std::vector<std::string> hooks_updated;            // events whose hook command was rewritten
    StatusLineChange status_line = StatusLineChange::unchanged;
    std::string foreign_status_line;  // kept_foreign / replaced_foreign: its command (or JSON)
    TelemetryChange telemetry = TelemetryChange::untouched;
    std::vector<std::string> telemetry_added;      // env keys added
    std::vector<std::string> telemetry_updated;    // env keys rewritten (an older token)
    std::vector<std::string> telemetry_removed;    // disabled: env keys of ours removed
    std::vector<std::string> telemetry_foreign;    // kept_users_own: the user's env keys
    std::vector<std::string> telemetry_variables;  // kept_users_own: the user's variables
};

struct UninstallReport {
    bool changed = false;
    std::optional<std::filesystem::path> backup_path;
    std::vector<std::string> hooks_removed;  // events that lost at least one of our hooks
    bool status_line_removed = false;
    std::string foreign_status_line;  // a statusLine that is not ours, left alone (else empty)
    std::vector<std::string> telemetry_removed;  // env keys of ours removed
    std::vector<std::string> telemetry_kept;     // env keys install writes, holding other values
};

struct SettingsDescription {
    bool file_exists = false;
    std::vector<std::string> events_with_hook;       // every event holding one of our hooks
    std::vector<std::string> events_missing_hook;    // those of k_hook_events that hold none
    std::vector<std::string> hook_commands;          // distinct commands of our hooks, file order
    std::optional<std::string> status_line_command;  // ours
    std::optional<std::string> foreign_status_line;  // someone else's: its command (or JSON)
    bool all_hooks_disabled = false;                 // "disableAllHooks": true
    // Only filled when describe is given a TelemetryEnv.
    TelemetryState telemetry = TelemetryState::off;
    std::vector<std::string> telemetry_missing;  // incomplete: keys install would add
    std::vector<std::string> telemetry_foreign;  // users_own: telemetry keys not ours
    bool telemetry_older_token = false;          // ours, but the header holds another token
};

// The settings file Claude Code reads for a user: `<dir>/settings.json` where dir is
// CLAUDE_CONFIG_DIR (its first entry when it is a comma-separated list, spaces trimmed) or else
// `<home>/.claude`. Fails when both are empty.
Result<std::filesystem::path> resolve_settings_path(const std::string& claude_config_dir,
                                                    const std::string& home);

// The same, from the CLAUDE_CONFIG_DIR and HOME environment variables.
Result<std::filesystem::path> settings_path_from_environment();

// The shell command that runs `subcommand` ("hook", "statusline") of the given hookctl binary.
std::string hookctl_command_line(const std::filesystem::path& hookctl_binary,
                                 std::string_view subcommand);

// Whether `command` is ours for `subcommand` (see the top of this file). A non-empty
// `hookctl_binary` also makes its exact command line ours, whatever the binary is called.
bool is_our_command(std::string_view command, std::string_view subcommand,
                    const std::filesystem::path& hookctl_binary = {});

// Settings text to JSON: strict parse, the root must be an object, empty text is `{}`.
// Errors say where parsing stopped (line:column).
Result<boost::json::value> parse_settings(std::string_view text);

// Settings JSON to file text: to_pretty_json plus a newline.
std::string render_settings(const boost::json::value& settings);

// The in-memory edits the file functions below make (no I/O; `changed` tells whether the value
// was modified, backup_path stays empty). On error the value may be partly edited: callers
// work on a copy. A null `telemetry` leaves "env" alone (and describes nothing of it).
Result<InstallReport> install_into(boost::json::value& settings,
                                   const std::filesystem::path& hookctl_binary, bool force,
                                   const TelemetryRequest* telemetry = nullptr);
Result<UninstallReport> uninstall_from(boost::json::value& settings,
                                       const std::filesystem::path& hookctl_binary = {},
                                       const TelemetryEnv* telemetry = nullptr);
SettingsDescription describe_value(const boost::json::value& settings,
                                   const std::filesystem::path& hookctl_binary = {},
                                   const TelemetryEnv* telemetry = nullptr);

// The file operations. `hookctl_binary` must be an absolute path for install; for uninstall
// and describe it is optional (see is_our_command). Uninstalling from a missing file is a no-op.
Result<InstallReport> install(const std::filesystem::path& settings_path,
                              const std::filesystem::path& hookctl_binary, bool force,
                              const TelemetryRequest* telemetry = nullptr);
Result<UninstallReport> uninstall(const std::filesystem::path& settings_path,
                                  const std::filesystem::path& hookctl_binary = {},
                                  const TelemetryEnv* telemetry = nullptr);

// What is installed in the file (a missing file is reported, not an error); fails when the
// file cannot be read or parsed.
Result<SettingsDescription> describe(const std::filesystem::path& settings_path,
                                     const std::filesystem::path& hookctl_binary = {},
                                     const TelemetryEnv* telemetry = nullptr);

}  // namespace ccmeter
