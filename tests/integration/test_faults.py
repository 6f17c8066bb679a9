#!/usr/bin/env python3
"""Hostile inputs and faults against a running ccmeterd serve (issue 9), one case per run.

  fifo       a FIFO named *.jsonl in projects/ and announced by a hook: refused and logged, never
             opened blocking; later usage is still counted and SIGTERM still stops the daemon.
  long_line  a 2 GB sparse transcript without a newline, then its newline and a response: peak
             RSS stays bounded, the file is not re-read from its start on every notification,
             the over-long line is skipped and counted, the response after it is counted once.
  disk_full  the database on a small tmpfs (needs root): the disk fills, usage arrives, commits
             fail; once space is freed the daemon catches up by itself, totals equal truth.py.
  web_flood  300 /api/events streams and 300 idle connections to the web view of a daemon
             limited to 160 descriptors: the extra ones are refused, hookctl stats still
             answers, and once they are closed new streams work.
  web_auth   another local user (runuser -u nobody) gets 401 from the web view; the login URL
             `hookctl web` prints sets an HttpOnly SameSite=Strict cookie and redirects; that
             cookie, or the token as a Bearer header, is let in.
  escapes    escape sequences in a transcript's cwd, session and model never reach the terminal
             through `hookctl stats` tables or the status line.
  bad_utf8   a status-line payload with an invalid UTF-8 byte gets the daemon's line (not
             "ccmeterd down", nothing on stderr).
  many_files 10,000 small transcripts (25 projects, a fifth of them subagent files): the
             backfill's totals and each model's equal reference_count.py; responses appended to
             300 of them without hooks are counted; peak RSS <= 100 MB; the daemon's descriptors
             do not grow (and stay under 200: no transcript is held open).
  inotify    inotify limits lowered for the daemon alone, in a user namespace of its own
             (unshare -Ur; /proc/sys/user/max_inotify_watches and _instances count per
             namespace, so the machine and tests running beside keep theirs and nothing needs
             restoring; where namespaces are refused, as root, the system-wide
             fs.inotify.max_user_* for a few seconds, put back in a finally block;
             CCMETER_FAULT_INOTIFY=sysctl forces that): the watch limit reached while running (a
             new folder), at start, and no inotify instance at all. Each time the daemon logs why once (naming the sysctl and
             its value), `hookctl doctor --json` says watch_mode "poll", watch_problem,
             watch_fallbacks 1, and new usage, also in folders never watched, is counted within
             the 2 s poll interval; totals equal reference_count.py.
  sigkill_append  `ccmeterd serve` SIGKILLed 20 times at random moments (startup catch-up
             included) while a writer appends responses to 12 live transcripts, 40% of its lines
             in two writes with a pause between, some announced by Stop hooks; after a restart
             totals and each model's equal reference_count.py (no loss, no double count); a line
             left half written is counted once finished; SQLite's integrity_check passes.
  other_uid  every directory above the daemon's open (0755), user nobody (runuser; needs root):
             hookctl stats fails and the status line says "ccmeterd down" (socket: EACCES); the
             database, its -wal and -shm, and the token files cannot be read or opened; GET, HEAD
             and POST on every web path of ours (/, assets, every /api/*, /api/events, /login)
             and OTLP POSTs to /v1/logs and /v1/metrics (no token, wrong tokens) all get 401
             with nothing of the user's (session id, token) in the answer; the receiver counts
             the 6 rejected bodies and the owner's figures do not change.
  token_extremes  responses with a token field of 2^63, 2^64+5, int64 max (in two rows), 1e30,
             -5, 4e14 (as integer and double), 1.5, and 10^7 web searches: each rejected (never
             clamped or wrapped), counted in doctor --json's malformed_lines, logged once for
             the file; the totals do not move. 200 responses of 10^9-1 tokens in every field
             (Opus 4.1) are counted exactly; their cost passes int64 pico-dollars and saturates:
             `stats --json` says cost_saturated, tables and the status line print
             ">$9,223,372.04", never a wrapped figure; every all-time report answers.

Times here (2 cores, shared): many_files 21 s (up to 75 s when others load the machine),
sigkill_append 9 s, inotify 7 s, long_line 6 s, the others under 5 s; all twelve 55 s in a row,
32 s with ctest -j2.
"""
import argparse
import json
import os
import random
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_daemon import (KEYS, World, assistant_template, fail, new_response,  # noqa: E402
                         totals_match, truth, wait_for)


def first_transcript(config):
    return sorted(p for p in (os.path.join(d, f) for d, _, fs in os.walk(config) for f in fs)
                  if p.endswith(".jsonl") and "subagents" not in p)[0]


def read_log(world):
    with open(world.log, errors="replace") as f:
        return f.read()


def proc_status(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])  # kB
    return 0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def case_fifo(world, work):
    world.start()
    before = world.hookctl_json("models")["totals"]["unique_responses"]
    projects = os.path.join(world.config, "projects")
    fifo = os.path.join(projects, sorted(os.listdir(projects))[0], "evil.jsonl")
    os.mkfifo(fifo)
    hook, seconds = world.hook({"session_id": "evil", "transcript_path": fifo, "cwd": "/",
                                "hook_event_name": "Stop"})
    if hook.returncode != 0 or seconds > 1.0:
        fail(f"hook on a FIFO: exit {hook.returncode} in {seconds:.3f} s")
    wait_for(lambda: "refused " + fifo in read_log(world), 5, "the FIFO to be refused in the log")
    # The ingest thread is not blocked: an append is still counted.
    transcript = first_transcript(world.config)
    with open(transcript, "a") as f:
        f.write(new_response(assistant_template(transcript), "msg_fault_fifo", "req_fault_fifo", 5))
    world.hook({"session_id": "x", "transcript_path": transcript, "cwd": "/", "hook_event_name": "Stop"})
    wait_for(lambda: world.hookctl_json("models")["totals"]["unique_responses"] == before + 1, 5,
             "usage after the FIFO to be counted")
    refusals = read_log(world).count("refused " + fifo)
    if refusals != 1:
        fail(f"the FIFO was logged {refusals} times, not once")
    started = time.monotonic()
    code = world.stop()
    if code != 0:
        fail(f"SIGTERM after the FIFO: exit {code}")
    print(f"ok: FIFO refused once in the log, later usage counted, SIGTERM stopped the daemon in "
          f"{time.monotonic() - started:.2f} s")


def case_long_line(world, work):
    world.start()
    pid = world.daemon.pid
    transcript = first_transcript(world.config)
    template = assistant_template(transcript)
    big = os.path.join(os.path.dirname(transcript), "huge.jsonl")
    size = 2 << 30
    with open(big, "wb") as f:
        f.truncate(size)  # 2 GB of NULs, sparse, no newline
    payload = {"session_id": "huge", "transcript_path": big, "cwd": "/", "hook_event_name": "Stop"}
    world.hook(payload)
    wait_for(lambda: "huge.jsonl" in read_log(world) and "without its newline" in read_log(world),
             120, "the over-long line to be noticed")
    cpu_after_first = cpu_seconds(pid)
    # More notifications of the still-growing line: each reads only the new bytes.
    for i in range(5):
        with open(big, "ab") as f:
            f.write(b"\0" * 1000)
        world.hook(payload)
    time.sleep(1.0)
    world.hookctl_json("models")  # the loop has drained the notifications
    cpu_more = cpu_seconds(pid) - cpu_after_first
    if cpu_more > 0.5:
        fail(f"5 more notifications of the growing over-long line cost {cpu_more:.2f} s of CPU: "
             "it is read again from its start")
    before = world.hookctl_json("models")["totals"]["unique_responses"]
    with open(big, "ab") as f:
        f.write(b"\n" + new_response(template, "msg_fault_huge", "req_fault_huge", 11).encode())
    world.hook(payload)
    wait_for(lambda: world.hookctl_json("models")["totals"]["unique_responses"] == before + 1, 60,
             "the response after the over-long line to be counted")
    peak_mb = proc_status(pid, "VmHWM") / 1024
    if peak_mb > 200:
        fail(f"peak RSS {peak_mb:.0f} MB while reading a 2 GB line (bound: 200 MB)")
    if "over the 67108864-byte line limit" not in read_log(world):
        fail("the skipped over-long line was not logged")
    # Read once more after a restart: nothing is counted twice.
    world.stop()
    world.start()
    after = world.hookctl_json("models")["totals"]["unique_responses"]
    if after != before + 1:
        fail(f"after restart {after} responses, expected {before + 1}")
    os.remove(big)
    print(f"ok: 2 GB line: peak RSS {peak_mb:.0f} MB, 5 further notifications cost "
          f"{cpu_more:.2f} s CPU, skipped and logged, the next response counted once")


def case_disk_full(world, work):
    if os.geteuid() != 0:
        fail("the disk_full case mounts a tmpfs and needs root")
    mount = os.path.join(work, "dbfs")
    os.makedirs(mount)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", mount], check=True)
    try:
        corpus = os.path.join(world.config, "projects")
        held = os.path.join(work, "held-projects")
        shutil.move(corpus, held)  # the daemon starts with no history: a tiny database
        os.makedirs(corpus)
        world.env["CCMETER_DB"] = os.path.join(mount, "usage.db")
        world.start()
        filler = os.path.join(mount, "filler")
        # Fill the disk. Unbuffered: a buffered file keeps what a last, partial write left and
        # raises ENOSPC again when it closes (whether it does depends on the database's size).
        with open(filler, "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\xff" * 65536)
            except OSError:
                pass
        # Usage arrives while the disk is full (17 MB of transcripts: MBs of rows).
        for name in os.listdir(held):
            shutil.copytree(os.path.join(held, name), os.path.join(corpus, name))
        wait_for(lambda: "ingest failed" in read_log(world), 20, "a failed commit")
        time.sleep(1.5)  # a few retries fail too
        os.remove(filler)
        expected = truth(world.shared, world.config)
        started = time.monotonic()
        wait_for(lambda: totals_match(world.hookctl_json("models")["totals"], expected["totals"],
                                      expected["unique_responses"]), 40,
                 "the totals to catch up after space was freed (without restart)")
        log = read_log(world)
        if log.count("ingest failed") != 1 or "ingest recovered after" not in log:
            fail("expected one 'ingest failed' line per streak and one 'ingest recovered' line")
        # More usage after the recovery is counted once.
        transcript = first_transcript(world.config)
        with open(transcript, "a") as f:
            f.write(new_response(assistant_template(transcript), "msg_fault_full", "req_fault_full", 9))
        expected = truth(world.shared, world.config)
        wait_for(lambda: totals_match(world.hookctl_json("models")["totals"], expected["totals"],
                                      expected["unique_responses"]), 10, "a later append")
        print(f"ok: disk full -> commits failed and were retried; {time.monotonic() - started:.1f} s after "
              f"space was freed the totals equal truth.py ({expected['unique_responses']} responses)")
    finally:
        world.stop()
        subprocess.run(["umount", "-l", mount], check=False)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def web_request(port, target, extra_headers=""):
    return (f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra_headers}\r\n").encode()


def first_line(sock):
    sock.settimeout(5)
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    return data.split(b"\r\n", 1)[0].decode(errors="replace")


def web_token(world):
    with open(os.path.join(world.runtime, "web.token")) as f:
        return f.read().strip()


def web_headers(world):
    return f"Authorization: Bearer {web_token(world)}\r\n"


def start_with_web(world):
    port = free_port()
    world.env["CCMETER_WEB_PORT"] = str(port)
    world.start()
    wait_for(lambda: "web view on" in read_log(world), 10, "the web view")
    return port


def curl(port, target, *options, user=None):
    command = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", *options,
               f"http://127.0.0.1:{port}{target}"]
    if user:
        command = ["runuser", "-u", user, "--"] + command
    return subprocess.run(command, capture_output=True, text=True, timeout=20).stdout.strip()


def case_web_auth(world, work):
    if os.geteuid() != 0:
        fail("the web_auth case runs curl as another user (runuser) and needs root")
    port = start_with_web(world)
    token_file = os.path.join(world.runtime, "web.token")
    mode = os.stat(token_file).st_mode & 0o777
    if mode != 0o600:
        fail(f"{token_file} has mode {oct(mode)}")
    for target in ("/api/sessions", "/api/summary", "/", "/api/events"):
        code = curl(port, target, user="nobody")
        if code != "401":
            fail(f"another user got {code} for {target}, not 401")
    if curl(port, "/login?token=" + "0" * 64, user="nobody") != "401":
        fail("a wrong login token was not refused")
    token = web_token(world)
    if curl(port, "/api/sessions", "-H", f"Authorization: Bearer {token}") != "200":
        fail("the Bearer token was refused")
    web = subprocess.run([world.hookctl, "web", "--no-open"], env=world.env, capture_output=True,
                         text=True, timeout=20)
    login = web.stdout.strip()
    if web.returncode != 0 or login != f"http://127.0.0.1:{port}/login?token={token}":
        fail(f"hookctl web printed {login!r} (exit {web.returncode}, {web.stderr!r})")
    answer = subprocess.run(["curl", "-s", "-i", login], capture_output=True,
                            timeout=20).stdout.decode()  # bytes: keep the \r\n
    head = answer.split("\r\n\r\n", 1)[0]
    cookie = [line for line in head.split("\r\n") if line.lower().startswith("set-cookie:")]
    if not head.startswith("HTTP/1.1 303") or "\r\nLocation: /" not in head or not cookie:
        fail(f"the login URL answered {head!r}")
    if "HttpOnly" not in cookie[0] or "SameSite=Strict" not in cookie[0]:
        fail(f"the cookie is {cookie[0]!r}")
    pair = cookie[0].split(":", 1)[1].strip().split(";", 1)[0]
    if curl(port, "/api/sessions", "-H", f"Cookie: {pair}") != "200":
        fail("the login cookie was refused")
    print(f"ok: nobody gets 401; hookctl web prints the login URL; it answers 303 with {cookie[0]!r}; "
          "the cookie and the Bearer token are let in")
    world.stop()


def case_web_flood(world, work):
    port = free_port()
    world.env["CCMETER_WEB_PORT"] = str(port)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))  # for this test's sockets
    limit = 160

    def limited():
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
    world.daemon = subprocess.Popen([world.ccmeterd, "serve"], env=world.env,
                                    stderr=open(world.log, "a"), preexec_fn=limited)
    wait_for(lambda: world.health_ok(), 10, "the daemon to answer")
    wait_for(lambda: "web view on" in read_log(world), 10, "the web view")
    headers = web_headers(world)
    streams, answers = [], {}
    for _ in range(300):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(web_request(port, "/api/events", headers))
        status = first_line(s)
        answers[status] = answers.get(status, 0) + 1
        streams.append(s)
    ok = answers.get("HTTP/1.1 200 OK", 0)
    if ok != 16:
        fail(f"event streams accepted: {answers}; expected 16 (the cap) with 200")
    idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(300)]
    started = time.monotonic()
    result = subprocess.run([world.hookctl, "stats", "--json"], env=world.env, capture_output=True,
                            text=True, timeout=20)
    seconds = time.monotonic() - started
    if result.returncode != 0 or seconds > 5:
        fail(f"hookctl stats with the web view flooded: exit {result.returncode} in {seconds:.1f} s: "
             f"{result.stderr}")
    for s in streams + idle:
        s.close()
    time.sleep(0.5)
    again = socket.create_connection(("127.0.0.1", port), timeout=5)
    again.sendall(web_request(port, "/api/events", headers))
    status = first_line(again)
    again.close()
    if status != "HTTP/1.1 200 OK":
        fail(f"a new event stream after the flood: {status!r}")
    log = read_log(world)
    if "connections open, the cap; refused one with 503" not in log or \
            "event streams open, the cap; refused one with 503" not in log:
        fail("the refused connections and streams were not logged")
    print(f"ok: 300 streams + 300 idle connections with {limit} descriptors: {answers}; hookctl stats "
          f"answered in {seconds * 1000:.0f} ms; a new stream works afterwards")
    world.stop()


def evil_transcript(world):
    """Appends a response whose cwd, session and model carry escape sequences."""
    transcript = first_transcript(world.config)
    record = assistant_template(transcript)
    record["cwd"] = "/home/dev/" + EVIL
    record["sessionId"] = "evil" + EVIL
    record["message"]["model"] = "claude-opus-4-6" + EVIL
    record["message"]["id"], record["requestId"], record["uuid"] = "msg_evil", "req_evil", "u_evil"
    with open(transcript, "a") as f:
        f.write(json.dumps(record) + "\n")
    world.hook({"session_id": "x", "transcript_path": transcript, "cwd": "/", "hook_event_name": "Stop"})
    wait_for(lambda: any(s.get("session_id", "").startswith("evil")
                         for s in world.hookctl_json("sessions")["sessions"]), 5, "the evil session")
    return transcript


EVIL = "\x1b]0;pwned\x07\x1b[2J"


def case_escapes(world, work):
    world.start()
    transcript = evil_transcript(world)
    for report in ("sessions", "projects", "models"):
        out = subprocess.run([world.hookctl, "stats", report], env=world.env, capture_output=True,
                             timeout=20).stdout
        at = max(out.find(b"\x1b"), out.find(b"\x07"))
        if at >= 0:
            fail(f"hookctl stats {report} printed a raw escape sequence: ...{out[at - 80:at + 40]!r}")
    payload = {"session_id": "evil" + EVIL, "transcript_path": transcript, "cwd": "/",
               "model": {"id": "claude-opus-4-6", "display_name": "Opus" + EVIL},
               "cost": {"total_cost_usd": 0.5}}
    line = world.statusline(payload)
    if "\x1b" in line.stdout or "\x07" in line.stdout:
        fail(f"the status line printed a raw escape sequence: {line.stdout!r}")
    print(f"ok: no raw escape in stats tables or the status line ({line.stdout.strip()!r})")
    world.stop()


def case_bad_utf8(world, work):
    world.start()
    transcript = first_transcript(world.config)
    payload = {"session_id": "s", "transcript_path": transcript, "cwd": "/",
               "model": {"id": "claude-opus-4-6", "display_name": "Opus"},
               "cost": {"total_cost_usd": 0.5}}
    raw = json.dumps(payload).encode().replace(b"Opus", b"Op\xffus")
    line = subprocess.run([world.hookctl, "statusline"], input=raw, env=world.env,
                          capture_output=True, timeout=10)
    if line.returncode != 0 or b"ccmeterd down" in line.stdout or line.stderr:
        fail(f"status line with an invalid UTF-8 byte: {line.stdout!r}, stderr {line.stderr!r}")
    if b"today $" not in line.stdout:
        fail(f"the status line lacks the daemon's figures: {line.stdout!r}")
    print(f"ok: a payload with an invalid UTF-8 byte -> {line.stdout.decode(errors='replace').strip()!r}")
    world.stop()



def count_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def doctor_json(world):
    result = subprocess.run([world.hookctl, "doctor", "--json"], env=world.env, capture_output=True,
                            text=True, timeout=20)
    return json.loads(result.stdout)


def reference_without(world, marker):
    """The reference count of the config dir without its lines that contain `marker` (lines
    the daemon must reject, which reference_count.py, counting every integer, would take)."""
    copy = tempfile.mkdtemp(prefix="ccmeter-fault-reference.")
    try:
        shutil.copytree(os.path.join(world.config, "projects"), os.path.join(copy, "projects"))
        for folder, _, names in os.walk(copy):
            for name in names:
                if name.endswith(".jsonl"):
                    path = os.path.join(folder, name)
                    with open(path, "rb") as f:
                        kept = [l for l in f if marker.encode() not in l]
                    with open(path, "wb") as f:
                        f.writelines(kept)
        return truth(world.shared, copy)
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def expect_truth(world, seconds, what, expected=None):
    """Waits until hookctl stats equals the reference count of the config dir (or `expected`):
    totals, each model's; returns the reference count."""
    expected = expected or truth(world.shared, world.config)

    def matches():
        models = world.hookctl_json("models")
        if not totals_match(models["totals"], expected["totals"], expected["unique_responses"]):
            return False
        return all(all(entry[k] == expected["by_model"][entry["model"]][k] for k in KEYS)
                   for entry in models["models"])
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if matches():
            return expected
        time.sleep(0.1)
    got = world.hookctl_json("models")["totals"]
    fail(f"after {seconds} s waiting for {what}: totals {got} != reference {expected['totals']} "
         f"({expected['unique_responses']} responses)")


class SmallHistory:
    """Small transcripts made from one fixture response: several projects and sessions, some
    with subagent files, responses over one or two lines (the first with a streaming placeholder
    output_tokens), turn starts. Their truth is reference_count.py's, never this class's."""
    MODELS = ("claude-opus-4-6", "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001")

    def __init__(self, config, seed):
        self.config = config
        self.rng = random.Random(seed)
        source = first_transcript(os.path.join(FIXTURE_HISTORY))
        self.base = assistant_template(source)
        self.base["message"]["content"] = [{"type": "text", "text": "ok"}]
        self.serial = 0
        self.files = []  # (path, session id, cwd, agent id or None)

    def add_files(self, count, projects=25, subagent_every=4):
        """About `count` transcripts: main sessions, and one subagent file every
        `subagent_every` sessions (in <session>/subagents/)."""
        made = 0
        while made < count:
            project = self.rng.randrange(projects)
            cwd = f"/home/dev/many/project-{project}"
            session = f"{self.rng.getrandbits(64):016x}-0000-4000-8000-{self.serial:012d}"
            self.serial += 1
            folder = os.path.join(self.config, "projects", cwd.replace("/", "-"))
            os.makedirs(folder, exist_ok=True)
            main = os.path.join(folder, session + ".jsonl")
            self.files.append((main, session, cwd, None))
            self.write(main, session, cwd, None, self.rng.randrange(1, 4))
            made += 1
            if made < count and self.serial % subagent_every == 0:
                agent = f"a{self.serial:016x}"
                sub = os.path.join(folder, session, "subagents", f"agent-{agent}.jsonl")
                os.makedirs(os.path.dirname(sub), exist_ok=True)
                with open(sub[:-len(".jsonl")] + ".meta.json", "w") as f:
                    json.dump({"agentType": "general-purpose", "description": "many"}, f)
                self.files.append((sub, session, cwd, agent))
                self.write(sub, session, cwd, agent, self.rng.randrange(1, 3))
                made += 1

    def lines(self, session, cwd, agent, responses):
        out = []
        for _ in range(responses):
            self.serial += 1
            out.append(json.dumps({"type": "user", "sessionId": session, "cwd": cwd,
                                   "isSidechain": agent is not None, "uuid": f"u-{self.serial}",
                                   "timestamp": self.timestamp(),
                                   "message": {"role": "user", "content": "go"}}) + "\n")
            record = json.loads(json.dumps(self.base))
            record.update(sessionId=session, cwd=cwd, isSidechain=agent is not None,
                          requestId=f"req_many_{self.serial}", timestamp=self.timestamp())
            if agent:
                record["agentId"] = agent
            record["message"].update(id=f"msg_many_{self.serial}", model=self.rng.choice(self.MODELS))
            record["message"]["usage"] = {
                "input_tokens": self.rng.randrange(1, 50), "output_tokens": self.rng.randrange(30, 3000),
                "cache_creation_input_tokens": 0, "cache_read_input_tokens": self.rng.randrange(0, 90000)}
            if self.rng.random() < 0.5:  # written over two lines, the first a placeholder
                first = json.loads(json.dumps(record))
                first["message"]["usage"]["output_tokens"] = 1
                first["uuid"] = f"u-{self.serial}-a"
                out.append(json.dumps(first, separators=(",", ":")) + "\n")
            record["uuid"] = f"u-{self.serial}-b"
            out.append(json.dumps(record, separators=(",", ":")) + "\n")
        return out

    def timestamp(self):
        day = 1 + self.rng.randrange(28)
        return f"2025-11-{day:02d}T{self.rng.randrange(24):02d}:{self.rng.randrange(60):02d}:00.000Z"

    def write(self, path, session, cwd, agent, responses):
        with open(path, "a") as f:
            f.write("".join(self.lines(session, cwd, agent, responses)))


FIXTURE_HISTORY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "history")


def wait_caught_up(world, seconds):
    wait_for(lambda: world.health_ok(), seconds, "the daemon to answer and catch up")


def case_many_files(world, work):
    # The transcripts on a tmpfs where there is one (/dev/shm): making and removing 10,000 files
    # on a busy disk took a minute here, which measured the disk, not the daemon.
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        fast = tempfile.mkdtemp(prefix="ccmeter-many-files.", dir="/dev/shm")
        try:
            shutil.move(world.config, os.path.join(fast, "claude"))
            world.config = world.env["CLAUDE_CONFIG_DIR"] = os.path.join(fast, "claude")
            many_files(world)
        finally:
            world.stop()
            shutil.rmtree(fast, ignore_errors=True)
    else:
        many_files(world)


def many_files(world):
    history = SmallHistory(world.config, seed=21)
    made = time.monotonic()
    history.add_files(10_000)
    count = sum(1 for _, _, fs in os.walk(world.config) for f in fs if f.endswith(".jsonl"))
    subagents = sum(1 for _, _, _, agent in history.files if agent)
    print(f"{count} transcripts ({subagents} subagent files) written in {time.monotonic() - made:.1f} s")
    started = time.monotonic()
    world.daemon = subprocess.Popen([world.ccmeterd, "serve"], env=world.env, stderr=open(world.log, "a"))
    pid = world.daemon.pid
    wait_caught_up(world, 120)
    backfill = time.monotonic() - started
    expected = expect_truth(world, 10, "the backfill of 10,000 transcripts")
    fds_before = count_fds(pid)
    health = doctor_json(world)
    if health["files"] < 10_000:
        fail(f"the daemon knows {health['files']} transcripts, not 10,000+")
    # New usage in 300 of them (main and subagent files), without hooks: the watcher sees it.
    for path, session, cwd, agent in history.rng.sample(history.files, 300):
        history.write(path, session, cwd, agent, 1)
    expected = expect_truth(world, 20, "usage appended to 300 of the 10,000 transcripts")
    time.sleep(1.0)
    fds_after = count_fds(pid)
    peak_mb = proc_status(pid, "VmHWM") / 1024
    if fds_after > fds_before + 2 or fds_after > 200:
        fail(f"descriptors: {fds_before} after the backfill, {fds_after} after the appends")
    if peak_mb > 100:
        fail(f"peak RSS {peak_mb:.0f} MB over 10,000 transcripts (bound: 100 MB)")
    print(f"ok: {count} transcripts backfilled in {backfill:.1f} s, totals equal the reference count "
          f"({expected['unique_responses']} responses); 300 appends counted; peak RSS {peak_mb:.0f} MB "
          f"(bound 100 MB); descriptors {fds_before} -> {fds_after}; {health['watches']} inotify watches")
    world.stop()


def can_unshare_user():
    return subprocess.run(["unshare", "-Ur", "true"], capture_output=True).returncode == 0


def root_inotify_usage():
    """(watches, instances) of inotify that processes of uid 0 hold now (from /proc/*/fdinfo)."""
    watches = instances = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.stat(f"/proc/{pid}").st_uid != 0:
                continue
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    if os.readlink(f"/proc/{pid}/fd/{fd}") != "anon_inode:inotify":
                        continue
                    instances += 1
                    with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                        watches += sum(1 for line in f if line.startswith("inotify wd:"))
                except OSError:
                    pass
        except OSError:
            pass
    return watches, instances


class InotifyLimits:
    """Starts ccmeterd serve with fewer inotify watches or instances than it needs.

    Preferably in a user namespace of its own (unshare -Ur): user.max_inotify_watches and
    _instances count per namespace, so the rest of the machine, tests running beside included,
    keeps its limits and nothing needs restoring. Where user namespaces are not allowed (some
    containers), as root: the system-wide fs.inotify.max_user_watches / max_user_instances are
    set to what uid 0 holds now plus what this case allows, and put back when it ends, even on
    failure (other root processes cannot add watches meanwhile: a few seconds)."""
    FILES = {"watches": ("/proc/sys/user/max_inotify_watches", "/proc/sys/fs/inotify/max_user_watches"),
             "instances": ("/proc/sys/user/max_inotify_instances", "/proc/sys/fs/inotify/max_user_instances")}

    def __init__(self, world):
        self.world = world
        # CCMETER_FAULT_INOTIFY=sysctl tries the system-wide way where namespaces work too.
        self.namespace = os.environ.get("CCMETER_FAULT_INOTIFY") != "sysctl" and can_unshare_user()
        self.saved = {}
        if not self.namespace and os.geteuid() != 0:
            fail("the inotify case lowers inotify limits: it needs user namespaces (unshare -Ur) or root")

    def sysctl(self, kind):
        return self.FILES[kind][0 if self.namespace else 1]

    def start(self, watches=None, instances=None):
        """Returns the limit's sysctl name and value as the daemon's log must state them."""
        limits = {k: v for k, v in (("watches", watches), ("instances", instances)) if v is not None}
        self.restore()
        if self.namespace:
            settings = "".join(f"echo {value} > {self.sysctl(kind)} && " for kind, value in limits.items())
            command = ["unshare", "-Ur", "sh", "-c", settings + 'exec "$0" serve', self.world.ccmeterd]
        else:
            held_watches, held_instances = root_inotify_usage()
            held = {"watches": held_watches, "instances": held_instances}
            for kind, value in limits.items():
                path = self.sysctl(kind)
                with open(path) as f:
                    self.saved.setdefault(path, f.read().strip())
                limits[kind] = held[kind] + value
                with open(path, "w") as f:
                    f.write(str(limits[kind]))
            command = [self.world.ccmeterd, "serve"]
        self.world.daemon = subprocess.Popen(command, env=self.world.env, stderr=open(self.world.log, "a"))
        wait_caught_up(self.world, 20)
        return {kind: self.sysctl(kind)[len("/proc/sys/"):].replace("/", ".") + f" = {value}"
                for kind, value in limits.items()}

    def restore(self):
        for path, value in self.saved.items():
            with open(path, "w") as f:
                f.write(value)
        self.saved = {}


def new_project_transcript(world, name, template):
    folder = os.path.join(world.config, "projects", name)
    os.makedirs(folder)
    path = os.path.join(folder, name + ".jsonl")
    with open(path, "w") as f:
        f.write(new_response(template, f"msg_{name}_0", f"req_{name}_0", 17))
    return path


def append(path, template, message_id, output_tokens):
    with open(path, "a") as f:
        f.write(new_response(template, message_id, "req_" + message_id, output_tokens))


def case_inotify(world, work):
    limiter = InotifyLimits(world)
    try:
        inotify_limits(world, limiter)
    finally:
        world.stop()
        limiter.restore()


def inotify_limits(world, limiter):
    template = assistant_template(first_transcript(world.config))
    projects = os.path.join(world.config, "projects")
    needed = 1 + sum(1 for _ in os.walk(projects))  # the config dir, projects/ and below
    # 1. The limit is reached while running: one spare watch, then new project folders, one at a
    # time, until one finds no watch left (the second one in a namespace of its own).
    stated = limiter.start(watches=needed + 1)["watches"]
    health = doctor_json(world)
    if health["watch_mode"] != "inotify" or health["watches"] < needed or health["watch_fallbacks"]:
        fail(f"with {needed + 1} watches allowed ({stated}): {health}")
    folders = []
    while doctor_json(world)["watch_mode"] == "inotify" and len(folders) < 30:
        folders.append(new_project_transcript(world, f"new-{len(folders)}", template))
        time.sleep(0.1)
    wait_for(lambda: doctor_json(world)["watch_mode"] == "poll", 10, "the daemon to fall back to polling")
    if limiter.namespace and len(folders) != 2:
        fail(f"with one spare watch the daemon fell back after {len(folders)} new folders, not 2")
    health = doctor_json(world)
    log = read_log(world)
    line = [entry for entry in log.splitlines() if "inotify cannot be used" in entry]
    if len(line) != 1 or stated not in line[0] or "polling every 2000 ms" not in line[0]:
        fail(f"the fallback was not logged once, naming {stated!r}: {line}")
    if health["watch_fallbacks"] != 1 or "watch limit" not in health["watch_problem"] or health["watches"]:
        fail(f"doctor --json after the fallback: {health}")
    doctor = subprocess.run([world.hookctl, "doctor"], env=world.env, capture_output=True, text=True)
    if "warning:   polling, not inotify: the inotify watch limit" not in doctor.stdout:
        fail(f"hookctl doctor does not say it polls: {doctor.stdout}")
    expect_truth(world, 5, "the transcripts in the new folders")
    # Usage after the fallback, in the folder that was never watched, a watched one and a new
    # one: within the poll interval (2 s) and some slack.
    started = time.monotonic()
    append(folders[-1], template, "msg_unwatched_1", 23)
    append(folders[0], template, "msg_watched_1", 29)
    later = new_project_transcript(world, "later", template)
    expect_truth(world, 5, "usage after the fallback to polling")
    seen_after = time.monotonic() - started
    code = world.stop()
    if code != 0:
        fail(f"SIGTERM while polling: exit {code}")
    # 2. Too few watches at start: polling from the start, said so.
    limiter.start(watches=1)
    health = doctor_json(world)
    if health["watch_mode"] != "poll" or health["watch_fallbacks"] != 1:
        fail(f"with 1 watch allowed at start: {health}")
    append(later, template, "msg_later_1", 31)
    expect_truth(world, 5, "usage while polling from the start")
    world.stop()
    # 3. No inotify instance left at all.
    stated = limiter.start(instances=0)["instances"]
    health = doctor_json(world)
    if health["watch_mode"] != "poll" or "no inotify instance left" not in health["watch_problem"] or \
            stated not in health["watch_problem"]:
        fail(f"with no inotify instance ({stated}): {health}")
    append(later, template, "msg_later_2", 37)
    expected = expect_truth(world, 5, "usage without any inotify instance")
    world.stop()
    print(f"ok ({'own user namespace' if limiter.namespace else 'system-wide sysctl, restored'}): watch "
          f"limit reached at run time at new folder {len(folders)} -> logged once, doctor says poll, "
          f"later usage (an unwatched folder too) counted {seen_after:.1f} s after it was written; limit "
          f"at start, and no instance ({health['watch_problem']!r}): polling, usage counted; totals "
          f"equal the reference count ({expected['unique_responses']} responses)")


def case_sigkill_append(world, work):
    rng = random.Random(5)
    history = SmallHistory(world.config, seed=33)
    history.add_files(40, projects=4)
    live = rng.sample(history.files, 12)
    stop = threading.Event()
    written = {"responses": 0, "partial_pauses": 0, "hooks": 0}

    def writer():
        # Responses appended to live transcripts, each line often in two writes with a pause
        # between (the daemon may read half a line), now and then announced by a Stop hook.
        while not stop.is_set():
            path, session, cwd, agent = rng.choice(live)
            with open(path, "a") as f:
                for line in history.lines(session, cwd, agent, 1):
                    if rng.random() < 0.4:
                        cut = rng.randrange(1, len(line) - 1)
                        f.write(line[:cut])
                        f.flush()
                        written["partial_pauses"] += 1
                        time.sleep(rng.uniform(0, 0.03))
                        line = line[cut:]
                    f.write(line)
                    f.flush()
            written["responses"] += 1
            if rng.random() < 0.2:
                world.hook({"session_id": session, "transcript_path": path, "cwd": cwd,
                            "hook_event_name": "Stop"})
                written["hooks"] += 1
            time.sleep(rng.uniform(0, 0.01))
    thread = threading.Thread(target=writer)
    thread.start()
    kills = 0
    try:
        for _ in range(20):
            daemon = subprocess.Popen([world.ccmeterd, "serve"], env=world.env, stderr=open(world.log, "a"))
            time.sleep(rng.uniform(0.05, 1.0))
            daemon.send_signal(signal.SIGKILL)
            daemon.wait()
            kills += 1
    finally:
        stop.set()
        thread.join()
    # The last response of one live transcript is left half written, as the client leaves it.
    path, session, cwd, agent = live[0]
    pending = "".join(history.lines(session, cwd, agent, 1))
    with open(path, "a") as f:
        f.write(pending[:len(pending) // 2])
    world.start()
    expected = expect_truth(world, 20, f"the totals after {kills} SIGKILLs during appends")
    with open(path, "a") as f:
        f.write(pending[len(pending) // 2:])
    world.hook({"session_id": session, "transcript_path": path, "cwd": cwd, "hook_event_name": "Stop"})
    final = expect_truth(world, 10, "the half-written response once finished")
    if final["unique_responses"] != expected["unique_responses"] + 1:
        fail("the finished half line did not add exactly one response")
    world.stop()
    db = world.env["CCMETER_DB"]
    check = sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0]
    if check != "ok":
        fail(f"integrity_check after the kills: {check}")
    print(f"ok: {kills} SIGKILLs of ccmeterd serve while {written['responses']} responses were appended "
          f"({written['partial_pauses']} lines written in two parts, {written['hooks']} Stop hooks); "
          f"after a restart the totals and each model's equal the reference count "
          f"({final['unique_responses']} responses), a half-written line counted once finished; "
          f"integrity_check ok")


def as_nobody(command, env, **kwargs):
    return subprocess.run(["runuser", "-u", "nobody", "--"] + command, env=env, capture_output=True,
                          text=True, timeout=20, **kwargs)


def system_python():
    """A Python that another user may run (this one may live under /root)."""
    for candidate in (sys.executable, "/usr/bin/python3", "/usr/local/bin/python3"):
        if os.path.exists(candidate) and subprocess.run(
                ["runuser", "-u", "nobody", "--", candidate, "-c", "pass"], capture_output=True).returncode == 0:
            return candidate
    fail("no Python that user nobody can run")


def curl_body(port, target, *options, user=None):
    """(status, body) of one request, as `user` if given."""
    command = ["curl", "-s", "-m", "5", "-w", "\n%{http_code}", *options, f"http://127.0.0.1:{port}{target}"]
    if user:
        command = ["runuser", "-u", user, "--"] + command
    out = subprocess.run(command, capture_output=True, text=True, timeout=20).stdout
    body, _, code = out.rpartition("\n")
    return code, body


def case_other_uid(world, work):
    if os.geteuid() != 0:
        fail("the other_uid case runs commands as another user (runuser -u nobody) and needs root")
    # Only the modes ccmeterd itself sets may protect what it makes: every directory above is open.
    os.chmod(work, 0o755)
    port = start_with_web(world)
    for folder in (os.path.dirname(world.runtime), os.path.dirname(world.env["CCMETER_DB"]),
                   world.env["XDG_CONFIG_HOME"]):
        parent = os.path.dirname(folder)
        while parent.startswith(work):
            os.chmod(parent, 0o755)
            parent = os.path.dirname(parent)
    session = assistant_template(first_transcript(world.config))["sessionId"]
    secrets = [session, web_token(world)]
    own = world.hookctl_json("summary")
    # The gRPC socket: hookctl as nobody cannot reach the daemon; a raw connect is refused.
    # nobody runs a copy of hookctl in the (now open) work dir: the build tree may sit in a
    # directory only its owner can enter (a fresh clone in a mkdtemp dir).
    hookctl = os.path.join(work, "hookctl-for-nobody")
    shutil.copy(world.hookctl, hookctl)
    os.chmod(hookctl, 0o755)
    python = system_python()
    stats = as_nobody([hookctl, "stats", "--json"], world.env)
    if stats.returncode == 0 or '"totals"' in stats.stdout or "ccmeterd" not in stats.stderr:
        fail(f"hookctl stats as nobody: exit {stats.returncode}, {stats.stdout[:300]!r} {stats.stderr!r}")
    line = as_nobody([hookctl, "statusline"], world.env,
                     input=json.dumps({"session_id": session, "cwd": "/", "cost": {"total_cost_usd": 0.5}}))
    if "ccmeterd down" not in line.stdout or "today $" in line.stdout:
        fail(f"the status line as nobody: {line.stdout!r}")
    sock = os.path.join(world.runtime, "ccmeterd.sock")
    probe = as_nobody([python, "-c", "import socket, sys\n"
                       "s = socket.socket(socket.AF_UNIX)\n"
                       "try:\n    s.connect(sys.argv[1])\nexcept OSError as e:\n    print(type(e).__name__)\n"
                       "else:\n    print('connected')", sock], world.env)
    if probe.stdout.strip() != "PermissionError":
        fail(f"nobody connecting to {sock}: {probe.stdout.strip()} {probe.stderr.strip()}")
    # The database and its -wal / -shm: not readable, not openable by SQLite.
    db = world.env["CCMETER_DB"]
    files = [db] + [db + suffix for suffix in ("-wal", "-shm") if os.path.exists(db + suffix)]
    for path in files:
        opened = as_nobody([python, "-c", "import sys\ntry:\n    open(sys.argv[1], 'rb').read(1)\n"
                            "except OSError as e:\n    print(type(e).__name__)\nelse:\n    print('read')",
                            path], world.env)
        if opened.stdout.strip() != "PermissionError":
            fail(f"nobody reading {path}: {opened.stdout.strip()} {opened.stderr.strip()}")
    query = as_nobody([python, "-c", "import sqlite3, sys\n"
                       "try:\n    print(sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)"
                       ".execute('SELECT count(*) FROM responses').fetchone()[0])\n"
                       "except sqlite3.Error as e:\n    print('refused:', e)", db], world.env)
    if not query.stdout.startswith("refused:"):
        fail(f"nobody querying the database: {query.stdout.strip()} {query.stderr.strip()}")
    # Token files.
    tokens = [os.path.join(world.runtime, "web.token")]
    tokens += [os.path.join(d, f) for d, _, fs in os.walk(world.env["XDG_CONFIG_HOME"]) for f in fs
               if "token" in f]
    for path in tokens:
        read = as_nobody(["cat", path], world.env)
        if read.returncode == 0 or read.stdout:
            fail(f"nobody read {path}")
    # Every HTTP endpoint of ours: 401, and nothing of the user's in the answer.
    targets = ["/", "/index.html", "/app.js", "/app.css", "/favicon.svg", "/api/meta", "/api/summary",
               "/api/daily", "/api/daily?days=all", "/api/heatmap", "/api/sessions", f"/api/session/{session}",
               "/api/projects", "/api/models", "/api/blocks?hours=all", "/api/active", "/api/events", "/metrics",
               "/api/no-such-endpoint", "/no-such-page", "/login", "/login?token=" + "0" * 64]
    answers = {}
    for target in targets:
        for method in ("GET", "HEAD", "POST"):
            options = ["-X", method] if method != "HEAD" else ["-I"]
            code, body = curl_body(port, target, *options, user="nobody")
            answers[code] = answers.get(code, 0) + 1
            if code != "401" or any(secret in body for secret in secrets):
                fail(f"nobody {method} {target}: {code} {body[:200]!r}")
    otlp = json.dumps({"resourceLogs": []})
    for target in ("/v1/logs", "/v1/metrics"):
        for headers in ([], ["-H", "Authorization: Bearer " + "0" * 64], ["-H", f"Authorization: Bearer {secrets[1]}x"]):
            code, body = curl_body(port, target, "-X", "POST", "-H", "Content-Type: application/json",
                                   "--data", otlp, *headers, user="nobody")
            if code != "401" or any(secret in body for secret in secrets):
                fail(f"nobody POST {target} {headers}: {code} {body[:200]!r}")
    rejected = doctor_json(world)["telemetry"]["bodies_rejected"]
    if rejected != 6:
        fail(f"the receiver counted {rejected} rejected bodies, not the 6 POSTs of nobody")
    after = world.hookctl_json("summary")
    if after != own:
        fail("what nobody sent changed the owner's figures")
    print(f"ok: as nobody: hookctl stats fails and the status line says 'ccmeterd down' (socket "
          f"refused: {probe.stdout.strip()}); the database ({len(files)} files) and {len(tokens)} token "
          f"files cannot be read; {sum(answers.values())} requests to {len(targets)} web paths and 6 OTLP "
          f"POSTs all 401 with nothing of the user's in the answers (the receiver counts 6 rejected "
          f"bodies); the owner's figures unchanged")
    world.stop()


def usage_line(template, message_id, usage_text, model=None, session=None):
    """A response line whose usage object is `usage_text`, raw JSON (so that 1e30, -5 or
    9223372036854775808 reach the daemon exactly as written)."""
    record = json.loads(json.dumps(template))
    record["message"]["id"], record["requestId"], record["uuid"] = message_id, "req_" + message_id, "u_" + message_id
    if model:
        record["message"]["model"] = model
    if session:
        record["sessionId"] = session
    record["message"]["usage"] = "@USAGE@"
    text = json.dumps(record, separators=(",", ":"))
    return text.replace('"@USAGE@"', usage_text) + "\n"


def case_token_extremes(world, work):
    world.start()
    transcript = first_transcript(world.config)
    template = assistant_template(transcript)
    baseline = expect_truth(world, 5, "the fixture history")
    malformed_before = doctor_json(world)["malformed_lines"]
    bad = {
        "input 2^63": '{"input_tokens":9223372036854775808,"output_tokens":5}',
        "output 2^64+5": '{"input_tokens":1,"output_tokens":18446744073709551621}',
        "output int64 max, row 1": '{"input_tokens":1,"output_tokens":9223372036854775807}',
        "output int64 max, row 2": '{"input_tokens":1,"output_tokens":9223372036854775807}',
        "cache read 1e30": '{"input_tokens":1,"output_tokens":5,"cache_read_input_tokens":1e30}',
        "output -5": '{"input_tokens":1,"output_tokens":-5}',
        "output 4e14 (integer)": '{"input_tokens":1,"output_tokens":400000000000000}',
        "output 4e14 (double)": '{"input_tokens":1,"output_tokens":4e14}',
        "input 1.5": '{"input_tokens":1.5,"output_tokens":5}',
        "1h write 2^63": '{"input_tokens":1,"output_tokens":5,"cache_creation_input_tokens":5,'
                         '"cache_creation":{"ephemeral_1h_input_tokens":9223372036854775808}}',
        "web searches 10^7": '{"input_tokens":1,"output_tokens":5,"server_tool_use":{"web_search_requests":10000000}}',
    }
    with open(transcript, "a") as f:
        for i, usage in enumerate(bad.values()):
            f.write(usage_line(template, f"msg_extreme_{i}", usage))
    world.hook({"session_id": "x", "transcript_path": transcript, "cwd": "/", "hook_event_name": "Stop"})
    wait_for(lambda: doctor_json(world)["malformed_lines"] == malformed_before + len(bad), 5,
             f"{len(bad)} out-of-range responses to be counted in doctor --json's malformed_lines")
    models = world.hookctl_json("models")
    if not totals_match(models["totals"], baseline["totals"], baseline["unique_responses"]):
        fail(f"out-of-range responses changed the totals: {models['totals']} != {baseline['totals']}")
    logged = [l for l in read_log(world).splitlines() if "impossible token count" in l]
    if len(logged) != 1 or transcript not in logged[0]:
        fail(f"expected one log line for the file's impossible token counts: {logged}")
    # At the edge of the range: 10^9 - 1 in every field is counted, and 200 such responses of
    # the dearest model in fast mode cost more than int64 pico-dollars hold ($9.2 million).
    folder = os.path.join(world.config, "projects", "-extremes")
    os.makedirs(folder)
    edge = os.path.join(folder, "edge.jsonl")
    big = 999_999_999
    one = (f'{{"input_tokens":{big},"output_tokens":{big},"cache_creation_input_tokens":{big},'
           f'"cache_read_input_tokens":{big},"cache_creation":{{"ephemeral_5m_input_tokens":0,'
           f'"ephemeral_1h_input_tokens":{big}}},"speed":"fast"}}')
    with open(edge, "w") as f:
        for i in range(200):
            f.write(usage_line(template, f"msg_edge_{i}", one, model="claude-opus-4-1-20250805",
                               session="edge-session"))
    world.hook({"session_id": "edge-session", "transcript_path": edge, "cwd": "/", "hook_event_name": "Stop"})
    expected = expect_truth(world, 10, "200 responses of 10^9 - 1 tokens per field",
                            reference_without(world, "msg_extreme_"))
    reports = {}
    for report in ("summary", "daily", "weekly", "monthly", "sessions", "projects", "models", "blocks"):
        for flags in (["--json"], []):
            result = subprocess.run([world.hookctl, "stats", report, *flags], env=world.env,
                                    capture_output=True, text=True, timeout=60)
            if result.returncode != 0:
                fail(f"hookctl stats {report} {' '.join(flags)}: exit {result.returncode}: {result.stderr}")
            if flags:
                reports[report] = json.loads(result.stdout)
            elif "-$" in result.stdout or "$-" in result.stdout:
                fail(f"hookctl stats {report} prints a negative cost: {result.stdout[:400]}")
    session_totals = world.hookctl_json("session", "edge-session")["totals"]
    if session_totals["cost_usd"] < 9_000_000 or not session_totals.get("cost_saturated"):
        fail(f"200 responses of 10^9 tokens per field (opus 4.1, fast): {session_totals}; expected a "
             "cost saturated at the int64 bound and flagged, never wrapped")
    models = reports["models"]
    if models["totals"]["cost_usd"] < 9_000_000 or not models["totals"].get("cost_saturated"):
        fail(f"all-time totals with a saturated cost: {models['totals']}")
    line = world.statusline({"session_id": "edge-session", "transcript_path": edge, "cwd": "/",
                             "model": {"id": "claude-opus-4-1", "display_name": "Opus"},
                             "cost": {"total_cost_usd": 1.0}})
    if line.returncode != 0 or "session >$9,223,372.04" not in line.stdout:
        fail(f"the status line of the saturated session: {line.stdout!r}")
    table = subprocess.run([world.hookctl, "stats", "models"], env=world.env, capture_output=True,
                           text=True, timeout=60).stdout
    if ">$9,223,372.04" not in table:
        fail(f"hookctl stats models does not flag the saturated cost: {table}")
    print(f"ok: {len(bad)} responses with token fields 2^63, 2^64+5, int64 max (twice), 1e30, -5, 4e14, "
          f"1.5 and 10^7 web searches rejected, counted in malformed_lines and logged once; totals "
          f"unchanged; 200 responses of 10^9-1 per field counted exactly "
          f"({expected['totals']['output_tokens']} output tokens), their cost saturates and is flagged "
          f"({session_totals['cost_usd']}); every all-time report answers; status line {line.stdout.strip()!r}")
    world.stop()


def main():
    cases = {name[len("case_"):]: case for name, case in globals().items()
             if name.startswith("case_")}
    parser = argparse.ArgumentParser()
    parser.add_argument("--hookctl", required=True)
    parser.add_argument("--ccmeterd", required=True)
    parser.add_argument("--shared", required=True)
    parser.add_argument("--case", required=True, choices=sorted(cases))
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="ccmeter-fault-test.")
    world = World(args, work)
    try:
        cases[args.case](world, work)
    finally:
        world.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
