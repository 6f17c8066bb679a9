// Where Claude Code keeps its transcripts, and which transcript files exist there.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ccmeter {

// The Claude config dirs to read, in order, without duplicates (compared after
// canonicalisation). `claude_config_dir` is the value of CLAUDE_CONFIG_DIR (a comma-separated
// list is allowed, for people with several accounts); when it is empty the defaults are
// `$HOME/.claude` and `$XDG_CONFIG_HOME/claude` (XDG_CONFIG_HOME defaults to `$HOME/.config`).
// Dirs that do not exist are kept: they may appear later.
std::vector<std::filesystem::path> resolve_config_dirs(const std::string& claude_config_dir,
                                                       const std::string& home,
                                                       const std::string& xdg_config_home);

// The same, reading the three variables from the process environment.
std::vector<std::filesystem::path> config_dirs_from_environment();

// Every `*.jsonl` entry below `<dir>/projects` that is not a directory, subagent files included,
// in a deterministic order: by session (`<project>/<id>`), each session's main file before its
// subagents' files (`<id>/subagents/`, or `agent-*.jsonl` of older clients, which follow every
// session of their project), then by path. A backfill then stores a session's prompts before
// the subagent responses inside its turns, so no turn has to be split again (a subagent file
// read first made every later prompt re-sum its turn: quadratic in the session's size).
// Entries that are not regular files (FIFOs, devices, sockets, broken links, symlink loops) are
// listed too, so that IngestEngine counts and logs them; it never opens them. Unreadable
// directories are skipped silently: a missing projects/ is not an error.
std::vector<std::filesystem::path> find_transcripts(const std::filesystem::path& config_dir);

}  // namespace ccmeter
