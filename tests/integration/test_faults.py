#!/usr/bin/env python3
"""Hostile inputs and faults against a running ccmeterd serve (issue 9), one case per run.

  fifo       a FIFO named *.jsonl in projects/ and announced by a hook: refused and logged, never
             opened blocking; later usage is still counted and SIGTERM still stops the daemon.
"""
import argparse
import json
import os
import shutil
import signal
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
