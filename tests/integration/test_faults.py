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
"""
import argparse
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_daemon import (World, assistant_template, fail, new_response, totals_match,  # noqa: E402
                         truth, wait_for)


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
        with open(filler, "wb") as f:  # fill the disk
            try:
                while True:
                    f.write(b"\xff" * 65536)
                    f.flush()
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
    record = json.loads(assistant_template(transcript))
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
