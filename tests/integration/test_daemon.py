#!/usr/bin/env python3
"""The daemon as a user lives with it: ccmeterd serve + hookctl, on a copy of a committed history.

    test_daemon.py --hookctl BIN --ccmeterd BIN [--shared DIR]

The history is tests/fixtures/history (its 5.5 models priced by the built-in table, no price
file); the expected numbers come from tests/tools/reference_count.py (and,
with the developers' ../shared present, ../shared/corpus/truth.py must agree on the totals).
Checks, in order: socket and directory permissions; stats equal the reference count; a response appended
and announced by a Stop hook is counted and shows in the next status line; a response appended
without any hook is found by the file watcher; a second daemon does not start; SIGTERM stops
cleanly; lines written while the daemon was down are caught up at start; with the daemon down
hooks exit 0 at once and print nothing and the status line degrades; a hook starts the daemon.
"""
import argparse
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

from helpers import assistant_template, fail, wait_for


HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(HERE, "..", "tools")
FIXTURES = os.path.join(HERE, "..", "fixtures")


def truth(shared, config_dir):
    """The reference count of config_dir; cross-checked with ../shared's truth.py when present."""
    ours = json.loads(subprocess.run([sys.executable, os.path.join(TOOLS, "reference_count.py"), config_dir],
                                     check=True, capture_output=True, text=True).stdout)
    if shared and os.path.isfile(os.path.join(shared, "corpus", "truth.py")):
        theirs = json.loads(subprocess.run([sys.executable, os.path.join(shared, "corpus", "truth.py"), config_dir],
                                           check=True, capture_output=True, text=True).stdout)
        if any(theirs["totals"][k] != ours["totals"][k] for k in KEYS) or \
                theirs["unique_responses"] != ours["unique_responses"]:
            fail(f"../shared/corpus/truth.py {theirs['totals']} disagrees with reference_count.py {ours['totals']}")
    return ours


KEYS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
        "cache_5m", "cache_1h")


class World:
    def __init__(self, args, work):
        self.hookctl, self.ccmeterd, self.shared = args.hookctl, args.ccmeterd, args.shared
        self.config = os.path.join(work, "claude")
        shutil.copytree(os.path.join(FIXTURES, "history", "projects"), os.path.join(self.config, "projects"))
        self.runtime = os.path.join(work, "run", "ccmeter")
        self.env = dict(os.environ, HOME=work, CLAUDE_CONFIG_DIR=self.config,
                        CCMETER_DB=os.path.join(work, "data", "usage.db"),
                        CCMETER_RUNTIME_DIR=self.runtime, NO_COLOR="1", CCMETER_NO_SPAWN="1",
                        CCMETER_WEB_PORT="0", CCMETER_PRICES=os.path.join(FIXTURES, "no-such-prices.json"),
                        XDG_CONFIG_HOME=os.path.join(work, "config"))
        self.daemon = None
        self.log = os.path.join(work, "ccmeterd.log")

    def start(self):
        self.daemon = subprocess.Popen([self.ccmeterd, "serve"], env=self.env,
                                       stderr=open(self.log, "a"))
        wait_for(lambda: self.health_ok(), 10, "the daemon to answer")

    def health_ok(self):
        result = subprocess.run([self.hookctl, "doctor"], env=self.env, capture_output=True, text=True)
        return "daemon:    ccmeterd" in result.stdout and "catching up" not in result.stdout

    def stop(self):
        if self.daemon and self.daemon.poll() is None:
            self.daemon.send_signal(signal.SIGTERM)
            code = self.daemon.wait(timeout=10)
            self.daemon = None
            return code
        return None

    def hookctl_json(self, *args):
        result = subprocess.run([self.hookctl, "stats", *args, "--json"], env=self.env,
                                capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            fail(f"hookctl stats {' '.join(args)} failed: {result.stderr}")
        return json.loads(result.stdout)

    def hook(self, payload, env=None):
        start = time.monotonic()
        result = subprocess.run([self.hookctl, "hook"], input=json.dumps(payload), env=env or self.env,
                                capture_output=True, text=True, timeout=10)
        return result, time.monotonic() - start

    def statusline(self, payload, env=None):
        return subprocess.run([self.hookctl, "statusline"], input=json.dumps(payload),
                              env=env or self.env, capture_output=True, text=True, timeout=10)


def totals_match(stats_totals, expected, responses):
    return all(stats_totals[k] == expected[k] for k in KEYS) and stats_totals["unique_responses"] == responses


def new_response(template, message_id, request_id, output_tokens):
    record = json.loads(json.dumps(template))
    record["message"]["id"] = message_id
    record["requestId"] = request_id
    record["message"]["usage"]["output_tokens"] = output_tokens
    record["uuid"] = message_id + "-uuid"
    return json.dumps(record, separators=(",", ":")) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hookctl", required=True)
    parser.add_argument("--ccmeterd", required=True)
    parser.add_argument("--shared", help="../shared, for an extra cross-check when it exists")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="ccmeter-daemon-test.")
    world = World(args, work)
    try:
        world.start()
        # Permissions.
        dir_mode = stat.S_IMODE(os.lstat(world.runtime).st_mode)
        sock = os.path.join(world.runtime, "ccmeterd.sock")
        sock_stat = os.lstat(sock)
        if dir_mode != 0o700 or not stat.S_ISSOCK(sock_stat.st_mode) or stat.S_IMODE(sock_stat.st_mode) != 0o600:
            fail(f"runtime dir mode {oct(dir_mode)}, socket mode {oct(stat.S_IMODE(sock_stat.st_mode))}")
        print("ok: runtime dir 0700, socket 0600")

        expected = truth(world.shared, world.config)
        models = world.hookctl_json("models")
        if not totals_match(models["totals"], expected["totals"], expected["unique_responses"]):
            fail(f"stats totals {models['totals']} != reference {expected['totals']}")
        for entry in models["models"]:
            want = expected["by_model"][entry["model"]]
            if any(entry[k] != want[k] for k in KEYS):
                fail(f"model {entry['model']}: {entry} != {want}")
        print(f"ok: hookctl stats models equals the reference count ({expected['unique_responses']} responses)")

        # A response appended and announced by a Stop hook shows in the next status line.
        transcript = sorted(p for p in (os.path.join(d, f) for d, _, fs in os.walk(world.config)
                                        for f in fs) if p.endswith(".jsonl") and "subagents" not in p)[0]
        session_id = os.path.basename(transcript)[:-len(".jsonl")]
        template = assistant_template(transcript)
        session_before = world.hookctl_json("session", template["sessionId"])["totals"]
        payload = {"session_id": template["sessionId"], "transcript_path": transcript,
                   "cwd": "/", "model": {"id": "claude-opus-4-6", "display_name": "Opus 4.6"},
                   "cost": {"total_cost_usd": 0.5}}
        line_before = world.statusline(payload).stdout
        with open(transcript, "a") as f:
            f.write(new_response(template, "msg_test_hook_0001", "req_test_hook_0001", 400000))
        result, seconds = world.hook({"session_id": payload["session_id"], "transcript_path": transcript,
                                      "cwd": "/", "hook_event_name": "Stop"})
        if result.returncode != 0 or result.stdout or result.stderr:
            fail(f"hook: exit {result.returncode}, stdout {result.stdout!r}, stderr {result.stderr!r}")
        line_after = world.statusline(payload).stdout
        if line_after == line_before or "session $" not in line_after:
            fail(f"the status line did not change after a new response: {line_before!r} -> {line_after!r}")
        session_after = world.hookctl_json("session", payload["session_id"])["totals"]
        if session_after["unique_responses"] != session_before["unique_responses"] + 1:
            fail(f"session responses {session_before['unique_responses']} -> {session_after['unique_responses']}")
        if session_after["output_tokens"] - session_before["output_tokens"] != 400000:
            fail("the appended response's output tokens were not counted exactly once")
        print(f"ok: Stop hook ({seconds * 1000:.0f} ms, silent) -> status line {line_before.strip()!r} -> {line_after.strip()!r}")

        # Without a hook, the watcher finds it.
        other = sorted(p for p in (os.path.join(d, f) for d, _, fs in os.walk(world.config) for f in fs)
                       if p.endswith(".jsonl") and p != transcript)[-1]
        before = world.hookctl_json("models")["totals"]["unique_responses"]
        with open(other, "a") as f:
            f.write(new_response(assistant_template(other), "msg_test_watch_0001", "req_test_watch_0001", 7))
        wait_for(lambda: world.hookctl_json("models")["totals"]["unique_responses"] == before + 1, 5,
                 "the watcher to ingest an unannounced append")
        print("ok: an append without a hook is ingested by the watcher")

        # One daemon per user.
        second = subprocess.run([world.ccmeterd, "serve"], env=world.env, capture_output=True, text=True, timeout=10)
        if second.returncode != 0 or "already serves" not in second.stderr:
            fail(f"a second daemon: exit {second.returncode}, {second.stderr!r}")
        print("ok: a second daemon exits 0 (already serving)")

        code = world.stop()
        if code != 0 or os.path.exists(sock):
            fail(f"SIGTERM: exit {code}, socket left: {os.path.exists(sock)}")
        print("ok: SIGTERM stops cleanly and removes the socket")

        # Daemon down: hooks exit 0 at once, silently; the status line degrades.
        result, seconds = world.hook({"session_id": "x", "transcript_path": transcript, "cwd": "/",
                                      "hook_event_name": "Stop"})
        if result.returncode != 0 or result.stdout or result.stderr or seconds > 1.0:
            fail(f"hook with the daemon down: exit {result.returncode}, {seconds:.3f} s, {result.stdout!r} {result.stderr!r}")
        bad, _ = world.hook("not json at all")
        if bad.returncode != 0 or bad.stdout:
            fail("hook with bad input")
        degraded = world.statusline(payload)
        if degraded.returncode != 0 or "ccmeterd down" not in degraded.stdout or "$0.50" not in degraded.stdout:
            fail(f"degraded status line: {degraded.stdout!r}")
        print(f"ok: daemon down -> hook exit 0 in {seconds * 1000:.0f} ms, status line {degraded.stdout.strip()!r}")

        # Written while down: caught up at start.
        with open(transcript, "a") as f:
            f.write(new_response(template, "msg_test_down_0001", "req_test_down_0001", 3))
        world.start()
        after_restart = world.hookctl_json("models")["totals"]
        expected = truth(world.shared, world.config)
        if not totals_match(after_restart, expected["totals"], expected["unique_responses"]):
            fail(f"after restart {after_restart} != reference {expected['totals']}")
        print("ok: lines written while the daemon was down are caught up at start; totals equal the reference count")
        world.stop()

        # A hook starts the daemon when it is not running.
        spawn_env = dict(world.env)
        spawn_env.pop("CCMETER_NO_SPAWN")
        spawn_env["PATH"] = os.path.dirname(os.path.abspath(world.ccmeterd)) + ":" + spawn_env["PATH"]
        result, seconds = world.hook({"session_id": "x", "transcript_path": transcript, "cwd": "/",
                                      "hook_event_name": "SessionStart"}, env=spawn_env)
        if result.returncode != 0 or seconds > 1.0:
            fail(f"spawning hook: exit {result.returncode} in {seconds:.3f} s")
        wait_for(lambda: os.path.exists(sock), 10, "the hook-started daemon's socket")
        pid = int(open(os.path.join(world.runtime, "ccmeterd.pid")).read())
        os.kill(pid, signal.SIGTERM)
        wait_for(lambda: not os.path.exists(sock), 10, "the hook-started daemon to stop")
        print(f"ok: a hook with the daemon down started it (hook took {seconds * 1000:.0f} ms)")
    finally:
        world.stop()
        pid_file = os.path.join(world.runtime, "ccmeterd.pid")
        if os.path.exists(pid_file):
            try:
                os.kill(int(open(pid_file).read()), signal.SIGTERM)
            except (ValueError, ProcessLookupError):
                pass
        shutil.rmtree(work, ignore_errors=True)
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
