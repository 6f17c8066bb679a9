#!/usr/bin/env python3
"""SIGKILL `ccmeterd ingest` at random moments, resume on the same database, and the totals
(and every session's) still equal the reference count; SQLite's integrity check passes.

    test_crash_safety.py --ccmeterd BIN [--kills 20] [--seed 7] [--size 40M] [--shared DIR]

The history comes from tests/tools/gen_history.py, the expected numbers from
tests/tools/reference_count.py (and must equal the generator's ground_truth.json); with the
developers' ../shared present (--shared), ../shared/corpus/truth.py must agree on the totals too.
"""
import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

from helpers import fail

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(HERE, "..", "tools")
KEYS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
        "cache_5m", "cache_1h")


def verify(argv, db, truth):
    result = json.loads(subprocess.run(argv + ["--db", db, "--by", "session"], check=True,
                                       capture_output=True, text=True).stdout)
    for key in KEYS:
        if result["totals"][key] != truth["totals"][key]:
            fail(f"after kills: {key} = {result['totals'][key]}, expected {truth['totals'][key]}")
    if result["totals"]["unique_responses"] != truth["unique_responses"]:
        fail("unique_responses differ after kills")
    for session, expected in truth["by_session"].items():
        for key in KEYS:
            if result["by_session"][session][key] != expected[key]:
                fail(f"session {session}: {key} differs after kills")
    check = sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0]
    if check != "ok":
        fail(f"integrity_check: {check}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ccmeterd", required=True)
    parser.add_argument("--shared", help="../shared, for an extra cross-check when it exists")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--size", default="40M")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"seed {args.seed}, {args.kills} kills, corpus {args.size}")
    work = tempfile.mkdtemp(prefix="ccmeter-crash.")
    try:
        config = os.path.join(work, "corpus")
        subprocess.run([sys.executable, os.path.join(TOOLS, "gen_history.py"), "--out", config,
                        "--size", args.size, "--sessions", "30", "--seed", "11"], check=True,
                       stdout=subprocess.DEVNULL)
        truth = json.loads(subprocess.run([sys.executable, os.path.join(TOOLS, "reference_count.py"), config],
                                          check=True, capture_output=True, text=True).stdout)
        ground = json.load(open(os.path.join(config, "ground_truth.json")))
        if any(truth["totals"][k] != ground["totals"][k] for k in KEYS) or \
                truth["unique_responses"] != ground["unique_responses"] or truth["by_session"] != ground["by_session"]:
            fail("reference_count.py and the generator's ground_truth.json disagree")
        if args.shared and os.path.isfile(os.path.join(args.shared, "corpus", "truth.py")):
            theirs = json.loads(subprocess.run([sys.executable, os.path.join(args.shared, "corpus", "truth.py"), config],
                                               check=True, capture_output=True, text=True).stdout)
            if any(theirs["totals"][k] != truth["totals"][k] for k in KEYS):
                fail("../shared/corpus/truth.py disagrees with reference_count.py")
            print("ok: ../shared/corpus/truth.py agrees with reference_count.py on the totals")
        # Small batches: many commits per run, so kills land between and inside commits.
        argv = [args.ccmeterd, "ingest", "--config-dir", config, "--json", "--quiet",
                "--batch-lines", "300"]
        # How long a whole ingest takes, to aim the kills inside it.
        start = time.monotonic()
        subprocess.run(argv + ["--db", os.path.join(work, "timing.db")], check=True, stdout=subprocess.DEVNULL)
        full = time.monotonic() - start
        # Chains of runs on one database, each run killed at a random moment, until a run
        # finishes; then every total is checked and a new chain starts on a fresh database.
        killed = partial = chains = attempts = 0
        while (killed < args.kills or partial < 3) and attempts < args.kills * 6:
            chains += 1
            db = os.path.join(work, f"chain{chains}.db")
            while attempts < args.kills * 6:
                attempts += 1
                process = subprocess.Popen(argv + ["--db", db], stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL)
                time.sleep(rng.uniform(0, full))
                if process.poll() is not None:
                    process.wait()
                    break  # finished: the chain is complete
                process.send_signal(signal.SIGKILL)
                process.wait()
                killed += 1
                count = 0
                if os.path.exists(db):
                    connection = sqlite3.connect(db)
                    try:
                        count = connection.execute("SELECT count(*) FROM responses").fetchone()[0]
                    except sqlite3.OperationalError:
                        pass  # killed before the schema existed
                    connection.close()
                if 0 < count < truth["unique_responses"]:
                    partial += 1
            verify(argv, db, truth)
        print(f"ok: {killed} runs killed mid-ingest ({partial} after committing part of the history) "
              f"in {chains} chains; every chain resumed to totals and sessions equal to the reference count "
              f"(full ingest {full:.2f} s)")
        if killed < args.kills or partial < 3:
            fail(f"only {killed} kills ({partial} between commits) in {attempts} attempts")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
