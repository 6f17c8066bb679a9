#!/usr/bin/env python3
"""End to end with the REAL Claude Code client, run offline against a mock API by
../shared/claude-code/realclient/claude-offline (which installs the pinned client from npm once).

    test_real_client.py --hookctl BIN --ccmeterd BIN --shared DIR --case print|statusline|down|plugin

print       hooks installed by `hookctl install` into a fresh HOME; a print-mode session with a
            tool call and one with a subagent; the hooks start the daemon; then
            `hookctl stats models --json` equals truth.py for that HOME.
statusline  an interactive session in tmux: our status line, with the session's cost as
            `hookctl stats session ID` computes it, is on the real screen.
down        the daemon is not running and may not be started: the client still completes, every
            hook exits 0 (no hook error in the client's output), and the status line prints a
            degraded line at once.
plugin      our plugin, installed with `claude plugin marketplace add` + `claude plugin install`
            (and `claude plugin validate` passing): its hooks fire and the daemon counts the session.
Exit 77 (skipped) when the client cannot be installed or tmux is missing.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

KEYS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
        "cache_5m", "cache_1h")


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def skip(message):
    print("SKIP:", message)
    sys.exit(77)


class Home:
    """A fresh HOME for the client, with its own runtime dir (the client passes only PATH, HOME,
    TERM and XDG_RUNTIME_DIR to hooks, so these two isolate the daemon the hooks start)."""

    def __init__(self, args, root):
        self.args = args
        self.home = os.path.join(root, "home")
        self.runtime = os.path.join(root, "xdg-runtime")
        os.makedirs(self.home)
        os.makedirs(self.runtime, mode=0o700)
        self.port = 18765 + os.getpid() % 1000
        self.env = dict(os.environ, HOME=self.home, XDG_RUNTIME_DIR=self.runtime, NO_COLOR="1")
        for name in ("CLAUDE_CONFIG_DIR", "CCMETER_DB", "CCMETER_RUNTIME_DIR", "XDG_DATA_HOME",
                     "XDG_CONFIG_HOME", "CCMETER_NO_SPAWN"):
            self.env.pop(name, None)
        self.claude_offline = os.path.join(args.shared, "claude-code", "realclient", "claude-offline")

    def client(self, *claude_args, tmux=None, keys=None, extra_env=None):
        argv = [self.claude_offline, "--home", self.home, "--port", str(self.port)]
        if tmux:
            argv += ["--tmux", str(tmux)]
        env = dict(self.env, **(extra_env or {}))
        if keys:
            env["CLAUDE_OFFLINE_KEYS"] = keys
        return subprocess.run(argv + ["--", *claude_args], env=env, capture_output=True, text=True,
                              timeout=300)

    def claude_binary(self):
        client_dir = os.environ.get("CLAUDE_OFFLINE_CLIENT_DIR", os.path.expanduser("~/.cache/claude-offline"))
        return os.path.join(client_dir, "node_modules", ".bin", "claude")

    def hookctl(self, *args, env=None):
        return subprocess.run([self.args.hookctl, *args], env=env or self.env, capture_output=True,
                              text=True, timeout=120)

    def stats_json(self, *args):
        result = self.hookctl("stats", *args, "--json")
        if result.returncode != 0:
            fail(f"hookctl stats {' '.join(args)}: {result.stderr}")
        return json.loads(result.stdout)

    def truth(self):
        out = subprocess.run([sys.executable, os.path.join(self.args.shared, "corpus", "truth.py"),
                              os.path.join(self.home, ".claude")], check=True, capture_output=True, text=True)
        return json.loads(out.stdout)

    def socket(self):
        return os.path.join(self.runtime, "ccmeter", "ccmeterd.sock")

    def stop_daemon(self):
        pid_file = os.path.join(self.runtime, "ccmeter", "ccmeterd.pid")
        try:
            pid = int(open(pid_file).read())
            os.kill(pid, signal.SIGTERM)
            for _ in range(100):
                os.kill(pid, 0)
                time.sleep(0.05)
        except (OSError, ValueError):
            pass


def ensure_client(home):
    """Installs the client once (claude-offline does it on first use); skips when impossible."""
    if os.path.exists(home.claude_binary()):
        return
    result = home.client("--version")
    if not os.path.exists(home.claude_binary()):
        skip(f"the Claude Code client could not be installed: {result.stderr[-500:]}")


def wait_until(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    fail(f"timed out waiting for {what}")


def compare_with_truth(home):
    truth = home.truth()
    if truth["unique_responses"] == 0:
        fail("the client wrote no responses")

    def matches():
        totals = home.stats_json("models")["totals"]
        return totals["unique_responses"] == truth["unique_responses"] and \
            all(totals[k] == truth["totals"][k] for k in KEYS)
    wait_until(matches, 5, f"hookctl stats to equal truth.py {truth['totals']}")
    models = home.stats_json("models")
    for entry in models["models"]:
        want = truth["by_model"][entry["model"]]
        if any(entry[k] != want[k] for k in KEYS):
            fail(f"model {entry['model']}: {entry} != {want}")
    return truth


def case_print(home):
    if home.hookctl("install").returncode != 0:
        fail("hookctl install failed")
    tool = home.client("-p", "SCENARIO_TOOL run it", "--allowedTools", "Bash(echo *)")
    if tool.returncode != 0:
        fail(f"print-mode session with a tool call: exit {tool.returncode}: {tool.stderr[-800:]}")
    agent = home.client("-p", "SCENARIO_AGENT do it")
    if agent.returncode != 0:
        fail(f"print-mode session with a subagent: exit {agent.returncode}: {agent.stderr[-800:]}")
    subagents = [f for d, _, fs in os.walk(os.path.join(home.home, ".claude", "projects")) for f in fs
                 if "subagents" in d and f.endswith(".jsonl")]
    if not subagents:
        fail("the subagent session wrote no subagent transcript")
    wait_until(lambda: os.path.exists(home.socket()), 10, "the hooks to start the daemon")
    mode = os.stat(home.socket()).st_mode & 0o777
    dir_mode = os.stat(os.path.dirname(home.socket())).st_mode & 0o777
    if mode != 0o600 or dir_mode != 0o700:
        fail(f"socket mode {oct(mode)}, dir mode {oct(dir_mode)}")
    truth = compare_with_truth(home)
    print(f"ok: 2 real sessions (tool call, subagent: {len(subagents)} subagent file) -> hooks started "
          f"the daemon (socket 0600 in 0700) -> hookctl stats models equals truth.py "
          f"({truth['unique_responses']} responses, {truth['totals']['output_tokens']} output tokens)")


def case_statusline(home):
    if shutil.which("tmux") is None:
        skip("tmux is not installed")
    if home.hookctl("install").returncode != 0:
        fail("hookctl install failed")
    run = home.client(tmux=40, keys="say hello|SCENARIO_TOOL run it")
    pane_file = os.path.join(home.home, "pane.txt")
    if not os.path.exists(pane_file):
        fail(f"no screen captured: {run.stderr[-800:]}")
    pane = re.sub(r"\x1b\[[0-9;]*m", "", open(pane_file, encoding="utf-8", errors="replace").read())
    sessions = home.stats_json("sessions")["sessions"]
    if not sessions:
        fail("the daemon saw no session")
    session = sessions[0]
    detail = home.stats_json("session", session["session_id"])
    truth = home.truth()["by_session"][session["session_id"]]
    if any(detail["totals"][k] != truth[k] for k in KEYS):
        fail(f"session totals {detail['totals']} != truth.py {truth}")
    cost = detail["totals"]["cost_usd"]
    shown = f"${cost:,.2f}" if cost >= 0.005 else ("<$0.01" if cost > 0 else "$0.00")
    line = next((l for l in pane.splitlines() if "session " in l and "│" in l), None)
    if line is None:
        fail(f"our status line is not on the screen:\n{pane}")
    if f"session {shown}" not in line:
        fail(f"status line {line.strip()!r} does not show the session's cost {shown}")
    print(f"ok: on the real screen: {line.strip()!r} (session cost {shown}, tokens equal truth.py)")


def case_down(home):
    if home.hookctl("install").returncode != 0:
        fail("hookctl install failed")
    # The hooks run hookctl with the client's environment: make spawning impossible by giving
    # hookctl no daemon binary to find (a copy of hookctl alone in a directory).
    lonely = os.path.join(home.home, "lonely")
    os.makedirs(lonely)
    shutil.copy2(home.args.hookctl, os.path.join(lonely, "hookctl"))
    env = dict(home.env, PATH="/usr/bin:/bin")
    settings = os.path.join(home.home, ".claude", "settings.json")
    text = open(settings).read().replace(os.path.abspath(home.args.hookctl), os.path.join(lonely, "hookctl"))
    open(settings, "w").write(text)
    start = time.monotonic()
    result = home.client("-p", "SCENARIO_TOOL run it", "--allowedTools", "Bash(echo *)",
                         extra_env={"PATH": env["PATH"] + ":" + os.path.dirname(shutil.which("node") or "/usr/bin")})
    seconds = time.monotonic() - start
    if result.returncode != 0:
        fail(f"the client did not complete with ccmeterd down: exit {result.returncode}: {result.stderr[-800:]}")
    output = (result.stdout + result.stderr).lower()
    if "hook" in output and ("error" in output or "failed" in output):
        fail(f"the client reported a hook problem: {result.stdout[-800:]} {result.stderr[-800:]}")
    if os.path.exists(home.socket()):
        fail("a daemon was started although none could be")
    payload = open(os.path.join(home.args.shared, "claude-code", "captured", "interactive_tmux",
                                "statusline_stdin.jsonl")).readlines()[-1]
    start = time.monotonic()
    line = subprocess.run([os.path.join(lonely, "hookctl"), "statusline"], input=payload, env=env,
                          capture_output=True, text=True, timeout=10)
    ms = (time.monotonic() - start) * 1000
    if line.returncode != 0 or "ccmeterd down" not in line.stdout:
        fail(f"degraded status line: exit {line.returncode}, {line.stdout!r}")
    if ms > 50:
        fail(f"the degraded status line took {ms:.0f} ms (> 50 ms)")
    print(f"ok: daemon down: the real session completed in {seconds:.1f} s with no hook error; "
          f"status line {line.stdout.strip()!r} in {ms:.0f} ms")


def case_plugin(home):
    claude = home.claude_binary()
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    run_env = dict(home.env, PATH=os.path.dirname(os.path.abspath(home.args.hookctl)) + ":" + home.env["PATH"])
    # The plugin calls `hookctl` by name: put ours first on PATH, and ccmeterd next to it.
    bindir = os.path.join(home.home, ".local", "bin")
    os.makedirs(bindir)
    shutil.copy2(home.args.hookctl, os.path.join(bindir, "hookctl"))
    shutil.copy2(home.args.ccmeterd, os.path.join(bindir, "ccmeterd"))
    validate = subprocess.run([claude, "plugin", "validate", os.path.join(repo, "plugin")], env=run_env,
                              capture_output=True, text=True, timeout=120)
    if validate.returncode != 0:
        fail(f"claude plugin validate: {validate.stdout} {validate.stderr}")
    for argv in (["plugin", "marketplace", "add", repo], ["plugin", "install", "ccmeter@ccmeter"]):
        result = subprocess.run([claude, *argv], env=run_env, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            fail(f"claude {' '.join(argv)}: {result.stdout} {result.stderr}")
    result = home.client("-p", "say hi", extra_env={"PATH": bindir + ":" + home.env["PATH"]})
    if result.returncode != 0:
        fail(f"session with the plugin: exit {result.returncode}: {result.stderr[-800:]}")
    wait_until(lambda: os.path.exists(home.socket()), 10, "the plugin's hooks to start the daemon")
    truth = compare_with_truth(home)
    print(f"ok: plugin validated and installed with the real client; its hooks fired (daemon started) "
          f"and stats equal truth.py ({truth['unique_responses']} responses)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hookctl", required=True)
    parser.add_argument("--ccmeterd", required=True)
    parser.add_argument("--shared", required=True)
    parser.add_argument("--case", required=True, choices=["print", "statusline", "down", "plugin"])
    args = parser.parse_args()
    args.hookctl = os.path.abspath(args.hookctl)
    args.ccmeterd = os.path.abspath(args.ccmeterd)
    if shutil.which("npm") is None:
        skip("npm is not installed (the client comes from the npm registry)")
    root = tempfile.mkdtemp(prefix=f"ccmeter-e2e-{args.case}.")
    home = Home(args, root)
    try:
        ensure_client(home)
        {"print": case_print, "statusline": case_statusline, "down": case_down, "plugin": case_plugin}[args.case](home)
    finally:
        home.stop_daemon()
        shutil.rmtree(root, ignore_errors=True)
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
