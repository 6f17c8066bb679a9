#!/usr/bin/env python3
"""hookctl watch and hookctl top as a user runs them: ccmeterd serve + hookctl on a copy of
tests/fixtures/history in a temporary HOME.

    test_live.py --hookctl BIN --ccmeterd BIN --case watch|top|width

watch: `hookctl watch --json` is running; a response line appended to a transcript comes out as
  one JSON object within a second, with that response's tokens and its exact cost (the same
  cost_usd as `hookctl export` gives for it) and its session's new total (= `hookctl stats
  SESSION --json`'s totals); the text form prints one line with the project, model and cost;
  the daemon killed -> "went away" on stderr; restarted -> "is back" and the next response
  comes out again; Health counts the watcher (watchers, watch_events_published).
top: `hookctl top` in a tmux window (80x24): the Sessions tab's Total equals
  `hookctl stats sessions --json`'s totals, each visible row's cost equals its session's; the
  Projects and Models tabs' totals likewise; / filters, Enter drills into the selected session
  (its turns; the Total equals `stats SESSION --json`), Enter on a turn lists its responses,
  Esc goes back each time; `tmux resize-window` to
  60 and 120 columns redraws at that width (no line wider); an appended response shows up on
  screen within a second (Watch, not polling); the daemon killed -> "daemon down —
  reconnecting", restarted -> live again with the new figures; q restores the shell.
width: `hookctl stats` tables with COLUMNS=60/80/120 are never wider, and keep Total tokens and
  Cost; without COLUMNS (a pipe) they are whole.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from helpers import World as DaemonWorld, assistant_template, fail, response_line, wait_for


def usd_text(micro):
    """format_usd: dollars and cents, half up, thousands grouped; "<$0.01" below half a cent."""
    if micro != 0 and abs(micro) < 5_000:
        return "<$0.01"
    cents = (abs(micro) + 5_000) // 10_000
    text = f"${cents // 100:,}.{cents % 100:02d}"
    return "-" + text if micro < 0 else text


class World(DaemonWorld):
    """The shared World, with the first main-chain transcript to append responses to."""

    def __init__(self, args, work):
        super().__init__(args.hookctl, args.ccmeterd, work, drop_env=("COLUMNS",))
        self.transcript = sorted(
            os.path.join(root, name) for root, _, names in os.walk(self.config) for name in names
            if name.endswith(".jsonl") and "subagents" not in root)[0]
        self.template = assistant_template(self.transcript)
        self.session = self.template["sessionId"]
        self.appended = 0

    def append(self, output_tokens=4321):
        self.appended += 1
        message_id = f"msg_live_{os.getpid()}_{self.appended}"
        with open(self.transcript, "a") as f:
            f.write(response_line(self.template, message_id, output_tokens, stamp_now=True))
        return message_id


def exported_cost(world, message_id):
    for row in json.loads(world.out("export", "--what", "responses", "--format", "json")):
        if row["message_id"] == message_id:
            return row
    fail(f"{message_id} is not in the export")


def case_watch(world):
    world.start()
    watch = subprocess.Popen([world.hookctl, "watch", "--json"], env=world.env, stdout=subprocess.PIPE,
                             stderr=open(os.path.join(world.work, "watch.err"), "w"), bufsize=0)
    os.set_blocking(watch.stdout.fileno(), False)
    buffer = b""

    def next_line(seconds):
        nonlocal buffer
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                return line
            try:
                chunk = watch.stdout.read()
            except BlockingIOError:
                chunk = None
            if chunk:
                buffer += chunk
            else:
                time.sleep(0.01)
        return None

    try:
        err = os.path.join(world.work, "watch.err")
        wait_for(lambda: "watching" in open(err).read(), 10, "the watch to be open")
        if world.health().get("watchers") != 1:
            fail(f"Health counts {world.health().get('watchers')} watchers, not 1")
        for round in range(3):
            before = time.monotonic()
            message_id = world.append(1000 + round)
            line = next_line(1.0)
            took = time.monotonic() - before
            if line is None:
                fail(f"round {round}: no event within a second of the append")
            event = json.loads(line)
            if event["message_id"] != message_id:
                fail(f"round {round}: event for {event['message_id']}, expected {message_id}")
            if event["output_tokens"] != 1000 + round:
                fail(f"round {round}: output_tokens {event['output_tokens']} != {1000 + round}")
            row = exported_cost(world, message_id)
            for key in ("cost_usd", "cost_micro_usd", "input_tokens", "cache_read_input_tokens", "session_id",
                        "project", "model"):
                if event[key] != row[key]:
                    fail(f"round {round}: {key} {event[key]!r} != export's {row[key]!r}")
            totals = world.stats("session", world.session)["totals"]
            if event["session_total"] != totals:
                fail(f"round {round}: session_total {event['session_total']} != stats {totals}")
            print(f"watch: event {took * 1000:.0f} ms after the append, cost_usd {event['cost_usd']}")
        health = world.health()
        if health.get("watch_events_published", 0) < 3:
            fail(f"Health counts {health.get('watch_events_published')} published events")

        # The daemon goes away and comes back.
        world.kill()
        wait_for(lambda: "went away" in open(err).read(), 5, "watch to say the daemon went away")
        world.start()
        wait_for(lambda: "is back" in open(err).read(), 5, "watch to say the daemon is back")
        message_id = world.append(2222)
        line = next_line(2.0)
        if line is None or json.loads(line)["message_id"] != message_id:
            fail(f"after the restart: {line!r}")
        print("watch: reconnected after the daemon was killed and restarted")
    finally:
        watch.kill()
        watch.wait()

    # The text form: one line naming the project, the model and the cost.
    text_err = os.path.join(world.work, "watch-text.err")
    text = subprocess.Popen([world.hookctl, "watch"], env=world.env, stdout=subprocess.PIPE,
                            stderr=open(text_err, "w"), bufsize=0)
    try:
        # Its CONNECTED event: the daemon has subscribed it.
        wait_for(lambda: "watching" in open(text_err).read(), 10, "the text watch to be open")
        message_id = world.append(3333)
        os.set_blocking(text.stdout.fileno(), False)
        got = wait_for(lambda: (text.stdout.read() or b"").decode(), 2, "the text line")
        row = exported_cost(world, message_id)
        micro = row["cost_micro_usd"]
        expected = f"${micro // 1_000_000}.{micro % 1_000_000:06d}"
        if row["project"] not in got or "out 3,333" not in got or expected not in got:
            fail(f"text line {got!r} lacks the project, 'out 3,333' or {expected}")
        print("watch: text line", got.strip())
    finally:
        text.kill()
        text.wait()


class Tmux:
    def __init__(self, work, env):
        self.socket = os.path.join(work, "tmux.sock")
        self.env = env

    def __call__(self, *args, check=True):
        result = subprocess.run(["tmux", "-S", self.socket, *args], env=self.env, capture_output=True, text=True)
        if check and result.returncode != 0:
            fail(f"tmux {' '.join(args)}: {result.stderr}")
        return result.stdout

    def screen(self):
        return self("capture-pane", "-p", "-t", "top")

    def wait_screen(self, predicate, seconds, what):
        last = [""]

        def check():
            last[0] = self.screen()
            return predicate(last[0])
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if check():
                return last[0]
            time.sleep(0.02)
        fail(f"timed out after {seconds} s waiting for {what}; screen:\n{last[0]}")

    def keys(self, *keys):
        self("send-keys", "-t", "top", *keys)


def total_line(screen):
    for line in screen.splitlines():
        if line.strip().startswith("Total"):
            return line
    return None


def cost_cells(line):
    return re.findall(r"(?:<|-)?\$[\d,]+\.\d\d(?:\+\?)?", line)


def case_top(world):
    if not shutil.which("tmux"):
        if os.environ.get("CI") == "true":
            fail("tmux is missing (scripts/install-deps installs it)")
        print("SKIP: tmux is not installed")
        sys.exit(77)
    world.start()
    env = dict(world.env, TERM="xterm-256color")
    tmux = Tmux(world.work, env)
    timing = os.path.join(world.work, "top-timing.txt")
    command = f"CCMETER_TOP_TIMING={timing} {world.hookctl} top; echo TOP-EXITED-$?; sleep 30"
    tmux("new-session", "-d", "-s", "top", "-x", "80", "-y", "24", command)
    try:
        sessions = world.stats("sessions")
        screen = tmux.wait_screen(lambda s: "live" in s and total_line(s), 5, "the first frame")
        want = usd_text(int(round(sessions["totals"]["cost_usd"] * 1e6)))
        if want not in total_line(screen):
            fail(f"Sessions Total {total_line(screen)!r} lacks stats' {want}")
        # Each visible session row's cost is its session's.
        costs = {s["session_id"]: usd_text(int(round(s["cost_usd"] * 1e6))) for s in sessions["sessions"]}
        seen = 0
        for line in screen.splitlines():
            for session_id, cost in costs.items():
                if session_id[:8] in line:
                    if cost not in line:
                        fail(f"row {line!r} lacks its cost {cost}")
                    seen += 1
                    break
        if seen == 0:
            fail(f"no session row on screen:\n{screen}")
        if not any(line.startswith("> ") for line in screen.splitlines()):
            fail(f"no selected row:\n{screen}")
        print(f"top: {seen} session rows and the Total equal stats sessions --json")

        for key, report in (("2", "projects"), ("3", "models")):
            tmux.keys(key)
            expected = usd_text(int(round(world.stats(report)["totals"]["cost_usd"] * 1e6)))
            tmux.wait_screen(lambda s: f"[{key} " in s and total_line(s) and expected in total_line(s), 3,
                             f"the {report} tab with Total {expected}")
        print("top: the Projects and Models totals equal stats --json")

        # Drill into the first session (most recent), its turns, Esc back.
        tmux.keys("1")
        tmux.wait_screen(lambda s: "[1 Sessions]" in s, 3, "the Sessions tab")
        tmux.keys("Home", "Enter")
        screen = tmux.wait_screen(lambda s: "Session  " in s and "Turn" in s, 3, "the session view")
        session_id = re.search(r"Session  (\S+)", screen).group(1)
        detail = world.stats("session", session_id)
        want = usd_text(int(round(detail["totals"]["cost_usd"] * 1e6)))
        if want not in (total_line(screen) or ""):
            fail(f"session Total {total_line(screen)!r} lacks stats' {want}")
        # Enter on the first turn: its responses, one per line under it.
        first_turn = detail["turns"][0]
        tmux.keys("Home", "Enter")
        responses = len(first_turn["responses"])
        screen = tmux.wait_screen(lambda s: s.count("└") >= min(responses, 5), 3, "the turn's responses")
        if screen.count("└") > responses:
            fail(f"more response lines than the turn's {responses}:\n{screen}")
        tmux.keys("Escape")
        tmux.wait_screen(lambda s: "turns" in s and "└" not in s, 3, "Esc back to the turns")
        tmux.keys("Escape")
        tmux.wait_screen(lambda s: "Turn" not in s and "[1 Sessions]" in s, 3, "Esc back to Sessions")
        print(f"top: drill-down into {session_id[:8]}… shows its turns, Total {want}")

        # The filter: only matching rows, Esc clears it.
        project = sessions["sessions"][0]["project"]
        word = os.path.basename(project)
        tmux.keys("/")
        tmux.keys("-l", word)
        tmux.keys("Enter")
        matching = [s for s in sessions["sessions"] if word.lower() in
                    (s["session_id"] + " " + s["project"] + " " + " ".join(s["models"])).lower()]
        tmux.wait_screen(lambda s: f"{len(matching)} rows" in s and f"filter: {word}" in s, 3,
                         f"{len(matching)} rows for the filter {word}")
        tmux.keys("Escape")
        tmux.wait_screen(lambda s: f"{len(sessions['sessions'])} rows" in s, 3, "the filter cleared")
        print(f"top: /{word} keeps {len(matching)} of {len(sessions['sessions'])} sessions")

        # Resize: every line fits the new width.
        for columns in (60, 120):
            tmux("resize-window", "-t", "top", "-x", str(columns), "-y", "30")
            screen = tmux.wait_screen(
                lambda s: len(s.splitlines()) >= 29 and total_line(s) and "$" in total_line(s) and
                max(len(line) for line in s.splitlines()) <= columns and
                (columns != 120 or "Last activity" in s), 3, f"a frame {columns} columns wide")
        print("top: redrawn at 60 and 120 columns, no line wider")

        # Live: an appended response shows up within a second (the Watch stream).
        before = world.stats("sessions")["totals"]["cost_usd"]
        world.append(250_000)
        started = time.monotonic()
        after = wait_for(lambda: (lambda c: c if c != before else None)(world.stats("sessions")["totals"]["cost_usd"]),
                         5, "the new response to be stored")
        want = usd_text(int(round(after * 1e6)))
        tmux.wait_screen(lambda s: total_line(s) and want in total_line(s), 1.0, f"the new Total {want}")
        print(f"top: new Total {want} on screen {(time.monotonic() - started) * 1000:.0f} ms after the append")

        # The daemon goes away and comes back.
        world.kill()
        tmux.wait_screen(lambda s: "daemon down — reconnecting" in s, 5, "daemon down")
        world.append(500_000)
        world.start()
        want = usd_text(int(round(world.stats("sessions")["totals"]["cost_usd"] * 1e6)))
        tmux.wait_screen(lambda s: "live" in s and "daemon down" not in s and total_line(s) and
                         want in total_line(s), 5, f"live again with Total {want}")
        print(f"top: recovered after the daemon was killed and restarted, Total {want}")

        tmux.keys("q")
        tmux.wait_screen(lambda s: "TOP-EXITED-0" in s, 3, "top to quit with 0")
        with open(timing) as f:
            frames = [float(line.split()[2]) for line in f if line.startswith("frame")]
        print(f"top: first frame {frames[0]:.1f} ms after start; {len(frames)} frames, "
              f"slowest redraw {max(frames[1:]):.1f} ms")
    finally:
        tmux("kill-server", check=False)


def case_width(world):
    world.start()
    for report in ("summary", "daily", "sessions", "projects", "models", "blocks"):
        whole = world.out("stats", report)
        widest = max(len(line) for line in whole.splitlines())
        for columns in (60, 80, 120):
            text = world.out("stats", report, env=dict(world.env, COLUMNS=str(columns)))
            lines = text.splitlines()
            if max(len(line) for line in lines) > columns:
                fail(f"stats {report} at COLUMNS={columns} has a line of {max(len(l) for l in lines)}")
            total = total_line(text) if report != "summary" else \
                next((line for line in lines if line.startswith("All time")), None)
            if total is None or not cost_cells(total):
                fail(f"stats {report} at COLUMNS={columns} lost its Total cost: {total!r}")
            if widest <= columns and text != whole:
                fail(f"stats {report} fits {columns} columns whole but was changed")
        print(f"width: stats {report} ({widest} columns whole) fits 60, 80 and 120")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hookctl", required=True)
    parser.add_argument("--ccmeterd", required=True)
    parser.add_argument("--case", required=True, choices=("watch", "top", "width"))
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="ccmeter-live-")
    world = World(args, work)
    try:
        {"watch": case_watch, "top": case_top, "width": case_width}[args.case](world)
    except SystemExit:
        sys.stdout.write(world.tail_log())
        raise
    finally:
        world.stop()
    shutil.rmtree(work, ignore_errors=True)
    print("PASS")


if __name__ == "__main__":
    main()
