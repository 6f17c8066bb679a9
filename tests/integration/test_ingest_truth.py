#!/usr/bin/env python3
"""`ccmeterd ingest --json` against truth.py, every field, by model, UTC day and session.

    test_ingest_truth.py --ccmeterd BIN --shared DIR --case real|gen-SEED-FRAC[-split8|-noprogress|-modern]

real: ../shared/corpus/real. gen-*: a corpus from gen_corpus.py (8 MB), also checked against
its own ground_truth.json. A second run on the same database with nothing new must change
nothing, and --by model/day/session must each equal truth.py's breakdown.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

KEYS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
        "cache_5m", "cache_1h")
GROUPS = {"model": ("by_model", "by_model", "by_model_final"),
          "day": ("by_day_utc", "by_day_utc", "by_date_utc_final"),
          "session": ("by_session", "by_session", "by_session_final")}


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def ingest(ccmeterd, config, db, by=None):
    argv = [ccmeterd, "ingest", "--config-dir", config, "--db", db, "--json", "--quiet"]
    if by:
        argv += ["--by", by]
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"{' '.join(argv)}: exit {result.returncode}: {result.stderr}")
    return json.loads(result.stdout)


def compare(label, ours, theirs, rename=None):
    for key in KEYS:
        their_key = (rename or {}).get(key, key)
        if ours.get(key) != theirs.get(their_key):
            fail(f"{label}: {key} = {ours.get(key)}, expected {theirs.get(their_key)}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ccmeterd", required=True)
    parser.add_argument("--shared", required=True)
    parser.add_argument("--case", required=True)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="ccmeter-truth.")
    try:
        ground = None
        if args.case == "real":
            config = os.path.join(args.shared, "corpus", "real")
        else:
            parts = args.case.split("-")
            seed, frac = parts[1], parts[2]
            config = os.path.join(work, "corpus")
            gen = [sys.executable, os.path.join(args.shared, "corpus", "gen_corpus.py"), "--out", config,
                   "--size", "8M", "--sessions", "12", "--seed", seed, "--placeholder-frac", frac,
                   "--end-date", "2025-12-15T00:00:00"]
            if "split8" in parts:
                gen += ["--max-split", "8", "--split-frac", "0.7"]
            if "noprogress" in parts:
                gen += ["--no-agent-progress"]
            if "modern" in parts:  # the current client: 30-60 KB non-assistant lines
                gen += ["--modern"]
            subprocess.run(gen, check=True, stdout=subprocess.DEVNULL)
            ground = json.load(open(os.path.join(config, "ground_truth.json")))
        truth = json.loads(subprocess.run([sys.executable, os.path.join(args.shared, "corpus", "truth.py"), config],
                                          check=True, capture_output=True, text=True).stdout)
        db = os.path.join(work, "usage.db")
        first = ingest(args.ccmeterd, config, db, "model")
        compare("totals", first["totals"], truth["totals"])
        if first["totals"]["unique_responses"] != truth["unique_responses"]:
            fail(f"unique_responses {first['totals']['unique_responses']} != {truth['unique_responses']}")
        # The modern corpus uses the current client's models, which the price table may not know
        # yet; its token totals must still be exact.
        unpriced_ok = "modern" in args.case
        if first["totals"]["malformed_lines"] != 0 or (first["totals"]["unpriced_responses"] != 0
                                                       and not unpriced_ok):
            fail(f"unexpected malformed/unpriced: {first['totals']}")
        if ground:
            rename = {"cache_5m": "ephemeral_5m_input_tokens", "cache_1h": "ephemeral_1h_input_tokens"}
            compare("ground_truth final", first["totals"], ground["final"], rename)
            if first["totals"]["unique_responses"] != ground["unique_messages"]:
                fail("unique_responses != ground_truth unique_messages")
        for by, (our_key, truth_key, ground_key) in GROUPS.items():
            result = ingest(args.ccmeterd, config, db, by)  # nothing new: must change nothing
            if result["ingest"]["bytes_read"] != 0:
                fail(f"second run read {result['ingest']['bytes_read']} bytes")
            compare(f"totals after re-run (--by {by})", result["totals"], truth["totals"])
            ours, theirs = result[our_key], truth[truth_key]
            if set(ours) != set(theirs):
                fail(f"--by {by}: keys differ: {sorted(set(ours) ^ set(theirs))[:5]}")
            for key in theirs:
                compare(f"--by {by} {key}", ours[key], theirs[key])
            if ground:
                for key, expected in ground[ground_key].items():
                    compare(f"ground_truth {ground_key} {key}", ours[key], expected, rename)
            print(f"ok: --by {by}: {len(ours)} groups equal truth.py" + (" and ground_truth.json" if ground else ""))
        print(f"ok: {args.case}: {truth['unique_responses']} responses, every token field equals truth.py")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
