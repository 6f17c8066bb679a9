#!/usr/bin/env python3
"""`ccmeterd ingest --json` against the reference count, every field, by model, UTC day and session.

    test_ingest_truth.py --ccmeterd BIN --case CASE [--shared DIR]

CASE  real                       tests/fixtures/history (a committed history)
      gen-SEED-FRAC[-FLAG...]    an 8 MB history from tests/tools/gen_history.py --seed SEED
                                 --placeholder-frac FRAC; FLAGs: split8 (up to 8 lines per
                                 response, most responses split), noprogress (no agent_progress
                                 copies), partial (a half-written last line), modern (the
                                 current client's shape and models)

The numbers must equal tests/tools/reference_count.py's, and for gen-* also the generator's
ground_truth.json: totals, unique responses, no malformed or unpriced response (the 5.5 models'
prices are the built-in table's: no price file), and a second run on
the same database with nothing new reads nothing and changes nothing.

With --shared DIR present (the developers' ../shared), it also checks, as extra assertions:
real: ../shared/corpus/real the same way against ../shared/corpus/truth.py; gen-*: that
truth.py agrees with the reference count on the generated history; modern: a history from
../shared/corpus/gen_corpus.py --modern against truth.py. Without it those are not run.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

from helpers import fail

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(HERE, "..", "tools")
FIXTURES = os.path.join(HERE, "..", "fixtures")
KEYS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
        "cache_5m", "cache_1h")
GROUPS = {"model": "by_model", "day": "by_day_utc", "session": "by_session"}


def run_json(argv, env=None):
    result = subprocess.run(argv, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        fail(f"{' '.join(argv)}: exit {result.returncode}: {result.stderr[-2000:]}")
    return json.loads(result.stdout)


def reference(config):
    return run_json([sys.executable, os.path.join(TOOLS, "reference_count.py"), config])


def ingest(ccmeterd, config, db, by):
    env = dict(os.environ, CCMETER_PRICES=os.path.join(FIXTURES, "no-such-prices.json"))
    return run_json([ccmeterd, "ingest", "--config-dir", config, "--db", db, "--json", "--quiet", "--by", by], env)


def compare(label, ours, theirs):
    for key in KEYS:
        if ours.get(key) != theirs.get(key):
            fail(f"{label}: {key} = {ours.get(key)}, expected {theirs.get(key)}")


def compare_groups(label, ours, theirs):
    if set(ours) != set(theirs):
        fail(f"{label}: groups differ: {sorted(set(ours) ^ set(theirs))[:5]}")
    for key in theirs:
        compare(f"{label} {key}", ours[key], theirs[key])


def check_ingest(ccmeterd, config, db, expected, name):
    """ccmeterd ingest on config equals every expected report (name -> reference-shaped JSON)."""
    first = ingest(ccmeterd, config, db, "model")
    for source, want in expected.items():
        compare(f"totals vs {source}", first["totals"], want["totals"])
        if first["totals"]["unique_responses"] != want["unique_responses"]:
            fail(f"unique_responses {first['totals']['unique_responses']} != {source}'s {want['unique_responses']}")
    if first["totals"]["malformed_lines"] != 0 or first["totals"]["unpriced_responses"] != 0:
        fail(f"unexpected malformed/unpriced: {first['totals']}")
    if first["ingest"]["bytes_read"] == 0:
        fail("the first run read nothing")
    for by, key in GROUPS.items():
        result = ingest(ccmeterd, config, db, by)  # nothing new: must change nothing
        if result["ingest"]["bytes_read"] != 0:
            fail(f"second run read {result['ingest']['bytes_read']} bytes")
        for source, want in expected.items():
            compare(f"totals after re-run (--by {by}) vs {source}", result["totals"], want["totals"])
            compare_groups(f"--by {by} vs {source}", result[key], want[key])
        print(f"ok: {name}: --by {by}: {len(result[key])} groups equal {' and '.join(expected)}")
    print(f"ok: {name}: {first['totals']['unique_responses']} responses, {first['totals']['output_tokens']} output "
          f"tokens, every token field equals {' and '.join(expected)}")


def generate(config, seed, frac, flags):
    argv = [sys.executable, os.path.join(TOOLS, "gen_history.py"), "--out", config, "--size", "8M",
            "--sessions", "12", "--seed", seed, "--placeholder-frac", frac, "--end-date", "2025-12-15T00:00:00"]
    if "split8" in flags:
        argv += ["--max-split", "8", "--split-frac", "0.9"]
    if "noprogress" in flags:
        argv += ["--no-agent-progress"]
    if "partial" in flags:
        argv += ["--partial-last-line"]
    if "modern" in flags:
        argv += ["--modern"]
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return json.load(open(os.path.join(config, "ground_truth.json")))


def shared_truth(shared, config):
    return run_json([sys.executable, os.path.join(shared, "corpus", "truth.py"), config])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ccmeterd", required=True)
    parser.add_argument("--case", required=True)
    parser.add_argument("--shared", help="../shared, for extra cross-checks when it exists")
    args = parser.parse_args()
    shared = args.shared if args.shared and os.path.isfile(os.path.join(args.shared, "corpus", "truth.py")) else None
    work = tempfile.mkdtemp(prefix="ccmeter-truth.")
    try:
        if args.case == "real":
            config = os.path.join(FIXTURES, "history")
            check_ingest(args.ccmeterd, config, os.path.join(work, "usage.db"), {"reference_count.py": reference(config)},
                         "tests/fixtures/history")
            if shared:
                real = os.path.join(shared, "corpus", "real")
                truth, ours = shared_truth(shared, real), reference(real)
                compare("../shared/corpus/real: reference_count.py vs truth.py", ours["totals"], truth["totals"])
                check_ingest(args.ccmeterd, real, os.path.join(work, "real.db"),
                             {"reference_count.py": ours, "truth.py": truth}, "../shared/corpus/real")
        else:
            parts = args.case.split("-")
            if parts[0] != "gen" or len(parts) < 3:
                fail(f"unknown case {args.case}")
            config = os.path.join(work, "history")
            ground = generate(config, parts[1], parts[2], parts[3:])
            ours = reference(config)
            check_ingest(args.ccmeterd, config, os.path.join(work, "usage.db"),
                         {"reference_count.py": ours, "ground_truth.json": ground}, args.case)
            if shared:
                # truth.py credits a forked response to whichever file os.walk meets first, so
                # only totals, models and days are comparable with it.
                truth = shared_truth(shared, config)
                compare("reference_count.py vs truth.py", ours["totals"], truth["totals"])
                compare_groups("by model: reference_count.py vs truth.py", ours["by_model"], truth["by_model"])
                compare_groups("by day: reference_count.py vs truth.py", ours["by_day_utc"], truth["by_day_utc"])
                print("ok: ../shared/corpus/truth.py agrees with reference_count.py on totals, models and days")
                if "modern" in parts:
                    theirs = os.path.join(work, "gen_corpus")
                    subprocess.run([sys.executable, os.path.join(shared, "corpus", "gen_corpus.py"), "--out", theirs,
                                    "--size", "8M", "--sessions", "12", "--seed", parts[1], "--modern"],
                                   check=True, stdout=subprocess.DEVNULL)
                    check_ingest(args.ccmeterd, theirs, os.path.join(work, "gen_corpus.db"),
                                 {"reference_count.py": reference(theirs), "truth.py": shared_truth(shared, theirs)},
                                 "gen_corpus.py --modern")
        if not shared:
            print("note: no ../shared beside the project: its cross-checks were not run")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
